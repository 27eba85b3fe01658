"""Size limits: huge files, huge folders, huge single articles.

Each case runs the real parser / ingest pipeline (fake "hash" embedder) in a fresh subprocess
and measures its peak memory (VmHWM, reset through /proc/self/clear_refs once imports and
input files are done) above the resident size it had before the work started. Files over
``Settings.max_file_bytes`` (``ARTICLE_QA_MAX_FILE_BYTES``, default 512 MB) are refused by
name without being read; CSV / JSONL are streamed; plain-text files are read only up to twice
the longest body kept.

Fast variants (CI) use small files and lowered limits; the ``slow`` ones are the real sizes:
``pytest -m slow tests/integration/test_limits.py -s`` (a 1 GB file, a 100,000-file folder, a 50 MB article).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PRELUDE = """
import json, os, resource, sys, time
from pathlib import Path

def _status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

def rss_mb():
    return _status("VmRSS")

def peak_mb():
    # VmHWM: the peak of this address space. getrusage's ru_maxrss is the same number until a
    # thread exits (torch / tokenizer pools do), after which it also keeps the import-time peak.
    return max(_status("VmHWM"), 0.0) if os.path.exists("/proc/self/status") else (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

def reset_peak():
    # forget the peak so far (imports, building the input); returns the current RSS
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return rss_mb()

import ingest.parsers.common as parser_limits
from ingest.parsers import Skip, parse_file
from qa import ArticleQA, Settings
"""


def run_measured(body: str, **env: str) -> dict[str, Any]:
    """Run ``body`` in a fresh interpreter; it must set ``out`` (a dict). Adds memory figures."""
    script = _PRELUDE + "\nbase = reset_peak()\nt0 = time.perf_counter()\n" + textwrap.dedent(body) + (
        "\nout['seconds'] = round(time.perf_counter() - t0, 2)"
        "\nout['base_mb'] = round(base)\nout['peak_mb'] = round(peak_mb())"
        "\nout['extra_mb'] = round(peak_mb() - base)\nprint('RESULT ' + json.dumps(out))\n"
    )
    work = tempfile.mkdtemp(prefix="aqa-limits-")  # the child's tempfile.mkdtemp() lands here
    try:
        proc = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=3600,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "TMPDIR": work, **env},
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    out: dict[str, Any] = json.loads(line[len("RESULT "):])
    print(f"\n{out}")
    return out


def write_jsonl(path: Path, target_bytes: int, body_chars: int = 4000) -> int:
    """Distinct articles, ``body_chars`` each, until the file is ``target_bytes`` long."""
    n = 0
    para = ("The minister said the talks in Bonn had been useful. " * 80)[: body_chars // 2]
    with path.open("w", encoding="utf-8") as fh:
        while fh.tell() < target_bytes:
            fh.write(json.dumps({"title": f"Story {n}", "date": "2017-03-15",
                                 "text": f"Item {n}. {para}\n\n{para}"}) + "\n")
            n += 1
    return n


# ---------------------------------------------------------------------------- fast (CI)
def test_file_over_the_limit_is_refused_by_name_and_the_rest_ingested(tmp_path: Path) -> None:
    from qa import ArticleQA, Settings

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.jsonl").write_text(
        "\n".join(json.dumps({"title": f"t{i}", "text": "x " * 200}) for i in range(20)))
    (folder / "small.md").write_text("Small one\n\nA short body about Bonn.\n")
    settings = Settings.from_env(env={"ARTICLE_QA_MAX_FILE_BYTES": "2000"}, home=tmp_path / "home", embedder="hash")
    assert settings.max_file_bytes == 2000
    bot = ArticleQA(settings=settings)
    try:
        report = bot.ingest([folder])
    finally:
        bot.close()
    assert len(report.added) == 1
    (where, reason), = report.skipped
    assert where.endswith("big.jsonl") and "too large" in reason and "2,000" in reason


def test_progress_is_reported_inside_one_big_file(tmp_path: Path, fake_bot: Any) -> None:
    path = tmp_path / "feed.jsonl"
    n = write_jsonl(path, 160_000, body_chars=60)
    assert n > 1000
    calls: list[str] = []
    report = fake_bot.ingest([path], progress=lambda done, total, what: calls.append(what))
    assert len(report.added) == n
    assert any("record 1000" in c for c in calls) and any(c == "embedding" for c in calls)


def test_streamed_jsonl_parse_memory_is_flat() -> None:
    """20 MB of JSONL parsed and dropped record by record: memory does not grow with the file."""
    out = run_measured("""
        import tempfile
        sys.path.insert(0, "tests/integration")
        from test_limits import write_jsonl
        path = Path(tempfile.mkdtemp()) / "feed.jsonl"
        n = write_jsonl(path, 20 * 1024 * 1024)
        base = reset_peak()
        arts = skips = 0
        for item in parse_file(path):
            arts += not isinstance(item, Skip)
            skips += isinstance(item, Skip)
        out = {"records": n, "articles": arts, "skips": skips, "mb": path.stat().st_size >> 20}
    """)
    assert out["articles"] == out["records"] and out["skips"] == 0
    assert out["extra_mb"] < 15, out  # the whole file would be 20 MB as bytes plus 20 MB as text


def test_big_single_article_is_cut_with_bounded_memory() -> None:
    """A 6 MB one-article text file (limits lowered 10x) is ingested, cut, without reading it all."""
    out = run_measured("""
        import tempfile
        parser_limits.MAX_ARTICLE_CHARS = 200_000
        d = Path(tempfile.mkdtemp())
        para = "The committee met again on Tuesday and said the report would follow. " * 10
        with (d / "huge.txt").open("w") as fh:
            fh.write("A very long article\\n\\n")
            while fh.tell() < 6 * 1024 * 1024:
                fh.write(para + "\\n\\n")
        bot = ArticleQA(settings=Settings.from_env(home=d / "home", embedder="hash"))
        base = reset_peak()
        r = bot.ingest([d / "huge.txt"])
        art = bot.index.catalog.article(r.added[0])
        out = {"added": len(r.added), "skipped": r.skipped, "chars": len(art.text)}
    """)
    assert out["added"] == 1 and not out["skipped"]
    assert 190_000 <= out["chars"] <= 200_000
    assert out["extra_mb"] < 150, out


def test_oversize_jsonl_record_is_skipped_by_line() -> None:
    out = run_measured("""
        import tempfile
        parser_limits.MAX_RECORD_CHARS = 1_000_000
        path = Path(tempfile.mkdtemp()) / "one.jsonl"
        path.write_text(json.dumps({"title": "ok", "text": "fine"}) + "\\n"
                        + json.dumps({"title": "huge", "text": "z" * 5_000_000}) + "\\n"
                        + json.dumps({"title": "ok2", "text": "fine too"}) + "\\n")
        base = reset_peak()
        items = list(parse_file(path))
        out = {"titles": [i.title for i in items if not isinstance(i, Skip)],
               "skips": [(i.where.rsplit("/", 1)[-1], i.reason) for i in items if isinstance(i, Skip)]}
    """)
    assert out["titles"] == ["ok", "ok2"]
    assert out["skips"] == [["one.jsonl:line 2", "record longer than 1,000,000 characters, not read"]]
    assert out["extra_mb"] < 15, out


# ---------------------------------------------------------------------------- slow: the real sizes
@pytest.mark.slow
def test_1gb_file_is_refused_by_name_without_reading_it() -> None:
    out = run_measured("""
        import tempfile
        root = Path(tempfile.mkdtemp())
        d = root / "in"
        d.mkdir()
        big = d / "dump.csv"
        with big.open("w") as fh:  # real bytes, not a sparse file
            row = "title,text\\n" + ("T,The minister said the talks had been useful.\\n" * 20000)
            while fh.tell() < 1024 ** 3 + 1:
                fh.write(row)
        (d / "ok.md").write_text("Fine\\n\\nA small article.\\n")
        bot = ArticleQA(settings=Settings.from_env(home=root / "home", embedder="hash"))
        base = reset_peak()
        t1 = time.perf_counter()
        r = bot.ingest([d])
        out = {"added": len(r.added), "skipped": r.skipped, "ingest_s": round(time.perf_counter() - t1, 2),
               "gb": round(big.stat().st_size / 1024 ** 3, 3)}
        big.unlink()
    """)
    assert out["added"] == 1
    (where, reason), = out["skipped"]
    assert where.endswith("dump.csv") and "too large" in reason and "536,870,912" in reason
    assert out["extra_mb"] < 50 and out["ingest_s"] < 30, out


@pytest.mark.slow
def test_1gb_jsonl_streams_with_flat_memory_when_the_limit_is_raised() -> None:
    out = run_measured("""
        import tempfile
        sys.path.insert(0, "tests/integration")
        from test_limits import write_jsonl
        path = Path(tempfile.mkdtemp()) / "feed.jsonl"
        n = write_jsonl(path, 1024 ** 3)
        base = reset_peak()
        t1 = time.perf_counter()
        arts = 0
        for item in parse_file(path, max_bytes=2 * 1024 ** 3):
            arts += not isinstance(item, Skip)
        out = {"records": n, "articles": arts, "parse_s": round(time.perf_counter() - t1, 1),
               "gb": round(path.stat().st_size / 1024 ** 3, 3)}
        path.unlink()
    """)
    assert out["articles"] == out["records"]
    assert out["extra_mb"] < 50, out


@pytest.mark.slow
def test_100k_file_folder_is_ingested_with_progress_and_bounded_memory() -> None:
    out = run_measured("""
        import tempfile
        d = Path(tempfile.mkdtemp())
        root = d / "many"
        for i in range(100_000):
            sub = root / f"d{i // 1000:03d}"
            if i % 1000 == 0:
                sub.mkdir(parents=True)
            body = f"Minister {i} spoke about topic {i % 97} in city {i % 13}."
            (sub / f"a{i}.md").write_text(f"Article {i}\\n\\n{body}\\n")
        (root / "d000" / "bad.csv").write_text("a,b,c\\n1,2,3\\n")
        bot = ArticleQA(settings=Settings.from_env(home=d / "home", embedder="hash"))
        base = reset_peak()
        calls = []
        r = bot.ingest([root], progress=lambda done, total, what: calls.append((done, total, what)))
        out = {"added": len(r.added), "skipped": r.skipped, "progress_calls": len(calls),
               "articles": bot.stats()["articles"]}
    """)
    assert out["added"] == 100_000 and out["articles"] == 100_000
    (where, reason), = out["skipped"]
    assert where.endswith("bad.csv") and "no text column" in reason
    assert out["progress_calls"] >= 100_000
    assert out["extra_mb"] < 1500, out


@pytest.mark.slow
def test_50mb_single_article_txt_is_cut_and_jsonl_line_refused() -> None:
    out = run_measured("""
        import tempfile
        d = Path(tempfile.mkdtemp())
        para = "The committee met again on Tuesday and said the report would follow. " * 10
        with (d / "huge.txt").open("w") as fh:
            fh.write("A fifty megabyte article\\n\\n")
            while fh.tell() < 50 * 1024 * 1024:
                fh.write(para + "\\n\\n")
        body = (para + "\\n\\n") * (50 * 1024 * 1024 // (len(para) + 2))
        (d / "huge.jsonl").write_text(json.dumps({"title": "Huge JSON", "text": body}) + "\\n")
        bot = ArticleQA(settings=Settings.from_env(home=d / "home", embedder="hash"))
        del body
        base = reset_peak()
        r = bot.ingest([d / "huge.txt", d / "huge.jsonl"])
        art = bot.index.catalog.article(r.added[0])
        out = {"added": len(r.added), "skipped": r.skipped, "chars": len(art.text), "chunks": r.chunks_added}
    """)
    assert out["added"] == 1 and out["chars"] <= 2_000_000
    (where, reason), = out["skipped"]
    assert where.endswith("huge.jsonl:line 1") and "longer than" in reason
    assert out["extra_mb"] < 600, out

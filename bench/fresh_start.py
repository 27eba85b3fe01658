"""Time to a full index on a fresh start of the app, with questions asked while it loads.

    python -m bench.fresh_start [--port 7871] [--every 15] [--timeout 3600]

Starts ``app.py`` on a new, empty home (it loads news100, serves, then loads the rest of the demo
corpus in the background), asks one of ``bench/questions.txt`` every ``--every`` seconds through
the app's ``ask`` API (gradio_client, a real HTTP client), and polls the catalog until every
demo article is ready. Reports when the page came up, when the index was full, the answer times
while loading and after, and any failed question. Saved as ``bench/results/fresh-start.json``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, Machine, demo_cache, percentile, read_questions, save, setup_logging

logger = logging.getLogger(__name__)
FULL = 3782  #: articles of the demo corpus once loaded (duplicates merged, empty rows skipped)


def ready_articles(home: Path) -> int:
    """Articles marked ready in the app's catalog (read-only; 0 before it exists)."""
    path = home / "catalog.sqlite3"
    if not path.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            return int(con.execute("SELECT COUNT(*) FROM articles WHERE state='ready'").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=7871)
    p.add_argument("--every", type=float, default=15.0, help="seconds between questions while loading")
    p.add_argument("--timeout", type=float, default=3600.0)
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    setup_logging(args.verbose)
    from gradio_client import Client

    machine = Machine.describe()
    questions = read_questions()
    home = Path(tempfile.mkdtemp(prefix="fresh-start-")) / "home"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "ARTICLE_QA_DEMO_CACHE": str(demo_cache())}
    log = open(home.parent / "app.log", "w")  # noqa: SIM115 - closed below
    t0 = time.monotonic()
    app = subprocess.Popen([sys.executable, "app.py", "--home", str(home), "--port", str(args.port)],
                           cwd=BENCH_DIR.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{args.port}/"
    page_up: float | None = None
    loading: list[float] = []
    failed: list[str] = []
    progress: list[tuple[float, int]] = []
    client: Any = None
    last_ask = 0.0
    full_at: float | None = None
    try:
        while time.monotonic() - t0 < args.timeout and full_at is None:
            time.sleep(2)
            n = ready_articles(home)
            if not progress or progress[-1][1] != n:
                progress.append((round(time.monotonic() - t0, 1), n))
            if page_up is None:
                try:
                    urllib.request.urlopen(url, timeout=2)
                    page_up = time.monotonic() - t0
                    client = Client(url, verbose=False)
                except OSError:
                    continue
            if n >= FULL:
                full_at = time.monotonic() - t0
            elif time.monotonic() - last_ask >= args.every:
                last_ask = time.monotonic()
                q = questions[len(loading) % len(questions)]
                t = time.perf_counter()
                try:
                    client.predict(q, api_name="/ask")
                    loading.append(time.perf_counter() - t)
                except Exception as exc:  # a failed question is a finding, not a crash
                    failed.append(f"{q}: {type(exc).__name__}")
        after = []
        for q in questions[:10]:
            t = time.perf_counter()
            client.predict(q, api_name="/ask")
            after.append(time.perf_counter() - t)
    finally:
        app.terminate()
        app.wait(60)
        log.close()
    result = {
        "page_up_s": round(page_up or -1, 1), "full_index_s": round(full_at or -1, 1), "articles": FULL,
        "asked_while_loading": len(loading) + len(failed), "failed": failed,
        "answer_s_while_loading": {"p50": round(percentile(loading, 50), 2), "max": round(max(loading), 2)}
        if loading else {},
        "answer_s_after": {"p50": round(percentile(after, 50), 3), "max": round(max(after), 3)},
        "progress": progress[:: max(1, len(progress) // 20)],
    }
    save("fresh-start", result, machine)
    print(f"page up {result['page_up_s']} s; full index ({FULL} articles) {result['full_index_s']} s; "
          f"{len(failed)} of {result['asked_while_loading']} questions failed while loading; answers "
          f"{result['answer_s_while_loading']} while loading, {result['answer_s_after']} after")
    return 0 if full_at is not None and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Query latency and throughput: p50 / p95 and questions/s, 1 thread and N threads, plus RSS.

    python -m bench.query --corpus news100            # builds a temporary index first
    python -m bench.query --home /tmp/idxnews         # an existing index (copied first)

The questions are bench/questions.txt (30 varied ones: passages, article metadata, collection
counts and listings, a greeting, off-topic probes); the engine's own routing (``Answer.kind``)
groups them. After a cold first question (model load, lexical index build), one pass over all
questions is timed apart ("first pass": per-question first-use costs), then ``--repeat``
passes on one thread, then the same with ``--clients N`` (alias ``--threads``, default 4)
concurrent clients: N threads sharing one ``ArticleQA``, as the app's request threads do. The
measuring runs in a fresh process (the serving process) so its memory is its own. An existing
index is copied to a temporary folder first (``--in-place`` to skip), so the benchmark never
writes into it.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import (
    Machine,
    emit,
    peak_rss_mb,
    percentile,
    read_questions,
    rss_mb,
    run_child,
    save,
    setup_logging,
)

logger = logging.getLogger(__name__)

EMBEDDER_BY_NAME = {"all-MiniLM-L6-v2": "minilm", "all-MiniLM-L6-v2-int8": "minilm-int8",
                    "hash-fake": "hash"}
CATALOG_KINDS = {"collection", "metadata"}


def recorded_embedder(home: Path) -> str:
    """The embedder setting an index was built with (from its catalog), default minilm."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key='embedder'").fetchone()
    except sqlite3.Error:
        row = None
    name = str(row[0]).rsplit(":", 1)[0].split("@")[0] if row else "all-MiniLM-L6-v2"
    return EMBEDDER_BY_NAME.get(name, "minilm")


def latency_stats(samples: list[tuple[str, float]]) -> dict[str, dict[str, float]]:
    """p50 / p95 / mean in milliseconds, for all questions and per group."""
    groups: dict[str, list[float]] = defaultdict(list)
    for kind, secs in samples:
        groups["all"].append(secs)
        groups[kind].append(secs)
        if kind in CATALOG_KINDS:
            groups["catalog"].append(secs)
    return {
        g: {"n": len(v), "p50_ms": round(percentile(v, 50) * 1000, 1),
            "p95_ms": round(percentile(v, 95) * 1000, 1),
            "mean_ms": round(sum(v) / len(v) * 1000, 1)}
        for g, v in sorted(groups.items())
    }


def child_measure(home: Path, embedder: str, threads: int, repeat: int) -> dict[str, Any]:
    from qa import ArticleQA, Settings

    questions = read_questions()
    t0 = time.perf_counter()
    bot = ArticleQA(settings=Settings.from_env(home=home, embedder=embedder))
    open_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    first = bot.ask(questions[0])  # loads the model and builds the lexical index
    cold_s = time.perf_counter() - t1
    rss_ready = rss_mb()

    kinds: dict[str, str] = {}
    answers: list[dict[str, Any]] = []

    def ask(q: str) -> tuple[str, float]:
        t = time.perf_counter()
        a = bot.ask(q)
        dt = time.perf_counter() - t
        if q not in kinds:
            kinds[q] = a.kind
            answers.append({"q": q, "kind": a.kind, "refused": a.refused,
                            "ms": round(dt * 1000, 1), "answer": a.text[:160]})
        return a.kind, dt

    # one untimed-for-throughput pass first: per-question first-use costs (catalog lookups,
    # caches) land here, reported apart, not in the steady-state figures
    first_pass = [ask(q) for q in questions]
    work = [q for _ in range(repeat) for q in questions]
    t2 = time.perf_counter()
    single = [ask(q) for q in work]
    single_wall = time.perf_counter() - t2
    t3 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        multi = list(pool.map(ask, work))
    multi_wall = time.perf_counter() - t3
    stats = bot.stats()
    bot.close()
    return {
        "articles": stats["articles"],
        "chunks": stats["chunks"],
        "embedder": embedder,
        "questions": len(questions),
        "repeat": repeat,
        "open_s": open_s,
        "cold_first_question_s": cold_s,
        "cold_first_kind": first.kind,
        "first_pass": {"latency": latency_stats(first_pass)},
        "single": {"qps": round(len(work) / single_wall, 2), "latency": latency_stats(single)},
        "threads": threads,
        "concurrent": {"qps": round(len(work) / multi_wall, 2), "latency": latency_stats(multi)},
        "rss_ready_mb": rss_ready,
        "rss_end_mb": rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
        "answers": answers,
    }


def measure(home: Path, embedder: str = "", threads: int = 4, repeat: int = 2,
            in_place: bool = False) -> dict[str, Any]:
    """Parent side: copy the index unless ``in_place``, then measure in a fresh process."""
    embedder = embedder or recorded_embedder(home)
    with tempfile.TemporaryDirectory(prefix="bench-query-") as tmp:
        where = home
        if not in_place:
            where = Path(tmp) / "home"
            shutil.copytree(home, where)
        return run_child("bench.query", ["--child", "--home", str(where), "--embedder", embedder,
                                         "--threads", str(threads), "--repeat", str(repeat)])


def build_index(corpus: str, embedder: str, home: Path) -> dict[str, Any]:
    from bench.common import demo_path

    return run_child("bench.ingest", ["--child", embedder, "--csv", str(demo_path(corpus)),
                                      "--home", str(home)])


def compare(corpus: str, embedders: list[str], threads: int, repeat: int,
            rounds: int) -> dict[str, Any]:
    """One index per embedder, then query runs in rotating rounds; medians per embedder."""
    import statistics

    runs: dict[str, list[dict[str, Any]]] = {e: [] for e in embedders}
    with tempfile.TemporaryDirectory(prefix="bench-query-compare-") as tmp:
        homes = {e: Path(tmp) / e for e in embedders}
        for e in embedders:
            build_index(corpus, e, homes[e])
        for r in range(rounds):
            for e in embedders[r % len(embedders):] + embedders[: r % len(embedders)]:
                runs[e].append(measure(homes[e], e, threads, repeat, in_place=True))
                logger.info("round %d, %s: %s q/s", r + 1, e, runs[e][-1]["single"]["qps"])

    def med(e: str, *path: str) -> float:
        vals = []
        for run in runs[e]:
            v: Any = run
            for key in path:
                v = v.get(key, {}) if isinstance(v, dict) else {}
            if isinstance(v, int | float):
                vals.append(float(v))
        return round(statistics.median(vals), 1) if vals else 0.0

    summary = {
        e: {"passage_p50_ms": med(e, "single", "latency", "passage", "p50_ms"),
            "passage_p95_ms": med(e, "single", "latency", "passage", "p95_ms"),
            "catalog_p50_ms": med(e, "single", "latency", "catalog", "p50_ms"),
            "qps_1_thread": med(e, "single", "qps"),
            f"qps_{threads}_threads": med(e, "concurrent", "qps"),
            "cold_first_question_s": med(e, "cold_first_question_s"),
            "rss_mb": med(e, "rss_end_mb")}
        for e in embedders
    }
    return {"corpus": corpus, "rounds": rounds, "threads": threads, "repeat": repeat,
            "summary": summary, "runs": runs}


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--home", help="an existing index (copied before measuring)")
    ap.add_argument("--corpus", default="news100", help="build a temp index of this corpus")
    ap.add_argument("--embedder", default="", help="default: the one the index was built with")
    ap.add_argument("--threads", "--clients", dest="threads", type=int, default=4,
                    help="concurrent clients: threads asking through one shared ArticleQA, "
                    "the way the app serves parallel requests (default 4)")
    ap.add_argument("--repeat", type=int, default=2, help="passes over the question list")
    ap.add_argument("--in-place", action="store_true", help="do not copy --home first")
    ap.add_argument("--compare", default="", help="embedders to compare in one run, e.g. minilm,minilm-int8")
    ap.add_argument("--rounds", type=int, default=3, help="with --compare: rotating rounds")
    ap.add_argument("--name", default="")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    setup_logging(args.verbose)
    machine = Machine.describe()

    if args.child:
        emit(child_measure(Path(args.home), args.embedder, args.threads, args.repeat))
        return None
    if args.compare:
        res = compare(args.corpus, args.compare.split(","), args.threads, args.repeat, args.rounds)
        save(args.name or f"query-compare-{args.corpus}", res, machine=machine)
        for emb, row in res["summary"].items():
            print(emb, row)
        return res
    if args.home:
        res = measure(Path(args.home), args.embedder, args.threads, args.repeat, args.in_place)
        name = args.name or f"query-{Path(args.home).name}"
    else:
        embedder = args.embedder or "minilm"
        with tempfile.TemporaryDirectory(prefix="bench-query-build-") as tmp:
            home = Path(tmp) / "home"
            built = build_index(args.corpus, embedder, home)
            logger.info("built %s: %d chunks in %.0f s", args.corpus, built["chunks"], built["ingest_s"])
            res = measure(home, embedder, args.threads, args.repeat, in_place=True)
        name = args.name or f"query-{args.corpus}-{embedder}"
    save(name, res, machine=machine)
    print_summary(res)
    return res


def print_summary(res: dict[str, Any]) -> None:
    print(f"{res['articles']} articles, {res['chunks']} chunks, embedder {res['embedder']}; "
          f"cold first question {res['cold_first_question_s']:.1f} s; RSS {res['rss_end_mb']:.0f} MB")
    for label, key in (("1 thread", "single"), (f"{res['threads']} threads", "concurrent")):
        part = res[key]
        lat = part["latency"]
        groups = "  ".join(f"{g} p50 {v['p50_ms']:.0f} / p95 {v['p95_ms']:.0f} ms"
                           for g, v in lat.items() if g in ("all", "passage", "catalog"))
        print(f"  {label:10s} {part['qps']:6.2f} q/s  {groups}")


if __name__ == "__main__":
    main()

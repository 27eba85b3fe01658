"""Growth: ingest and query figures at 1x, 4x, 16x a base corpus, extrapolated to 1M articles.

    python -m bench.growth --base news100 --factors 1,4,16 [--embedder minilm-int8]

Bigger corpora are synthesised from the base: copy k (k >= 1) of every article is re-dated
(+120 days x k), re-titled "... (synthetic copy k)", gets the source "TASS (synthetic copy k)",
a distinct URL and a one-line marker in front of its body (so it is not merged as a duplicate).
Copy 0 is the original. Each size is ingested in a fresh process into a fresh home; then all
sizes are queried with bench/questions.txt (1 and 4 threads, a fresh process per run) in
``--rounds`` rotating rounds, and the medians are reported.

The 1M-article figures are a straight-line extrapolation from these points on this machine:
labelled as such in BENCHMARKS.md, not measured.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Machine, demo_path, run_child, save, setup_logging
from bench.query import measure

logger = logging.getLogger(__name__)

SHIFT_DAYS = 120
TARGET = 1_000_000


def synthesize(base_csv: Path, factor: int, out: Path) -> int:
    """Write ``factor`` copies of the base CSV (copy 0 unchanged) to ``out``; returns rows."""
    from qa.lang.dates import parse_date
    from qa.lang.outlets import outlet_from_url

    csv.field_size_limit(sys.maxsize)
    with open(base_csv, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        fields = list(reader.fieldnames or [])
    if "source" not in fields:
        fields.append("source")
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for k in range(factor):
            for row in rows:
                writer.writerow(row if k == 0 else synthetic_copy(row, k, outlet_from_url, parse_date))
                n += 1
    return n


def synthetic_copy(row: dict[str, str], k: int, outlet: Any, parse_date: Any) -> dict[str, str]:
    new = dict(row)
    url = row.get("article_source_link", "") or ""
    new["source"] = f"{row.get('source') or outlet(url) or 'unknown'} (synthetic copy {k})"
    new["article_source_link"] = f"{url}{'&' if '?' in url else '?'}synthetic_copy={k}" if url else ""
    new["title"] = f"{row.get('title', '')} (synthetic copy {k})".strip()
    published = parse_date(row.get("publish_date") or "")
    if isinstance(published, dt.date):
        new["publish_date"] = (published + dt.timedelta(days=SHIFT_DAYS * k)).isoformat()
    if new.get("article_id"):
        new["article_id"] = f"{new['article_id']}-copy{k}"
    if (row.get("text") or "").strip():  # an empty body stays empty (skipped like the original)
        new["text"] = (f"Synthetic benchmark copy {k} of this article, re-dated by "
                       f"{SHIFT_DAYS * k} days. {row['text']}")
    return new


def fit_line(x: list[float], y: list[float]) -> tuple[float, float]:
    """Least-squares ``y = a + b x``."""
    b, a = np.polyfit(np.asarray(x, dtype=float), np.asarray(y, dtype=float), 1)
    return float(a), float(b)


def extrapolate(points: list[dict[str, Any]], target: int = TARGET) -> dict[str, Any]:
    """Straight lines through the measured points, evaluated at ``target`` articles."""
    arts = [p["articles"] for p in points]
    chunks_per_article = points[-1]["chunks"] / points[-1]["articles"]
    chunks = target * chunks_per_article
    rate = points[-1]["chunks_per_s"]
    out: dict[str, Any] = {
        "articles": target,
        "chunks": round(chunks),
        "ingest_hours_on_this_machine": round(chunks / rate / 3600, 1),
        "index_gb": round(fit_line(arts, [p["index_mb"] for p in points])[1] * target / 1024, 1),
    }
    for key in ("query_rss_mb", "ingest_peak_rss_mb", "passage_p50_ms", "catalog_p50_ms",
                "all_p50_ms", "all_p95_ms", "cold_first_question_s"):
        vals = [p.get(key) for p in points]
        if all(v is not None for v in vals):
            a, b = fit_line(arts, vals)  # type: ignore[arg-type]
            if b <= 0:  # no growth measured (noise): report the largest measured value
                out[key] = max(vals)  # type: ignore[type-var]
                out[key + "_per_1k_articles"] = 0.0
            else:
                out[key] = round(a + b * target, 1)
                out[key + "_per_1k_articles"] = round(b * 1000, 3)
    return out


def query_rounds(homes: dict[int, Path], embedder: str, threads: int, repeat: int,
                 rounds: int) -> dict[int, list[dict[str, Any]]]:
    """Query every size once per round, rotating the order, so load drift hits all sizes."""
    out: dict[int, list[dict[str, Any]]] = {f: [] for f in homes}
    factors = list(homes)
    for r in range(rounds):
        for f in factors[r % len(factors):] + factors[: r % len(factors)]:
            out[f].append(measure(homes[f], embedder, threads, repeat, in_place=True))
            logger.info("round %d, %dx: passage p50 %s ms", r + 1, f,
                        out[f][-1]["single"]["latency"].get("passage", {}).get("p50_ms"))
    return out


def _median(runs: list[dict[str, Any]], *path: str) -> float | None:
    vals = []
    for run in runs:
        v: Any = run
        for key in path:
            v = v.get(key) if isinstance(v, dict) else None
        if v is not None:
            vals.append(float(v))
    return round(statistics.median(vals), 2) if vals else None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", default="news100", help="news100 | news | a CSV path")
    ap.add_argument("--factors", default="1,4,16")
    ap.add_argument("--embedder", default="minilm-int8")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=1, help="question passes per query run")
    ap.add_argument("--rounds", type=int, default=3, help="query runs per size (medians)")
    ap.add_argument("--name", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    setup_logging(args.verbose)
    machine = Machine.describe()
    from bench.ingest import ensure_models_built

    ensure_models_built([args.embedder])

    base = demo_path(args.base)
    factors = [int(f) for f in args.factors.split(",")]
    ingests: dict[int, dict[str, Any]] = {}
    rows: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
        homes = {f: Path(tmp) / f"home-{f}x" for f in factors}
        for f in factors:
            corpus = Path(tmp) / f"{Path(args.base).stem}-x{f}.csv"
            rows[f] = synthesize(base, f, corpus)
            logger.info("%dx: ingesting %d rows", f, rows[f])
            ingests[f] = run_child("bench.ingest", ["--child", args.embedder, "--csv", str(corpus),
                                                    "--home", str(homes[f])])
            logger.info("%dx: %d chunks in %.0f s", f, ingests[f]["chunks"], ingests[f]["ingest_s"])
        queries = query_rounds(homes, args.embedder, args.threads, args.repeat, args.rounds)
    points: list[dict[str, Any]] = []
    for f in factors:
        ing, qs = ingests[f], queries[f]
        points.append({
            "factor": f,
            "rows": rows[f],
            "articles": ing["articles_indexed"],
            "chunks": ing["chunks"],
            "ingest_s": round(ing["ingest_s"], 1),
            "articles_per_s": round(ing["articles_in"] / ing["ingest_s"], 2),
            "chunks_per_s": round(ing["chunks"] / ing["ingest_s"], 2),
            "ingest_peak_rss_mb": round(ing["peak_rss_mb"], 1),
            "index_mb": round(ing["index_mb"], 1),
            "query_rounds": len(qs),
            "cold_first_question_s": _median(qs, "cold_first_question_s"),
            "all_p50_ms": _median(qs, "single", "latency", "all", "p50_ms"),
            "all_p95_ms": _median(qs, "single", "latency", "all", "p95_ms"),
            "passage_p50_ms": _median(qs, "single", "latency", "passage", "p50_ms"),
            "passage_p95_ms": _median(qs, "single", "latency", "passage", "p95_ms"),
            "catalog_p50_ms": _median(qs, "single", "latency", "catalog", "p50_ms"),
            "catalog_p95_ms": _median(qs, "single", "latency", "catalog", "p95_ms"),
            "qps_1_thread": _median(qs, "single", "qps"),
            f"qps_{args.threads}_threads": _median(qs, "concurrent", "qps"),
            "query_rss_mb": _median(qs, "rss_end_mb"),
        })
        logger.info("%dx: %s", f, points[-1])
    result = {"base": args.base, "embedder": args.embedder, "threads": args.threads,
              "points": points, "extrapolated_1M": extrapolate(points) if len(points) > 1 else {}}
    save(args.name or f"growth-{Path(args.base).stem}", result, machine=machine)
    for p in points:
        print(p)
    print("extrapolated to 1M articles:", result["extrapolated_1M"])
    return result


if __name__ == "__main__":
    main()

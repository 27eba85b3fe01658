"""The keyword index on disk (SQLite FTS5 in the catalog) against BM25 in memory (``bm25s``, what
every worker built at its first question before), over the same chunk terms of one index.

    python -m bench.keywords --home IDX [--suite eval/data/news_gold.jsonl ...]

Reported, from one run: the time to have each ready (bm25s: build in memory, what each worker paid
at its first question; FTS5: nothing at start, the one-off backfill of an older catalog is timed
apart), the memory it holds, lexical query latency (p50 / p95, with and without an outlet filter),
how much the two rankings agree (overlap of their top 5 and top 40), and recall@5 of the lexical
side alone: the share of gold questions whose gold article is among its five best chunks.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Machine, percentile, read_questions, rss_mb, save, setup_logging
from qa import Settings
from qa.lang.text import content_terms
from qa.store import keywords
from qa.store.index import Index
from qa.store.queries import ArticleFilter, source_counts

ROOT = Path(__file__).resolve().parents[1]
SUITES = (ROOT / "eval/data/news_gold.jsonl", ROOT / "eval/data/news_blind_dev.jsonl")


class MemoryBM25:
    """The previous lexical side: bm25s over every chunk's terms, rows in chunk-id order."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        import bm25s

        self.ids = [r[0] for r in rows]
        self.source = np.array([r[2] for r in rows], dtype=object)
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self.bm25.index([r[1].split() or ["<empty>"] for r in rows], show_progress=False)
        self.vocab = {t for r in rows for t in r[1].split()}

    def top(self, terms: list[str], n: int, source: str = "") -> list[tuple[str, float]]:
        terms = [t for t in terms if t in self.vocab]
        if not terms:
            return []
        scores = np.asarray(self.bm25.get_scores(terms), dtype=np.float32)
        if source:
            scores = np.where(self.source == source, scores, 0.0)
        n = min(n, int((scores > 0).sum()))
        if n <= 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]


def gold_questions(paths: tuple[Path, ...]) -> list[tuple[str, set[str]]]:
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                if q.get("article_ids") and q.get("answers"):
                    out.append((q["question"], set(q["article_ids"])))
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="an existing index (its catalog gets the keyword index)")
    ap.add_argument("--suite", type=Path, action="append", help="gold JSONL with article_ids (default: news dev sets)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--name", default="keywords")
    args = ap.parse_args(argv)
    setup_logging(False)
    machine = Machine.describe()
    t = time.perf_counter()
    index = Index(Settings.from_env(home=args.home), verify=False)  # backfills an older catalog
    open_s = time.perf_counter() - t
    cat = index.catalog
    rows = [(r[0], r[1], r[2]) for r in cat.query(
        "SELECT t.chunk_id, t.terms, a.source FROM chunk_terms t JOIN articles a ON a.id = t.article_id "
        "ORDER BY t.chunk_id")]
    article_of = {r[0]: r[1] for r in cat.query("SELECT id, article_id FROM chunks")}
    gc.collect()
    rss0 = rss_mb()
    t = time.perf_counter()
    memory = MemoryBM25(rows)
    build_s = time.perf_counter() - t
    gc.collect()
    bm25s_mb = rss_mb() - rss0
    top_source = next(iter(source_counts(cat)))
    gold = gold_questions(tuple(args.suite or SUITES))
    queries = [content_terms(q) for q in read_questions()] + [content_terms(q) for q, _ in gold]
    times: dict[str, list[float]] = {"fts5": [], "bm25s": [], "fts5 filtered": [], "bm25s filtered": []}
    overlap5, overlap40 = [], []
    for _ in range(args.repeat):
        for terms in queries:
            t = time.perf_counter()
            a = keywords.search(cat, terms, None, 40)
            times["fts5"].append(time.perf_counter() - t)
            t = time.perf_counter()
            b = memory.top(terms, 40)
            times["bm25s"].append(time.perf_counter() - t)
            t = time.perf_counter()
            keywords.search(cat, terms, ArticleFilter(sources=(top_source,)), 40)
            times["fts5 filtered"].append(time.perf_counter() - t)
            t = time.perf_counter()
            memory.top(terms, 40, top_source)
            times["bm25s filtered"].append(time.perf_counter() - t)
            if b:
                overlap5.append(len({i for i, _ in a[:5]} & {i for i, _ in b[:5]}) / min(5, len(b)))
                overlap40.append(len({i for i, _ in a} & {i for i, _ in b}) / len(b))
    recall = {"fts5": 0, "bm25s": 0}
    for q, ids in gold:
        terms = content_terms(q)
        recall["fts5"] += bool({article_of[i] for i, _ in keywords.search(cat, terms, None, 5)} & ids)
        recall["bm25s"] += bool({article_of[i] for i, _ in memory.top(terms, 5)} & ids)
    size = sum(int(r[0]) for r in cat.query(
        "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'chunk_fts%' OR name LIKE 'chunk_terms%'")) \
        if cat.query("SELECT 1 FROM pragma_module_list WHERE name = 'dbstat'") else -1
    result: dict[str, Any] = {
        "home": str(args.home), "chunks": len(rows), "queries": len(queries), "repeat": args.repeat,
        "gold_questions": len(gold), "open_s": round(open_s, 2),
        "ready_s": {"bm25s": round(build_s, 2), "fts5": 0.0},
        "held_mb": {"bm25s": round(bm25s_mb, 1), "fts5": 0.0},
        "fts5_on_disk_mb": round(size / 2**20, 1) if size >= 0 else None,
        "latency_ms": {k: {"p50": round(percentile(v, 50) * 1000, 2), "p95": round(percentile(v, 95) * 1000, 2)}
                       for k, v in times.items()},
        "overlap_top5": round(float(np.mean(overlap5)), 3), "overlap_top40": round(float(np.mean(overlap40)), 3),
        "recall_at_5": {k: round(v / len(gold), 3) for k, v in recall.items()},
        "filter_source": top_source,
    }
    save(args.name, result, machine=machine)
    print(json.dumps(result, indent=1))
    index.close()
    return result


if __name__ == "__main__":
    main()

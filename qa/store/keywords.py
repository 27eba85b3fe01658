"""The keyword index: SQLite FTS5 over each chunk's content terms, in the catalog file.

The catalog writes it in the same transactions as the chunk rows (``chunk_terms``, whose triggers
keep ``chunk_fts`` equal to it), so it is on disk, shared by every process that opens the index,
and updated by each ingest without a rebuild. Ranking is FTS5's ``bm25()`` (k1 = 1.2, b = 0.75).
This module holds its read queries; callers pass plain values, never SQL.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from qa.store.catalog import CHUNK_COLUMNS, Catalog, CatalogError, chunk_terms, row_to_chunk
from qa.store.queries import ArticleFilter, article_where

logger = logging.getLogger(__name__)

BACKFILL_BATCH = 2000  #: chunks per transaction when an older catalog gets its keyword index


def match_expression(terms: list[str]) -> str:
    """An FTS5 query that matches any of ``terms`` (each quoted: a term is never an operator)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms if t)


def search(catalog: Catalog, terms: list[str], f: ArticleFilter | None, n: int) -> list[tuple[str, float]]:
    """(chunk id, BM25 score) of the ``n`` best chunks of ready articles that pass ``f`` and
    contain any of ``terms``, best first (higher is better)."""
    expr = match_expression(terms)
    if not expr or n <= 0:
        return []
    join, where = "", ""
    params: list[Any] = []
    if f is not None and f != ArticleFilter():  # chunk_terms rows exist only for ready articles
        join = " JOIN articles a ON a.id = t.article_id"
        clauses, params = article_where(f)
        where = f" AND {clauses}"
    rows = catalog.query(
        f"SELECT t.chunk_id, -chunk_fts.rank FROM chunk_fts JOIN chunk_terms t ON t.rowid = chunk_fts.rowid{join} "
        f"WHERE chunk_fts MATCH ?{where} ORDER BY chunk_fts.rank LIMIT ?", [expr, *params, n])
    return [(str(r[0]), float(r[1])) for r in rows if r[1] > 0]


def documents(catalog: Catalog) -> int:
    """Chunks in the keyword index (BM25's N)."""
    return int(catalog.query("SELECT COUNT(*) FROM chunk_terms")[0][0])


def document_frequency(catalog: Catalog, term: str) -> int:
    """Chunks whose terms include ``term`` (0 when none)."""
    rows = catalog.query("SELECT doc FROM chunk_vocab WHERE term = ?", [term])
    return int(rows[0][0]) if rows else 0


def together(catalog: Catalog, terms: list[str]) -> int:
    """Chunks whose terms include every one of ``terms`` (0 without terms)."""
    expr = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms if t)
    if not expr:
        return 0
    return int(catalog.query("SELECT COUNT(*) FROM chunk_fts WHERE chunk_fts MATCH ?", [expr])[0][0])


def idf(n: int, df: int) -> float:
    """BM25's inverse document frequency, Lucene's form (never negative); unseen terms count as
    seen once (the rarest a term can be)."""
    return math.log(1 + (n - max(df, 1) + 0.5) / (max(df, 1) + 0.5))


def backfill(catalog: Catalog) -> int:
    """Index the chunks a catalog from before the keyword index (or a half-done backfill) holds
    without terms, and drop terms whose chunk is gone; returns the chunks indexed. Runs when an
    index is opened for writing; cheap (two counts) when there is nothing to do."""
    n_chunks, n_terms = catalog.query("SELECT (SELECT COUNT(*) FROM chunks), (SELECT COUNT(*) FROM chunk_terms)")[0]
    if n_chunks == n_terms and not catalog.query(
        "SELECT 1 FROM chunk_terms t WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = t.chunk_id) LIMIT 1"
    ):
        return 0
    t0 = time.perf_counter()
    logger.warning("building the keyword index of %s for %d chunk(s) (once)", catalog.path, n_chunks - n_terms)
    catalog.execute("DELETE FROM chunk_terms WHERE chunk_id NOT IN (SELECT id FROM chunks)")
    done = 0
    while True:
        rows = catalog.query(
            f"SELECT {CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id WHERE "
            "NOT EXISTS (SELECT 1 FROM chunk_terms t WHERE t.chunk_id = c.id) LIMIT ?", [BACKFILL_BATCH])
        if not rows:
            break
        chunks = [row_to_chunk(r) for r in rows]
        # OR IGNORE: another process opening the same older catalog may be filling it in too
        catalog.executemany("INSERT OR IGNORE INTO chunk_terms(chunk_id, article_id, terms) VALUES (?, ?, ?)",
                            [(c.id, c.article_id, chunk_terms(c)) for c in chunks])
        done += len(chunks)
    logger.warning("keyword index: %d chunk(s) in %.1f s", done, time.perf_counter() - t0)
    return done


def check(catalog: Catalog) -> list[str]:
    """Problems of the keyword index (empty when it agrees with the chunk rows)."""
    problems = []
    missing, stray = catalog.query(
        "SELECT (SELECT COUNT(*) FROM chunks c WHERE NOT EXISTS "
        "(SELECT 1 FROM chunk_terms t WHERE t.chunk_id = c.id)), "
        "(SELECT COUNT(*) FROM chunk_terms t WHERE NOT EXISTS "
        "(SELECT 1 FROM chunks c WHERE c.id = t.chunk_id))")[0]
    if missing:
        problems.append(f"{missing} chunk(s) missing from the keyword index")
    if stray:
        problems.append(f"{stray} keyword-index row(s) with no chunk")
    try:
        catalog.execute("INSERT INTO chunk_fts(chunk_fts) VALUES ('integrity-check')")
    except CatalogError as exc:
        problems.append(f"the keyword index is damaged ({exc})")
    return problems


def rebuild(catalog: Catalog) -> int:
    """Rebuild the keyword index from the chunk rows, whatever state it is in (its pages may be
    damaged); returns the chunks indexed."""
    catalog.recreate_keyword_index()
    return backfill(catalog)

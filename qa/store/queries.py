"""Read queries over the catalog that answer questions about the collection (counts, listings,
ranges, the vocabulary of outlets, authors and sections). All their SQL lives here; callers pass
plain values, never SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa.store.catalog import CHUNK_COLUMNS, Catalog, row_to_chunk
from qa.types import Chunk

ROW_COLUMNS = "a.id, a.title, a.subtitle, a.source, a.published_int, a.url, a.authors, a.sections"


@dataclass(frozen=True)
class ArticleFilter:
    """Which ready articles a collection question is about; empty fields do not restrict."""

    date_from: int = 0  #: YYYYMMDD, inclusive
    date_to: int = 0  #: YYYYMMDD, inclusive
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  #: compared case-insensitively
    sections: tuple[str, ...] = ()  #: compared case-insensitively
    article_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class VocabularyFacts:
    """What the catalog knows that question parsing needs: names and the dates covered."""

    sources: tuple[str, ...]
    authors: tuple[str, ...]
    sections: tuple[str, ...]
    oldest: int  #: YYYYMMDD of the oldest dated article (0: none)
    newest: int  #: YYYYMMDD of the newest dated article (0: none)
    months: frozenset[tuple[int, int]]  #: (year, month) pairs that have articles


def _marks(values: tuple[str, ...]) -> str:
    """``?, ?, ?``: one placeholder per value (the values go in as parameters)."""
    return ",".join("?" * len(values))


def article_where(f: ArticleFilter) -> tuple[str, list[Any]]:
    """Fixed SQL fragments + parameters for the filter."""
    clauses = ["a.state = 'ready'"]
    params: list[Any] = []
    if f.date_from:
        clauses.append("a.published_int >= ?")
        params.append(f.date_from)
    if f.date_to:
        clauses.append("a.published_int BETWEEN 1 AND ?")
        params.append(f.date_to)
    if f.sources:
        clauses.append(f"a.source IN ({_marks(f.sources)})")
        params.extend(f.sources)
    if f.authors:
        clauses.append(
            f"a.id IN (SELECT article_id FROM article_authors WHERE lower(author) IN ({_marks(f.authors)}))")
        params.extend(a.lower() for a in f.authors)
    if f.sections:
        clauses.append(
            f"a.id IN (SELECT article_id FROM article_sections WHERE lower(section) IN ({_marks(f.sections)}))")
        params.extend(s.lower() for s in f.sections)
    if f.article_ids:
        clauses.append(f"a.id IN ({_marks(f.article_ids)})")
        params.extend(f.article_ids)
    return " AND ".join(clauses), params


def article_rows(catalog: Catalog, f: ArticleFilter, like: str = "", scope: str = "") -> list[dict[str, Any]]:
    """Rows (id, title, subtitle, source, published_int, url, authors, sections[, body]) of the
    ready articles matching ``f``; with ``like``, only those whose title (``scope="title"``) or
    title, subtitle or body contain it (SQL ``LIKE`` pattern), with their body."""
    where, params = article_where(f)
    if not like:
        return [dict(r) for r in catalog.query(f"SELECT {ROW_COLUMNS} FROM articles a WHERE {where}", params)]
    if scope == "title":
        sql = f"SELECT {ROW_COLUMNS}, '' AS body FROM articles a WHERE {where} AND a.title LIKE ?"
        return [dict(r) for r in catalog.query(sql, [*params, like])]
    sql = (f"SELECT {ROW_COLUMNS}, a.body FROM articles a WHERE {where} AND "
           "(a.title LIKE ? OR a.subtitle LIKE ? OR a.body LIKE ?)")
    return [dict(r) for r in catalog.query(sql, [*params, like, like, like])]


def chunks_by_id(catalog: Catalog, ids: list[str], f: ArticleFilter | None = None) -> dict[str, Chunk]:
    """The chunks of ready articles among ``ids`` that pass ``f`` (the others are left out)."""
    where, params = article_where(f or ArticleFilter())
    out: dict[str, Chunk] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        sql = (f"SELECT {CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
               f"WHERE c.id IN ({_marks(tuple(part))}) AND {where}")
        out.update((r["id"], row_to_chunk(r)) for r in catalog.query(sql, [*part, *params]))
    return out


def article_chunks(catalog: Catalog, article_id: str, first: int = 0, last: int = -1) -> list[Chunk]:
    """The chunks of a ready article in order (positions ``first``..``last``; -1: to the end)."""
    sql = (f"SELECT {CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
           "WHERE c.article_id = ? AND a.state = 'ready' AND c.position >= ? "
           "AND (? < 0 OR c.position <= ?) ORDER BY c.position")
    return [row_to_chunk(r) for r in catalog.query(sql, [article_id, first, last, last])]


def has_articles(catalog: Catalog) -> bool:
    """Whether any article is ready (answerable)."""
    return bool(catalog.query("SELECT EXISTS (SELECT 1 FROM articles WHERE state = 'ready')")[0][0])


def date_coverage(catalog: Catalog) -> tuple[int, int, int, int]:
    """(oldest, newest YYYYMMDD, ready articles, of them without a date) over the collection."""
    r = catalog.query(
        "SELECT MIN(NULLIF(published_int, 0)), MAX(published_int), COUNT(*), "
        "SUM(published_int = 0) FROM articles WHERE state='ready'")[0]
    return r[0] or 0, r[1] or 0, r[2] or 0, r[3] or 0


def duplicates_merged(catalog: Catalog) -> int:
    """Records merged into an earlier article at ingest (same outlet, title and date)."""
    return int(catalog.query("SELECT COUNT(*) FROM ingest_log WHERE kind = 'duplicate'")[0][0])


def vocabulary_facts(catalog: Catalog) -> VocabularyFacts:
    sources = tuple(r[0] for r in catalog.query(
        "SELECT DISTINCT source FROM articles WHERE state='ready' AND source != ''"))
    authors = tuple(r[0] for r in catalog.query("SELECT DISTINCT author FROM article_authors"))
    sections = tuple(r[0] for r in catalog.query("SELECT DISTINCT section FROM article_sections"))
    lo, hi = catalog.query(
        "SELECT MIN(published_int), MAX(published_int) FROM articles "
        "WHERE state='ready' AND published_int > 0")[0]
    months = frozenset(
        (r[0] // 100, r[0] % 100) for r in catalog.query(
            "SELECT DISTINCT published_int / 100 FROM articles WHERE state='ready' AND published_int > 0"))
    return VocabularyFacts(sources, authors, sections, lo or 0, hi or 0, months)


def source_counts(catalog: Catalog) -> dict[str, int]:
    """Ready articles per outlet, most first ("(unknown)" for articles without one)."""
    return {
        r[0] or "(unknown)": r[1]
        for r in catalog.query(
            "SELECT source, COUNT(*) FROM articles WHERE state='ready' "
            "GROUP BY source ORDER BY COUNT(*) DESC, source"
        )
    }


def published_range(catalog: Catalog) -> tuple[str | None, str | None]:
    """ISO dates of the oldest and newest dated ready articles."""
    lo, hi = catalog.query(
        "SELECT MIN(published), MAX(published) FROM articles "
        "WHERE state='ready' AND published IS NOT NULL"
    )[0]
    return lo, hi

"""Hybrid retrieval: BM25 over all chunks + dense (Chroma) search, fused by reciprocal rank.

Filters are applied to both sides before ranking (a filter the question implies is applied,
not hoped for). The lexical side keeps every chunk in memory; it is rebuilt when the index
changes (``Index.generation`` or the catalog's chunk count).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.lang.dates import date_int, parse_date
from qa.lang.text import content_terms
from qa.question.types import Filters
from qa.retrieval.fusion import keep_dominant_lexical, prefer_recent, rrf
from qa.retrieval.lexical import LexicalIndex
from qa.store.index import Index
from qa.store.vectors import build_where
from qa.types import Chunk, ScoredChunk

logger = logging.getLogger(__name__)


@dataclass
class ChunkTable:
    """Every ready chunk, with arrays for fast filtering and a BM25 index over them."""

    chunks: list[Chunk]
    pos: dict[str, int]
    article: np.ndarray  #: article id per chunk
    date: np.ndarray  #: YYYYMMDD int per chunk (0 = unknown)
    source: np.ndarray
    authors: list[tuple[str, ...]]
    sections: list[tuple[str, ...]]
    by_article: dict[str, list[int]]  #: chunk rows of an article, in order
    lexical: LexicalIndex
    key: tuple[int, int]

    @property
    def idf(self) -> dict[str, float]:
        return self.lexical.idf

    @property
    def n_articles(self) -> int:
        return len(self.by_article)

    @classmethod
    def build(cls, index: Index, token_cache: dict[str, list[str]] | None = None) -> ChunkTable:
        t0 = time.perf_counter()
        cache = token_cache if token_cache is not None else {}
        seen: set[str] = set()
        chunks: list[Chunk] = []
        tokens: list[list[str]] = []
        for r in index.catalog.iter_chunks():
            published = parse_date(r["published"]) if r["published"] else None
            c = Chunk(
                id=r["id"], article_id=r["article_id"], position=r["position"], text=r["text"],
                start=r["start"], end=r["end"], header=r["header"], title=r["title"],
                source=r["source"], published=published, authors=tuple(json.loads(r["authors"])),
                sections=tuple(json.loads(r["sections"])), url=r["url"],
            )
            chunks.append(c)
            toks = cache.get(c.id)
            if toks is None:
                toks = cache[c.id] = content_terms(c.header + "\n" + c.text) or ["<empty>"]
            tokens.append(toks)
            seen.add(c.id)
        for gone in set(cache) - seen:  # chunks deleted since the last build
            del cache[gone]
        lexical = LexicalIndex.build(tokens)
        by_article: dict[str, list[int]] = {}
        for i, c in enumerate(chunks):
            by_article.setdefault(c.article_id, []).append(i)
        table = cls(
            chunks=chunks,
            pos={c.id: i for i, c in enumerate(chunks)},
            article=np.array([c.article_id for c in chunks], dtype=object),
            date=np.array([date_int(c.published) for c in chunks], dtype=np.int64),
            source=np.array([c.source for c in chunks], dtype=object),
            authors=[c.authors for c in chunks],
            sections=[c.sections for c in chunks],
            by_article=by_article,
            lexical=lexical,
            key=(index.generation, index.catalog.generation()),
        )
        logger.info("lexical index: %d chunks in %.1f s", len(chunks), time.perf_counter() - t0)
        return table

    def mask(self, f: Filters) -> np.ndarray | None:
        """Boolean mask of chunks passing the filters; None when there are no filters."""
        if f.empty():
            return None
        m = np.ones(len(self.chunks), dtype=bool)
        if f.date_from:
            m &= self.date >= date_int(f.date_from)
        if f.date_to:
            m &= (self.date <= date_int(f.date_to)) & (self.date > 0)
        if f.sources:
            m &= np.isin(self.source, list(f.sources))
        if f.article_ids:
            m &= np.isin(self.article, list(f.article_ids))
        if f.authors:
            want = {a.lower() for a in f.authors}
            m &= np.array([any(a.lower() in want for a in au) for au in self.authors], dtype=bool)
        if f.sections:
            want = {s.lower() for s in f.sections}
            m &= np.array([any(s.lower() in want for s in se) for se in self.sections], dtype=bool)
        return m


class HybridRetriever:
    """``search(query, filters, k) -> list[ScoredChunk]`` over one index."""

    def __init__(
        self, index: Index, candidates: int = 40, rrf_k: int = 60, keep_lexical: int = 2,
        lexical_dominance: float = 2.0,
    ) -> None:
        self.index = index
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.keep_lexical = keep_lexical
        self.lexical_dominance = lexical_dominance
        self._table: ChunkTable | None = None
        self._lock = threading.Lock()
        self._tokens: dict[str, list[str]] = {}  #: chunk id -> BM25 tokens, kept across rebuilds

    @property
    def table(self) -> ChunkTable:
        """The lexical table, rebuilt when the index changed (in this or another process).

        Rebuilds are cheap after the first: chunk tokens are cached by chunk id, so only new
        chunks are tokenised and BM25 is re-indexed from the cache.
        """
        key = (self.index.generation, self.index.catalog.generation())
        with self._lock:
            if self._table is None or self._table.key != key:
                self._table = ChunkTable.build(self.index, self._tokens)
                self._table.key = key
            return self._table

    def refresh(self) -> None:
        """Rebuild now (after an ingest in this process, so its articles are searchable at once)."""
        with self._lock:
            self._table = ChunkTable.build(self.index, self._tokens)
            self._table.key = (self.index.generation, self.index.catalog.generation())

    # ---------------------------------------------------------------- sides
    # Each side is given the table the search started with: rows are positions in that table, and
    # an ingest in another thread may rebuild ``self.table`` meanwhile (rows then mean other chunks).
    def lexical(self, query: str, mask: np.ndarray | None, n: int, table: ChunkTable | None = None,
                ) -> list[tuple[int, float]]:
        return (table or self.table).lexical.top(content_terms(query), mask, n)

    def dense(self, vector: np.ndarray, f: Filters, mask: np.ndarray | None, n: int,
              table: ChunkTable | None = None) -> list[tuple[int, float]]:
        t = table or self.table
        ids: Sequence[str] = ()
        if mask is not None and (f.authors or f.sections or f.article_ids):
            ids = sorted(set(t.article[mask].tolist()))
            if not ids:
                return []
        where = build_where(
            date_int(f.date_from), date_int(f.date_to), f.sources, article_ids=ids[:5000]
        )
        if f.date_to and where is not None:
            where = {"$and": [where, {"date": {"$gt": 0}}]} if "$and" not in where else {
                "$and": [*where["$and"], {"date": {"$gt": 0}}]
            }
        hits = self.index.store.query(vector, n, where)
        out = []
        for h in hits:
            i = t.pos.get(h.chunk_id)
            if i is not None and (mask is None or mask[i]):
                out.append((i, h.similarity))
        return out

    # ---------------------------------------------------------------- fused
    def search(
        self,
        query: str,
        filters: Filters | None = None,
        k: int = 6,
        mode: str = "hybrid",
        latest: bool = False,
        vector: np.ndarray | None = None,
    ) -> list[ScoredChunk]:
        f = filters or Filters()
        t = self.table
        if not t.chunks:
            return []
        mask = t.mask(f)
        if mask is not None and not mask.any():
            return []
        n = max(self.candidates, k)
        lex = self.lexical(query, mask, n, t) if mode in ("hybrid", "bm25") else []
        den: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            if vector is None:
                vector = self.index.embedder.embed([query])[0]
            den = self.dense(vector, f, mask, n, t)
        fused = rrf((lex, den), self.rrf_k)
        if latest and fused:
            prefer_recent(fused, {i: int(t.date[i]) for i in fused}, self.rrf_k)
        lex_s = dict(lex)
        den_s = dict(den)
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        best = keep_dominant_lexical(best, fused, lex, k, self.keep_lexical, self.lexical_dominance)
        missing = [i for i in best if i not in den_s]
        if missing and vector is not None:
            den_s.update(self._cosines(vector, missing, t))
        return [
            ScoredChunk(t.chunks[i], fused[i], den_s.get(i), lex_s.get(i)) for i in best
        ]

    def _cosines(self, vector: np.ndarray, rows: list[int], t: ChunkTable) -> dict[int, float]:
        vecs = self.index.store.vectors([t.chunks[i].id for i in rows])
        return {i: float(vecs[t.chunks[i].id] @ vector) for i in rows if t.chunks[i].id in vecs}

    def neighbours(self, chunk: Chunk, span: int = 1) -> list[Chunk]:
        """The chunks around ``chunk`` in its article (itself included), in order."""
        t = self.table
        rows = t.by_article.get(chunk.article_id, [])
        i = t.pos.get(chunk.id)
        if i is None or not rows:
            return [chunk]
        j = rows.index(i)
        return [t.chunks[r] for r in rows[max(0, j - span) : j + span + 1]]

    def article_chunks(self, article_id: str) -> list[Chunk]:
        t = self.table
        return [t.chunks[r] for r in t.by_article.get(article_id, [])]

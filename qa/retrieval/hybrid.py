"""Hybrid retrieval: BM25 over all chunks + dense (Chroma) search, fused by reciprocal rank.

Filters are applied to both sides before ranking (a filter the question implies is applied,
not hoped for). Both sides are on disk: the keyword index in the catalog (SQLite FTS5) and the
vectors in Chroma, so a search reads the index as it is now, in any process, and a worker holds
no copy of the chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from qa.lang.dates import date_int
from qa.lang.text import content_terms
from qa.question.types import Filters
from qa.retrieval.fusion import keep_dominant_lexical, prefer_recent, rrf
from qa.retrieval.lexical import KeywordSearch
from qa.store import queries
from qa.store.index import Index
from qa.store.queries import ArticleFilter
from qa.store.vectors import build_where
from qa.types import Chunk, ScoredChunk

MAX_WHERE_IDS = 5000  #: article ids passed to Chroma's ``where`` (author, section or id filters)


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
        self.keywords = KeywordSearch(index.catalog)

    def idf(self) -> Callable[[str], float]:
        """term -> IDF over the chunks as they are now (what the reader weighs words with)."""
        return self.keywords.idf()

    def has_articles(self) -> bool:
        return queries.has_articles(self.index.catalog)

    # ---------------------------------------------------------------- sides
    def lexical(self, query: str, f: ArticleFilter, n: int) -> list[tuple[str, float]]:
        return self.keywords.top(content_terms(query), f, n)

    def dense(self, vector: np.ndarray, f: ArticleFilter, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) of Chroma's ``n`` nearest chunks that pass the filters Chroma can
        apply (dates, outlets; articles by author or section as their ids). The caller keeps only
        chunks of ready articles that pass every filter."""
        ids: Sequence[str] = ()
        if f.authors or f.sections or f.article_ids:
            ids = sorted(r["id"] for r in queries.article_rows(self.index.catalog, f))
            if not ids:
                return []
        where = build_where(f.date_from, f.date_to, f.sources, article_ids=ids[:MAX_WHERE_IDS])
        if f.date_to and where is not None:
            where = {"$and": [where, {"date": {"$gt": 0}}]} if "$and" not in where else {
                "$and": [*where["$and"], {"date": {"$gt": 0}}]
            }
        return [(h.chunk_id, h.similarity) for h in self.index.store.query(vector, n, where)]

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
        f = (filters or Filters()).for_catalog()
        n = max(self.candidates, k)
        lex = self.lexical(query, f, n) if mode in ("hybrid", "bm25") else []
        den: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            if vector is None:
                vector = self.index.embedder.embed([query])[0]
            den = self.dense(vector, f, n)
        # the chunks both sides found, read once; a vector whose chunk is not (or no longer) in
        # the catalog, or that fails a filter Chroma could not apply, drops out here
        chunks = queries.chunks_by_id(self.index.catalog, list(dict.fromkeys(i for i, _ in (*lex, *den))), f)
        lex = [(i, s) for i, s in lex if i in chunks]
        den = [(i, s) for i, s in den if i in chunks]
        fused = rrf((lex, den), self.rrf_k)
        if latest and fused:
            prefer_recent(fused, {i: date_int(chunks[i].published) for i in fused}, self.rrf_k)
        lex_s = dict(lex)
        den_s = dict(den)
        best = sorted(fused, key=lambda i: -fused[i])[:k]
        best = keep_dominant_lexical(best, fused, lex, k, self.keep_lexical, self.lexical_dominance)
        missing = [i for i in best if i not in den_s]
        if missing and vector is not None:
            vecs = self.index.store.vectors(missing)
            den_s.update((i, float(vecs[i] @ vector)) for i in missing if i in vecs)
        return [ScoredChunk(chunks[i], fused[i], den_s.get(i), lex_s.get(i)) for i in best]

    def neighbours(self, chunk: Chunk, span: int = 1) -> list[Chunk]:
        """The chunks around ``chunk`` in its article (itself included), in order."""
        near = queries.article_chunks(self.index.catalog, chunk.article_id,
                                      max(0, chunk.position - span), chunk.position + span)
        return near if any(c.id == chunk.id for c in near) else [chunk]

    def article_chunks(self, article_id: str) -> list[Chunk]:
        return queries.article_chunks(self.index.catalog, article_id)

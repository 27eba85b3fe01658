"""The lexical side of retrieval: BM25 over the chunks' content terms, from the keyword index on
disk (``qa.store.keywords``), and the IDF table the reader weighs words with."""

from __future__ import annotations

import threading
from collections.abc import Callable

from qa.store import keywords
from qa.store.catalog import Catalog
from qa.store.queries import ArticleFilter


class KeywordSearch:
    """BM25 search and IDF over the catalog's keyword index; nothing is held but a cache of
    document frequencies for the terms questions used, dropped when the catalog changes."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._lock = threading.Lock()
        self._generation = -1
        self._documents = 0
        self._idf: dict[str, float] = {}

    def top(self, terms: list[str], f: ArticleFilter | None, n: int) -> list[tuple[str, float]]:
        """(chunk id, score) of the ``n`` best chunks with any of ``terms`` that pass ``f``."""
        return keywords.search(self.catalog, terms, f, n)

    def df(self, term: str) -> int:
        """Chunks that hold ``term`` (a stemmed content term)."""
        return keywords.document_frequency(self.catalog, term) if term else 0

    def together(self, terms: list[str]) -> int:
        """Chunks that hold all of ``terms``."""
        return keywords.together(self.catalog, terms)

    def idf(self) -> Callable[[str], float]:
        """term -> IDF over the index as it is now (unseen terms: as rare as a term can be)."""
        generation = self.catalog.generation()
        with self._lock:
            if generation != self._generation:
                self._generation, self._idf = generation, {}
                self._documents = keywords.documents(self.catalog)
            cache, n = self._idf, self._documents

        def idf(term: str) -> float:
            if not term:
                return 0.0
            value = cache.get(term)
            if value is None:
                value = cache[term] = keywords.idf(n, keywords.document_frequency(self.catalog, term))
            return value

        return idf

"""The on-disk index: catalog (SQLite) + vectors (Chroma) + the embedder that made them."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from qa.catalog import Catalog, CatalogError
from qa.embedding import Embedder, get_embedder
from qa.settings import Settings
from qa.store import ChromaStore

logger = logging.getLogger(__name__)


class Index:
    """Opens (or creates) the index under ``settings.home``; embedder loaded on first use."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.home = Path(settings.home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(self.home / "catalog.sqlite3")
        self.store = ChromaStore(
            path=self.home / "chroma", url=settings.chroma_url, collection=settings.collection
        )
        self._embedder = embedder
        self._lock = threading.Lock()
        self.generation = 0  #: bumped after every write; caches compare against it

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = get_embedder(self.settings.embedder, self.settings.embed_batch_size)
            emb = self._embedder
        recorded = self.catalog.get_meta("embedder")
        if recorded is None:
            self.catalog.set_meta("embedder", f"{emb.name}:{emb.dim}")
        elif recorded != f"{emb.name}:{emb.dim}":
            raise CatalogError(
                f"the index at {self.home} was built with {recorded}, not {emb.name}:{emb.dim}; "
                "use the same embedder or ingest into a new --home"
            )
        return emb

    def close(self) -> None:
        self.catalog.close()

"""The on-disk index: catalog (SQLite) + vectors (Chroma) + the embedder that made them."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from qa.embed.base import Embedder, embedder_record
from qa.embed.registry import get_embedder
from qa.settings import Settings
from qa.store import keywords
from qa.store.catalog import Catalog, CatalogError
from qa.store.vectors import ChromaStore, StoreError

logger = logging.getLogger(__name__)

#: what ``Settings.embedder`` records in the catalog (``embedder_record``), known without loading it
EMBEDDER_RECORDS = {
    "minilm": "all-MiniLM-L6-v2:384",  # fp32 ONNX: the torch model's vectors, so its identity
    "minilm-torch": "all-MiniLM-L6-v2:384",
    "minilm-int8": "all-MiniLM-L6-v2-int8@per-text-scales-v2:384",
    "hash": "hash-fake:64",
}


LOADING = "loading"  #: catalog meta key: an ingest is writing articles (JSON: expected, pid, host, started)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid > 0


def doctor_command(home: Path) -> str:
    return f"article-qa --home {home} doctor --repair"


class Index:
    """Opens (or creates) the index under ``settings.home``; embedder loaded on first use.

    Opening checks what can be checked cheaply, so a damaged or mismatched index fails here with
    a message naming the fix rather than giving wrong answers later: the catalog is readable and
    of this schema (``Catalog``), the embedder is the one the index was built with, and the
    vector store holds at least every chunk the catalog lists (vectors are always written
    before their catalog rows, so fewer means vectors were lost). ``verify=False`` skips the
    last two (``article-qa doctor`` opens damaged indexes that way to repair them).
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, verify: bool = True) -> None:
        self.settings = settings
        self.home = Path(settings.home)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(
                f"cannot create the index folder {self.home}: {exc.strerror or exc}. "
                "Choose a writable --home (or ARTICLE_QA_HOME)."
            ) from exc
        if not os.access(self.home, os.W_OK | os.X_OK):
            raise CatalogError(
                f"the index folder {self.home} is read-only (read-only file system or "
                "permissions). article-qa needs to write there, also to answer questions (the "
                "catalog and the vector store keep logs): copy the folder somewhere writable "
                "and use that --home."
            )
        self.catalog = Catalog(self.home / "catalog.sqlite3")
        try:
            keywords.backfill(self.catalog)  # a catalog from before the keyword index gets one
        except CatalogError:
            self.catalog.close()
            raise
        try:
            self.store = ChromaStore(
                path=self.home / "chroma", url=settings.chroma_url, collection=settings.collection
            )
        except StoreError:
            self.catalog.close()
            raise
        self._embedder = embedder
        self._lock = threading.Lock()
        self.generation = 0  #: bumped after every write; caches compare against it
        if verify:
            try:
                self.verify()
            except (CatalogError, StoreError):
                self.close()
                raise

    def expected_embedder(self) -> str:
        """The record of the configured embedder (the given instance, or by its setting)."""
        if self._embedder is not None:
            return embedder_record(self._embedder)
        return EMBEDDER_RECORDS.get(self.settings.embedder, "")

    def verify(self) -> None:
        """Cheap checks at open (see the class docstring); raises with the fix in the message."""
        recorded = self.catalog.get_meta("embedder")
        wanted = self.expected_embedder()
        if recorded and wanted and recorded != wanted:
            raise CatalogError(self._mismatch(recorded, wanted))
        chunks = self.catalog.counts()["chunks"]
        if chunks:
            vectors = self.store.count()
            if vectors < chunks:
                raise StoreError(
                    f"the vector store at {self.store.location} holds {vectors} vectors but the "
                    f"catalog lists {chunks} chunks: vectors were lost or the store was replaced. "
                    f"Rebuild them from the catalog with `{doctor_command(self.home)}`."
                )
        elif not self.catalog.counts()["pending"] and self.store.count():
            raise CatalogError(
                f"the catalog {self.catalog.path} is empty but the vector store at "
                f"{self.store.location} holds {self.store.count()} vectors: the catalog was lost "
                f"or replaced. Run `{doctor_command(self.home)}` (clears the stray vectors), "
                "then ingest your files again."
            )

    def _mismatch(self, recorded: str, wanted: str) -> str:
        return (
            f"the index at {self.home} was built with the embedder {recorded}, not {wanted}: "
            "its vectors cannot be compared with this one's. Use the same embedder "
            "(ARTICLE_QA_EMBEDDER), ingest into a new --home, or re-embed every chunk with "
            f"`{doctor_command(self.home)}`."
        )

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = get_embedder(self.settings.embedder, self.settings.embed_batch_size)
            emb = self._embedder
        recorded = self.catalog.get_meta("embedder")
        if recorded is None:
            self.catalog.set_meta("embedder", embedder_record(emb))
        elif recorded != embedder_record(emb):
            raise CatalogError(self._mismatch(recorded, embedder_record(emb)))
        return emb

    @contextlib.contextmanager
    def loading(self, expected: int = 0) -> Iterator[None]:
        """Mark an ingest in progress in the catalog, so every reader (other processes too) can say
        that counts are not final; ``expected``: ready articles when it is done (0: not known yet,
        see ``expect``)."""
        self.expect(expected)
        try:
            yield
        finally:
            self.catalog.delete_meta(LOADING)

    def expect(self, expected: int) -> None:
        """Set (or update, once parsing has counted them) the articles a running ingest will leave."""
        self.catalog.set_meta(LOADING, json.dumps({"expected": expected, "pid": os.getpid(),
                                                   "host": socket.gethostname(), "started": time.time()}))

    def loading_status(self) -> tuple[int, int] | None:
        """(ready articles now, expected when done) while an ingest is running, else None. A mark
        left by a killed ingest on this host does not count."""
        raw = self.catalog.get_meta(LOADING)
        if not raw:
            return None
        try:
            mark = json.loads(raw)
            pid, expected = int(mark.get("pid", 0)), int(mark.get("expected", 0))
        except (ValueError, TypeError, AttributeError):
            return None
        if mark.get("host") == socket.gethostname() and not _alive(pid):
            return None
        ready = self.catalog.counts()["articles"]
        return ready, max(ready, expected)

    def remove_pending(self) -> list[str]:
        """Remove half-written (pending) articles from both stores; returns their ids.

        An interrupted ingest leaves them; the next ingest adds them again from their files.
        """
        pending = self.catalog.pending_ids()
        if pending:
            logger.warning("repairing %d article(s) left half-written by an interrupted run", len(pending))
            self.store.delete_articles(pending)
            self.catalog.delete(pending)
            self.generation += 1
        return pending

    def close(self) -> None:
        self.catalog.close()
        self.store.close()

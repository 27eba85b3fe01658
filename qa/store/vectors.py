"""The vector store: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``).

This is the only module that imports chromadb. Embeddings are always computed by us and
passed in; Chroma's default embedding function (which downloads a model) is never used.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

import numpy as np

from qa.lang.dates import date_int, from_int
from qa.types import Chunk

if TYPE_CHECKING:
    from chromadb.api.collection_configuration import CreateCollectionConfiguration

logger = logging.getLogger(__name__)

WRITE_BATCH = 2000  #: rows per Chroma upsert call
LOW_DISK_BYTES = 8 << 20  #: a local store failing with less free space than this: disk full
T = TypeVar("T")


class StoreError(RuntimeError):
    """The vector store cannot be opened or reached; the message says what to do."""


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    similarity: float  #: cosine similarity (1 - cosine distance)
    metadata: dict[str, Any]


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "article_id": chunk.article_id,
        "position": chunk.position,
        "start": chunk.start,
        "end": chunk.end,
        "title": chunk.title[:500],
        "source": chunk.source,
        "date": date_int(chunk.published),
        "url": chunk.url,
    }
    if chunk.authors:
        meta["authors"] = list(chunk.authors)
    if chunk.sections:
        meta["sections"] = list(chunk.sections)
    return meta


def chunk_from_row(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=chunk_id,
        article_id=str(meta.get("article_id", "")),
        position=int(meta.get("position", 0)),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        published=from_int(int(meta.get("date", 0) or 0)),
        authors=tuple(meta.get("authors") or ()),
        sections=tuple(meta.get("sections") or ()),
        url=str(meta.get("url", "")),
    )


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn any failure of the vector store into a StoreError that says where and what to do."""

    @functools.wraps(method)
    def wrapper(self: ChromaStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:  # chromadb and httpx raise many types
            raise StoreError(
                f"the vector store at {self.location} failed ({type(exc).__name__}: {exc}); "
                + self.hint(exc)
            ) from exc

    return wrapper


def local_trouble(path: Path, exc: BaseException) -> str:
    """'the disk is full' / 'read-only' when that is why a local store failed, else ''."""
    low = str(exc).lower()
    where = path if path.exists() else path.parent
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        free = -1
    if "no space" in low or "disk is full" in low or 0 <= free < LOW_DISK_BYTES:
        return (f"the disk holding {path} is full ({free // 1024} KiB free): free some space and "
                "run the same command again (an interrupted ingest resumes where it stopped)")
    if "readonly" in low or "read-only" in low or not os.access(where, os.W_OK):
        return (f"{path} is read-only: article-qa needs to write there, also to answer (the "
                "vector store keeps a log); copy the index folder somewhere writable")
    return ""


def forget_local(path: Path, only_unused: bool = False) -> None:
    """Drop chromadb's in-process cache of the embedded store at ``path`` (after a failed
    open, or before its folder is moved away), so the next open starts from the disk.
    ``only_unused``: leave it when a live client in this process still holds it."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # pragma: no cover - another chromadb layout
        return
    key = str(path)
    if only_unused and SharedSystemClient._identifier_to_refcount.get(key, 0) > 0:
        return
    system = SharedSystemClient._identifier_to_system.pop(key, None)
    SharedSystemClient._identifier_to_refcount.pop(key, None)
    if system is not None:
        try:
            system.stop()
        except Exception as exc:  # a half-started system may not stop cleanly
            logger.debug("stopping the chroma system for %s: %s", key, exc)


#: HNSW candidates a query explores. Chroma's default, 100, missed up to 7 of the exact 40
#: nearest chunks on the demo index (recall@40 against exact search, 80 dev questions: mean
#: 0.982, worst 0.825), and which ones it missed changed from one process to the next; 300
#: read 0.998 / 0.975 at about 1 ms a query.
SEARCH_EF = 300


def _hnsw() -> CreateCollectionConfiguration:
    """The collection's index: cosine space, searched with ``SEARCH_EF`` candidates."""
    return {"hnsw": {"space": "cosine", "ef_search": SEARCH_EF}}


class ChromaStore:
    """Chunk vectors + metadata in one Chroma collection (cosine space)."""

    def __init__(self, path: Path | None = None, url: str = "", collection: str = "articles"):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        self.url = url
        self.path = Path(path) if path is not None else Path()
        self.location = url or str(path)
        try:
            if url:
                u = urlparse(url if "//" in url else "http://" + url)
                self.client = chromadb.HttpClient(
                    host=u.hostname or "127.0.0.1",
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self.collection = self.client.get_or_create_collection(
                collection,
                embedding_function=None,
                configuration=_hnsw(),
            )
            self._search_wider()
        except Exception as exc:  # chromadb raises many types; name the place and the fix
            if url:
                hint = "Is the server running (`chroma run --path DIR --port P`)?"
            else:
                assert path is not None
                hint = local_trouble(path, exc) or (
                    "If the index is damaged, rebuild the vectors from the catalog with "
                    f"`article-qa --home {path.parent} doctor --repair`."
                )
                if hasattr(self, "client"):  # release it, or a retry reuses the failed one
                    self.close()
                else:
                    forget_local(path, only_unused=True)
            raise StoreError(f"cannot open the Chroma store at {url or path}: {exc}. {hint}") from exc

    def _search_wider(self) -> None:
        """An index made before ``SEARCH_EF`` gets it (Chroma applies it when the index is next
        loaded, so from the next start on)."""
        hnsw = (self.collection.configuration_json or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search") or SEARCH_EF) < SEARCH_EF:
            logger.info("vector search: ef_search %s -> %d for %s", hnsw.get("ef_search"), SEARCH_EF, self.location)
            self.collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})

    def close(self) -> None:
        """Release the client (an embedded store's files and cache are let go when the last
        client on them in this process closes, so a later open reads the disk afresh)."""
        try:
            self.client.close()  # type: ignore[attr-defined]
        except Exception as exc:  # closing must not fail the caller
            logger.debug("closing the chroma client at %s: %s", self.location, exc)

    def reset(self) -> None:
        """Drop every vector (the collection is deleted and created again, empty)."""
        name = self.collection.name
        try:
            self.client.delete_collection(name)
            self.collection = self.client.get_or_create_collection(
                name, embedding_function=None, configuration=_hnsw(),
            )
        except Exception as exc:
            raise StoreError(f"cannot reset the vector store at {self.location}: {exc}") from exc

    def hint(self, exc: BaseException) -> str:
        """What to do after ``exc`` (server down, disk full, read-only, damaged)."""
        if self.url:
            return "is the Chroma server running and reachable? (`chroma run --path DIR --port P`)"
        return local_trouble(self.path, exc) or (
            f"if the index is damaged, run `article-qa --home {self.path.parent} doctor --repair`"
        )

    @_guarded
    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for i in range(0, len(chunks), WRITE_BATCH):
            part = chunks[i : i + WRITE_BATCH]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + WRITE_BATCH],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],  # type: ignore[misc]
            )

    @_guarded
    def delete_articles(self, article_ids: Sequence[str]) -> None:
        for i in range(0, len(article_ids), 500):
            part: list[Any] = list(article_ids[i : i + 500])
            self.collection.delete(where={"article_id": {"$in": part}})  # type: ignore[dict-item]

    @_guarded
    def delete_ids(self, chunk_ids: Sequence[str]) -> None:
        for i in range(0, len(chunk_ids), WRITE_BATCH):
            self.collection.delete(ids=list(chunk_ids[i : i + WRITE_BATCH]))

    @_guarded
    def count(self) -> int:
        return int(self.collection.count())

    @_guarded
    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset, page = 0, 10000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            ids.update(got)
            if len(got) < page:
                return ids
            offset += page

    @_guarded
    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored embeddings of the given chunks."""
        if not chunk_ids:
            return {}
        got = self.collection.get(ids=list(chunk_ids), include=["embeddings"])  # type: ignore[list-item]
        embs = got["embeddings"] if got["embeddings"] is not None else []
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], embs, strict=True)}

    @_guarded
    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        if k <= 0:
            return []
        # no count() first: it cost a scan per question (29 ms on the full demo index), and
        # Chroma returns fewer than ``k`` (or none) by itself when the collection is smaller
        res = self.collection.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=k,
            where=where or None,
            include=["distances", "metadatas"],  # type: ignore[list-item]
        )
        ids = res["ids"][0]
        dists = (res["distances"] or [[]])[0]
        metas = (res["metadatas"] or [[]])[0]
        return [
            Hit(cid, 1.0 - float(d), dict(m or {}))
            for cid, d, m in zip(ids, dists, metas, strict=True)
        ]


def build_where(
    date_from: int = 0, date_to: int = 0, sources: Sequence[str] = (),
    article_ids: Sequence[str] = (), authors: Sequence[str] = (),
) -> dict[str, Any] | None:
    """A Chroma ``where`` clause from resolved filters (all parameters, no user text as code)."""
    clauses: list[dict[str, Any]] = []
    if date_from:
        clauses.append({"date": {"$gte": int(date_from)}})
    if date_to:
        clauses.append({"date": {"$lte": int(date_to)}})
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if article_ids:
        clauses.append({"article_id": {"$in": list(article_ids)}})
    if authors:
        ors = [{"authors": {"$contains": a}} for a in authors]
        clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}

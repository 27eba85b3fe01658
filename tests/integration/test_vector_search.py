"""The embedded Chroma store searches wide enough: a new index is made with ``SEARCH_EF``, and an
index made before it gets it when it is opened (Chroma's default, 100, missed some of the exact
40 nearest chunks on the demo index, and not the same ones in every process)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.store.vectors import SEARCH_EF, ChromaStore


def _ef(store: ChromaStore) -> int:
    return int((store.collection.configuration_json or {})["hnsw"]["ef_search"])


def test_a_new_store_searches_with_search_ef(tmp_path: Path) -> None:
    store = ChromaStore(tmp_path / "chroma")
    try:
        assert _ef(store) == SEARCH_EF > 100
    finally:
        store.close()


def test_an_older_store_is_given_search_ef_and_keeps_its_vectors(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings

    path = tmp_path / "chroma"
    client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
    old = client.get_or_create_collection("articles", embedding_function=None,
                                          configuration={"hnsw": {"space": "cosine"}})
    vectors = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    old.add(ids=[f"c{i}" for i in range(5)], embeddings=vectors)
    assert int(old.configuration_json["hnsw"]["ef_search"]) < SEARCH_EF
    client.close()  # type: ignore[attr-defined]

    store = ChromaStore(path)
    try:
        assert _ef(store) == SEARCH_EF
        assert sorted(store.all_ids()) == [f"c{i}" for i in range(5)]
        assert store.query(vectors[2], 1)[0].chunk_id == "c2"
    finally:
        store.close()
    again = ChromaStore(path)
    try:
        assert _ef(again) == SEARCH_EF  # it stays
    finally:
        again.close()

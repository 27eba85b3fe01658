"""The packaged model loads offline and embeds for real."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest

from qa.embed.fake import HashEmbedder
from qa.embed.minilm import MiniLMEmbedder


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def guard(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket, "create_connection", guard)


def test_packaged_minilm_loads_offline_and_is_semantic(no_network: None) -> None:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    emb = MiniLMEmbedder()
    v = emb.embed(["The president met the prime minister.", "Leaders held talks.", "Pasta recipe"])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_order_is_kept_when_sorting_by_length() -> None:
    emb = MiniLMEmbedder()
    texts = ["short", "a much longer sentence about elections in France and Germany", "mid text"]
    batch = emb.embed(texts)
    single = np.vstack([emb.embed([t]) for t in texts])
    assert np.allclose(batch, single, atol=1e-4)


def test_hash_embedder_is_deterministic() -> None:
    e = HashEmbedder()
    assert np.array_equal(e.embed(["a b c"]), e.embed(["a b c"]))


def test_an_index_of_the_old_batched_int8_vectors_is_refused_not_mixed(tmp_path: Path) -> None:
    """Same embedder name, other vectors (the batch-dependent int8 recipe): a new record."""
    from qa.settings import Settings
    from qa.store.catalog import CatalogError
    from qa.store.index import Index

    settings = Settings.from_env(env={}, home=tmp_path / "home", embedder="minilm-int8")
    index = Index(settings)
    index.catalog.set_meta("embedder", "all-MiniLM-L6-v2-int8:384")  # what the old recipe recorded
    index.close()
    with pytest.raises(CatalogError, match=r"int8:384.*doctor --repair"):
        Index(settings)

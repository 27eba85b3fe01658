"""A search reads one chunk table from start to end, even when an ingest in another thread
rebuilds the table meanwhile: rows are positions in a table, so rows from one table looked up in
another were other chunks, or out of range (an IndexError the app served while the demo corpus
loaded in the background)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from qa import ArticleQA
from qa.retrieval.hybrid import HybridRetriever
from tests.conftest import CORPUS


def test_a_search_keeps_the_table_it_started_with(fake_bot: ArticleQA, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_bot.ingest([CORPUS])
    retriever = fake_bot.engine.retriever
    old = retriever.table
    order = list(reversed(range(len(old.chunks))))  # a rebuild that lists the chunks in another order
    new = dataclasses.replace(
        old, chunks=[old.chunks[i] for i in order], pos={old.chunks[i].id: n for n, i in enumerate(order)},
        article=old.article[order], date=old.date[order], source=old.source[order])
    tables = iter([old])
    monkeypatch.setattr(HybridRetriever, "table", property(lambda self: next(tables, new)))
    vector = fake_bot.index.embedder.embed(["Lavrov met Tillerson in Bonn"])[0]
    hits = retriever.search("Lavrov met Tillerson in Bonn", k=5, vector=vector)
    assert hits
    stored = fake_bot.index.store.vectors([h.chunk.id for h in hits])
    for h in hits:  # each chunk comes with its own score, not another row's
        assert h.dense is not None and np.isclose(h.dense, float(stored[h.chunk.id] @ vector), atol=1e-5)

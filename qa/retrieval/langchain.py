"""LangChain edges: the hybrid retriever as a ``BaseRetriever`` and chunk <-> Document conversion.

Lets the retrieval compose with any LangChain chain or chat model:

>>> retriever = ArticleRetriever(engine=bot.engine, k=4)          # doctest: +SKIP
>>> docs = retriever.invoke("what did Tokayev say about trade?")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.question.parse import parse_question
from qa.question.types import Filters
from qa.types import ScoredChunk


def to_document(sc: ScoredChunk) -> Document:
    c = sc.chunk
    return Document(
        page_content=c.text,
        id=c.id,
        metadata={
            "chunk_id": c.id,
            "article_id": c.article_id,
            "title": c.title,
            "source": c.source,
            "published": c.published.isoformat() if c.published else None,
            "url": c.url,
            "start": c.start,
            "end": c.end,
            "score": sc.score,
            "dense": sc.dense,
        },
    )


class ArticleRetriever(BaseRetriever):
    """Hybrid BM25 + dense retrieval with the filters the question implies (plus explicit ones)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engine: Any
    k: int = 6
    mode: str = "hybrid"
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        pq = parse_question(query, self.engine.vocabulary(), Filters.from_dict(self.filters))
        vector = None if self.mode == "bm25" else self.engine.index.embedder.embed([pq.core])[0]
        hits = self.engine.retriever.search(pq.core, pq.filters, self.k, self.mode, pq.latest, vector)
        return [to_document(h) for h in hits]

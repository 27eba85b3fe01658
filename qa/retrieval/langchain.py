"""LangChain edges: the passages ``ask()`` reads as a ``BaseRetriever``, and chunk -> Document.

``ArticleQA.as_retriever()`` builds one around the engine's own retrieve step, so a
user-written chain sees exactly the passages the built-in answer reads:

>>> retriever = bot.as_retriever(k=4)                                  # doctest: +SKIP
>>> docs = retriever.invoke("what did Tokayev say about trade?")       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.types import ScoredChunk

#: (question, explicit filters, k, retrieval) -> the passages, best first
SearchFn = Callable[[str, dict[str, Any] | None, int, str], list[ScoredChunk]]


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
    """Hybrid BM25 + dense retrieval with the filters the question implies (plus explicit ones),
    the date-dropping retry included: the engine's retrieve step, wrapped."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: SearchFn
    k: int = 0  #: passages (0: the settings' top_k, as ``ask()`` uses)
    retrieval: str = "hybrid"  #: hybrid | bm25 | dense
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [to_document(h) for h in self.search(query, self.filters, self.k, self.retrieval)]

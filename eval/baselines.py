"""The plain LangChain pipeline every number is compared with.

RecursiveCharacterTextSplitter (1,000 characters, 200 overlap) -> HuggingFaceEmbeddings with
the same packaged MiniLM -> Chroma similarity search, top k; the answer is the top chunk's
text and it never refuses. It is what a user would build from the LangChain tutorials.

Being a baseline, it builds its own throw-away Chroma collection through ``langchain_chroma``
(in a temporary or cache folder, never the index's store): this is the one place outside
``qa/store/vectors.py`` where Chroma is used, on purpose, so the baseline stays the plain pipeline.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qa.embed.base import packaged_model_path
from qa.types import Answer, Article, Chunk, ScoredChunk

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
COLLECTION = "langchain_baseline"
READY = "READY"  #: marker written once every chunk is in the collection
BATCH = 256

Progress = Callable[[int, int, str], None]


class LangChainBaseline:
    """Top-k similarity search over a plain LangChain index of ``articles``."""

    name = "langchain"

    def __init__(
        self,
        articles: Sequence[Article],
        persist_dir: Path,
        k: int = 10,
        progress: Progress | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings

        self.k = k
        t0 = time.perf_counter()
        embeddings = HuggingFaceEmbeddings(
            model_name=str(packaged_model_path()),
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True},
        )
        reuse = (persist_dir / READY).exists()
        self.store = Chroma(
            collection_name=COLLECTION,
            embedding_function=embeddings,
            persist_directory=str(persist_dir),
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.chunks = 0
        if reuse:
            logger.info("langchain baseline: reusing %s", persist_dir)
        else:
            self.chunks = self._build(articles, progress)
            (persist_dir / READY).write_text(str(self.chunks), encoding="utf-8")
        self.build_seconds = time.perf_counter() - t0

    def _build(self, articles: Sequence[Article], progress: Progress | None) -> int:
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        docs = [
            Document(
                page_content=f"{a.title}\n\n{a.text}" if a.title else a.text,
                metadata={"article_id": a.id, "title": a.title, "source": a.source},
            )
            for a in articles
        ]
        pieces = splitter.split_documents(docs)
        for start in range(0, len(pieces), BATCH):
            if progress:
                progress(start, len(pieces), "langchain baseline: embedding")
            self.store.add_documents(pieces[start : start + BATCH])
        if progress:
            progress(len(pieces), len(pieces), "langchain baseline: embedding")
        logger.info("langchain baseline: %d chunks from %d articles", len(pieces), len(docs))
        return len(pieces)

    def ask(self, question: str, **_: Any) -> Answer:
        """The top chunk as the answer; the k hits as the passages (no refusal, no citations)."""
        t0 = time.perf_counter()
        hits = self.store.similarity_search_with_score(question, k=self.k)
        passages = []
        for pos, (doc, distance) in enumerate(hits):
            meta = doc.metadata
            start = int(meta.get("start_index", 0))
            chunk = Chunk(
                id=f"langchain:{meta.get('article_id', '')}:{start}",
                article_id=str(meta.get("article_id", "")),
                position=pos,
                text=doc.page_content,
                start=start,
                end=start + len(doc.page_content),
                title=str(meta.get("title", "")),
                source=str(meta.get("source", "")),
            )
            sim = 1.0 - float(distance)
            passages.append(ScoredChunk(chunk=chunk, score=sim, dense=sim))
        text = passages[0].chunk.text if passages else ""
        return Answer(
            question=question,
            text=text,
            passages=tuple(passages),
            timings={"total": time.perf_counter() - t0},
        )

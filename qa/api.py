"""The public Python API: ``ArticleQA``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.embed.base import Embedder
from qa.lang import nlp
from qa.settings import AnswererName, Mode, RetrievalMode, Settings
from qa.store.index import Index
from qa.store.queries import published_range, source_counts
from qa.types import Answer, IngestReport, ScoredChunk

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.runnables import Runnable

logger = logging.getLogger(__name__)


class ArticleQA:
    """Question answering over an article collection stored under ``home``.

    >>> bot = ArticleQA(home="/tmp/idx")                 # doctest: +SKIP
    >>> bot.ingest(["articles/", "export.csv"])          # doctest: +SKIP
    >>> bot.ask("what did Tokayev say about trade?")     # doctest: +SKIP
    """

    def __init__(
        self,
        home: str | Path | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        **overrides: Any,
    ) -> None:
        if settings is None:
            settings = Settings.from_env(home=home, **overrides)
        elif home is not None or overrides:
            settings = settings.replace(
                **({"home": Path(home).expanduser()} if home is not None else {}), **overrides
            )
        self.settings = settings
        self.index = Index(settings, embedder=embedder)
        self._engine: Any = None
        self._engine_lock = threading.Lock()

    # ------------------------------------------------------------------ ingest
    def ingest(
        self, paths: Iterable[str | Path] | str | Path, prune: bool = False, progress: Any = None
    ) -> IngestReport:
        """Add files / folders (recursive). Unchanged articles are skipped before embedding."""
        from ingest.pipeline import ingest_paths

        if isinstance(paths, str | Path):
            paths = [paths]
        return ingest_paths(self.index, paths, prune=prune, progress=progress)

    def ingest_demo(self, name: str = "news100", progress: Any = None) -> IngestReport:
        """Ingest a demo corpus (``news100`` or ``news``), fetching it once into a cache."""
        from ingest.demo import demo_csv

        cache = self.settings.demo_cache or (Path(self.settings.home) / "demo")
        return self.ingest([demo_csv(name, cache)], progress=progress)

    # ------------------------------------------------------------------ reads
    def stats(self) -> dict[str, Any]:
        """Articles, chunks, sources (with counts), date range, skipped/duplicate records."""
        cat = self.index.catalog
        counts = cat.counts()
        lo, hi = published_range(cat)
        return {
            "home": str(self.settings.home),
            "store": self.index.store.location,
            **counts,
            "vectors": self.index.store.count(),
            "sources": source_counts(cat),
            "date_from": lo,
            "date_to": hi,
        }

    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: dict[str, Any] | None = None,
        mode: Mode = "fast",
        answerer: AnswererName | None = None,
        retrieval: RetrievalMode = "hybrid",
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` from the articles, with verified citations (or a refusal).

        ``mode``: fast (typed spans) | accurate (the local reader model over the best sentences)
        | sentence; ``answerer``: extractive | llm (default: the settings'); ``retrieval``:
        hybrid | bm25 | dense; ``history``: earlier ``{role, content}`` messages, for follow-ups.
        """
        answer: Answer = self.engine.ask(question, history=history, filters=filters, mode=mode,
                                         answerer=answerer, retrieval=retrieval, on_token=on_token)
        return answer

    def warm_up(self) -> dict[str, float]:
        """Load everything the first answer needs, so it is as fast as the ones after it: the
        embedding model, the catalog's vocabulary, the entity recogniser, and one search, which
        reads the vector index into memory and the keyword index (on disk) into the page cache.
        Returns the seconds each took. The app calls this before it says it is ready."""
        import time

        took: dict[str, float] = {}
        t = time.perf_counter()
        self.index.embedder.embed(["warm up"])
        took["embedder"] = time.perf_counter() - t
        t = time.perf_counter()
        self.engine.vocabulary()
        took["vocabulary"] = time.perf_counter() - t
        t = time.perf_counter()  # one search pages in the vector index and the keyword index
        self.engine.retriever.search("warm up", k=1)
        took["indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        nlp.entities(["warm up"])  # spaCy and its model (about 2 s); nothing when not installed
        took["entity recogniser"] = time.perf_counter() - t
        return took

    def as_retriever(self, k: int = 0, filters: dict[str, Any] | None = None,
                     retrieval: str = "hybrid") -> BaseRetriever:
        """A LangChain retriever whose documents are the passages ``ask()`` reads for the same
        question (``k=0``: as many as ``ask()`` reads)."""
        from qa.retrieval.langchain import ArticleRetriever

        engine = self.engine

        def search(question: str, explicit: dict[str, Any] | None, n: int, how: str) -> list[ScoredChunk]:
            return engine.passages(question, explicit, n, how)  # type: ignore[no-any-return]

        return ArticleRetriever(search=search, k=k, filters=filters, retrieval=retrieval)

    def as_runnable(self, llm: BaseChatModel | None = None) -> Runnable[str | dict[str, Any], Answer]:
        """The LCEL chain ``ask()`` runs. Its input is a question or a dict of ``ask()``'s
        arguments; its output an ``Answer``. Pass any LangChain chat model as ``llm`` to have it
        write the passage answers (``ChatOpenAI``, ``ChatOllama``, the local one): its sentences
        are kept only when a passage supports them, each with its citation."""
        return self.engine.runnable(llm)  # type: ignore[no-any-return]

    @property
    def engine(self) -> Any:
        with self._engine_lock:
            if self._engine is None:
                from qa.answer.engine import Engine

                self._engine = Engine(self.index)
            return self._engine

    def close(self) -> None:
        self.index.close()

"""Work off the request threads: the write gate, the first-start demo load, ingesting uploads and
the worker thread behind each question."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.types import Answer
from ui.uploads import FileReport, store_upload

if TYPE_CHECKING:
    from qa.api import ArticleQA

logger = logging.getLogger(__name__)

SHARED_ARTICLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "articles"
DEMO_META_KEY = "app.demo"  #: catalog meta: which demo stage the app finished


@dataclass
class LoadStatus:
    """What the background demo load is doing (shown in the collection panel)."""

    stage: str = "idle"  #: idle | waiting | loading | done | failed
    corpus: str = ""
    done: int = 0
    total: int = 0
    what: str = ""
    error: str = ""
    started: float = 0.0
    finished: float = 0.0


class IngestGate:
    """Serialises writes to the index; a long background ingest lets uploads go first.

    The background load calls ``pause_point()`` between write groups (nothing half-written
    then), so an upload waits seconds, not the whole demo load.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._waiting = 0

    @contextlib.contextmanager
    def foreground(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._busy:
                self._cond.wait()
            self._waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextlib.contextmanager
    def background(self) -> Iterator[None]:
        self._acquire_background()
        try:
            yield
        finally:
            self._release()

    def pause_point(self) -> None:
        """Called by the background writer at a consistent point: let waiting uploads run."""
        with self._cond:
            if not self._waiting:
                return
            self._busy = False
            self._cond.notify_all()
        self._acquire_background()

    def _acquire_background(self) -> None:
        with self._cond:
            while self._busy or self._waiting:
                self._cond.wait()
            self._busy = True

    def _release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()


class DemoLoader:
    """First-start demo corpus: news100 (+ the shared sample) now, the full corpus behind.

    ``writer`` is the handle the background load writes through; give it its own embedder so
    questions never wait for the model lock behind a batch of demo articles.
    """

    def __init__(
        self,
        bot: ArticleQA,
        gate: IngestGate,
        shared_dir: Path | None = SHARED_ARTICLES,
        writer: ArticleQA | None = None,
    ) -> None:
        self.bot = bot
        self.writer = writer or bot
        self.gate = gate
        self.shared_dir = shared_dir
        self._status = LoadStatus()
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def status(self) -> LoadStatus:
        with self._lock:
            return replace(self._status)

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    def stage_done(self) -> str | None:
        return self.bot.index.catalog.get_meta(DEMO_META_KEY)

    def load_first(self, progress: Any = None) -> bool:
        """On an empty, never-seeded index: ingest news100 and the shared sample (blocking).

        Returns True when the background step should follow.
        """
        stage = self.stage_done()
        if stage == "news":
            return False
        if stage is None:
            if self.bot.index.catalog.counts()["articles"]:
                return False  # someone's own collection: leave it alone
            with self.gate.foreground():
                rep = self.bot.ingest_demo("news100", progress=progress)
                logger.info("demo news100: %s", rep.summary())
                if self.shared_dir is not None and self.shared_dir.is_dir():
                    rep = self.bot.ingest([self.shared_dir])
                    logger.info("shared articles: %s", rep.summary())
            self.bot.index.catalog.set_meta(DEMO_META_KEY, "news100")
        return True

    def start_background(self) -> threading.Thread:
        """Ingest the full ``news`` corpus in a daemon thread; progress goes to ``status()``."""
        self._set(stage="waiting", corpus="news", started=time.time())
        self.thread = threading.Thread(target=self._run, name="demo-news", daemon=True)
        self.thread.start()
        return self.thread

    def _progress(self, done: int, total: int, what: str) -> None:
        self._set(stage="loading", done=done, total=total, what=what)
        if what == "embedding":
            self.gate.pause_point()

    def _run(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # best effort: keep the chat snappy
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        try:
            with self.gate.background():
                self._set(stage="loading", what="reading the corpus")
                rep = self.writer.ingest_demo("news", progress=self._progress)
            self.writer.index.catalog.set_meta(DEMO_META_KEY, "news")
            logger.info("demo news: %s", rep.summary())
            self._set(stage="done", finished=time.time())
        except Exception as exc:
            logger.exception("loading the demo corpus failed")
            self._set(stage="failed", error=str(exc), finished=time.time())


def ingest_uploads(
    bot: ArticleQA,
    gate: IngestGate,
    paths: Sequence[Path],
    upload_dir: Path,
    max_bytes: int,
    progress: Callable[..., Any],
) -> list[FileReport]:
    """Store each upload under ``upload_dir`` and ingest it in front of any background load.

    ``progress(fraction, desc=...)`` is told how far along the uploads are.
    """
    reports: list[FileReport] = []
    for i, src in enumerate(paths):
        fr = FileReport(name=src.name)
        reports.append(fr)
        try:
            dest = store_upload(src, upload_dir, max_bytes)
        except (ValueError, OSError) as exc:
            fr.error = str(exc)
            continue
        fr.stored = str(dest)

        def cb(done: int, total: int, what: str, i: int = i, name: str = src.name) -> None:
            frac = (i + (done / total if total else 0.0)) / len(paths)
            progress(frac, desc=f"{name}: {what} ({done}/{total})")

        progress(i / len(paths), desc=f"{src.name}: waiting for the index")
        try:
            with gate.foreground():
                fr.report = bot.ingest([dest], progress=cb)
        except Exception as exc:
            logger.exception("ingest of upload %s failed", dest)
            fr.error = f"ingest failed: {exc}"
            continue
        for _, owner in fr.report.duplicates[:5]:
            art = bot.index.catalog.article(owner)
            fr.duplicate_titles.append(art.title if art and art.title else owner)
    progress(1.0, desc="done")
    return reports


class AskJob:
    """Runs ``bot.ask`` in a worker thread so the UI can show progress and stream LLM tokens."""

    def __init__(
        self,
        bot: ArticleQA,
        question: str,
        history: list[dict[str, str]] | None,
        filters: dict[str, Any] | None,
        options: dict[str, str],
    ) -> None:
        self.bot, self.question, self.history = bot, question, history
        self.filters, self.options = filters, options
        self.done = threading.Event()
        self.answer: Answer | None = None
        self.error: BaseException | None = None
        self._tokens: list[str] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        threading.Thread(target=self._run, name="ask", daemon=True).start()

    def _on_token(self, token: str) -> None:
        with self._lock:
            self._tokens.append(token)

    def partial(self) -> str:
        with self._lock:
            return "".join(self._tokens)

    def _run(self) -> None:
        try:
            extra: dict[str, Any] = {}
            if self.options.get("answerer") == "llm":
                extra["on_token"] = self._on_token
            options: dict[str, Any] = {**self.options, **extra}  # mode / answerer, checked by the engine
            self.answer = self.bot.ask(self.question, history=self.history, filters=self.filters, **options)
        except Exception as exc:
            logger.exception("ask failed for %r", self.question)
            self.error = exc
        finally:
            self.done.set()

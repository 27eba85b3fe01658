"""One chat turn: panel values to ``ask`` arguments, the question run in a worker with progress,
and the structured ``/ask`` API."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from qa.lang.dates import parse_date
from qa.settings import AnswererName, Mode
from qa.types import MAX_QUESTION_CHARS
from ui.jobs import AskJob
from ui.render import filters_text, plain_message, render_answer, render_error, render_partial

if TYPE_CHECKING:
    from qa.api import ArticleQA

HISTORY_MESSAGES = 12  #: chat messages handed to ``ask`` for follow-ups
LONG_SHOWN = 280  #: characters of an over-long message shown in its bubble

ChatUpdate = tuple[list[dict[str, Any]], list[dict[str, str]], str]


def engine_history(turns: Sequence[dict[str, str]]) -> list[dict[str, str]] | None:
    """The last plain-text turns in the ``[{"role", "content"}]`` shape ``ask`` takes."""
    clean = [
        {"role": t["role"], "content": t["content"]}
        for t in turns
        if t.get("role") in ("user", "assistant") and t.get("content")
    ]
    return clean[-HISTORY_MESSAGES:] or None


def build_filters(
    date_from: str | None,
    date_to: str | None,
    sources: Sequence[str] | None,
    authors: Sequence[str] | None,
) -> dict[str, Any] | None:
    """Panel values -> the ``filters=`` dict of ``ask`` (None when nothing is set).

    Raises ValueError with a user-facing message for dates that cannot be read or a reversed
    range.
    """
    out: dict[str, Any] = {}
    for key, raw in (("date_from", date_from), ("date_to", date_to)):
        if raw is None or not str(raw).strip():
            continue
        day = parse_date(str(raw))
        if day is None:
            raise ValueError(f"cannot read the date {str(raw)!r}; write it like 2017-03-15")
        out[key] = day.isoformat()
    if "date_from" in out and "date_to" in out and out["date_from"] > out["date_to"]:
        raise ValueError(f"the date range is reversed: {out['date_from']} > {out['date_to']}")
    if srcs := [s for s in (sources or []) if s and s.strip()]:
        out["sources"] = srcs
    if auths := [a.strip() for a in (authors or []) if a and a.strip()]:
        out["authors"] = auths
    return out or None


def _pending(title: str) -> dict[str, Any]:
    return {"role": "assistant", "content": "",
            "metadata": {"title": title, "status": "pending"}}


def _wait_for_answer(
    job: AskJob, searching: str, chat: list[dict[str, Any]], turns: list[dict[str, str]]
) -> Iterator[ChatUpdate]:
    """While the job runs: the LLM's text so far, else a pending line with the seconds spent."""
    t0 = time.perf_counter()
    while not job.done.wait(0.25):
        partial = job.partial()
        chat[-1] = (
            {"role": "assistant", "content": render_partial(partial)}
            if partial
            else _pending(f"{searching} … {time.perf_counter() - t0:.0f} s")
        )
        yield chat, turns, ""


def make_respond(bot: ArticleQA) -> Callable[..., Iterator[ChatUpdate]]:
    """The chat callback (API name ``chat``) over ``bot``."""

    def respond(
        message: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, str]],
        date_from: str | None,
        date_to: str | None,
        sources: list[str] | None,
        authors: list[str] | None,
        mode: str,
        answerer: str,
        retrieval: str,
    ) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, str]], str]]:
        message = (message or "").strip()
        chat = list(chat or [])
        turns = list(turns or [])
        if not message:
            yield chat, turns, ""
            return
        if len(message) > MAX_QUESTION_CHARS:  # a short notice, and the bubble does not flood the chat
            chat.append({"role": "user", "content": plain_message(message[:LONG_SHOWN]) + " …"})
            chat.append({"role": "assistant", "content": render_error(
                f"That message is {len(message):,} characters long; please ask about one thing at a time, "
                f"in under {MAX_QUESTION_CHARS:,} characters.")})
            yield chat, turns, message  # kept in the box, to be shortened
            return
        chat.append({"role": "user", "content": plain_message(message)})
        try:
            filters = build_filters(date_from, date_to, sources, authors)
        except ValueError as exc:
            chat.append({"role": "assistant", "content": render_error(f"Filters: {exc}.")})
            yield chat, turns, message
            return
        n_articles = bot.index.catalog.counts()["articles"]
        where = f" ({filters_text(filters)})" if filters else ""
        searching = f"Searching {n_articles:,} articles{where}"
        chat.append(_pending(searching))
        yield chat, turns, ""
        options = {"mode": mode or "fast", "answerer": answerer or "extractive",
                   "retrieval": retrieval or "hybrid"}
        job = AskJob(bot, message, engine_history(turns), filters, options)
        job.start()
        yield from _wait_for_answer(job, searching, chat, turns)
        if job.error is not None or job.answer is None:
            err = job.error
            chat[-1] = {"role": "assistant",
                        "content": render_error(str(err) or type(err).__name__)}
            yield chat, turns, ""
            return
        answer = job.answer
        shown = {k: v for k, v in options.items() if v not in ("fast", "extractive", "hybrid")}
        chat[-1] = {"role": "assistant", "content": render_answer(answer, shown)}
        turns += [{"role": "user", "content": message},
                  {"role": "assistant", "content": answer.text}]
        yield chat, turns, ""

    return respond


class ChatSession:
    """One browser session's conversation, the source of truth while questions queue up.

    Questions are answered one at a time, in the order the page numbered them (``seq``), and by one
    event: the first question of a burst runs them all (the runner) and the others only join its
    queue. Two events that each wrote the whole chat could be applied out of order (the server
    started the second before the first, or the page applied the first one's last update after the
    second's first one), which lost a question from view or answered them out of order."""

    GAP_WAIT = 2.0  #: seconds the runner waits for a question numbered before one already here

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the chat and turns: one answer, or clearing them
        self.queue = threading.Condition()  # waiting, next_seq and runner
        self.chat: list[dict[str, Any]] = []
        self.turns: list[dict[str, str]] = []
        self.waiting: dict[int, tuple[str, tuple[Any, ...]]] = {}
        self.next_seq = 1
        self.runner: object | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatSession:
        return ChatSession()  # gr.State copies its initial value per session: a fresh one each

    def clear(self) -> list[dict[str, str]]:
        with self.lock:
            self.chat, self.turns = [], []
        return []

    def join(self, seq: Any, message: str, panel: tuple[Any, ...], token: object) -> bool:
        """Queue a question; True when the caller (``token``) is to run the queue."""
        with self.queue:
            n = int(seq) if isinstance(seq, int | float) else 0
            if n < self.next_seq or n in self.waiting:  # not numbered, or late: after the others
                n = max([self.next_seq - 1, *self.waiting]) + 1
            self.waiting[n] = (message, panel)
            self.queue.notify_all()
            if self.runner is not None:
                return False
            self.runner = token
            return True

    def take(self, token: object) -> tuple[str, tuple[Any, ...]] | None:
        """The next question in order for the runner, or None: the queue is empty, it stops."""
        with self.queue:
            deadline = time.monotonic() + self.GAP_WAIT
            while self.waiting and self.next_seq not in self.waiting:  # an earlier one is on its way
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.queue.wait(left)
            if not self.waiting:
                self.runner = None
                return None
            n = self.next_seq if self.next_seq in self.waiting else min(self.waiting)
            self.next_seq = n + 1
            return self.waiting.pop(n)

    def stop(self, token: object) -> None:
        """The runner ends (also when abandoned mid-answer): a later question runs the queue."""
        with self.queue:
            if self.runner is token:
                self.runner = None


def make_session_respond(bot: ArticleQA) -> Callable[..., Iterator[ChatUpdate]]:
    """Step two: ``respond`` for one session, one question at a time, on the session's chat."""
    respond = make_respond(bot)

    def session_respond(message: str, session: ChatSession, *panel_seq: Any) -> Iterator[ChatUpdate | tuple[Any, ...]]:
        *panel, seq = panel_seq
        token = object()
        if not session.join(seq, message, tuple(panel), token):
            yield _keep_box(), _keep_box(), _keep_box()  # the runner answers it, in turn
            return
        try:
            while (item := session.take(token)) is not None:
                question, args = item
                with session.lock:
                    for chat, turns, box in respond(question, session.chat, session.turns, *args):
                        session.chat, session.turns = chat, turns
                        # the box is left alone unless the message is handed back (too long, bad filters)
                        yield list(chat), list(turns), box if box else _keep_box()
        finally:
            session.stop(token)

    return session_respond


def _keep_box() -> Any:
    import gradio as gr

    return gr.skip()


def make_ask_api(bot: ArticleQA) -> Callable[..., dict[str, Any]]:
    """The structured API (API name ``ask``) over ``bot``."""

    def ask_api(
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: dict[str, Any] | None = None,
        mode: str = "fast",
        answerer: str = "extractive",
    ) -> dict[str, Any]:
        """Structured answer for API clients: ``Answer.to_dict()``."""
        # the engine checks mode and answerer and names the choices when one is unknown
        answer = bot.ask(question, history=history or None, filters=filters or None,
                         mode=cast(Mode, mode), answerer=cast(AnswererName, answerer))
        return answer.to_dict()

    return ask_api

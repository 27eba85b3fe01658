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
    """One browser session's conversation, the source of truth while questions queue up: a
    question sent while another is pending waits for it (the lock), then continues the chat as it
    is by then, so neither the question nor the earlier answer is lost."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.chat: list[dict[str, Any]] = []
        self.turns: list[dict[str, str]] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatSession:
        return ChatSession()  # gr.State copies its initial value per session: a fresh one each

    def clear(self) -> list[dict[str, str]]:
        with self.lock:
            self.chat, self.turns = [], []
        return []


def make_session_respond(bot: ArticleQA) -> Callable[..., Iterator[ChatUpdate]]:
    """Step two: ``respond`` for one session, one question at a time, on the session's chat."""
    respond = make_respond(bot)

    def session_respond(message: str, session: ChatSession, *panel: Any) -> Iterator[ChatUpdate]:
        with session.lock:
            for chat, turns, box in respond(message, session.chat, session.turns, *panel):
                session.chat, session.turns = chat, turns
                # the box is left alone unless the message is handed back (too long, bad filters)
                yield list(chat), list(turns), box if box else _keep_box()

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

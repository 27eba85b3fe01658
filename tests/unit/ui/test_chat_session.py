"""A browser session's questions: answered one at a time, in the order the page numbered them,
all by one event (the runner), so two events never write the chat at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import ui.chat
from ui.chat import ChatSession, make_session_respond

PANEL = (None, None, [], [], "fast", "extractive", "hybrid")


@pytest.fixture
def session_respond(monkeypatch: pytest.MonkeyPatch) -> Any:
    def fake_make_respond(bot: Any) -> Any:
        def respond(message: str, chat: list[dict[str, Any]], turns: list[dict[str, str]],
                    *panel: Any) -> Iterator[Any]:
            chat = [*chat, {"role": "user", "content": message}]
            yield chat, turns, ""
            yield [*chat, {"role": "assistant", "content": f"answer to {message}"}], turns, ""

        return respond

    monkeypatch.setattr(ui.chat, "make_respond", fake_make_respond)
    return make_session_respond(bot=None)  # type: ignore[arg-type]


def users(chat: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in chat if m["role"] == "user"]


def test_a_question_numbered_second_but_started_first_is_answered_second(session_respond: Any) -> None:
    session = ChatSession()
    outputs: list[Any] = []
    runner = threading.Thread(target=lambda: outputs.extend(session_respond("second", session, *PANEL, 2)))
    runner.start()  # it runs the queue, and waits for question 1 first
    time.sleep(0.1)
    joined = list(session_respond("first", session, *PANEL, 1))
    runner.join(5)
    assert len(joined) == 1 and all(ui.chat._keep_box() == v for v in joined[0])  # writes nothing
    assert users(outputs[-1][0]) == ["first", "second"]
    assert users(session.chat) == ["first", "second"] and session.runner is None


def test_a_missing_number_is_waited_for_only_briefly(session_respond: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChatSession, "GAP_WAIT", 0.05)
    session = ChatSession()
    assert users(list(session_respond("third", session, *PANEL, 3))[-1][0]) == ["third"]
    # a late or unnumbered question goes after the others
    assert users(list(session_respond("late", session, *PANEL, 1))[-1][0]) == ["third", "late"]
    assert users(list(session_respond("api", session, *PANEL, None))[-1][0]) == ["third", "late", "api"]


def test_an_abandoned_runner_hands_over_its_queue(session_respond: Any) -> None:
    session = ChatSession()
    first = session_respond("first", session, *PANEL, 1)
    next(first)  # answering "first"
    queued = list(session_respond("second", session, *PANEL, 2))
    assert queued == [(ui.chat._keep_box(),) * 3]  # joins the queue, writes nothing
    first.close()  # the page went away mid-answer
    assert session.runner is None
    out = list(session_respond("third", session, *PANEL, 3))
    assert users(out[-1][0]) == ["first", "second", "third"]

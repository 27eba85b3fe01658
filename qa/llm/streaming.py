"""Running a chain with a deadline: ``chain.stream`` in a worker thread, tokens handed on as they
come, ``LLMTimeout`` when no complete answer arrives in time."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class LLMTimeout(TimeoutError):
    """The model produced no complete answer within ``llm_timeout``."""


@dataclass
class Generation:
    text: str
    first_token: float  #: seconds to the first non-empty token (-1: none)
    seconds: float


def stream_with_deadline(
    chain: Any, inputs: dict[str, Any], timeout: float, on_token: Callable[[str], None] | None
) -> Generation:
    """Run ``chain.stream(inputs)`` in a worker thread; give up after ``timeout`` seconds.

    The worker stops at its next token once abandoned (the local model then frees its slot).
    """
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for piece in chain.stream(inputs):
                if stop.is_set():
                    break
                items.put(("token", piece))
            items.put(("done", None))
        except Exception as exc:  # handed to the caller
            items.put(("error", exc))

    t0 = time.perf_counter()
    threading.Thread(target=work, name="llm-stream", daemon=True).start()
    parts: list[str] = []
    first = -1.0
    deadline = t0 + timeout
    try:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise LLMTimeout(f"the model gave no complete answer within {timeout:.0f} s")
            try:
                kind, value = items.get(timeout=left)
            except queue.Empty:
                continue
            if kind == "done":
                break
            if kind == "error":
                raise value
            text = value if isinstance(value, str) else str(getattr(value, "content", value))
            if text and first < 0:
                first = time.perf_counter() - t0
            parts.append(text)
            if on_token is not None and text:
                on_token(text)
    finally:
        stop.set()
    return Generation("".join(parts), first, time.perf_counter() - t0)

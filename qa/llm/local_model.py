"""The local chat model: a GGUF model run in-process by llama.cpp (``xllamacpp``, the only
module that imports it), one loaded server per model and process, as a LangChain chat model."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

logger = logging.getLogger(__name__)


def default_threads() -> int:
    """All cores but one: llama.cpp's threads wait for each other at every step, so one thread
    pre-empted by another process stalls them all (measured on 2 busy cores: 0.5 tok/s with 2
    threads, 6.3 tok/s with 1)."""
    return max(1, (os.cpu_count() or 2) - 1)

_SERVERS: dict[tuple[str, int, int], Any] = {}
_SERVERS_LOCK = threading.Lock()


def _server(path: str, n_ctx: int, n_threads: int) -> Any:
    """One llama.cpp server per (model, context, threads) and process: loading takes seconds."""
    key = (path, n_ctx, n_threads)
    with _SERVERS_LOCK:
        if key not in _SERVERS:
            import xllamacpp as xlc

            params = xlc.CommonParams()
            params.model.path = path
            params.n_ctx = n_ctx
            params.n_batch = 512
            params.n_ubatch = 512
            params.n_parallel = 1
            params.cpuparams.n_threads = n_threads
            params.cpuparams_batch.n_threads = n_threads
            params.warmup = False
            if not logger.isEnabledFor(logging.DEBUG):
                params.verbosity = -1  # llama.cpp writes its own log lines to stderr otherwise
            t = time.perf_counter()
            _SERVERS[key] = xlc.Server(params)
            logger.info("loaded %s in %.1f s", Path(path).name, time.perf_counter() - t)
        return _SERVERS[key]


def _log_timings(t: dict[str, Any]) -> None:
    logger.info(
        "llama.cpp: prompt %s tokens (%s cached) in %.2f s, %s tokens generated at %.1f tok/s",
        t.get("prompt_n"), t.get("cache_n"), (t.get("prompt_ms") or 0) / 1000,
        t.get("predicted_n"), t.get("predicted_per_second") or 0.0,
    )


def _role(msg: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(msg.type, "user")


class LocalChatModel(BaseChatModel):
    """A GGUF chat model run in-process by llama.cpp (xllamacpp's native server API)."""

    model_path: str
    n_ctx: int = 2048
    n_threads: int = 2
    max_tokens: int = 200
    temperature: float = 0.0
    _server: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "xllamacpp"

    def load(self) -> None:
        if self._server is None:
            self._server = _server(self.model_path, self.n_ctx, self.n_threads)

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any
                 ) -> dict[str, Any]:
        req: dict[str, Any] = {
            "messages": [{"role": _role(m), "content": m.text} for m in messages],
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": kwargs.get("temperature", self.temperature),
        }
        if stop:
            req["stop"] = stop
        if kwargs.get("grammar"):
            req["grammar"] = kwargs["grammar"]
        return req

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.load()
        res = self._server.handle_chat_completions(self._request(messages, stop, **kwargs))
        if not isinstance(res, dict) or "error" in res:
            err = res.get("error") if isinstance(res, dict) else res
            raise RuntimeError(f"llama.cpp error: {err}")
        if res.get("timings"):
            _log_timings(res["timings"])
        content = res["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content))],
                          llm_output={"usage": res.get("usage"), "timings": res.get("timings")})

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self.load()
        req = {**self._request(messages, stop, **kwargs), "stream": True}
        items: queue.Queue[Any] = queue.Queue()
        cancel = threading.Event()
        done = object()

        def callback(chunk: Any) -> bool:
            items.put(chunk)
            return cancel.is_set()  # True stops the generation

        def work() -> None:
            try:
                res = self._server.handle_chat_completions(req, callback)
                if isinstance(res, dict) and "error" in res:
                    items.put(RuntimeError(f"llama.cpp error: {res['error']}"))
            except Exception as exc:
                items.put(exc)
            finally:
                items.put(done)

        threading.Thread(target=work, name="llama-cpp", daemon=True).start()
        try:
            while (item := items.get()) is not done:
                if isinstance(item, Exception):
                    raise item
                if isinstance(item, dict) and "error" in item:
                    raise RuntimeError(f"llama.cpp error: {item['error']}")
                if isinstance(item, dict) and item.get("timings"):
                    _log_timings(item["timings"])
                choices = item.get("choices") if isinstance(item, dict) else None
                delta = (choices[0].get("delta") or {}).get("content") if choices else None
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager is not None:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
        finally:
            cancel.set()

"""Generative answers: ``LLMAnswerer`` picks the chat model, runs the prompt with a deadline and
keeps only what the passages support, with the same ``Answer`` contract as the extractive reader.

The chat model is a local GGUF model (``qa.llm.local_model``, llama.cpp through ``xllamacpp``)
or any OpenAI-compatible server through ``langchain-openai``. Both are LangChain chat models,
so tests inject a scripted fake.

Flow: trim the retrieved passages to the sentences that matter (prefill is the slow part on a
CPU) -> fence them as untrusted, numbered data -> ``prompt | chat model | str`` streamed with a
deadline -> map ``[n]`` to passages, drop citations that point nowhere, attach the verbatim
article sentence that best supports each answer sentence, drop sentences no passage supports.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from qa.llm import judge, span_reader
from qa.llm.grounding import ground
from qa.llm.local_model import LocalChatModel, default_threads
from qa.llm.prompts import ANSWER_CUES, ENABLE_HINT, REFUSAL_TEXT, SYSTEM, USER, build_prompt
from qa.llm.streaming import LLMTimeout, stream_with_deadline
from qa.settings import Settings
from qa.types import Answer, Article, ScoredChunk

logger = logging.getLogger(__name__)


class LLMAnswerer:
    """Grounded generative answers with the same ``Answer`` contract as the extractive reader."""

    def __init__(self, settings: Settings, chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self._chat = chat_model
        self._lock = threading.Lock()
        self.prompt = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", USER)])

    # .. configuration
    def backend(self) -> str:
        b = self.settings.llm_backend.strip().lower()
        if b == "auto":
            return "openai" if self.settings.llm_url else "local"
        return b

    def model_path(self) -> Path | None:
        from qa.llm.install import resolve_model_path

        s = self.settings
        return resolve_model_path(s, s.llm_model_path or s.llm_model)

    def available(self) -> tuple[bool, str]:
        """(ok, what is used / how to enable generation). Cheap: loads nothing."""
        if self._chat is not None:
            return True, f"chat model {type(self._chat).__name__}"
        backend = self.backend()
        if backend == "openai":
            if importlib.util.find_spec("langchain_openai") is None:
                return False, "langchain-openai is not installed: pip install 'article-qa[llm]'"
            if not self.settings.llm_url:
                return False, "set ARTICLE_QA_LLM_URL to the server's base URL (…/v1)"
            if not self.settings.llm_model:
                return False, "set ARTICLE_QA_LLM_MODEL to a model name the server knows"
            return True, f"{self.settings.llm_model} at {self.settings.llm_url}"
        if backend != "local":
            return False, f"unknown llm_backend {self.settings.llm_backend!r} (auto|local|openai)"
        if importlib.util.find_spec("xllamacpp") is None:
            return False, f"no local LLM runtime: {ENABLE_HINT}"
        path = self.model_path()
        if path is None:
            wanted = self.settings.llm_model_path or self.settings.llm_model
            what = f"model {wanted!r} not found" if wanted else "no local model installed"
            return False, f"{what}: run `article-qa models install qwen2.5-1.5b`"
        return True, f"local {path.name}"

    def chat_model(self) -> BaseChatModel:
        """The chat model (built once; a local model is loaded here, which takes seconds)."""
        with self._lock:
            if self._chat is None:
                ok, reason = self.available()
                if not ok:
                    raise RuntimeError(reason)
                self._chat = self._build()
            return self._chat

    def _build(self) -> BaseChatModel:
        s = self.settings
        if self.backend() == "openai":
            from langchain_openai import ChatOpenAI
            from pydantic import SecretStr

            return ChatOpenAI(  # type: ignore[call-arg]
                base_url=s.llm_url,
                model=s.llm_model,
                api_key=SecretStr(s.llm_api_key or "not-needed"),
                temperature=s.llm_temperature,
                max_tokens=s.llm_max_tokens,
                timeout=s.llm_timeout,
                max_retries=1,
            )
        path = self.model_path()
        assert path is not None
        model = LocalChatModel(
            model_path=str(path),
            n_ctx=s.llm_ctx,
            n_threads=s.llm_threads or default_threads(),
            max_tokens=s.llm_max_tokens,
            temperature=s.llm_temperature,
        )
        model.load()
        return model

    # .. answers
    def answer(
        self,
        question: str,
        passages: list[ScoredChunk],
        articles: dict[str, Article],
        fallback: Answer | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        ok, reason = self.available()
        if not ok:
            return self._fallback(question, passages, fallback, f"Generation is off: {reason}.")
        prompt = build_prompt(question, passages, articles, self.settings.llm_passages,
                              self.settings.llm_prompt_tokens)
        timings["prompt"] = time.perf_counter() - t0
        considered = tuple(s.hit for s in prompt.sources) or tuple(passages)
        if not prompt.sources:
            return self._fallback(question, passages, fallback, "No passage to generate from.")
        try:
            t = time.perf_counter()
            model = self.chat_model()
            timings["load"] = time.perf_counter() - t
            chain = self.prompt | model | StrOutputParser()
            gen = stream_with_deadline(chain, prompt.variables(self._cue(model)),
                                       self.settings.llm_timeout, on_token)
        except LLMTimeout as exc:
            logger.warning("generation timed out: %s", exc)
            return self._fallback(question, passages, fallback,
                                  f"The language model was too slow ({exc}).")
        except Exception as exc:
            logger.warning("generation failed: %s", exc)
            return self._fallback(question, passages, fallback, f"Generation failed: {exc}.")
        timings["first_token"] = gen.first_token
        timings["generate"] = gen.seconds
        t = time.perf_counter()
        g = ground(gen.text, prompt)
        timings["ground"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - t0
        logger.info("llm answer in %.1f s (first token %.1f s): %r", gen.seconds,
                    gen.first_token, gen.text)
        if g.dropped_citations:
            logger.info("dropped citations that point at no passage: %s", g.dropped_citations)
        if g.refused:
            return Answer(question=question, text=REFUSAL_TEXT, refused=True, kind="passage",
                          passages=considered, timings=timings)
        if not g.citations:
            return self._fallback(
                question, passages, fallback,
                "The generated answer could not be checked against the articles, "
                "so the extracted answer is shown.", timings=timings)
        text = g.text
        if g.dropped:
            text += (f"\n\n({len(g.dropped)} generated sentence(s) left out: "
                     "no passage supports them.)")
        return Answer(question=question, text=text, citations=tuple(g.citations),
                      short_answer=g.short_answer, kind="passage", passages=considered,
                      timings=timings)

    def _cue(self, model: BaseChatModel) -> str:
        if isinstance(model, LocalChatModel):
            return ANSWER_CUES.get(Path(model.model_path).stem.lower(), "")
        return ""

    def _fallback(
        self, question: str, passages: list[ScoredChunk], fallback: Answer | None, note: str,
        timings: dict[str, float] | None = None,
    ) -> Answer:
        if fallback is not None:
            merged = {**fallback.timings, **(timings or {})}
            return replace(fallback, text=f"{fallback.text}\n\n({note})", timings=merged)
        return Answer(question=question, text=note, refused=True, kind="passage",
                      passages=tuple(passages), timings=dict(timings or {}))

    # .. the claim judge of cross-article questions
    def judge_claim(self, claim: str, sentences: list[str]) -> tuple[str, int] | None:
        """SUPPORTS / CONTRADICTS with the index of the sentence it rests on, or NOT STATED (-1);
        None when the model could not be asked (see ``qa.llm.judge``)."""
        return judge.judge_claim(self.chat_model(), claim, [s for s in sentences if s.strip()])

    # .. "accurate" reader
    def read_span(self, question: str, sentences: list[str]) -> str | None:
        """The exact answer phrase, copied by the model from one of ``sentences``; "" when the
        model says no sentence answers (NONE); None when it could not be asked or replied badly.

        With the local model, a grammar only allows word-aligned substrings of the sentences;
        otherwise the reply is checked and the model gets one retry.
        """
        sentences = [s for s in sentences if s.strip()]
        if not sentences:
            return None
        return span_reader.read_span(self.chat_model(), question, sentences)

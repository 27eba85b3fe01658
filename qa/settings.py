"""All settings in one place: typed, documented fields, validated when they are loaded, with
``ARTICLE_QA_*`` environment overrides.

Settings are built in entry points (CLI, app, tests) and passed down; nothing reads the
environment at import time. A bad value fails at load with the variable's name:

>>> Settings.from_env(env={"ARTICLE_QA_EMBEDDER": "bert"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
SettingsError: ARTICLE_QA_EMBEDDER='bert': ...
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ENV_PREFIX = "ARTICLE_QA_"

EmbedderName = Literal["minilm", "minilm-torch", "minilm-int8", "hash"]
AnswererName = Literal["extractive", "llm"]
LLMBackend = Literal["auto", "local", "openai"]
Mode = Literal["fast", "accurate", "sentence"]
RetrievalMode = Literal["hybrid", "bm25", "dense"]


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable or field and the choices."""


def _default_home() -> Path:
    return Path.home() / ".article-qa"


class Settings(BaseModel):
    """Tunable knobs. Environment: ``ARTICLE_QA_<FIELD>`` (upper case)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    home: Path = Field(default_factory=_default_home, description="index location")
    chroma_url: str = Field("", description="http://host:port of a Chroma server; empty: embedded store")
    collection: str = Field("articles", min_length=1, description="Chroma collection name")
    embedder: EmbedderName = Field(
        "minilm", description=("minilm (packaged all-MiniLM-L6-v2, fp32 ONNX; torch if that cannot be built) | "
                               "minilm-torch (the same vectors through torch) | minilm-int8 | hash (a test fake)"))
    embed_batch_size: int = Field(32, ge=1, description="texts per embedding batch")
    max_file_bytes: int = Field(512 * 1024 * 1024, ge=1,
                                description="ingest refuses larger files by name (CSV/JSONL are streamed)")
    chunk_tokens: int = Field(200, ge=16, le=256,
                              description="target word-pieces per chunk (the model sees 256, header included)")
    chunk_overlap_sentences: int = Field(0, ge=0, description="sentences repeated between neighbouring chunks")
    top_k: int = Field(6, ge=1, description="passages handed to the answerer")
    candidates: int = Field(40, ge=1, description="per-retriever candidates before fusion")
    rrf_k: int = Field(60, ge=1, description="reciprocal-rank-fusion constant")
    keep_lexical: int = Field(2, ge=0, description="BM25's best hits kept past fusion when they dominate")
    lexical_dominance: float = Field(2.0, gt=0, description="... scoring at least this many times BM25's k-th hit")
    refuse_below: float = Field(0.35, ge=-1, le=1, description=(
        "a best dense cosine below this is weak evidence (dropping a date filter, metadata lookups); "
        "passage refusals come from the fitted confidence model"))
    answerer: AnswererName = Field("extractive", description="who writes passage answers: extractive | llm")
    spelling: bool = Field(True, description=(
        "read a lower-case word no article has as the word one letter away that the collection pairs "
        "with the question's other words (\"bougth\" -> \"bought\"); the answer shows the question as read"))
    demo_cache: Path | None = Field(None, description="where the downloaded demo wheel is kept (default: home)")
    # generative answerer (qa/llm/answerer.py; needs the `llm` extra)
    llm_backend: LLMBackend = Field("auto", description="auto (url set: openai, else local) | local | openai")
    llm_model: str = Field("", description="local: catalog name (qwen2.5-1.5b); openai: the server's model name")
    llm_model_path: str = Field("", description="any local GGUF file (overrides llm_model for the local backend)")
    llm_url: str = Field("", description="base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1")
    llm_api_key: str = Field("", description="key for llm_url (empty: none needed)")
    llm_timeout: float = Field(120.0, gt=0, description="seconds before a generation is abandoned for the fallback")
    llm_max_tokens: int = Field(200, ge=1, description="answer length cap, in tokens")
    llm_threads: int = Field(0, ge=0, description="local CPU threads (0: all cores but one)")
    llm_ctx: int = Field(2048, ge=256, description="local context window, in tokens")
    llm_prompt_tokens: int = Field(600, ge=50, description="budget for the passages in the prompt (prefill is slow)")
    llm_passages: int = Field(4, ge=1, description="passages put in the prompt")
    llm_temperature: float = Field(0.0, ge=0, description="sampling temperature (0: greedy, reproducible)")
    claim_judge: bool = Field(False, description=(
        "accurate mode: the local model judges claims across articles (YES / NO with the sentence "
        "it rests on) instead of the rules; off by default: on the dev claims it answered 13 right "
        "and 7 wrong of 20, the rules 8 right, 2 wrong, 10 refused"))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``ARTICLE_QA_*`` variables, then explicit overrides (not None)."""
        env = dict(os.environ if env is None else env)
        raw = {name: env[ENV_PREFIX + name.upper()] for name in cls.model_fields
               if env.get(ENV_PREFIX + name.upper(), "") != ""}
        given = {k: v for k, v in overrides.items() if v is not None}
        return cls._load({**raw, **given}, from_env=set(raw) - set(given))

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``, validated like a load."""
        return self._load({**self.model_dump(), **changes}, from_env=set())

    @classmethod
    def _load(cls, values: dict[str, Any], from_env: set[str]) -> Settings:
        for key in ("home", "demo_cache"):
            if values.get(key) is not None:
                values[key] = Path(values[key]).expanduser()
        try:
            return cls(**values)
        except ValidationError as exc:
            raise SettingsError("; ".join(_explain(err, from_env) for err in exc.errors())) from None


def _explain(err: Any, from_env: set[str]) -> str:
    name = str(err["loc"][0]) if err.get("loc") else "?"
    where = f"{ENV_PREFIX}{name.upper()}" if name in from_env else name
    return f"{where}={err.get('input')!r}: {err['msg']}"

"""All settings in one place, with ``ARTICLE_QA_*`` environment overrides.

Settings are built in entry points (CLI, app, tests) and passed down; nothing reads the
environment at import time.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "ARTICLE_QA_"


@dataclass(frozen=True)
class Settings:
    """Tunable knobs. Environment: ``ARTICLE_QA_<FIELD>`` (upper case)."""

    home: Path = field(default_factory=lambda: Path.home() / ".article-qa")  #: index location
    chroma_url: str = ""  #: http://host:port of a Chroma server; empty = embedded store
    collection: str = "articles"  #: Chroma collection name
    embedder: str = "minilm"  #: minilm (packaged all-MiniLM-L6-v2) | minilm-int8 (ONNX, ~1.8x faster) | hash (fake)
    embed_batch_size: int = 32  #: texts per embedding batch
    max_file_bytes: int = 512 * 1024 * 1024  #: ingest refuses larger files by name (CSV/JSONL are streamed)
    chunk_tokens: int = 200  #: target word-pieces per chunk (model limit 256, incl. header)
    chunk_overlap_sentences: int = 0  #: sentences repeated between neighbouring chunks
    top_k: int = 6  #: passages handed to the answerer
    candidates: int = 40  #: per-retriever candidates before fusion
    rrf_k: int = 60  #: reciprocal-rank-fusion constant
    keep_lexical: int = 2  #: BM25's best hits kept past fusion when they dominate (see below)
    lexical_dominance: float = 2.0  #: ... scoring at least this many times BM25's k-th hit
    refuse_below: float = 0.35  #: refuse when the best dense cosine is below this
    answerer: str = "extractive"  #: extractive | llm
    demo_cache: Path | None = None  #: where the downloaded demo wheel is kept (default: home)
    # generative answerer (qa/llm/answerer.py; needs the `llm` extra)
    llm_backend: str = "auto"  #: auto (url set -> openai, else local) | local | openai
    llm_model: str = ""  #: local: catalog name (qwen2.5-1.5b); openai: model name on the server
    llm_model_path: str = ""  #: any local GGUF file (overrides llm_model for the local backend)
    llm_url: str = ""  #: base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1
    llm_api_key: str = ""  #: key for llm_url (empty: none needed)
    llm_timeout: float = 120.0  #: seconds before a generation is abandoned for the fallback
    llm_max_tokens: int = 200  #: answer length cap, in tokens
    llm_threads: int = 0  #: local CPU threads (0: all cores but one)
    llm_ctx: int = 2048  #: local context window, in tokens
    llm_prompt_tokens: int = 600  #: budget for the passages in the prompt (prefill is slow)
    llm_passages: int = 4  #: passages put in the prompt
    llm_temperature: float = 0.0  #: sampling temperature (0: greedy, reproducible)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``ARTICLE_QA_*`` variables, then explicit overrides (not None)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("home", "demo_cache"):
            if values.get(key) is not None:
                values[key] = Path(values[key]).expanduser()
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(type_name: Any, raw: str, name: str) -> Any:
    t = str(type_name)
    try:
        if t.startswith("int"):
            return int(raw)
        if t.startswith("float"):
            return float(raw)
        if t.startswith("bool"):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from exc
    return raw

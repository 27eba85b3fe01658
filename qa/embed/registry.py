"""Embedders by setting name (``minilm``, ``minilm-torch``, ``minilm-int8``, ``hash``), one
shared instance each."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from qa.embed.base import Embedder
from qa.embed.fake import HashEmbedder
from qa.embed.minilm import MiniLMEmbedder

logger = logging.getLogger(__name__)

_shared: dict[tuple[str, int], Embedder] = {}
_shared_lock = threading.Lock()


def get_embedder(
    name: str = "minilm", batch_size: int = 32, cache_dir: Path | None = None
) -> Embedder:
    """A process-wide embedder (the model is loaded once).

    ``minilm`` is all-MiniLM-L6-v2 in fp32 on onnxruntime (the same vectors as the torch model,
    ~2.4x faster); ``minilm-torch`` the same model through sentence-transformers on torch.
    ``minilm`` and ``minilm-int8`` build their ONNX model into ``cache_dir`` on first use
    (default ``~/.cache/article-qa/models``); the other embedders ignore ``cache_dir``.
    """
    key = (name, batch_size)
    with _shared_lock:
        if key not in _shared:
            if name == "minilm":
                _shared[key] = _onnx_or_torch(batch_size, cache_dir)
            elif name == "minilm-torch":
                _shared[key] = MiniLMEmbedder(batch_size=batch_size)
            elif name == "minilm-int8":
                from qa.embed.onnx_minilm import Int8MiniLMEmbedder  # onnxruntime only when asked for

                _shared[key] = Int8MiniLMEmbedder(batch_size=batch_size, cache_dir=cache_dir)
            elif name == "hash":
                _shared[key] = HashEmbedder()
            else:
                raise ValueError(
                    f"unknown embedder {name!r} (choose minilm, minilm-torch, minilm-int8 or hash)"
                )
        return _shared[key]


def _onnx_or_torch(batch_size: int, cache_dir: Path | None) -> Embedder:
    """The fp32 ONNX MiniLM, or the torch one (same vectors, slower) when it cannot be had."""
    try:
        from qa.embed.onnx_minilm import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(batch_size=batch_size, cache_dir=cache_dir)
    except Exception as exc:  # no onnxruntime, a failed export, an unwritable cache, ...
        logger.warning(
            "could not build or load the ONNX all-MiniLM-L6-v2 (%s: %s); using the torch model "
            "instead (the same vectors, ~2.4x slower to embed)", type(exc).__name__, exc
        )
        return MiniLMEmbedder(batch_size=batch_size)

"""Embedders by setting name (``minilm``, ``minilm-int8``, ``hash``), one shared instance each."""

from __future__ import annotations

import threading
from pathlib import Path

from qa.embed.base import Embedder
from qa.embed.fake import HashEmbedder
from qa.embed.minilm import MiniLMEmbedder

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
                from qa.embed.onnx_int8 import OnnxMiniLMEmbedder  # onnxruntime only when asked for

                _shared[key] = OnnxMiniLMEmbedder(batch_size=batch_size, cache_dir=cache_dir)
            elif name == "hash":
                _shared[key] = HashEmbedder()
            else:
                raise ValueError(
                    f"unknown embedder {name!r} (choose minilm, minilm-int8 or hash)"
                )
        return _shared[key]

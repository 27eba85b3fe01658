"""all-MiniLM-L6-v2 through sentence-transformers (torch, fp32): ``minilm-torch``, and what
``minilm`` falls back to when its ONNX model cannot be built (the vectors are the same)."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from qa.embed.base import DIM, SMALL_BATCH, packaged_model_path
from qa.lang.nlp import TORCH_IMPORT

logger = logging.getLogger(__name__)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, strictly offline."""

    name = "all-MiniLM-L6-v2"
    dim = DIM

    def __init__(self, batch_size: int = 32, model_dir: Path | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        with TORCH_IMPORT:  # not while the entity recogniser loads with torch hidden
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

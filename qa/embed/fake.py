"""A deterministic fake embedder for tests where the model is beside the point."""

from __future__ import annotations

import hashlib

import numpy as np


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

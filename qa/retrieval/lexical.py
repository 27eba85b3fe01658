"""The lexical side of retrieval: BM25 (``bm25s``, the only module that imports it) over the
chunks' content terms, with the IDF table the reader also uses."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

K1, B = 1.2, 0.75  #: BM25 parameters


@dataclass
class LexicalIndex:
    """BM25 over tokenised chunks (row order = the chunk table's), and each term's IDF."""

    bm25: object | None = None
    idf: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, tokens: list[list[str]]) -> LexicalIndex:
        if not tokens:
            return cls()
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
        bm25 = bm25s.BM25(k1=K1, b=B)
        bm25.index(tokens, show_progress=False)
        df: dict[str, int] = {}
        for toks in tokens:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        n = len(tokens)
        idf = {t: float(np.log(1 + (n - d + 0.5) / (d + 0.5))) for t, d in df.items()}
        return cls(bm25=bm25, idf=idf)

    def top(self, terms: list[str], mask: np.ndarray | None, n: int) -> list[tuple[int, float]]:
        """(row, score) of the ``n`` best-scoring rows with a positive score, best first."""
        terms = [w for w in terms if w in self.idf]
        if not terms or self.bm25 is None:
            return []
        scores = np.asarray(self.bm25.get_scores(terms), dtype=np.float32)  # type: ignore[attr-defined]
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, int((scores > 0).sum()))
        if n <= 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top]

"""Rank fusion of the lexical and dense sides: pure functions over (key, score) rankings.

>>> rrf([[(3, 9.1), (1, 4.0)], [(1, 0.8), (2, 0.7)]], k=60)[1] > 1 / 61
True
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)  #: what a ranking ranks (chunk ids)


def rrf(rankings: Sequence[Sequence[tuple[K, float]]], k: int) -> dict[K, float]:
    """Reciprocal rank fusion: each key gets the sum of 1 / (k + rank) over the rankings."""
    fused: dict[K, float] = {}
    for ranked in rankings:
        for rank, (i, _) in enumerate(ranked):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank + 1)
    return fused


def prefer_recent(fused: dict[K, float], dates: dict[K, int], k: int) -> None:
    """Among relevant candidates, newer ones move up: half a fused rank for the date's rank."""
    order = sorted(set(dates.values()), reverse=True)
    rank_of = {d: r for r, d in enumerate(order)}
    for i in fused:
        fused[i] += 0.5 / (k + rank_of[dates[i]] + 1)


def keep_dominant_lexical(best: list[K], fused: dict[K, float], lex: Sequence[tuple[K, float]], k: int,
                          keep: int, dominance: float) -> list[K]:
    """The top ``keep`` lexical hits stay in the top ``k`` when they score at least ``dominance``
    times the k-th lexical hit: a chunk that alone has the question's rare names ("Drugstore
    Publicis") ranks first lexically, far ahead of the rest, but far down by meaning."""
    best = list(best)
    floor = lex[k - 1][1] if len(lex) >= k else 0.0
    kept = [i for i, score in lex[:keep] if score >= dominance * floor]
    for i in kept:
        if i not in best and len(best) >= k > len(kept):
            drop = next(j for j in reversed(best) if j not in kept)
            best[best.index(drop)] = i
    best.sort(key=lambda i: -fused[i])
    return best

"""When the best reading does not answer: the features the fitted confidence model reads
(``qa.answer.confidence``) in place of the hand-set refusal rules it replaced."""

from __future__ import annotations

import re
from collections.abc import Callable

from qa.answer.confidence import type_features
from qa.answer.reader import Reading, names_present
from qa.lang.dates import human
from qa.question.types import Filters, ParsedQuestion
from qa.types import ScoredChunk

#: answer types a sentence cannot answer without a number in it
QUANTITIES = frozenset({"NUMBER", "MONEY", "PERCENT"})


def top_dense(hits: list[ScoredChunk]) -> float:
    """The best dense cosine among the passages (0.0 without dense scores)."""
    return max((h.dense for h in hits if h.dense is not None), default=0.0)


def other_years(pq: ParsedQuestion, best: Reading) -> bool:
    """The question dates its event (searched without the dates, as no article is from then),
    and the best sentence names other years, none of the asked ones."""
    f = pq.filters
    if f.date_from is None or f.date_to is None:
        return False
    asked = {str(y) for y in range(f.date_from.year, f.date_to.year + 1)}
    said = set(re.findall(r"\b(?:1[5-9]|20)\d\d\b", best.sentence))
    return bool(said) and not said & asked


def answer_features(pq: ParsedQuestion, dropped_dates: bool, hits: list[ScoredChunk], readings: list[Reading],
                    article_text: str, idf: Callable[[str], float]) -> dict[str, float]:
    """What the confidence model sees about the best reading (``confidence.FEATURES``)."""
    best = readings[0]
    second = next((r for r in readings[1:] if r.sentence != best.sentence), None)
    return {
        "top_dense": top_dense(hits),
        "best_dense": next((h.dense or 0.0 for h in hits if h.chunk.id == best.chunk.id), 0.0),
        "match": best.match,
        "anchor": best.anchor,
        "names": names_present(pq.core, article_text, idf),
        "score": best.score,
        "margin": best.score - second.score if second else best.score,
        "asserted": float(best.asserted),
        "has_span": float(bool(best.span)),
        "span_lowercase": float(bool(best.span) and best.span == best.span.lower()
                                and not any(ch.isdigit() for ch in best.span)),
        "quantity_without_number": float(not best.span and pq.answer_type in QUANTITIES),
        "other_years": float(dropped_dates and other_years(pq, best)),
        "passage_rank": float(best.passage_rank),
        "lexical_only": float(all(h.dense is None for h in hits)),
        **type_features(pq.answer_type),
    }


def refusal_text(f: Filters) -> str:
    """What a refusal says, naming the filters the search ran under."""
    parts = []
    if f.sources:
        parts.append("from " + ", ".join(f.sources))
    if f.date_from or f.date_to:
        parts.append(f"dated {human(f.date_from)} to {human(f.date_to)}"
                     if f.date_from != f.date_to else f"dated {human(f.date_from)}")
    if f.authors:
        parts.append("by " + ", ".join(f.authors))
    scope = " " + " ".join(parts) if parts else ""
    return (f"I could not find the answer in the articles{scope}. "
            "The closest passages are listed as related; they do not answer the question.")

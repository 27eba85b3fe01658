"""Whether to give the best reading or refuse: a logistic model fitted on the dev sets
(``eval/train_confidence.py``), in place of hand-set refusal thresholds.

The features describe the retrieval and the best reading; the model estimates the chance that
the reading's answer is right, and the engine refuses below the threshold that scored best on
the dev sets' held-out folds (correct answers and right refusals +1, wrong answers -1). The
weights are data, ``qa/answer/data/confidence.json``; one command refits them.

Accurate mode uses a gate of its own when ``confidence_accurate.json`` ships (none does: the
fits so far lost on the test split; see ``eval/train_confidence.py``). Such a gate may also
weigh what the reader model made of the best sentences (``LLM_FEATURES``: did it decline, is
its phrase in the fast reader's sentence, is it the fast reader's span); then the model reads
first and the gate decides after.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from qa.answer.packaged import packaged_json

#: answer types, grouped for one-hot features
TYPE_GROUPS = {"PERSON": "person", "ORG": "org", "PLACE": "place", "DATE": "date", "NUMBER": "number",
               "MONEY": "number", "PERCENT": "number", "YESNO": "other", "OTHER": "other"}
FEATURES = (
    "top_dense",  # best dense cosine among the passages (0 without dense retrieval)
    "best_dense",  # dense cosine of the best reading's passage
    "match",  # IDF-weighted share of the question's terms in the sentence (and its context)
    "anchor",  # share of the question's lower-case content words (what it asks about)
    "names",  # IDF-weighted share of the question's names in the answer's article
    "score",  # the reader's score of the best reading
    "margin",  # its lead over the next different sentence
    "asserted",  # the sentence asserts the asked event (not a prospect or a condition)
    "has_span",  # a typed short answer was found
    "span_lowercase",  # the span is lower-case words without a digit ("issuing", "bloom of algae")
    "quantity_without_number",  # a how-much question and the sentence names no number
    "other_years",  # the question's years were dropped as a filter and the sentence names others
    "passage_rank",  # rank of the best reading's passage (0 = first)
    "lexical_only",  # retrieval had no dense side
    *(f"type_{g}" for g in sorted(set(TYPE_GROUPS.values()))),
)


#: accurate mode's gate may also weigh what the reader model made of the best sentences
LLM_FEATURES = (
    "llm_declined",  # the model said none of the sentences answers
    "llm_missing",  # it gave no phrase found in them (or is unavailable)
    "llm_same_sentence",  # its phrase is in the best reading's sentence
    "llm_same_span",  # ... and overlaps the fast reader's span
)


class _Read(Protocol):
    @property
    def sentence(self) -> str: ...
    @property
    def span(self) -> str: ...
    @property
    def span_start(self) -> int: ...


def llm_features(best: _Read | None, picked: _Read | None, declined: bool) -> dict[str, float]:
    """``LLM_FEATURES`` of the model's reading ``picked`` against the fast reader's ``best``."""
    same_sentence = same_span = False
    if not declined and best is not None and picked is not None and picked.sentence == best.sentence:
        same_sentence = True
        same_span = bool(best.span and picked.span) and (best.span_start < picked.span_start + len(picked.span)
                                                         and picked.span_start < best.span_start + len(best.span))
    return {"llm_declined": float(declined), "llm_missing": float(picked is None),
            "llm_same_sentence": float(same_sentence), "llm_same_span": float(same_span)}


@dataclass(frozen=True)
class ConfidenceModel:
    """Standardised logistic regression over ``names`` (``FEATURES``; accurate mode's adds
    ``LLM_FEATURES``)."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  #: refuse when the estimate is below this
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept
        for name, mu, sd, w in zip(self.names, self.mean, self.scale, self.coef, strict=True):
            z += w * (float(features.get(name, 0.0)) - mu) / (sd or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def answers(self, features: Mapping[str, float]) -> bool:
        return self.probability(features) >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept, "threshold": self.threshold,
                "info": self.info}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ConfidenceModel:
        return cls(tuple(d["names"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]),
                   float(d["intercept"]), float(d["threshold"]), dict(d.get("info", {})))


@cache
def packaged_model(name: str = "confidence.json") -> ConfidenceModel | None:
    """The fitted weights shipped with the package (None when they are missing)."""
    data = packaged_json(name)
    return ConfidenceModel.from_dict(data) if data is not None else None


def accurate_model() -> ConfidenceModel | None:
    """The gate fitted on accurate-mode answers (``--mode accurate``), if it ships: the reader
    model may answer where fast mode's span would be wrong, and its agreement with the fast
    reader is evidence of its own (``LLM_FEATURES``)."""
    return packaged_model("confidence_accurate.json")


def required_model() -> ConfidenceModel:
    """The packaged weights; a clear error when an install lost them."""
    model = packaged_model()
    if model is None:
        raise RuntimeError("the answer-confidence weights qa/answer/data/confidence.json are missing: "
                           "reinstall article-qa, or refit them with `python -m eval.train_confidence`")
    return model


def type_features(answer_type: str) -> dict[str, float]:
    group = TYPE_GROUPS.get(answer_type, "other")
    return {f"type_{g}": float(g == group) for g in sorted(set(TYPE_GROUPS.values()))}

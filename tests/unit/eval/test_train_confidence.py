"""The confidence trainer: its objective on toy lists, and a fit that separates toy evidence."""

from __future__ import annotations

import numpy as np
import pytest

from eval.train_confidence import Example, fit, gain
from qa.answer.confidence import FEATURES

pytest.importorskip("sklearn")


def test_gain_scores_answers_and_refusals_by_hand() -> None:
    p = np.array([0.9, 0.9, 0.1, 0.1, 0.9])
    answerable = np.array([True, True, True, False, False])
    right = np.array([True, False, True, False, False])
    # answered right +1, answered wrong -1 / 0, refused answerable 0, refused unanswerable +1, answered it -1 / 0
    assert gain(p, 0.5, answerable, right, "crag").tolist() == [1.0, -1.0, 0.0, 1.0, -1.0]
    assert gain(p, 0.5, answerable, right, "correct").tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]
    # accurate mode: let through, the reader model declined the second question: a refusal (0), not wrong
    declined = np.array([False, True, False, False, False])
    assert gain(p, 0.5, answerable, right, "crag", declined).tolist() == [1.0, 0.0, 0.0, 1.0, -1.0]


def test_fit_learns_that_more_evidence_means_right() -> None:
    rng = np.random.default_rng(0)
    examples = []
    for i in range(240):
        right = bool(i % 2)  # the others are unanswerable: their best reading is weak
        strength = rng.normal(0.7 if right else 0.3, 0.1)
        features = {name: 0.0 for name in FEATURES} | {"score": strength, "match": strength}
        examples.append(Example("news" if i < 120 else "squad2", str(i), features, right, right))
    model = fit(examples, folds=3, seeds=1)
    assert model.names == FEATURES and 0.3 < model.threshold < 0.7
    strong = {"score": 0.8, "match": 0.8}
    weak = {"score": 0.2, "match": 0.2}
    assert model.probability(strong) > 0.8 > 0.2 > model.probability(weak)
    assert model.info["held_out"]["correct"]["model"] > 0.8

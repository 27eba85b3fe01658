"""The reader's sentence weights (eval/train_reader.py, qa.answer.reader): the fit on tiny
synthetic questions, and the weights the reader uses."""

from __future__ import annotations

import numpy as np

from eval.train_reader import FEATURES, Question, fit, top1
from qa.answer.reader import HAND_WEIGHTS, SENTENCE_FEATURES, sentence_score, sentence_weights


def question(i: int, rng: np.random.Generator) -> Question:
    """Five sentences; the answering one has a high title overlap, which the hand weights
    barely count, and a lower match than the best of the others."""
    x = np.zeros((5, len(FEATURES)))
    x[:, FEATURES.index("bias")] = 1.0
    x[:, FEATURES.index("match")] = rng.uniform(0.7, 0.9, 5)
    gold = np.zeros(5, dtype=bool)
    gold[i % 5] = True
    x[i % 5, FEATURES.index("match")] = 0.45
    x[i % 5, FEATURES.index("title")] = 1.0
    return Question("s", str(i), x, gold)


def test_the_fit_learns_a_feature_that_puts_the_answering_sentence_first() -> None:
    rng = np.random.default_rng(0)
    qs = [question(i, rng) for i in range(60)]
    hand = np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES])
    w = fit(qs, prior=0.01)
    assert top1(qs, w) > top1(qs, hand) + 0.2
    assert w[FEATURES.index("title")] > HAND_WEIGHTS["title"]


def test_a_strong_prior_keeps_the_hand_weights() -> None:
    rng = np.random.default_rng(1)
    w = fit([question(i, rng) for i in range(20)], prior=1e6)
    hand = np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES])
    assert np.allclose(w, hand, atol=1e-3)


def test_the_weights_in_use_cover_every_feature_and_score_linearly() -> None:
    w = sentence_weights()
    assert set(SENTENCE_FEATURES) <= set(w)
    one = {"match": 1.0}
    assert sentence_score(one) == w.get("bias", 0.0) + w["match"]
    assert sentence_score({"match": 1.0, "echo": 1.0}) < sentence_score(one)  # echoing the question costs

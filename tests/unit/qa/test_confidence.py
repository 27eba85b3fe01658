"""The fitted answer-confidence model: shipped as data, read without scikit-learn, and deciding
in the direction its features mean."""

from __future__ import annotations

import json
from types import SimpleNamespace as R

import pytest

from qa.answer.confidence import FEATURES, ConfidenceModel, llm_features, packaged_model, type_features

STRONG = {"top_dense": 0.7, "best_dense": 0.7, "match": 0.8, "anchor": 1.0, "names": 1.0, "score": 1.2,
          "margin": 0.4, "asserted": 1.0, "has_span": 1.0, "passage_rank": 0.0, **type_features("PERSON")}


def test_the_packaged_weights_cover_every_feature_and_say_how_they_were_fitted() -> None:
    model = packaged_model()
    assert model is not None
    assert model.names == FEATURES
    assert len(model.coef) == len(model.mean) == len(model.scale) == len(FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert set(model.info["suites"]) <= {"news", "news-blind-dev", "news-blind-dev2", "squad2"}  # dev sets only
    assert model.info["refit"] == "python -m eval.train_confidence"


def test_weak_evidence_is_refused_and_strong_evidence_answered() -> None:
    model = packaged_model()
    assert model is not None
    assert model.answers(STRONG)
    weaker = [
        {**STRONG, "names": 0.0},  # the article is about someone else
        {**STRONG, "score": 0.1, "match": 0.1, "anchor": 0.0},  # the sentence misses what is asked
        {**STRONG, "top_dense": 0.1, "best_dense": 0.1, "score": 0.3},  # nothing close was retrieved
    ]
    p = model.probability(STRONG)
    for features in weaker:
        assert model.probability(features) < p
    assert not model.answers({**STRONG, "names": 0.0, "score": 0.1, "match": 0.1, "anchor": 0.0,
                              "top_dense": 0.1, "best_dense": 0.1})


def test_round_trip_and_a_hand_computed_probability() -> None:
    model = ConfidenceModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5, 0.6)
    back = ConfidenceModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert back == model
    # z = 0.5 + 2 * (3 - 1) / 2 - 1 * (1 - 0) / 1 = 1.5
    assert back.probability({"a": 3.0, "b": 1.0}) == pytest.approx(1 / (1 + 2.718281828459045 ** -1.5))
    assert back.answers({"a": 3.0, "b": 1.0}) and not back.answers({"a": -3.0, "b": 1.0})


def test_the_reader_model_s_reading_as_gate_features() -> None:
    best = R(sentence="Sergei Lavrov met Rex Tillerson in Bonn.", span="Sergei Lavrov", span_start=0)
    same = R(sentence=best.sentence, span="Lavrov", span_start=7)
    other_span = R(sentence=best.sentence, span="Bonn", span_start=35)
    elsewhere = R(sentence="Tillerson flew on to Moscow.", span="Moscow", span_start=21)
    assert llm_features(best, same, False) == {"llm_declined": 0.0, "llm_missing": 0.0, "llm_same_sentence": 1.0,
                                               "llm_same_span": 1.0}
    assert llm_features(best, other_span, False)["llm_same_span"] == 0.0
    assert llm_features(best, elsewhere, False)["llm_same_sentence"] == 0.0
    assert llm_features(best, None, False)["llm_missing"] == 1.0
    declined = llm_features(best, R(sentence="", span="", span_start=-1), True)
    assert declined["llm_declined"] == 1.0 and declined["llm_same_sentence"] == 0.0

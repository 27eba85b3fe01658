"""Accuracy regression gate: 30 SQuAD 2.0 questions over their passages, real MiniLM.

Thresholds are the numbers measured when the gate was set (see the comments; 2026-11-28,
engine with refuse_below=0.35) minus a margin of about two questions; a change that drops
below them broke something a user would notice. No timing is asserted. Runs in ~20 s on a
quiet 2-core machine (the model load and embedding the 30 passages are most of it), up to
~90 s on a busy one; skipped when ../shared is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import SuiteResult, run_suite
from tests.conftest import requires_shared

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

pytestmark = requires_shared(SHARED_DATA / "squad2" / "queries.json")


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> SuiteResult:
    return run_suite(
        "squad2", limit=30, corpus="questions", seed=0, data_dir=SHARED_DATA,
        systems=("system", "bm25", "dense"), cache_dir=tmp_path_factory.mktemp("eval-cache"),
        progress=False,
    )


def test_gate_ran_every_question(gate: SuiteResult) -> None:
    for system in gate.systems:
        rows = gate.rows_for(system)
        assert len(rows) == 30 and not any(r.error for r in rows), system
    assert gate.corpus["articles"] == len({r.gold_articles[0] for r in gate.rows})


def test_gate_retrieval(gate: SuiteResult) -> None:
    s = gate.summary("system")
    assert s["recall@5"] is not None and s["recall@5"] >= 0.85  # measured 0.967
    assert s["mrr"] is not None and s["mrr"] >= 0.80  # measured 0.933
    # fusion must not lose to either retriever on its own by more than two questions
    for base in ("bm25", "dense"):
        b = gate.summary(base)["recall@5"]
        assert b is not None and s["recall@5"] >= b - 2 / 30, base


def test_gate_answers_and_refusals(gate: SuiteResult) -> None:
    s = gate.summary("system")
    answerable = gate.summary("system", "has_answer")
    # 13 answerable questions: measured 8 (0.615); two fewer is a regression
    assert answerable["contains"] is not None and answerable["contains"] >= 0.45
    # measured 0.500 when "correct" was the lenient rule (gold anywhere in the answer's text),
    # 0.467 with the strict one (2026-11-30: the short answer must give the gold)
    assert s["correct"] is not None and s["correct"] >= 0.40
    # 17 unanswerable questions: measured 7 refused (0.412)
    no_answer = gate.summary("system", "no_answer")
    assert no_answer["refused"] is not None and no_answer["refused"] >= 0.25
    # measured 0.077 with the hand-set rules, 0.231 with the first fitted refusal model, 0.385 (5 of
    # 13) since it was refitted with news-blind-dev2 (full squad2: 56.6 -> 55.0% correct): seven
    # refused would be a regression
    assert answerable["refused"] is not None and answerable["refused"] <= 0.5


def test_gate_citations_are_verbatim(gate: SuiteResult) -> None:
    s = gate.summary("system")
    assert s["cite_validity"] == 1.0
    assert s["cite_precision"] is not None and s["cite_precision"] >= 0.75  # measured 0.917

"""The plan step of the answer chain: a question across articles (``qa.plan``) run with the
coverage tools, the claim checker and, for figures, the chain's own single-article path."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from qa.answer.turn import Turn
from qa.plan.claims import ClaimChecker
from qa.plan.execute import Executor
from qa.plan.tools import Tools
from qa.plan.types import Fact
from qa.types import Answer

if TYPE_CHECKING:
    from qa.answer.engine import Engine


def answer_plan(engine: Engine, turn: Turn) -> Answer:
    """Run ``turn.plan`` over the engine's index."""
    assert turn.plan is not None
    idf = engine._idf()
    def read(question: str, outlet: str) -> Fact | None:
        """The passage path on one question, the outlet as a filter (no plan: a plain fact)."""
        sub = engine._parse(Turn(question=question, filters={"sources": [outlet]}, started=time.perf_counter()))
        ans = engine._answer_passage(engine._step_retrieve(replace(sub, plan=None)))
        if ans.refused or not ans.short_answer.strip() or not ans.citations:
            return None
        cited = next((p for p in ans.passages if p.chunk.id == ans.citations[0].chunk_id), None)
        return Fact(ans.short_answer.strip(), ans.citations[0], cited)

    retriever = engine.retriever
    executor = Executor(Tools(retriever, engine.index.catalog, idf), ClaimChecker(retriever, idf), read)
    return executor.run(turn.plan)

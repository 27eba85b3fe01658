"""The plan step of the answer chain: a question across articles (``qa.plan``) run with the
coverage tools, the claim checker and, for figures, the chain's own single-article path."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from qa.answer.turn import Turn
from qa.plan.claims import ClaimChecker, Judge
from qa.plan.execute import Executor
from qa.plan.tools import Tools
from qa.plan.types import Fact
from qa.types import Answer

if TYPE_CHECKING:
    from qa.answer.engine import Engine

logger = logging.getLogger(__name__)


def _judge(engine: Engine) -> Judge | None:
    """The local model as claim judge (accurate mode with ``claim_judge`` on), when one is
    installed; else None (the rules judge)."""
    try:
        llm = engine.llm()
        ok, _ = llm.available()
    except Exception as exc:  # the model is an optional extra
        logger.warning("no claim judge: %s", exc)
        return None
    return llm.judge_claim if ok else None  # type: ignore[no-any-return]


def answer_plan(engine: Engine, turn: Turn) -> Answer:
    """Run ``turn.plan`` over the engine's index."""
    assert turn.plan is not None
    idf = engine._idf()
    def read(question: str, outlet: str) -> Fact | None:
        """The passage path on one question, the outlet as a filter (no plan: a plain fact)."""
        ans = engine.sub_answer(question, {"sources": [outlet]})
        if ans.refused or not ans.short_answer.strip() or not ans.citations:
            return None
        cited = next((p for p in ans.passages if p.chunk.id == ans.citations[0].chunk_id), None)
        return Fact(ans.short_answer.strip(), ans.citations[0], cited)

    retriever = engine.retriever
    use_judge = turn.mode == "accurate" and engine.settings.claim_judge
    checker = ClaimChecker(retriever, idf, _judge(engine) if use_judge else None)
    executor = Executor(Tools(retriever, engine.index.catalog, idf), checker, read)
    return executor.run(turn.plan)

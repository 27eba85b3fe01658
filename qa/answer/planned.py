"""The plan step of the answer chain: a question across articles (``qa.plan``) run with the
coverage tools, the claim checker and, for figures, the chain's own single-article path."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.answer.spans import candidates
from qa.answer.turn import Turn
from qa.citations import make_citation
from qa.plan.claims import ClaimChecker, Judge
from qa.plan.execute import Executor
from qa.plan.tools import Tools
from qa.plan.types import Fact
from qa.types import Answer, ScoredChunk

if TYPE_CHECKING:
    from qa.answer.engine import Engine

logger = logging.getLogger(__name__)

#: sentences per outlet whose figures a comparison may pair when the reader gives no sure answer
FIGURE_SENTENCES = 3


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

    def figures(question: str, outlet: str, article_ids: Sequence[str]) -> list[Fact]:
        """Every figure of the best sentences for the question in the outlet's articles
        ``article_ids`` (those about the story), ungated: the reader's span first, then the
        sentence's other numbers, sentence by sentence."""
        out: list[Fact] = []
        found = engine.readings(question, {"sources": [outlet], "article_ids": list(article_ids)})
        for rank, (r, art) in enumerate(found[:FIGURE_SENTENCES]):
            if art is None:
                continue
            cite = make_citation(art, r.start, r.end, r.chunk)
            spans = [r.span] if r.span else []
            spans += [c.text for c in candidates(r.sentence, "NUMBER") if c.text not in spans]
            out += [Fact(sp, cite, ScoredChunk(r.chunk, r.score), rank) for sp in spans]
        return out

    retriever = engine.retriever
    use_judge = turn.mode == "accurate" and engine.settings.claim_judge
    checker = ClaimChecker(retriever, idf, _judge(engine) if use_judge else None)
    executor = Executor(Tools(retriever, engine.index.catalog, idf), checker, read, figures)
    return executor.run(turn.plan)

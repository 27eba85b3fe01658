"""One question on its way through the answer chain: what was asked, how, and what each step
found. The chain's steps take a ``Turn`` and return a new one (``dataclasses.replace``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qa.plan.types import Plan
from qa.question.followup import Resolved
from qa.question.types import ParsedQuestion
from qa.types import Answer, ScoredChunk

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


@dataclass(frozen=True)
class Turn:
    """The chain's state. ``answer`` is set by the step that answered; later steps pass it on."""

    question: str  #: as typed (stripped)
    history: tuple[dict[str, str], ...] = ()  #: earlier messages, ``{role, content}``
    filters: dict[str, Any] | None = None  #: explicit filters from the caller
    mode: str = "fast"  #: reader mode: fast | accurate | sentence
    answerer: str = "extractive"  #: extractive | llm
    retrieval: str = "hybrid"  #: hybrid | bm25 | dense
    k: int = 0  #: passages to retrieve (0: the settings' top_k)
    on_token: Any = None  #: callback for streamed tokens (llm answerer)
    llm: BaseChatModel | None = None  #: a caller's chat model for the answer step
    started: float = 0.0  #: perf_counter at the start
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    resolved: Resolved | None = None  #: the standalone question (follow-ups resolved)
    pq: ParsedQuestion | None = None  #: the parsed question
    plan: Plan | None = None  #: a question across articles: its plan (else None)
    hits: tuple[ScoredChunk, ...] = ()  #: retrieved passages
    dropped_dates: bool = False  #: the question's dates were dropped as a filter
    answer: Answer | None = None  #: set once a step has answered
    early: bool = False  #: answered before routing (no rewritten question is shown)
    untimed: bool = False  #: rejected before any work (returned as is)

    @property
    def parsed(self) -> ParsedQuestion:
        if self.pq is None:
            raise ValueError("the question has not been parsed yet")
        return self.pq

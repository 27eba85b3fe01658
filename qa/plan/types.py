"""What a plan is: a question form, the outlets and topic or claim it names, and the steps that
were run with what each found. Plans are data: they are built by ``forms.recognise``, run by
``execute.run_plan`` and carried on ``Answer.plan`` so the chat can show "How I answered"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from qa.types import Citation, ScoredChunk

Form = Literal[
    "order_yesno",  # did A report X before (after) B?
    "order_which",  # which outlet reported X first (last), A or B?
    "first_outlet",  # which outlet was first to report X?
    "outlets",  # which outlets covered X?
    "count_outlets",  # how many outlets reported X?
    "count_articles",  # how many (A) articles covered X?
    "covered",  # did A report X? / did both A and B report X?
    "covered_other",  # apart from A, did any outlet report X?
    "claim",  # according to A, did X happen?
    "claim_both",  # did both A and B say that X?
    "compare",  # do A and B give the same Y? / which of A or B gave the higher Y?
]


@dataclass(frozen=True)
class Plan:
    """A recognised question: its form, the outlets it names (in order) and its subject."""

    form: Form
    outlets: tuple[str, ...] = ()
    topic: str = ""  #: what the articles must be about (coverage forms) or the claim (claim forms)
    later: bool = False  #: order forms: "after" / "last" instead of "before" / "first"
    question: str = ""
    topic2: str = ""  #: order of two stories: "did A report X before B reported *Y*?"

    def to_dict(self) -> dict[str, Any]:
        return {"form": self.form, "outlets": list(self.outlets), "topic": self.topic, "later": self.later,
                "topic2": self.topic2}


@dataclass(frozen=True)
class Fact:
    """A short answer the single-article reader gave for one outlet, with its citation."""

    answer: str
    citation: Citation
    passage: ScoredChunk | None = None
    rank: int = 0  #: the rank of the sentence it was read from (0: the reader's best)


@dataclass
class Step:
    """One executed step: what was asked of which tool, and what it returned."""

    tool: str  #: coverage | catalog | claim | compare
    args: dict[str, Any]
    result: str  #: a one-line summary shown under "How I answered"
    article_ids: tuple[str, ...] = ()


@dataclass
class Trace:
    """The executed plan: the plan and its steps, in order."""

    plan: Plan
    steps: list[Step] = field(default_factory=list)
    evidence: dict[str, ScoredChunk] = field(default_factory=dict)  #: passages the steps read, by chunk id

    def saw(self, hit: ScoredChunk) -> None:
        self.evidence.setdefault(hit.chunk.id, hit)

    def add(self, tool: str, result: str, article_ids: tuple[str, ...] = (), **args: Any) -> None:
        self.steps.append(Step(tool, args, result, article_ids))

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(),
                "steps": [{"tool": s.tool, "args": s.args, "result": s.result, "article_ids": list(s.article_ids)}
                          for s in self.steps]}

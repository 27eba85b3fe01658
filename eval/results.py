"""Typed evaluation results: one row per (system, question), aggregated per system and type.

``SuiteResult.save`` writes the machine-readable ``results.json`` (config, corpus, summaries
and every per-question row); ``SuiteResult.load`` reads it back for ``--compare``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval import metrics as M

#: per-question metrics, in report order (None where a metric does not apply)
QUESTION_METRICS = (
    *(f"recall@{k}" for k in M.RECALL_KS), "mrr", f"ndcg@{M.NDCG_K}",
    "em", "f1", "contains", "correct", "list_recall", "cite_precision", "cite_validity",
)
#: suite-level metrics that are not means of a per-question value
RUN_METRICS = (
    "depth", "refusal_precision", "refusal_recall", "refused", "false_refusal",
    "latency_p50", "latency_p95", "latency_mean", "first_token_p50", "first_token_p95",
)

SYSTEM = "system"  #: the name of the system under test (ArticleQA with its default retrieval)


@dataclass
class QuestionResult:
    """How one system did on one question."""

    system: str  #: system | bm25 | dense | langchain
    id: str
    type: str
    question: str
    answers: tuple[str, ...]  #: gold answers
    gold_articles: tuple[str, ...]  #: gold article ids
    answerable: bool
    prediction: str  #: what EM/F1 scored: short answer, else the answer text ("" if refused)
    text: str  #: the answer text as shown to the user (cut to 300 characters)
    refused: bool
    kind: str  #: Answer.kind
    retrieved: tuple[str, ...]  #: article ids of Answer.passages, deduplicated, in rank order
    citations: int  #: number of citations
    latency: float  #: seconds (Answer.timings["total"], else wall time)
    metrics: dict[str, float | None] = field(default_factory=dict)
    error: str = ""  #: the exception, if ask() raised
    may_refuse: bool = False  #: declining is right too (a "how many X?" whose answer is 0)
    first_token: float | None = None  #: seconds to the first generated token (LLM answers only)

    def to_dict(self) -> dict[str, Any]:
        """Floats rounded; ``text`` left out when it equals ``prediction`` (half the size)."""
        d = dataclasses.asdict(self)
        d["latency"] = round(self.latency, 4)
        if self.first_token is None:
            del d["first_token"]
        d["metrics"] = {k: None if v is None else round(v, 4) for k, v in self.metrics.items()}
        if self.text == self.prediction:
            del d["text"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QuestionResult:
        d = dict(d)
        d.setdefault("text", d.get("prediction", ""))
        for key in ("answers", "gold_articles", "retrieved"):
            d[key] = tuple(d.get(key) or ())
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def aggregate(rows: list[QuestionResult]) -> dict[str, float | None]:
    """Means of the per-question metrics plus refusal and latency figures over ``rows``."""
    out: dict[str, float | None] = {"n": float(len(rows))}
    out["errors"] = float(sum(1 for r in rows if r.error))
    for name in QUESTION_METRICS:
        out[name] = M.mean(r.metrics.get(name) for r in rows)
    ok = [r for r in rows if not r.error]
    out["depth"] = M.mean(len(r.retrieved) for r in ok)
    out["refused"] = M.share([r.refused for r in ok])
    ok = [r for r in ok if not r.may_refuse]  # neither a false nor a required refusal
    precision, recall = M.refusal_scores([r.refused for r in ok], [r.answerable for r in ok])
    out["refusal_precision"], out["refusal_recall"] = precision, recall
    out["false_refusal"] = M.share([r.refused for r in ok if r.answerable])
    lat = [r.latency for r in ok]
    out["latency_p50"] = M.percentile(lat, 50)
    out["latency_p95"] = M.percentile(lat, 95)
    out["latency_mean"] = M.mean(lat)
    ft = [r.first_token for r in ok if r.first_token is not None]
    if ft:
        out["first_token_p50"] = M.percentile(ft, 50)
        out["first_token_p95"] = M.percentile(ft, 95)
    return out


@dataclass
class SuiteResult:
    """Everything one evaluation run produced."""

    suite: str
    description: str
    systems: list[str]  #: in run order; ``system`` first when it ran
    rows: list[QuestionResult]
    config: dict[str, Any] = field(default_factory=dict)  #: the run's options
    corpus: dict[str, Any] = field(default_factory=dict)  #: index home, articles, chunks, key
    seconds: dict[str, float] = field(default_factory=dict)  #: ingest / per system / total
    created: str = ""  #: ISO timestamp
    notes: list[str] = field(default_factory=list)  #: warnings worth showing in the report

    def types(self) -> list[str]:
        return sorted({r.type for r in self.rows})

    def rows_for(self, system: str, qtype: str | None = None) -> list[QuestionResult]:
        return [r for r in self.rows if r.system == system and (qtype is None or r.type == qtype)]

    def summary(self, system: str, qtype: str | None = None) -> dict[str, float | None]:
        """Aggregated metrics of ``system`` (over one question type if given)."""
        return aggregate(self.rows_for(system, qtype))

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "description": self.description,
            "created": self.created,
            "config": self.config,
            "corpus": self.corpus,
            "seconds": self.seconds,
            "notes": self.notes,
            "systems": self.systems,
            "summary": {
                s: {
                    "all": self.summary(s),
                    "by_type": {t: self.summary(s, t) for t in self.types()},
                }
                for s in self.systems
            },
            "questions": [r.to_dict() for r in self.rows],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SuiteResult:
        return cls(
            suite=d["suite"],
            description=d.get("description", ""),
            systems=list(d.get("systems") or []),
            rows=[QuestionResult.from_dict(r) for r in d.get("questions") or []],
            config=d.get("config") or {},
            corpus=d.get("corpus") or {},
            seconds=d.get("seconds") or {},
            created=d.get("created", ""),
            notes=list(d.get("notes") or []),
        )

    def save(self, path: Path) -> Path:
        """Indented JSON, one line per question row (small, and diffs line up per question)."""
        d = self.to_dict()
        rows = d.pop("questions")
        head = json.dumps(d, indent=1, ensure_ascii=False)
        body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows)
        text = head[: head.rstrip().rfind("}")].rstrip() + ',\n "questions": [\n' + body + "\n ]\n}\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> SuiteResult:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

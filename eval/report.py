"""Write a run as ``report.md`` (tables, failures, a reading guide), ``results.json``, PNGs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from eval import metrics as M
from eval.results import QUESTION_METRICS, SYSTEM, QuestionResult, SuiteResult
from eval.suites import is_test_suite

logger = logging.getLogger(__name__)

LABELS = {
    "n": "questions", "errors": "errors", "depth": "distinct articles retrieved (mean)",
    **{f"recall@{k}": f"recall@{k}" for k in M.RECALL_KS},
    "mrr": "MRR", f"ndcg@{M.NDCG_K}": f"nDCG@{M.NDCG_K}",
    "em": "exact match", "f1": "token F1", "contains": "answer contains gold",
    "correct": "correct (answered or rightly refused)", "list_recall": "listed titles shown",
    "refusal_precision": "refusal precision", "refusal_recall": "refusal recall",
    "refused": "refused (all questions)", "false_refusal": "refused, answerable",
    "cite_precision": "citation precision", "cite_validity": "citation validity",
    "latency_p50": "latency p50", "latency_p95": "latency p95", "latency_mean": "latency mean",
    "first_token_p50": "first token p50", "first_token_p95": "first token p95",
}
TABLE_METRICS = (
    "n", "depth", *QUESTION_METRICS[:6], "em", "f1", "contains", "correct", "list_recall",
    "refusal_precision", "refusal_recall", "false_refusal", "cite_precision", "cite_validity", "latency_p50",
    "latency_p95", "first_token_p50", "first_token_p95", "errors",
)
TYPE_METRICS = ("n", "recall@5", "mrr", "em", "f1", "contains", "list_recall", "refused",
                "correct", "latency_p50")
SYSTEM_NOTES = {
    SYSTEM: "ArticleQA.ask, default hybrid retrieval (BM25 + dense, fused)",
    "bm25": "ArticleQA.ask(retrieval='bm25'): same reader, lexical retrieval only",
    "dense": "ArticleQA.ask(retrieval='dense'): same reader, dense retrieval only",
    "sentence": "ArticleQA.ask(mode='sentence'): the reader's best sentence, no short span",
    "accurate": "ArticleQA.ask(mode='accurate'): the local LLM picks the short span from the best sentences",
    "llm": "ArticleQA.ask(answerer='llm'): generative answer over the retrieved passages",
    "langchain": "plain LangChain: 1,000-char splitter + MiniLM + Chroma top-10; "
                 "answer = top chunk; never refuses",
}
GUIDE = """\
## How to read this report

- **recall@k**: share of the gold articles among the first k distinct articles of the
  passages the answer was built from (`Answer.passages`, also on refusals). **MRR**: 1 / rank
  of the first gold article. **nDCG@10**: rank-discounted recall. Only questions with gold
  articles count. ArticleQA hands its reader `top_k` passages, so it cannot reach more
  articles than **distinct articles retrieved** shows; the LangChain baseline keeps 10 chunks.
- **exact match / token F1**: SQuAD-normalised (lower case, no punctuation or articles) match
  of the short answer (else the answer text) with the best gold answer; answerable questions
  only; a refusal scores 0. Extractive answers are sentences, so EM is low by design: look at
  **answer contains gold** (a gold answer appears, on word boundaries, in the answer text; a
  yes/no gold must be the first word) for whether the gold was anywhere in what the user read.
- **correct**: answerable -> the answer itself gives the gold: its short answer when it has
  one (a gold figure may come without its unit, "62" for "62 acres"), else its text; a quoted
  passage that holds the gold does not make a wrong short answer right. Unanswerable ->
  refused; a collection
  question whose true answer is "none" (gold count 0) -> says 0 / none, or declines. Dates match in
  any common spelling (2017-02-09 = 9 February 2017 = Feb 9, 2017). Collection listings need
  every gold title (or, past 10 titles, the count); **listed titles shown** is the share of
  gold titles in the answer. Date ranges need both ends.
- **refusal precision / recall**: unanswerable questions are the positives. **refused,
  answerable** is the false-refusal rate. Zero-count collection questions count in neither.
- **citation precision**: share of citations whose quote or source chunk holds a gold answer.
  **citation validity**: share of quotes that are verbatim in the cited article at the cited
  offsets (must be 100%).
- **latency**: `Answer.timings["total"]` (else wall time) after one unscored warm-up question;
  p50 / p95 over the questions. Shared 2-core machine: compare systems within one run only.
- Rates are percentages; `-` means the metric does not apply (e.g. no citations).
"""


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    if name in ("n", "errors"):
        return str(int(value))
    if name == "depth":
        return f"{value:.1f}"
    if name.startswith(("latency", "first_token")):
        return f"{value * 1000:.0f} ms"
    return f"{value * 100:.1f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def render_markdown(result: SuiteResult, plots: Sequence[str] = (), failures: int = 12) -> str:
    systems = result.systems
    summaries = {s: result.summary(s) for s in systems}
    cfg = result.config
    settings = cfg.get("settings", {})
    n_questions = len(result.rows_for(systems[0])) if systems else 0
    lines = [f"# Evaluation: {result.suite}", "", result.description, ""]
    timing = ", ".join(f"{k} {_duration(v)}" for k, v in result.seconds.items() if k != "total")
    lines += [
        f"- run: {result.created}; took {_duration(result.seconds.get('total', 0.0))} ({timing})",
        f"- corpus: {result.corpus.get('articles')} articles, {result.corpus.get('chunks')} "
        f"chunks; embedder {result.corpus.get('embedder')}; index "
        f"{'built from the suite corpus' if result.corpus.get('ingested') else 'given (--home)'}",
        f"- answerer {cfg.get('answerer') or settings.get('answerer', 'default')}, mode "
        f"{cfg.get('mode') or 'default'}; questions {n_questions}"
        + (f" (--limit {cfg['limit']}, seed {cfg.get('seed', 0)})" if cfg.get("limit") else ""),
        "- settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()),
        "",
    ]
    if result.notes:
        lines += ["**Notes**", ""] + [f"- {n}" for n in result.notes] + [""]
    lines += ["## Systems vs baselines", ""]
    lines += [f"- **{s}**: {SYSTEM_NOTES.get(s, s)}" for s in systems] + [""]
    lines += _table(
        ["metric", *systems],
        [[LABELS.get(m, m), *(fmt(m, summaries[s].get(m)) for s in systems)]
         for m in TABLE_METRICS if any(summaries[s].get(m) is not None for s in systems)],
    )
    lines += ["", "## Per question type", ""]
    for qtype in result.types():
        per = {s: result.summary(s, qtype) for s in systems}
        lines += [f"### {qtype}", ""]
        lines += _table(
            ["metric", *systems],
            [[LABELS.get(m, m), *(fmt(m, per[s].get(m)) for s in systems)]
             for m in TYPE_METRICS if any(per[s].get(m) is not None for s in systems)],
        )
        lines.append("")
    if plots:
        lines += ["## Plots", ""] + [f"![{Path(p).stem}]({Path(p).name})" for p in plots] + [""]
    lines.append(GUIDE)
    main = SYSTEM if SYSTEM in systems else (systems[0] if systems else "")
    wrong = [r for r in result.rows_for(main) if r.metrics.get("correct") == 0.0]
    if wrong and is_test_suite(result.suite):
        lines += ["## Wrong answers", "",
                  f"{len(wrong)} of `{main}`'s answers are wrong. This is a test split: its single failures are "
                  "not listed, so that nobody tunes on them (look at the aggregates above; tune on a dev set).",
                  ""]
    elif wrong:
        lines += [f"## Wrong answers of `{main}` (first {min(failures, len(wrong))} of "
                  f"{len(wrong)})", ""]
        lines += _table(["type", "question", "gold", "answer", "gold article retrieved"],
                        [_failure_row(r) for r in wrong[:failures]])
        lines.append("")
    return "\n".join(lines)


def _cell(text: str, width: int = 140) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def _failure_row(r: QuestionResult) -> list[str]:
    got = "(refused)" if r.refused else (r.error or r.prediction)
    rank = next((i for i, a in enumerate(r.retrieved, 1) if a in set(r.gold_articles)), None)
    where = "-" if not r.gold_articles else (f"rank {rank}" if rank else "no")
    gold = " / ".join(r.answers[:3]) if r.answers else "(refuse)"
    return [r.type, _cell(r.question, 120), _cell(gold, 60), _cell(got, 160), where]


# ---------------------------------------------------------------------------- plots

def write_plots(result: SuiteResult, out_dir: Path) -> list[Path]:
    """per_type.png, recall_at_k.png, latency.png (Agg backend; skipped if nothing to plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems, types = result.systems, result.types()
    paths: list[Path] = []
    width = 0.8 / max(len(systems), 1)

    fig, axes = plt.subplots(2, 1, figsize=(max(7.0, 0.75 * len(types) + 3), 7.5))
    for ax, metric in zip(axes, ("correct", "recall@5"), strict=True):
        for i, s in enumerate(systems):
            vals = [result.summary(s, t).get(metric) for t in types]
            ax.bar([x + i * width for x in range(len(types))],
                   [100 * (v or 0.0) for v in vals], width, label=s)
        ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(types))])
        ax.set_xticklabels(types, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 100)
        ax.set_title(LABELS[metric] + " (%)", fontsize=10)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{result.suite}: per question type")
    fig.tight_layout()
    paths.append(_save(fig, out_dir / "per_type.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    drew = False
    for s in systems:
        vals = [result.summary(s).get(f"recall@{k}") for k in M.RECALL_KS]
        if any(v is not None for v in vals):
            ax.plot(M.RECALL_KS, [100 * (v or 0.0) for v in vals], marker="o", label=s)
            drew = True
    if drew:
        ax.set_xticks(M.RECALL_KS)
        ax.set_xlabel("k (distinct articles)")
        ax.set_ylabel("recall@k (%)")
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax.set_title(f"{result.suite}: retrieval recall vs k")
        fig.tight_layout()
        paths.append(_save(fig, out_dir / "recall_at_k.png"))
    else:
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    lat = {s: [1000 * r.latency for r in result.rows_for(s) if not r.error] for s in systems}
    top = max((max(v) for v in lat.values() if v), default=1.0)
    low = max(min((min(v) for v in lat.values() if v), default=1.0), 0.1)
    if top / low > 50:  # e.g. LLM answers next to retrieval-only baselines: log scale
        bins = [low * (top / low) ** (i / 40) for i in range(41)]
        ax.set_xscale("log")
    else:
        bins = [top * i / 40 for i in range(41)]
    for s, ms in lat.items():
        if ms:
            ax.hist(ms, bins=bins, histtype="step", linewidth=1.5, label=s)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.legend(fontsize=8)
    ax.set_title(f"{result.suite}: latency")
    fig.tight_layout()
    paths.append(_save(fig, out_dir / "latency.png"))
    return paths


def _save(fig: object, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return path


def write_report(result: SuiteResult, out_dir: Path, plots: bool = True) -> Path:
    """Write results.json, the PNGs and report.md into ``out_dir``; returns report.md's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result.save(out_dir / "results.json")
    pngs: list[Path] = []
    if plots and result.systems:
        try:
            pngs = write_plots(result, out_dir)
        except ImportError:  # matplotlib is the optional `eval` extra
            logger.warning("matplotlib is not installed: no plots (pip install '.[eval]')")
    path = out_dir / "report.md"
    path.write_text(render_markdown(result, [p.name for p in pngs]), encoding="utf-8")
    logger.info("report written to %s", path)
    return path

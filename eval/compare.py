"""``--compare A.json B.json``: what changed between two runs, question by question."""

from __future__ import annotations

from dataclasses import dataclass, field

from eval.report import LABELS, TABLE_METRICS, _cell, _table, fmt
from eval.results import QuestionResult, SuiteResult

DELTA_METRICS = tuple(m for m in TABLE_METRICS if m not in ("n", "errors"))


@dataclass
class Change:
    """One question whose outcome differs between the runs."""

    system: str
    id: str
    type: str
    question: str
    before: QuestionResult
    after: QuestionResult

    @property
    def deltas(self) -> dict[str, float]:
        out = {}
        for name, b in self.after.metrics.items():
            a = self.before.metrics.get(name)
            if a is not None and b is not None and abs(b - a) > 1e-9:
                out[name] = b - a
        return out


@dataclass
class Comparison:
    """Run A vs run B: summary deltas per system, fixed / broken / changed questions."""

    a: SuiteResult
    b: SuiteResult
    systems: list[str]
    fixed: list[Change] = field(default_factory=list)  #: wrong in A, correct in B
    broken: list[Change] = field(default_factory=list)  #: correct in A, wrong in B
    changed: list[Change] = field(default_factory=list)  #: other metric or answer changes
    only_a: list[str] = field(default_factory=list)  #: question ids asked only in A
    only_b: list[str] = field(default_factory=list)


def compare(a: SuiteResult, b: SuiteResult) -> Comparison:
    systems = [s for s in a.systems if s in b.systems]
    comp = Comparison(a, b, systems)
    ids_a = {r.id for r in a.rows}
    ids_b = {r.id for r in b.rows}
    comp.only_a = sorted(ids_a - ids_b)
    comp.only_b = sorted(ids_b - ids_a)
    for s in systems:
        before = {r.id: r for r in a.rows_for(s)}
        for after in b.rows_for(s):
            prev = before.get(after.id)
            if prev is None:
                continue
            ch = Change(s, after.id, after.type, after.question, prev, after)
            was, now = prev.metrics.get("correct"), after.metrics.get("correct")
            if was == 0.0 and now == 1.0:
                comp.fixed.append(ch)
            elif was == 1.0 and now == 0.0:
                comp.broken.append(ch)
            elif ch.deltas or prev.prediction != after.prediction or prev.refused != after.refused:
                comp.changed.append(ch)
    return comp


def _answer(r: QuestionResult) -> str:
    return "(refused)" if r.refused else (r.error or r.prediction)


def render_comparison(comp: Comparison, limit: int = 30) -> str:
    a, b = comp.a, comp.b
    lines = [
        f"# Comparison: {a.suite} ({a.created}) -> {b.suite} ({b.created})", "",
        f"- A: {a.config.get('settings', {})}", f"- B: {b.config.get('settings', {})}", "",
    ]
    if a.suite != b.suite:
        lines += ["**Different suites: only questions with the same id are compared.**", ""]
    if comp.only_a or comp.only_b:
        lines += [f"- questions only in A: {len(comp.only_a)}; only in B: {len(comp.only_b)}", ""]
    for s in comp.systems:
        sa, sb = a.summary(s), b.summary(s)
        rows = []
        for m in DELTA_METRICS:
            va, vb = sa.get(m), sb.get(m)
            if va is None and vb is None:
                continue
            if va is None or vb is None:
                delta = "-"
            elif m.startswith("latency"):
                delta = f"{(vb - va) * 1000:+.0f} ms"
            elif m == "depth":
                delta = f"{vb - va:+.1f}"
            else:
                delta = f"{(vb - va) * 100:+.1f}"
            rows.append([LABELS.get(m, m), fmt(m, va), fmt(m, vb), delta])
        n_fixed = sum(1 for c in comp.fixed if c.system == s)
        n_broken = sum(1 for c in comp.broken if c.system == s)
        lines += [f"## {s}: {n_fixed} fixed, {n_broken} broken", ""]
        lines += [*_table(["metric", "A", "B", "B - A"], rows), ""]
    for title, items in (("Fixed (wrong in A, correct in B)", comp.fixed),
                         ("Broken (correct in A, wrong in B)", comp.broken),
                         ("Other changes", comp.changed)):
        if not items:
            continue
        lines += [f"## {title}: {len(items)}", ""]
        lines += _table(
            ["system", "type", "question", "A answer", "B answer", "metric deltas"],
            [[c.system, c.type, _cell(c.question, 100), _cell(_answer(c.before), 100),
              _cell(_answer(c.after), 100),
              ", ".join(f"{k} {v:+.2f}" for k, v in sorted(c.deltas.items())) or "-"]
             for c in items[:limit]],
        )
        if len(items) > limit:
            lines.append(f"\n... and {len(items) - limit} more (see the JSON files)")
        lines.append("")
    if not (comp.fixed or comp.broken or comp.changed):
        lines.append("No question changed.")
    return "\n".join(lines)

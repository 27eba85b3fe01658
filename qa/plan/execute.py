"""Run a ``Plan`` with the tools and write the answer: the direct answer first (Yes / No, the
outlet, the count), then the evidence from each article, each cited; ``Answer.plan`` carries
the executed steps. Where the evidence does not settle it, the answer says so and is a refusal:
a wrong yes or no is worse than none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from qa.citations import make_citation
from qa.lang.dates import human
from qa.lang.text import split_sentences
from qa.lang.units import asked_dimension, dimensions
from qa.plan.claims import Check, ClaimChecker
from qa.plan.compare import COUNTED, Value, fact_question, value_of
from qa.plan.tools import ABOUT_COSINE, ABOUT_MARGIN, Covered, Tools
from qa.plan.types import Fact, Plan, Trace
from qa.types import Answer, Citation, ScoredChunk

RULE = (f"An article counts as about it when its best passage is within {ABOUT_MARGIN:.2f} cosine of the "
        f"best match of all articles searched (and at least {ABOUT_COSINE:.2f}), and shares the topic's key words.")


#: the single-article reader, asked one question with one outlet as the filter
Reader = Callable[[str, str], "Fact | None"]
#: every figure the reader finds for one question in the best sentences of one outlet's given
#: articles (those about the story), ungated
Figures = Callable[[str, str, "Sequence[str]"], "list[Fact]"]


class Executor:
    """Turns a plan into an answer with the coverage tools, the claim checker and the reader."""

    def __init__(self, tools: Tools, claims: ClaimChecker, read: Reader | None = None,
                 figures: Figures | None = None) -> None:
        self.tools = tools
        self.claims = claims
        self.read = read
        self.figures = figures

    def run(self, plan: Plan) -> Answer:
        trace = Trace(plan)
        handler = getattr(self, f"_{plan.form}")
        text, cites, refused = handler(plan, trace)
        cited = {c.chunk_id for c in cites}
        passages = sorted(trace.evidence.values(), key=lambda h: (h.chunk.id not in cited, -h.score))
        return Answer(question=plan.question, text=text, citations=tuple(cites), refused=refused,
                      kind="plan", plan=trace.to_dict(), passages=tuple(passages[:10]))

    # ---------------------------------------------------------------- helpers
    def _about(self, plan: Plan, trace: Trace, outlets: tuple[str, ...] = ()) -> list[Covered]:
        about = self.tools.coverage(plan.topic, outlets)
        for c in about:
            trace.saw(ScoredChunk(c.chunk, c.strength, c.cosine))
        trace.add("coverage", f"{len(about)} article(s) about it", tuple(c.article.id for c in about),
                  topic=plan.topic, outlets=list(outlets))
        return about

    def _cite(self, c: Covered) -> Citation:
        """The best passage's first sentence, verbatim."""
        spans = split_sentences(c.chunk.text, c.chunk.start)
        s, e = spans[0] if spans else (c.chunk.start, c.chunk.end)
        return make_citation(c.article, s, e, c.chunk)

    @staticmethod
    def _earliest(about: Sequence[Covered], outlet: str) -> Covered | None:
        mine = [c for c in about if c.article.source == outlet and c.article.published]
        return min(mine, key=lambda c: (c.article.published or dt.date.max, -c.strength), default=None)

    @staticmethod
    def _day(c: Covered) -> str:
        return human(c.article.published)

    # ---------------------------------------------------------------- order
    def _firsts(self, plan: Plan, trace: Trace) -> tuple[Covered | None, Covered | None]:
        if plan.topic2:  # two stories: each outlet's earliest article on its own story
            a = self._earliest(self._about(plan, trace, plan.outlets[:1]), plan.outlets[0])
            b = self._earliest(self._about(replace(plan, topic=plan.topic2), trace, plan.outlets[1:2]),
                               plan.outlets[1])
        else:
            about = self._about(plan, trace, plan.outlets[:2])
            a, b = (self._earliest(about, o) for o in plan.outlets[:2])
        days = "; ".join(f"{o}: {self._day(c) if c else 'none'}" for o, c in zip(plan.outlets, (a, b), strict=False))
        trace.add("catalog", days, tuple(c.article.id for c in (a, b) if c), what="earliest article per outlet")
        return a, b

    def _missing(self, plan: Plan, outlets: Sequence[str]) -> str:
        """Which outlet's article on which story was not found (two stories: each outlet's own)."""
        if plan.topic2:
            missing = " or ".join(f"{o} article about {plan.topic if o == plan.outlets[0] else plan.topic2}"
                                  for o in outlets)
        else:
            missing = f"{' or '.join(outlets)} article about {plan.topic}"
        return f"I found no {missing} in the collection, so I cannot say which came first."

    def _order_yesno(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        a, b = self._firsts(plan, trace)
        oa, ob = plan.outlets[:2]
        if a is None or b is None:
            return (self._missing(plan, [o for o, c in ((oa, a), (ob, b)) if c is None]),
                    [self._cite(x) for x in (a, b) if x], True)
        if a.article.published == b.article.published:
            return (f"I cannot tell: {oa} and {ob} both published it on {self._day(a)} [1][2], and the "
                    "collection has dates without times.", [self._cite(a), self._cite(b)], True)
        first = (a.article.published or dt.date.max) < (b.article.published or dt.date.max)
        yes = first != plan.later
        return (f"{'Yes' if yes else 'No'}. {oa} reported it on {self._day(a)} [1], {ob} on {self._day(b)} [2].",
                [self._cite(a), self._cite(b)], False)

    def _order_which(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        a, b = self._firsts(plan, trace)
        if a is None or b is None:
            oa, ob = plan.outlets[:2]
            return self._missing(plan, [o for o, c in ((oa, a), (ob, b)) if c is None]), [], True
        if a.article.published == b.article.published:
            return (f"Neither: {a.article.source} and {b.article.source} both published it on {self._day(a)} "
                    "[1][2] (the collection has dates without times).", [self._cite(a), self._cite(b)], True)
        x, y = sorted((a, b), key=lambda c: c.article.published or dt.date.max, reverse=plan.later)
        when = "last" if plan.later else "first"
        return (f"{x.article.source} reported it {when}, on {self._day(x)} [1]; {y.article.source} on "
                f"{self._day(y)} [2].", [self._cite(x), self._cite(y)], False)

    def _first_outlet(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        about = [c for c in self._about(plan, trace) if c.article.published]
        if not about:
            return f"I found no article about {plan.topic}.", [], True
        about.sort(key=lambda c: c.article.published or dt.date.max, reverse=plan.later)
        day = about[0].article.published
        top = [c for c in about if c.article.published == day]
        outlets = list(dict.fromkeys(c.article.source for c in top))
        rest = [c for c in about if c.article.published != day][:3]
        when = "last" if plan.later else "first"
        who = " and ".join(outlets) + (" were" if len(outlets) > 1 else " was")
        text = f"{who} {when}, on {human(day)}: " + "; ".join(
            f"{c.article.title} [{n}]" for n, c in enumerate(top[:3], 1))
        cites = [self._cite(c) for c in top[:3]]
        if rest:
            text += ". Then: " + "; ".join(
                f"{c.article.source}, {self._day(c)} [{n}]" for n, c in enumerate(rest, len(cites) + 1))
            cites += [self._cite(c) for c in rest]
        return text + f". {RULE}", cites, False

    # ---------------------------------------------------------------- aggregates
    def _by_outlet(self, about: Sequence[Covered]) -> dict[str, list[Covered]]:
        out: dict[str, list[Covered]] = {}
        for c in sorted(about, key=lambda c: (c.article.source, c.article.published or dt.date.max)):
            out.setdefault(c.article.source or "(unknown outlet)", []).append(c)
        return out

    def _listing(self, groups: dict[str, list[Covered]], cap: int = 10) -> tuple[str, list[Citation]]:
        lines: list[str] = []
        cites: list[Citation] = []
        for outlet, arts in groups.items():
            for c in arts:
                if len(cites) < cap:
                    cites.append(self._cite(c))
                    lines.append(f"{outlet}: {c.article.title} ({self._day(c)}) [{len(cites)}]")
        return "\n".join(f"- {x}" for x in lines), cites

    def _outlets(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        groups = self._by_outlet(self._about(plan, trace))
        if not groups:
            return f"I found no article about {plan.topic}.", [], True
        names = list(groups)
        listing, cites = self._listing(groups)
        return (f"{len(names)} outlet{'s' if len(names) > 1 else ''}: {', '.join(names)}.\n\n{listing}\n\n{RULE}",
                cites, False)

    def _count_outlets(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        return self._outlets(plan, trace)

    def _count_articles(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        about = self._about(plan, trace)
        if plan.outlets:
            about = [c for c in about if c.article.source in plan.outlets]
        scope = f"{' and '.join(plan.outlets)} " if plan.outlets else ""
        if not about:
            return f"0: I found no {scope}article about {plan.topic}.", [], False
        listing, cites = self._listing(self._by_outlet(about))
        n = len(about)
        return f"{n} {scope}article{'s' if n > 1 else ''}.\n\n{listing}\n\n{RULE}", cites, False

    def _covered(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        groups = self._by_outlet(self._about(plan, trace))
        have = [o for o in plan.outlets if o in groups]
        lacking = [o for o in plan.outlets if o not in groups]
        cites = [self._cite(groups[o][0]) for o in have]
        said = "; ".join(f"{o} did: {groups[o][0].article.title} ({self._day(groups[o][0])}) [{n}]"
                         for n, o in enumerate(have, 1))
        if not lacking:
            return f"Yes. {said}.", cites, False
        others = [o for o in groups if o not in plan.outlets][:4]
        tail = f" Outlets that did: {', '.join(others)}." if others else ""
        text = f"No. I found no {' or '.join(lacking)} article about {plan.topic}." + (f" {said}." if said else "")
        return text + tail + f" {RULE}", cites, False

    def _covered_other(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        groups = self._by_outlet(self._about(plan, trace))
        others = {o: cs for o, cs in groups.items() if o not in plan.outlets}
        if not others:
            return (f"No. Only {' and '.join(plan.outlets)} articles are about {plan.topic} in the collection. {RULE}",
                    [self._cite(cs[0]) for o, cs in groups.items()][:3], False)
        listing, cites = self._listing(others)
        return f"Yes: {', '.join(others)}.\n\n{listing}\n\n{RULE}", cites, False

    # ---------------------------------------------------------------- claims
    def _quote(self, c: Check, trace: Trace) -> Citation | None:
        if c.chunk is None:
            return None
        trace.saw(ScoredChunk(c.chunk, c.overlap))
        art = self.tools.catalog.article(c.chunk.article_id)
        return make_citation(art, c.start, c.end, c.chunk) if art else None

    def _check(self, plan: Plan, outlet: str, trace: Trace) -> Check:
        """The claim checked against one outlet, recorded as a step."""
        c = self.claims.check(plan.topic, outlet)
        trace.add("claim", f"{outlet}: {c.verdict}" + (f" ({c.reason})" if c.reason else ""),
                  (c.chunk.article_id,) if c.chunk else (), claim=plan.topic, outlet=outlet)
        return c

    def _claim(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        outlet = plan.outlets[0]
        c = self._check(plan, outlet, trace)
        cite = self._quote(c, trace)
        cites = [cite] if cite else []
        quote = f" {outlet} says: \u201c{cite.quote}\u201d [1]" if cite else ""
        if c.verdict == "supports":
            return f"Yes.{quote}", cites, False
        if c.verdict == "contradicts":
            return f"No.{quote} ({c.reason}).", cites, False
        return (f"I cannot tell from {outlet}'s articles: none of them says it or its opposite."
                + (f" The closest passage:{quote}" if cite else ""), cites, True)

    def _claim_both(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        checks = [self._check(plan, o, trace) for o in plan.outlets[:2]]
        cites: list[Citation] = []
        parts = []
        for c in checks:
            cite = self._quote(c, trace)
            if cite:
                cites.append(cite)
                parts.append(f"{c.outlet} ({c.verdict}): \u201c{cite.quote}\u201d [{len(cites)}]")
        evidence = " ".join(parts)
        if all(c.verdict == "supports" for c in checks):
            return f"Yes. {evidence}", cites, False
        if any(c.verdict == "contradicts" and c.judged for c in checks):
            return f"No. {evidence}", cites, False
        # no "No" from one outlet's rule-found conflict: on the dev split that was wrong every time
        # (the outlets word the same fact differently), and a wrong no is worse than none
        return f"I cannot tell: the articles do not settle it for both outlets. {evidence}", cites, True

    def _compare(self, plan: Plan, trace: Trace) -> tuple[str, list[Citation], bool]:
        question, how = fact_question(plan.topic)
        counted = bool(COUNTED.search(question))
        asked = asked_dimension(question)
        facts = [self.read(question, o) if self.read else None for o in plan.outlets[:2]]
        for o, f in zip(plan.outlets, facts, strict=False):
            said = f"{f.answer}{'' if value_of(f.answer) else ' (no figure)'}" if f else "no answer"
            trace.add("read", f"{o}: {said}", (f.citation.article_id,) if f else (), question=question, outlet=o)
        fa, fb = facts
        if fa and fb and _comparable(value_of(fa.answer), value_of(fb.answer), counted, asked):
            pair: tuple[Fact, Fact] | None = (fa, fb)
        else:
            # the figures of each outlet's articles about the story (``Tools.coverage``)
            about = [{c.article.id for c in self._about(plan, trace, (o,))} for o in plan.outlets[:2]]
            lacking = [o for o, ids in zip(plan.outlets, about, strict=False) if not ids]
            if lacking:
                figure = question.removeprefix("What was ").rstrip("?")
                return (f"I found no {' or '.join(lacking)} article about {figure}, so I cannot compare the "
                        "two reports.", [], True)
            pair = self._figure_pair(plan, question, counted, asked, how == "same", about, trace)
        if pair is None:
            return self._both_passages(plan, trace, facts)
        fa, fb = pair
        for f in pair:
            if f.passage:
                trace.saw(f.passage)
        a, b = value_of(fa.answer), value_of(fb.answer)
        assert a is not None and b is not None
        oa, ob = plan.outlets[:2]
        said = f"{oa} gives {fa.answer} [1], {ob} {fb.answer} [2]."
        cites = [fa.citation, fb.citation]
        if how == "same":
            return f"{'Yes' if a.equals(b) else 'No'}. {said}", cites, False
        if a.equals(b):
            return f"Neither: {said}", cites, True
        first = (a.number or 0) > (b.number or 0)
        winner = oa if first == (how == "higher") else ob
        return f"{winner}. {said}", cites, False

    def _figure_pair(self, plan: Plan, question: str, counted: bool, asked: str, same: bool,
                     about: Sequence[set[str]], trace: Trace) -> tuple[Fact, Fact] | None:
        """No sure answer from both outlets: the two figures of the same kind (a unit, a currency,
        a month) from the outlets' best sentences, the pair from the best-ranked sentences first.
        That both outlets state a figure in the same unit is what picks it out; the sentences must
        be in the outlet's articles ``about`` the story. Asked whether the two give the same
        figure, a figure both state is taken first: two reports that print the same "$24 billion"
        on the story are taken to give the same one."""
        if self.figures is None:
            return None
        a, b = ([(f, value_of(f.answer)) for f in self.figures(question, o, sorted(ids))
                 if f.citation.article_id in ids] for o, ids in zip(plan.outlets, about, strict=False))
        pairs = [(x.rank + y.rank, i + j, x, y, bool(vx and vy and vx.equals(vy)))
                 for i, (x, vx) in enumerate(a) for j, (y, vy) in enumerate(b) if _comparable(vx, vy, counted, asked)]
        if not pairs:
            return None
        equal = [p for p in pairs if p[4]] if same else []
        _, _, x, y, _ = min(equal or pairs, key=lambda p: (p[0], p[1]))
        trace.add("figures", f"{plan.outlets[0]}: {x.answer}; {plan.outlets[1]}: {y.answer}",
                  (x.citation.article_id, y.citation.article_id), question=question,
                  why="the best-ranked figures of the same kind in each outlet's sentences")
        return x, y

    def _both_passages(self, plan: Plan, trace: Trace,
                       facts: Sequence[Fact | None]) -> tuple[str, list[Citation], bool]:
        """No two comparable figures: refuse, with what each outlet says on it."""
        cites: list[Citation] = []
        parts: list[str] = []
        for o, f in zip(plan.outlets, facts, strict=False):
            if f is None:
                c = self.claims.check(plan.topic, o)
                cite = self._quote(c, trace)
            else:
                cite = f.citation
            if cite:
                cites.append(cite)
                parts.append(f"{o}: \u201c{cite.quote}\u201d [{len(cites)}]")
        return ("I cannot compare the two reports' figures reliably, so here is what each says. "
                + " ".join(parts), cites, True)


#: two outlets' figures for one quantity differ by less than this factor ("$24 billion" and "$19"
#: are two figures, the valuation and the share price)
SAME_SCALE = 10.0


def _comparable(a: Value | None, b: Value | None, counted: bool, asked: str = "") -> bool:
    """Two figures one comparison can weigh: the same kind, the asked dimension (a height is a
    length, not "four people"), and within ``SAME_SCALE`` of each other."""
    if a is None or b is None or not a.same_kind(b, counted):
        return False
    if asked and (asked not in dimensions(a.unit) or asked not in dimensions(b.unit)):
        return False
    if a.number is not None and b.number is not None:
        small, big = sorted((abs(a.number), abs(b.number)))
        return big <= SAME_SCALE * small
    return True

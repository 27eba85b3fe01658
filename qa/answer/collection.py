"""Questions about the collection, answered exactly from the catalog (never from the chunks that
retrieval happened to return): counts, rankings and distributions, listings, ranges, extremes.

The question is turned into a typed ``CollectionQuery``; SQL is built from fixed fragments with
every value passed as a parameter, so no user text ever becomes SQL.

Counting rule (stated in every count answer): one row per distinct article in the catalog;
records with the same body text were merged at ingest and records without text were skipped.
Topic rule: an article is *about* X when X occurs in its title or subtitle, or at least twice
in its text; it *mentions* X when X occurs anywhere; "in the title" looks at titles only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qa.citations import make_citation
from qa.lang.dates import from_int, human
from qa.lang.text import split_sentences
from qa.question.filters import extract_dates
from qa.question.types import ParsedQuestion
from qa.store.queries import article_rows, date_coverage, duplicates_merged
from qa.types import Answer, Article, Citation

if TYPE_CHECKING:
    from qa.answer.engine import Engine

LIST_CAP = 10
UNKNOWN = "(unknown outlet)"

GROUPS = [
    (r"sources?|outlets?|newspapers?|publishers?|sites?|agenc(?:y|ies)|broadcasters?|media", "source"),
    (r"authors?|writers?|journalists?|reporters?", "author"),
    (r"sections?|categor(?:y|ies)", "section"),
    (r"days?|dates?", "day"),
    (r"months?", "month"),
]

SCAFFOLD = re.compile(
    r"\b(?:how many|number of|count of|total number of|in total|total|which|what|who|when|"
    r"was|were|is|are|the|a|an|articles?|stor(?:y|ies)|reports?|pieces?|items?|news|headlines?|"
    r"texts?|documents?|publications?|posts?|did|does|do|has|have|had|published|publish|"
    r"written|wrote|write|ran|run|appeared|appear|came out|come out|posted|there|been|"
    r"sources?|outlets?|newspapers?|publishers?|sites?|agency|agencies|broadcasters?|authors?|"
    r"writers?|journalists?|reporters?|days?|dates?|months?|sections?|categor(?:y|ies)|"
    r"most|fewest|least|more|less|largest|biggest|top|first|last|latest|earliest|newest|"
    r"oldest|most recent|recent|list|show|me|give|find|get|display|name|all|any|some|please|anything|"
    r"about|on|regarding|concerning|covering|mentioning|mentions?|mentioned|with|that|which|"
    r"in their titles?|in the titles?|in its title|in the headlines?|in their headlines?|title|"
    r"collection|corpus|index|archive|by|from|per|distribution|of|in|different|distinct|"
    r"period|time ?span|date range|time range|time frame|cover|covers|span|spans|range|"
    r"were there|are there|has the|had the|wrote most|write most|and|or|to|for|it|its|their|"
    r"one|ones|has|many|much|number|count|contain|contains|exist|exists|demo|dataset|data set|"
    r"week|weeks|overall|altogether|so far)\b",
    re.I,
)


@dataclass(frozen=True)
class CollectionQuery:
    measure: str  #: count | rank | list | extreme | range
    group: str = ""  #: source | author | section | day | month (for count-distinct / rank)
    order: str = "most"  #: most | fewest
    extreme: str = ""  #: first | last
    topic: str = ""
    topic_scope: str = "about"  #: about | mention | title


def parse_collection(pq: ParsedQuestion) -> CollectionQuery:
    q = pq.text.lower()
    topic_scope = "about"
    if re.search(r"\bin (?:their|the|its) (?:titles?|headlines?)\b|\btitles? (?:contain|with|mention)|\bheadlines? "
        r"(?:contain|with|mention)", q):
        topic_scope = "title"
    elif re.search(r"\bmention(?:s|ed|ing)?\b|\bcontain(?:s|ing)?\b|\brefer(?:s|ring)? to\b", q):
        topic_scope = "mention"
    core = pq.core
    for _ in range(3):  # a second date phrase ("the first week of March (1-7 March)") is no topic
        stripped, lo, hi, _flags = extract_dates(core, None)
        if not (lo or hi):
            break
        core = stripped
    # quoted topics are taken as they are
    quoted = re.search(r"[\"“']([^\"”']{2,60})[\"”']", core)
    bare = SCAFFOLD.sub(" ", re.sub(r"[?!.,:;()\[\]{}]", " ", core))
    topic = quoted.group(1) if quoted else re.sub(r"\s+", " ", bare).strip()
    group = ""
    for pat, name in GROUPS:
        if re.search(rf"\b(?:which|what|how many|per|by|each|every|different|distinct)\s+(?:\w+\s+)?(?:{pat})\b|"
            rf"\b(?:{pat})\s+(?:has|had|have|published|wrote|ran|with)\b", q):
            group = name
            break
    order = "fewest" if re.search(r"\b(fewest|least|less)\b", q) else "most"
    if re.search(r"\b(?:what|which)\s+(?:period|time ?span|date range|dates|time range|time frame)\b", q):
        return CollectionQuery("range", topic="")
    if re.search(r"\bhow many\b|\bnumber of\b|\bcount\b", q):
        plural = dict((n, p) for p, n in GROUPS).get(group or "", "")
        if group and re.search(rf"\bhow many\s+(?:different\s+|distinct\s+)?(?:{plural})\b", q):
            return CollectionQuery("count", group=group, topic=topic, topic_scope=topic_scope)
        return CollectionQuery("count", topic=topic, topic_scope=topic_scope)
    if re.search(r"\bwhen\b", q) and (pq.earliest or pq.latest):
        return CollectionQuery("extreme", extreme="first" if pq.earliest else "last", topic=topic,
                               topic_scope=topic_scope)
    if group and re.search(r"\b(most|fewest|least|more|less|largest|biggest|top)\b|\bdistribution\b|\bper\b|"
                           r"\bby (?:source|outlet|"
        r"day|month)", q):
        return CollectionQuery("rank", group=group, order=order, topic=topic, topic_scope=topic_scope)
    if re.search(r"\b(most|fewest)\s+(?:articles|stories|reports)\b", q):
        return CollectionQuery("rank", group=group or "source", order=order, topic=topic,
                               topic_scope=topic_scope)
    if group and re.search(r"\b(?:what|which)\s+(?:news\s+)?(?:sources|outlets|publishers|authors|newspapers|"
                           r"agencies)\s+(?:are|do|"
        r"does|did|have|were)\b", q):
        return CollectionQuery("rank", group=group, topic=topic, topic_scope=topic_scope)
    return CollectionQuery("list", extreme="first" if pq.earliest and not pq.latest else "last",
                           topic=topic, topic_scope=topic_scope)


# ----------------------------------------------------------------------------- matching

def _topic_regex(topic: str) -> re.Pattern[str]:
    """Word-initial match, any ending: "North Korea" finds "North Korean", "Trump" "Trump's"."""
    words = [re.escape(w) for w in topic.split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words), re.I)


def matching_articles(engine: Engine, pq: ParsedQuestion, cq: CollectionQuery) -> list[dict[str, Any]]:
    """Rows (id, title, subtitle, source, published_int, ...) of articles matching filters + topic."""
    catalog = engine.index.catalog
    if cq.topic:
        first = cq.topic.split()[0]
        rows = article_rows(catalog, pq.filters.for_catalog(), like=f"%{first}%", scope=cq.topic_scope)
        rx = _topic_regex(cq.topic)
        out = []
        for r in rows:
            in_title = bool(rx.search(r["title"] or ""))
            if cq.topic_scope == "title":
                ok = in_title
            else:
                n_body = len(rx.findall(r["body"] or ""))
                in_sub = bool(rx.search(r["subtitle"] or ""))
                ok = in_title or in_sub or n_body >= (1 if cq.topic_scope == "mention" else 2)
            if ok:
                out.append(r)
        return out
    return article_rows(catalog, pq.filters.for_catalog())


def _topic_rule(cq: CollectionQuery) -> str:
    if not cq.topic:
        return ""
    return {
        "title": f" with “{cq.topic}” in the title",
        "mention": f" mentioning “{cq.topic}” (title or text)",
        "about": f" about “{cq.topic}” (in the title, or at least twice in the text)",
    }[cq.topic_scope]


def _scope(pq: ParsedQuestion) -> str:
    f = pq.filters
    parts = []
    if f.sources:
        parts.append("from " + " or ".join(f.sources))
    if f.authors:
        parts.append("by " + " or ".join(f.authors))
    if f.sections:
        parts.append("in section " + " or ".join(f.sections))
    if f.date_from and f.date_to:
        parts.append(f"published on {human(f.date_from)}" if f.date_from == f.date_to
                     else f"published {human(f.date_from)} – {human(f.date_to)}")
    elif f.date_from:
        parts.append(f"published on or after {human(f.date_from)}")
    elif f.date_to:
        parts.append(f"published on or before {human(f.date_to)}")
    return (" " + ", ".join(parts)) if parts else ""


def _cite(engine: Engine, rows: list[dict[str, Any]], limit: int = LIST_CAP) -> tuple[Citation, ...]:
    """Each listed article is cited by its opening sentence (verified against its text)."""
    arts: dict[str, Article] = engine.index.catalog.articles([r["id"] for r in rows[:limit]])
    out = []
    for r in rows[:limit]:
        art = arts.get(r["id"])
        if not art:
            continue
        spans = split_sentences(art.text)
        if spans:
            s, e = spans[0]
            out.append(make_citation(art, s, min(e, s + 400) if e - s > 400 else e))
    return tuple(out)


def _label(r: dict[str, Any]) -> str:
    d = from_int(r["published_int"] or 0)
    meta = ", ".join(x for x in (r["source"], human(d) if d else "") if x)
    return f"“{r['title'] or '(untitled)'}” ({meta})"


def _sorted(rows: list[dict[str, Any]], newest_first: bool) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["published_int"] or 0, r["title"] or ""), reverse=newest_first)


def _there_are(rows: list[dict[str, Any]], what: str) -> tuple[str, list[dict[str, Any]], str]:
    """"There are 8 articles from BBC" ("There is 1 article ..."), the rows newest first, and the
    newest five as labels."""
    newest = _sorted(rows, True)
    n = len(rows)
    what_n = what if n != 1 else what.replace("articles", "article", 1)
    return f"There {'is' if n == 1 else 'are'} {n} {what_n}", newest, "; ".join(_label(r) for r in newest[:5])


#: a count asked as a yes/no question ("did the BBC publish anything on 20 March?")
_YES_NO = re.compile(r"\s*(?:did|does|do|has|have|had|is|are|was|were)\b", re.I)


def answer_collection(engine: Engine, pq: ParsedQuestion, question: str) -> Answer:
    cq = parse_collection(pq)
    filters = pq.filters.to_dict()
    if cq.topic:
        filters = {**filters, "topic": cq.topic, "topic_scope": cq.topic_scope}
    base: dict[str, Any] = {"question": question, "kind": "collection", "filters": filters}
    if cq.measure == "range":
        first_day, last_day, n_articles, undated = date_coverage(engine.index.catalog)
        lo, hi = from_int(first_day), from_int(last_day)
        no_date = f"; {undated} without a date" if undated else ""
        return Answer(text=f"The collection covers {human(lo)} to {human(hi)} ({n_articles} articles{no_date}).",
                      short_answer=f"{lo} to {hi}" if lo and hi else "", **base)
    rows = matching_articles(engine, pq, cq)
    what = f"articles{_scope(pq)}{_topic_rule(cq)}"
    counted = "Counted as distinct articles"
    dupes = duplicates_merged(engine.index.catalog)
    if dupes:
        counted += f" ({dupes} duplicate records were merged at ingest)"
    yes_no = cq.measure in ("count", "list") and not cq.group and bool(_YES_NO.match(question))
    if not rows:
        if yes_no:  # "did CNN publish anything on 25 December 2016?" is answered: no
            return Answer(text=f"No. The collection has no {what} (0 found).", short_answer="No", **base)
        return Answer(text=f"No {what} are in the collection (0 found).", refused=True,
                      short_answer="0", **base)
    if yes_no:
        there, newest, labels = _there_are(rows, what)
        return Answer(text=f"Yes. {there}: {labels}{'; ...' if len(rows) > 5 else ''}.",
                      short_answer="Yes", citations=_cite(engine, newest, 5), **base)
    if cq.measure == "count":
        if cq.group:
            values = _group_values(rows, cq.group) - {UNKNOWN}
            n = len(values)
            names = ", ".join(sorted(values)[:20])
            return Answer(text=f"{n} different {cq.group}s among {len(rows)} {what}: {names}.",
                          short_answer=str(n), **base)
        there, newest, labels = _there_are(rows, what)
        more = f" The newest: {labels}." if len(rows) > 1 else f" It is {labels}."
        return Answer(text=f"{there}. {counted}.{more}",
                      short_answer=str(len(rows)), citations=_cite(engine, newest, 5), **base)
    if cq.measure == "rank":
        counts = Counter(v for r in rows for v in _row_group(r, cq.group))
        if not counts:
            return Answer(text=f"None of the {len(rows)} {what} has a {cq.group}.", refused=True, **base)
        ranked = counts.most_common()
        if cq.order == "fewest":
            ranked = sorted(ranked, key=lambda kv: (kv[1], kv[0]))
        # articles without an outlet are listed in the counts but never "the" answer
        ranked = [kv for kv in ranked if kv[0] != UNKNOWN] + [kv for kv in ranked if kv[0] == UNKNOWN]
        if ranked[0][0] == UNKNOWN:
            return Answer(text=f"None of the {len(rows)} {what} names its {cq.group}.", refused=True, **base)
        top_n, top_c = ranked[0]
        ties = [k for k, c in ranked if c == top_c and k != UNKNOWN]
        label = _group_label(cq.group)
        lead = (f"{label(top_n)} has the {cq.order} {what} ({top_c})" if len(ties) == 1
                else f"{' and '.join(label(t) for t in ties)} tie with the {cq.order} {what} ({top_c} each)")
        rest = ", ".join(f"{label(k)} {c}" for k, c in ranked[:10])
        top_rows = _sorted([r for r in rows if top_n in _row_group(r, cq.group)], True)
        return Answer(text=f"{lead}. Counts: {rest}. {counted}; {len(rows)} articles in all.",
                      short_answer=", ".join(label(t) for t in ties), citations=_cite(engine, top_rows, 5),
                      **base)
    if cq.measure == "extreme":
        ordered = _sorted([r for r in rows if r["published_int"]], cq.extreme == "last")
        if not ordered:
            return Answer(text=f"None of the {what} has a publication date.", refused=True, **base)
        r0 = ordered[0]
        d = from_int(r0["published_int"])
        return Answer(text=f"The {cq.extreme} of the {len(rows)} {what} was published on {human(d)}: {_label(r0)} [1].",
                      short_answer=d.isoformat() if d else "", citations=_cite(engine, [r0], 1), **base)
    # listing
    newest_first = cq.extreme != "first"
    ordered = _sorted(rows, newest_first)
    shown = ordered[:LIST_CAP]
    order = "newest" if newest_first else "oldest"
    head = f"{len(rows)} {what}" + (f"; the {len(shown)} {order}:" if len(rows) > len(shown) else ":")
    lines = "\n".join(f"{i}. {_label(r)} [{i}]" for i, r in enumerate(shown, start=1))
    return Answer(text=f"{head}\n{lines}", short_answer=str(len(rows)),
                  citations=_cite(engine, shown, LIST_CAP), **base)


def _row_group(r: dict[str, Any], group: str) -> list[str]:
    import json

    if group == "source":
        return [r["source"] or UNKNOWN]
    if group == "author":
        return list(json.loads(r["authors"] or "[]"))
    if group == "section":
        return list(json.loads(r["sections"] or "[]"))
    d = from_int(r["published_int"] or 0)
    if not d:
        return []
    return [d.isoformat()] if group == "day" else [d.strftime("%Y-%m")]


def _group_values(rows: list[dict[str, Any]], group: str) -> set[str]:
    return {v for r in rows for v in _row_group(r, group)}


def _group_label(group: str) -> Any:
    if group == "day":
        return lambda v: human(from_int(int(v.replace("-", ""))))
    if group == "month":
        import datetime as dt

        return lambda v: dt.date(int(v[:4]), int(v[5:7]), 1).strftime("%B %Y")
    return lambda v: v

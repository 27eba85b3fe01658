"""What a parsed question is: the collection's ``Vocabulary``, the ``Filters`` a question implies
(dates, outlets, authors, sections) and the ``ParsedQuestion`` the rest of the flow reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from qa.lang.dates import date_int, parse_date
from qa.store.queries import ArticleFilter

# ----------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """Names the parser can recognise, read from the catalog."""

    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    newest: dt.date | None = None
    oldest: dt.date | None = None
    months: frozenset[tuple[int, int]] = frozenset()  #: (year, month) pairs that have articles

    def source_aliases(self, within: str | None = None) -> list[tuple[str, str]]:
        """(alias, canonical source), longest alias first; with ``within``, only the aliases that
        occur in it (case-insensitive), so callers compile a pattern only for those."""
        out: dict[str, str] = {}
        for s in self.sources:
            if not s:
                continue
            low = s.lower()
            out[low] = s
            out[low.replace(" ", "")] = s
            for prefix in ("the ",):
                if low.startswith(prefix):
                    out[low[len(prefix):]] = s
            for suffix in (" news",):
                if low.endswith(suffix) and len(low) > len(suffix) + 2:
                    out[low[: -len(suffix)]] = s
            for extra in SOURCE_ALIASES.get(s, ()):
                out[extra] = s
        if within is not None:
            low = within.lower()
            out = {a: s for a, s in out.items() if a in low}
        return sorted(out.items(), key=lambda kv: -len(kv[0]))


SOURCE_ALIASES: dict[str, tuple[str, ...]] = {
    "DW": ("deutsche welle",),
    "HuffPost": ("huffington post", "the huffington post", "huff post", "huffpo"),
    "BBC": ("bbc news", "british broadcasting corporation"),
    "RTE": ("rté", "rte news", "raidió teilifís éireann"),
    "ABC News": ("abc",),
    "TASS": ("tass news agency", "itar-tass"),
    "CNN": ("cnn news",),
    "Al Jazeera": ("aljazeera", "al-jazeera"),
    "China Daily": ("chinadaily",),
}

# ----------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Filters:
    """Resolved filters; every field is a value, never text to be run."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    def empty(self) -> bool:
        return not (self.date_from or self.date_to or self.sources or self.authors
                    or self.sections or self.article_ids)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.date_from:
            d["date_from"] = self.date_from.isoformat()
        if self.date_to:
            d["date_to"] = self.date_to.isoformat()
        for k in ("sources", "authors", "sections", "article_ids"):
            if getattr(self, k):
                d[k] = list(getattr(self, k))
        return d

    def for_catalog(self) -> ArticleFilter:
        """The same filters in the catalog's form (YYYYMMDD ints; 0: no bound)."""
        return ArticleFilter(
            date_from=date_int(self.date_from), date_to=date_int(self.date_to), sources=tuple(self.sources),
            authors=tuple(self.authors), sections=tuple(self.sections), article_ids=tuple(self.article_ids))

    def merge(self, other: Filters) -> Filters:
        """``other`` (explicit) narrows / overrides this (from the question)."""
        return Filters(
            date_from=max(filter(None, [self.date_from, other.date_from]), default=None),
            date_to=min(filter(None, [self.date_to, other.date_to]), default=None),
            sources=other.sources or self.sources,
            authors=other.authors or self.authors,
            sections=other.sections or self.sections,
            article_ids=other.article_ids or self.article_ids,
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Filters:
        if not d:
            return cls()

        def as_tuple(v: Any) -> tuple[str, ...]:
            if not v:
                return ()
            return (v,) if isinstance(v, str) else tuple(str(x) for x in v)

        return cls(
            date_from=parse_date(d.get("date_from")),
            date_to=parse_date(d.get("date_to")),
            sources=as_tuple(d.get("sources") or d.get("source")),
            authors=as_tuple(d.get("authors") or d.get("author")),
            sections=as_tuple(d.get("sections") or d.get("section")),
            article_ids=as_tuple(d.get("article_ids")),
        )


@dataclass(frozen=True)
class ParsedQuestion:
    text: str  #: the question as asked (after follow-up resolution)
    core: str  #: the question without filter phrases: what retrieval searches for
    filters: Filters = field(default_factory=Filters)
    date_is_publication: bool = False  #: the date phrase clearly means publication date
    latest: bool = False  #: "latest / most recent" news wanted
    earliest: bool = False
    kind: str = "passage"  #: chitchat | collection | metadata | passage
    answer_type: str = "OTHER"  #: PERSON DATE NUMBER MONEY PERCENT PLACE ORG OTHER YESNO
    meta_field: str = ""  #: for metadata questions: author | date | source | title | credit | ...
    context: str = ""  #: names carried over from earlier turns of the chat
    unknown_sources: tuple[str, ...] = ()  #: outlets named in the question but not in the index
    date_outside: bool = False  #: the date range lies outside the collection


# ----------------------------------------------------------------------------- dates

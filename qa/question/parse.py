"""Parse a question into a typed query: filters (dates, outlets, authors, sections), the kind of
question (chit-chat, collection, one article's metadata, passage) and the expected answer type.

Outlet, author and section names come from the catalog itself (``Vocabulary``), dates in all
common forms, relative dates ("latest", "this week", "in March") against the newest article.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from qa.lang.dates import MONTH_RE, MONTHS, parse_date
from qa.lang.outlets import KNOWN_OUTLETS

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

    def source_aliases(self) -> list[tuple[str, str]]:
        """(alias, canonical source), longest alias first."""
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

_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTH_RE})\.?,?\s+\d{{4}}|(?:{MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}[-/]\d{{1,2}}[-/]\d{{1,2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}})"
_DAY_NOYEAR = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTH_RE})\b|(?:{MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!,?\s*\d{{4}}))"
_MONTH = rf"(?:(?:{MONTH_RE})\.?,?\s+(?:of\s+)?\d{{4}})"
_MONTH_NOYEAR = rf"(?:{MONTH_RE})"
_YEAR = r"(?:(?:19|20)\d{2})"
_POINT = rf"(?:{_DAY}|{_MONTH}|{_DAY_NOYEAR}|{_YEAR})"

PUBLICATION_CUES = re.compile(
    r"\b(published|publish|publishes|articles?|stor(?:y|ies)|reports?|reported|news|coverage|"
    r"wrote|written|headlines?|pieces?|ran|covered|posted|issued)\b",
    re.I,
)


HOLIDAYS: dict[str, tuple[int, int]] = {
    "christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25),
    "boxing day": (12, 26), "new year's eve": (12, 31), "new year's day": (1, 1),
    "valentine's day": (2, 14), "st patrick's day": (3, 17), "st. patrick's day": (3, 17),
    "international women's day": (3, 8), "women's day": (3, 8), "halloween": (10, 31),
    "independence day": (7, 4), "may day": (5, 1),
}


def _month_range(y: int, m: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


Months = frozenset[tuple[int, int]]


def _year_for(month: int, day: int, newest: dt.date | None, months: Months = frozenset()) -> int:
    """A month named without a year: the latest such month that has articles (else the latest
    one not after the newest article)."""
    have = sorted((y for y, m in months if m == month), reverse=True)
    if have:
        return have[0]
    ref = max(newest or dt.date.today(), dt.date(1, 2, 1))  # relative ranges below stay after 1 Jan 0001
    y = ref.year
    try:
        if dt.date(y, month, min(day, 28)) > ref:
            y -= 1
    except ValueError:
        pass
    return y


def _point_range(expr: str, newest: dt.date | None, months: Months = frozenset()) -> tuple[dt.date, dt.date] | None:
    e = expr.strip().rstrip(",")
    if re.fullmatch(_DAY, e, re.I):
        d = parse_date(e)
        return (d, d) if d else None
    if re.fullmatch(_MONTH, e, re.I):
        m = re.match(rf"({MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})", e, re.I)
        if m:
            return _month_range(int(m[2]), MONTHS[m[1].lower()])
    if re.fullmatch(_DAY_NOYEAR, e, re.I):
        m1 = re.match(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_RE})", e, re.I)
        m2 = re.match(rf"({MONTH_RE})\.?\s+(\d{{1,2}})", e, re.I)
        if m1:
            day, month = int(m1[1]), MONTHS[m1[2].lower()]
        elif m2:
            day, month = int(m2[2]), MONTHS[m2[1].lower()]
        else:
            return None
        try:
            d = dt.date(_year_for(month, day, newest, months), month, day)
        except ValueError:
            return None
        return d, d
    if re.fullmatch(_MONTH_NOYEAR, e, re.I):
        month = MONTHS[e.lower().rstrip(".")]
        return _month_range(_year_for(month, 1, newest, months), month)
    if re.fullmatch(_YEAR, e):
        y = int(e)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    return None


def extract_dates(
    q: str, newest: dt.date | None, months: Months = frozenset()
) -> tuple[str, dt.date | None, dt.date | None, dict[str, bool]]:
    """Find date phrases; return the question without them and the range they give."""
    try:
        return _extract_dates(q, newest, months)
    except (ValueError, OverflowError):  # year 0, past 9999, "the last 10**12 days": no date filter
        return re.sub(r"\s+", " ", q).strip(), None, None, {"latest": False, "earliest": False}


def _extract_dates(
    q: str, newest: dt.date | None, months: Months = frozenset()
) -> tuple[str, dt.date | None, dt.date | None, dict[str, bool]]:
    flags = {"latest": False, "earliest": False}
    lo: dt.date | None = None
    hi: dt.date | None = None
    text = q

    def cut(m: re.Match[str]) -> None:
        nonlocal text
        text = text.replace(m.group(0), " ", 1)

    ref = max(newest or dt.date.today(), dt.date(1, 2, 1))  # relative ranges below stay after 1 Jan 0001
    # day ranges inside one month: "the first week of March", "between 10 and 20 March 2017", "1-7 March"
    m = re.search(rf"\b(?:in\s+|during\s+)?the\s+(first|second|third|fourth|last)\s+week\s+of\s+({MONTH_RE})\.?(?:,?\s+(\d{{4}}))?", text, re.I)
    if m:
        month = MONTHS[m[2].lower()]
        year = int(m[3]) if m[3] else _year_for(month, 1, newest, months)
        last = calendar.monthrange(year, month)[1]
        start = {"first": 1, "second": 8, "third": 15, "fourth": 22, "last": last - 6}[m[1].lower()]
        lo, hi = dt.date(year, month, start), dt.date(year, month, min(start + 6, last))
        cut(m)
    m = None if lo else re.search(rf"\b(?:between\s+|from\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:and|to|-|–|until|till)\s*(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_RE})\.?(?:,?\s+(\d{{4}}))?\b", text, re.I)
    if m:
        month = MONTHS[m[3].lower()]
        year = int(m[4]) if m[4] else _year_for(month, int(m[1]), newest, months)
        try:
            lo, hi = dt.date(year, month, int(m[1])), dt.date(year, month, int(m[2]))
            cut(m)
        except ValueError:
            lo = hi = None
    m = None if lo else re.search(rf"\b(?:on\s+)?({'|'.join(HOLIDAYS)})(?:\s+(?:of\s+)?(\d{{4}}))?", text, re.I)
    if m:
        month, day = HOLIDAYS[m[1].lower().replace("’", "'")]
        year = int(m[2]) if m[2] else _year_for(month, day, newest, months)
        lo = hi = dt.date(year, month, day)
        cut(m)
    # ranges
    m = re.search(rf"\b(?:between|from)\s+({_POINT})\s+(?:and|to|until|till|through|-)\s+({_POINT})", text, re.I)
    if m:
        a, b = _point_range(m[1], newest, months), _point_range(m[2], newest, months)
        if a and b:
            lo, hi = a[0], b[1]
            cut(m)
    if lo is None and hi is None:
        m = re.search(rf"\b(?:since|after)\s+({_POINT})", text, re.I)
        if m and (r := _point_range(m[1], newest, months)):
            lo = r[0] if m.group(0).lower().startswith("since") else r[1] + dt.timedelta(days=1)
            cut(m)
        m = re.search(rf"\b(?:before|until|till|up to|by)\s+({_POINT})", text, re.I)
        if m and (r := _point_range(m[1], newest, months)):
            hi = r[0] - dt.timedelta(days=1) if m.group(0).lower().startswith("before") else r[1]
            cut(m)
    if lo is None and hi is None:
        for pat in (_DAY, _MONTH, _DAY_NOYEAR):
            m = re.search(rf"(?:\b(?:on|in|of|during|for|from|dated)\s+(?:the\s+)?)?\b({pat})\b", text, re.I)
            if m and (r := _point_range(m[1], newest, months)):
                lo, hi = r
                cut(m)
                break
    if lo is None and hi is None:
        m = re.search(rf"\b(?:in|during|of|from)\s+({_MONTH_NOYEAR})\b(?!\s+\d)", text, re.I)
        if m and not re.match(r"may\b", m[1], re.I) and (r := _point_range(m[1], newest, months)):
            lo, hi = r
            cut(m)
        else:
            m = re.search(rf"\b(?:in|during|of)\s+({_YEAR})\b", text, re.I)
            if m and (r := _point_range(m[1], newest, months)):
                lo, hi = r
                cut(m)
    # relative to the newest article
    rel = [
        (r"\btoday\b", (ref, ref)),
        (r"\byesterday\b", (ref - dt.timedelta(days=1), ref - dt.timedelta(days=1))),
        (r"\bthis week\b", (ref - dt.timedelta(days=ref.weekday()), ref)),
        (r"\blast week\b", (ref - dt.timedelta(days=ref.weekday() + 7), ref - dt.timedelta(days=ref.weekday() + 1))),
        (r"\bthis month\b", (ref.replace(day=1), ref)),
        (r"\blast month\b", _month_range(*( (ref.year, ref.month - 1) if ref.month > 1 else (ref.year - 1, 12)))),
        (r"\bthis year\b", (dt.date(ref.year, 1, 1), ref)),
    ]
    if lo is None and hi is None:
        for pat, rng in rel:
            m = re.search(pat, text, re.I)
            if m:
                lo, hi = rng
                cut(m)
                break
        m = re.search(r"\b(?:in\s+)?the\s+(?:last|past)\s+(\d+|two|three|four|five|six|seven|ten)\s+(days?|weeks?)\b", text, re.I)
        if lo is None and m:
            n = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}.get(m[1].lower()) or int(m[1])
            days = max(1, n * (7 if m[2].lower().startswith("week") else 1))
            lo, hi = ref - dt.timedelta(days=days - 1), ref
            cut(m)
    if re.search(r"\b(latest|most recent|newest|recent|last)\b", text, re.I) and not re.search(
        r"\blast\s+(?:name|time|year|few|of)\b", text, re.I
    ):
        flags["latest"] = True
    if re.search(r"\b(first|earliest|oldest)\b", text, re.I):
        flags["earliest"] = True
    return re.sub(r"\s+", " ", text).strip(), lo, hi, flags


# ----------------------------------------------------------------------------- names

_TOPIC_BEFORE = re.compile(r"(?:about|regarding|concerning|against|on|criticised|criticized|attacked|sued|banned|mention(?:ing|s|ed)?)\s+(?:the\s+)?$", re.I)


def writes_capitals(q: str) -> bool:
    """Does the asker capitalise names? (A word after the first starts with a capital.) Then a
    lower-case "the age" or "news" in the question is a word, not the outlet or author."""
    return any(w[:1].isupper() for w in re.findall(r"[A-Za-z][\w'’\-]*", q)[1:])


def extract_sources(q: str, vocab: Vocabulary) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    found: list[str] = []
    text = q
    capitals = writes_capitals(q)
    for alias, canon in vocab.source_aliases():
        pat = re.compile(rf"(?<![\w-])(?:the\s+)?{re.escape(alias)}(?:'s|’s)?(?![\w-])", re.I)
        m = pat.search(text)
        if not m:
            continue
        bare = re.sub(r"^the\s+|(?:'s|’s)$", "", m.group(0).strip(), flags=re.I)
        if len(alias) <= 3 and not bare.isupper():
            continue  # short names only in capitals: "dw", "rte" in lower case are too ambiguous
        if capitals and not bare[:1].isupper():
            continue  # "at the age of 16" in a question that capitalises names is not The Age
        if _TOPIC_BEFORE.search(text[: m.start()]) and not re.search(r"\bby\s+$", text[: m.start()], re.I):
            continue  # "what did Trump say about CNN": a topic, not a filter
        if canon not in found:
            found.append(canon)
        text = text[: m.start()] + " " + text[m.end():]
    unknown: list[str] = []
    known_lower = {s.lower() for s in vocab.sources}
    for name in sorted(set(KNOWN_OUTLETS.values()), key=len, reverse=True):
        if name.lower() in known_lower or name in found:
            continue
        m = re.search(rf"(?<![\w-]){re.escape(name)}(?:'s|’s)?(?![\w-])", text)
        if m and not _TOPIC_BEFORE.search(text[: m.start()]):
            unknown.append(name)
    text = re.sub(r"\b(?:from|by|in|according to|at)\s*(?=[?.!,]|$)", " ", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip(), tuple(found), tuple(unknown)


def extract_names(
    q: str, names: tuple[str, ...], allow_last: bool = True, capitals: bool | None = None
) -> tuple[str, tuple[str, ...]]:
    """Names from ``names`` (authors) in the question. ``capitals``: whether the asker capitalises
    names (default: judged from ``q``; pass it when ``q`` has had filter phrases taken out)."""
    found: list[str] = []
    text = q
    capitals = writes_capitals(q) if capitals is None else capitals
    for name in sorted(names, key=len, reverse=True):
        if len(name) < 3:
            continue
        m = re.search(rf"(?<!\w){re.escape(name)}(?:'s|’s)?(?!\w)", text, re.I)
        if m and capitals and not m.group(0)[0].isupper():
            m = None  # "accused by news publishers" is not the author "News"
        if not m and allow_last and " " in name:
            last = name.split()[-1]
            if len(last) > 3:
                m = re.search(rf"\bby\s+{re.escape(last)}\b", text, re.I)
        if m:
            found.append(name)
            text = text[: m.start()] + " " + text[m.end():]
    return re.sub(r"\s+", " ", text).strip(), tuple(found)


# ----------------------------------------------------------------------------- kinds

CHITCHAT = re.compile(
    r"^\s*(hi|hello|hey|hiya|good (?:morning|afternoon|evening)|thanks?(?: you)?(?: very much| a lot)?|"
    r"thank you|cheers|ok(?:ay)?|cool|great|bye|goodbye|see you|who are you|what can you do|help)"
    r"[\s!.?,]*(?:there|bot|so much)?[\s!.?]*$",
    re.I,
)

_ARTICLE_NOUN = r"(?:articles?|stories|story|reports?|pieces?|items?|news(?:\s+items?)?|headlines?|texts?|documents?|publications?|posts?)"
COLLECTION = [
    re.compile(rf"\bhow many\s+(?:\w+\s+){{0,4}}?{_ARTICLE_NOUN}\b", re.I),
    re.compile(r"\bhow many\s+(?:different\s+|distinct\s+)?(?:sources|outlets|authors|publishers|newspapers|news outlets)\b", re.I),
    re.compile(r"\bhow many\s+(?:different\s+|distinct\s+)(?:days|dates|months|sections)\b|\bon how many days\b", re.I),
    re.compile(r"\b(?:number|count|total)\s+of\s+(?:\w+\s+){0,3}?" + _ARTICLE_NOUN, re.I),
    re.compile(r"\b(?:which|what)\s+(?:source|outlet|newspaper|publisher|site|agency|broadcaster|author|writer|journalist|day|date|month|week)s?\b.*\b(?:most|fewest|least|more|less|largest|biggest|top)\b", re.I),
    re.compile(r"\b(?:most|fewest)\s+(?:articles|stories|reports)\b", re.I),
    re.compile(rf"^\s*(?:please\s+)?(?:list|show|give|find|get|display|name)\s+(?:me\s+)?(?:all\s+|the\s+|some\s+)?(?:\w+\s+){{0,3}}?{_ARTICLE_NOUN}\b", re.I),
    re.compile(rf"^\s*(?:what|which)\s+(?:\w+\s+){{0,3}}?{_ARTICLE_NOUN}\s+(?:were|was|are|did|have|has|is)\b", re.I),
    re.compile(r"\bwhat did\s+.+?\s+(?:publish|run|post|cover)\b", re.I),
    re.compile(rf"\b(?:latest|newest|most recent|recent|first|earliest|oldest|last)\s+{_ARTICLE_NOUN}\b", re.I),
    re.compile(rf"\bwhen was the (?:first|last|latest|earliest|most recent|newest|oldest)\s+(?:\w+\s+)?{_ARTICLE_NOUN}\b", re.I),
    re.compile(r"\b(?:what|which)\s+(?:period|time ?span|date range|dates|time range|time frame)\b.*\b(?:cover|span|collection|corpus|index|archive|articles)\b", re.I),
    re.compile(r"\b(?:what|which)\s+(?:news\s+)?(?:sources|outlets|publishers|authors|newspapers|agencies)\s+(?:are|do|does|did|have|were)\b", re.I),
    re.compile(rf"^\s*(?:all\s+|any\s+)?(?:\w+\s+)?{_ARTICLE_NOUN}\s+(?:from|about|on|by|published|in|with|mentioning)\b", re.I),
    re.compile(r"\bdistribution\s+of\b|\bper\s+(?:day|source|outlet|month)\b|\bby\s+(?:source|outlet|day|month)\b\s*\??$", re.I),
]

METADATA = [
    (re.compile(r"\bwho\s+(?:wrote|authored|penned|is the author of|was the author of|reported|writes)\b", re.I), "author"),
    (re.compile(r"\b(?:the\s+)?(?:author|byline|writer|reporter)s?\s+of\b", re.I), "author"),
    (re.compile(r"\bwhen\s+(?:was|were|did)\s+(?:the|this|that|it)?\s*(?:\w+\s+)?(?:article|story|piece|report|it)\b.*\b(?:published|come out|appear|written|released|posted)", re.I), "date"),
    (re.compile(r"\b(?:publication|publishing)\s+date\b", re.I), "date"),
    (re.compile(r"\b(?:what|which)\s+(?:date|day)\s+(?:was|were|did)\s+(?:the|this|that|it)?\s*(?:\w+\s+)?(?:article|story|piece|report)\b.*\b(?:published|come out|appear|released|posted|run)\b", re.I), "date"),
    (re.compile(r"\b(?:which|what)\s+(?:news\s+)?(?:outlet|source|newspaper|publisher|site|website|agency|media|organi[sz]ation|broadcaster|channel)\s+(?:published|ran|reported|carried|wrote|posted|put out)\b", re.I), "source"),
    (re.compile(r"\bwho\s+published\b", re.I), "source"),
    (re.compile(r"\bwhat(?:'s| is| was)\s+the\s+(?:title|headline)\b|\bwhat\s+(?:is|was)\s+(?:the\s+)?(?:article|story)\s+(?:called|titled)\b", re.I), "title"),
    (re.compile(r"\b(?:photo|image|picture)\s+(?:credit|courtesy)\b|\bwho\s+(?:took|shot)\s+the\s+(?:photo|picture|image)s?\b", re.I), "credit"),
    (re.compile(r"\b(?:caption)s?\b", re.I), "caption"),
    (re.compile(r"\b(?:which|what)\s+sections?\b|\bsection\s+(?:was|is)\b|\bwhich\s+categor", re.I), "section"),
    (re.compile(r"\bdatelined?\b|\bwhere\s+was\s+(?:the|this|that|it)?\s*(?:article|story|report|piece|it)\s+(?:filed|written|datelined)\b", re.I), "dateline"),
    (re.compile(r"\b(?:link|url|web address)\s+(?:to|of|for)\s+(?:the|this|that|it)\b(?:\s+(?:article|story|piece|report))?|\bwhat(?:'s| is)\s+the\s+(?:url|link)\b|\bwhere can i read\b", re.I), "url"),
]

PERSON_NOUNS = r"(?:minister|president|leader|official|spokes(?:man|woman|person)|chancellor|secretary|ceo|chief|head|director|governor|senator|mayor|king|queen|prince|premier|ambassador|envoy|judge|player|coach|candidate|actor|actress|singer|author|writer|journalist|founder|chairman|chairwoman|commander|general|lawmaker|politician|man|woman|person|prosecutor|lawyer|activist|manager|captain|star|winner|victim|suspect|pope|emperor|dictator|diplomat|economist|analyst|expert|scientist|doctor|professor|officer|researcher|physicist|chemist|biologist|mathematician|philosopher|explorer|engineer|inventor|architect|artist|painter|poet|novelist|composer|musician|historian|theologian|astronomer|physician|surgeon|ruler|monarch|emperor|general|admiral|bishop|priest|saint|scholar|student|teacher|designer|owner|rapper|band member|quarterback|pitcher|striker|goalkeeper|athlete|entrepreneur|billionaire|businessman|businesswoman|host|presenter|anchor|editor|critic|producer|director|reformer|missionary|commentator|spokesperson|representative|congressman|congresswoman|deputy|mp|nominee|individual|figure|celebrity|personality|executive|investor|trader|banker)"
PLACE_NOUNS = r"(?:city|country|countries|town|village|region|province|state|capital|island|port|nation|continent|county|district|area|location|place|venue|airport|border|republic)"
ORG_NOUNS = r"(?:company|companies|firm|party|organi[sz]ation|agency|group|bank|airline|team|club|union|ministry|department|newspaper|network|university|court|body|institution|carrier|broadcaster|manufacturer|brand|alliance|coalition|militia|movement|platform|tool|app|website|chatbot|product|device|console|startup|franchise|studio|retailer|automaker|carmaker|maker|operator|insurer|lender|charity|regulator|watchdog)"


MONEY_NOUNS = (r"(?:turnover|revenues?|sales|budget|cost|price|value|salary|wages?|debt|deficit|surplus|profits?|"
               r"losses|income|gdp|investment|fine|fee|ransom|compensation|bill|valuation|earnings)")
COUNT_NOUNS = r"(?:population|death toll|toll|attendance|turnout|capacity|height|length|distance|weight|area|size|speed)"
_WH = re.compile(r"\b(?:what|which|who|whom|whose|where|when|how|why)\b")


_MONEY_WORDS = re.compile(
    r"\b(?:cost|costs|paid|pay|pays|price|worth|money|spend|spent|fund|funds|invest|budget|value|revenue|"
    r"dollars?|euros?|yuan|rubles?|pounds?|withdraw|salary|fine|loan|debt|sum)\b")
_MOD = r"(?:(?!(?:did|does|do|is|was|are|were|has|have|had|will|would|can|could|should|the|a|an|of)\b)[\w\-]+\s+)"
#: "which US immigration judge", "what company": up to two modifiers before the noun
_WHICH = rf"(?:what|which)\s+{_MOD}{{0,2}}?"
#: "what is the maximum amount", "what was Kazakhstan's bilateral trade turnover"
_THE = (rf"(?:what|which)\s+(?:is|was|are|were|will\s+be)\s+"
        rf"(?:the|his|her|their|its|(?:[\w\-]+\s+){{0,3}}?[\w\-]+['’]s?)\s+{_MOD}{{0,2}}?")
_AFTER = r"(?:\s+(?:of|for|between|in|at|on|during|when|from|to|with|that|which)\b|\s*\??$)"
_THE_PLACE = r"(?:city|country|town|village|region|province|capital|island|port|county|district|venue|airport)"


def answer_type(q: str) -> str:
    """The type of answer the question wants, read from its leading wh-phrase: in "what was the
    vote tally when ..." or "which agency did the man whose ... talk to" the later "when" and
    "whose" open a clause and say nothing about the answer."""
    s = q.lower().strip()
    if re.match(r"^(?:and\s+)?(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b", s):
        return "YESNO"
    wh = _WH.search(s)
    head = s[wh.start():] if wh else s  # the question from its wh-word on
    at = re.match if wh else re.search  # without a wh-word ("name the ..."), anywhere
    money = bool(_MONEY_WORDS.search(s))
    if at(r"how\s+much\b", head):
        return "MONEY" if money else "NUMBER"
    if at(r"how\s+(?:many|long|old|far|big|large|tall|high|deep|wide|heavy)\b", head):
        return "NUMBER"
    amount = at(rf"(?:{_THE}|(?:what|which)\s+)(amount|number|quantity|sum)\b", head) \
        or at(rf"(?:{_THE}|(?:what|which)\s+)({MONEY_NOUNS}|{COUNT_NOUNS}){_AFTER}", head) \
        or at(r"(?:what|which)\s+(amount|number|quantity|age|size)\b", head) \
        or at(rf"{_THE}(age|tally|score|toll|count){_AFTER}", head)
    if amount:  # "what was the trade turnover between ...", "what is the population of ..."
        noun = amount.group(1)
        return "MONEY" if re.fullmatch(MONEY_NOUNS, noun) or (noun in ("amount", "sum") and money) else "NUMBER"
    if at(r"(?:what|which)\s+(?:percentage|percent|share|proportion|rate)\b", head):
        return "PERCENT"
    if at(r"when\b|(?:what|which)\s+(?:year|date|day|month|time|decade|century|period)\b", head) \
            or at(r"what\s+(?:is|was)\s+the\s+(?:date|year|day)\b", head):
        return "DATE"
    if at(rf"where\b|{_WHICH}{PLACE_NOUNS}\b|{_THE}{_THE_PLACE}{_AFTER}", head):
        return "PLACE"
    if at(r"whose\s+(?:statistics|data|figures|report|study|survey|research|estimates?|analysis|poll|numbers)\b", head):
        return "ORG"  # an organisation as often as a person: any name will do
    if at(rf"who(?:m|se)?\b|{_WHICH}{PERSON_NOUNS}s?\b", head) or re.search(r"\bname\s+of\s+the\s+" + PERSON_NOUNS, s):
        return "PERSON"
    if at(rf"{_WHICH}{ORG_NOUNS}\b|{_THE}{ORG_NOUNS}{_AFTER}", head) or re.search(r"\bname\s+of\s+the\s+" + ORG_NOUNS, s):
        return "ORG"
    if at(r"what\s+(?:price|cost)\b", head):
        return "MONEY"
    return "OTHER"


def classify(q: str) -> tuple[str, str]:
    """(kind, metadata field)."""
    if CHITCHAT.match(q):
        return "chitchat", ""
    for pat in COLLECTION:
        if pat.search(q):
            return "collection", ""
    for pat, fld in METADATA:
        if pat.search(q):
            return "metadata", fld
    return "passage", ""


def parse_question(
    question: str, vocab: Vocabulary, explicit: Filters | None = None, context: str = ""
) -> ParsedQuestion:
    q = re.sub(r"\s+", " ", question).strip()
    kind, meta_field = classify(q)
    core, lo, hi, flags = extract_dates(q, vocab.newest, vocab.months)
    core, sources, unknown = extract_sources(core, vocab)
    core, authors = extract_names(core, vocab.authors, capitals=writes_capitals(q))
    sections = tuple(
        s for s in vocab.sections
        if len(s) > 2 and re.search(
            rf"\b(?:in the|section|category)\s+{re.escape(s)}\b|\b{re.escape(s)}\s+(?:section|category)\b",
            q, re.I)
    )
    filters = Filters(date_from=lo, date_to=hi, sources=sources, authors=authors, sections=sections)
    if explicit is not None and not explicit.empty():
        filters = filters.merge(explicit)
    pub = bool(PUBLICATION_CUES.search(q)) or kind in ("collection", "metadata")
    outside = False
    if (lo or hi) and vocab.newest and vocab.oldest:
        outside = bool((lo and lo > vocab.newest) or (hi and hi < vocab.oldest))
    return ParsedQuestion(
        text=q,
        core=core or q,
        filters=filters,
        date_is_publication=pub,
        latest=flags["latest"],
        earliest=flags["earliest"],
        kind=kind,
        answer_type=answer_type(q),
        meta_field=meta_field,
        context=context,
        unknown_sources=unknown,
        date_outside=outside,
    )


def without_dates(pq: ParsedQuestion) -> ParsedQuestion:
    f = replace(pq.filters, date_from=None, date_to=None)
    return replace(pq, filters=f)

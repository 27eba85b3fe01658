"""Filters found in a question's words: dates in all common forms and relative ones ("latest",
"this week", "in March", against the newest article), outlets, authors and sections, whose names
come from the catalog itself (``Vocabulary``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from qa.lang.dates import MONTH_RE, MONTHS, parse_date
from qa.lang.outlets import KNOWN_OUTLETS
from qa.question.types import Vocabulary

_DAY = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTH_RE})\.?,?\s+\d{{4}}|(?:{MONTH_RE})\.?\s+\d{{1,2}}(?:st|"
    rf"nd|rd|th)?,?\s+\d{{4}}|\d{{4}}[-/]\d{{1,2}}[-/]\d{{1,2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}})"
)
_DAY_NOYEAR = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTH_RE})\b|(?:{MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|"
    rf"th)?\b(?!,?\s*\d{{4}}))"
)
_MONTH = rf"(?:(?:{MONTH_RE})\.?,?\s+(?:of\s+)?\d{{4}})"
_MONTH_NOYEAR = rf"(?:{MONTH_RE})"
_YEAR = r"(?:(?:19|20)\d{2})"
_POINT = rf"(?:{_DAY}|{_MONTH}|{_DAY_NOYEAR}|{_YEAR})"

PUBLICATION_CUES = re.compile(
    r"\b(published|publish|publishes|articles?|stor(?:y|ies)|reports?|reported|news|coverage|"
    r"wrote|written|headlines?|pieces?|ran|covered|posted|issued)\b",
    re.I,
)
#: the same words as lemmas: what a date attaches to when it dates the article, not the event
#: ("what did CNN report on 3 March"; ``qa.question.parse.publication_dated``)
PUBLISHING = frozenset({"publish", "report", "cover", "run", "write", "post", "issue", "article", "story", "news",
                        "coverage", "piece", "headline"})


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
    m = re.search((
        rf"\b(?:in\s+|during\s+)?the\s+(first|second|third|fourth|"
        rf"last)\s+week\s+of\s+({MONTH_RE})\.?(?:,?\s+(\d{{4}}))?"
    ), text, re.I)
    if m:
        month = MONTHS[m[2].lower()]
        year = int(m[3]) if m[3] else _year_for(month, 1, newest, months)
        last = calendar.monthrange(year, month)[1]
        start = {"first": 1, "second": 8, "third": 15, "fourth": 22, "last": last - 6}[m[1].lower()]
        lo, hi = dt.date(year, month, start), dt.date(year, month, min(start + 6, last))
        cut(m)
    m = None if lo else re.search((
        rf"\b(?:between\s+|from\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:and|to|-|–|until|till)\s*(\d{{1,2}})(?:st|nd|"
        rf"rd|th)?\s+(?:of\s+)?({MONTH_RE})\.?(?:,?\s+(\d{{4}}))?\b"
    ), text, re.I)
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
            # every day (or month) the question names: "the report from A on 24 November and the
            # one from B on 25 November" is about articles from both days, not the first alone
            found = [(m, r) for m in re.finditer(
                rf"(?:\b(?:on|in|of|during|for|from|dated)\s+(?:the\s+)?)?\b({pat})\b", text, re.I)
                if (r := _point_range(m[1], newest, months))]
            if found:
                lo, hi = min(r[0] for _, r in found), max(r[1] for _, r in found)
                for m, _ in found:
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
        m = re.search(r"\b(?:in\s+)?the\s+(?:last|past)\s+(\d+|two|three|four|five|six|seven|ten)\s+(days?|weeks?)\b",
                      text, re.I)
        if lo is None and m:
            words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
            n = words.get(m[1].lower()) or int(m[1])
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

_TOPIC_BEFORE = re.compile((
    r"(?:about|regarding|concerning|against|on|criticised|criticized|attacked|sued|banned|mention(?:ing|s|"
    r"ed)?)\s+(?:the\s+)?$"
), re.I)


def writes_capitals(q: str) -> bool:
    """Does the asker capitalise names? (A word after the first starts with a capital.) Then a
    lower-case "the age" or "news" in the question is a word, not the outlet or author."""
    return any(w[:1].isupper() for w in re.findall(r"[A-Za-z][\w'’\-]*", q)[1:])


def extract_sources(q: str, vocab: Vocabulary) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    found: list[str] = []
    text = q
    capitals = writes_capitals(q)
    for alias, canon in vocab.source_aliases(within=q):
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
        if name.lower() in known_lower or name in found or name not in text:
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
    low = text.lower()
    for name in sorted(names, key=len, reverse=True):
        if len(name) < 3:
            continue
        if name.lower() not in low and not (allow_last and " " in name and name.split()[-1].lower() in low):
            continue  # the usual case, without compiling a pattern per author
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
            low = text.lower()
    return re.sub(r"\s+", " ", text).strip(), tuple(found)


# ----------------------------------------------------------------------------- kinds

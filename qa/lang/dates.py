"""Date parsing for article fields (many export formats) and helpers shared by the query parser."""

from __future__ import annotations

import datetime as dt
import re

#: each month's full name first, then its abbreviations
MONTH_NAMES = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
MONTHS = {name: i + 1 for i, names in enumerate(MONTH_NAMES) for name in names}
# ASCII-only matching: under re.I, "ſ" and "K" (Kelvin) would match s / k and then miss MONTHS
MONTH_RE = "(?a:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"

_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DMY_NUM = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)")
_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_RE})\.?,?\s+(\d{{4}})", re.I)
_MDY = re.compile(rf"\b({MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _mk(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date(value: object) -> dt.date | None:
    """Parse a date written in any common export form; None when there is none.

    Handles ISO (``2017-03-15``, ``2017-03-15T10:00:00Z``), slashes (``2017/3/15``, also with a
    time and stray quotes/spaces), ``15 March 2017``, ``March 15, 2017``, ``15.03.2017``,
    ``20170315`` and epoch seconds.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 10_000_000 <= value <= 99_991_231:
            return parse_date(str(int(value)))
        try:
            return dt.datetime.fromtimestamp(float(value), tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip().strip("'\"").strip()
    if not text:
        return None
    if m := _COMPACT.match(text):
        return _mk(int(m[1]), int(m[2]), int(m[3]))
    if m := _ISO.search(text):
        return _mk(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.search(text):
        return _mk(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    if m := _MDY.search(text):
        return _mk(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    if m := _DMY_NUM.search(text):
        return _mk(int(m[3]), int(m[2]), int(m[1]))
    if re.fullmatch(r"\d{9,10}(\.\d+)?", text):
        return parse_date(float(text))
    return None


def date_int(d: dt.date | None) -> int:
    """``2017-03-15`` -> ``20170315``; 0 for no date (Chroma range filters need ints)."""
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def from_int(value: int) -> dt.date | None:
    return _mk(value // 10000, value // 100 % 100, value % 100) if value else None


def human(d: dt.date | None) -> str:
    """``2017-03-15`` -> ``15 March 2017``."""
    return f"{d.day} {d.strftime('%B')} {d.year}" if d else "an unknown date"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_SPAN = re.compile(rf"(?:(?P<lead>last|next|this|on|early|late)\s+)?(?P<day>{'|'.join(WEEKDAYS)})"
                           r"(?:['’]s)?(?:\s+(?:morning|afternoon|evening|night))?", re.I)
#: a sentence about what is still to come: its weekday is the next one, not the last
_AHEAD = re.compile(r"\b(?:will|shall|is due|are due|is set to|are set to|is scheduled|are scheduled|"
                    r"is expected|are expected|plans? to|planned for|next|upcoming|ahead of)\b", re.I)


#: where a clause ends: punctuation, quotes, and the words that open another clause
_CLAUSE_END = re.compile(r"[,;:\"“”()]|\s[-–—]\s|\b(?:following|after|before|but|while|because|since)\b", re.I)


def _clause_of(word: str, sentence: str) -> str:
    """The clause of ``sentence`` that holds ``word``: "will ... following his resignation on
    Monday" -> "following his resignation on Monday". A weekday that opens its sentence ("On
    Monday, the court will rule") belongs to the clause after it."""
    at = sentence.lower().find(word.lower())
    if at < 0:
        return sentence
    ends = list(_CLAUSE_END.finditer(sentence))
    start = max((m.start() for m in ends if m.end() <= at), default=0)
    after = [m.start() for m in ends if m.start() >= at + len(word)]
    stops = [*after, len(sentence)]
    fronted = len(sentence[start:at].split()) <= 1 and sentence[at + len(word):stops[0]].strip() == ""
    stop = stops[1] if fronted and len(stops) > 1 else stops[0]  # "On Monday, ...": the clause it opens
    return sentence[start:stop]


def weekday_date(span: str, sentence: str, published: dt.date | None) -> dt.date | None:
    """The calendar day a bare weekday means in an article of ``published``: "on Monday" in a
    report of Tuesday 7 February 2017 is 6 February, "will vote on Sunday" the next Sunday.
    None when the span is not a weekday or the article has no date."""
    m = _WEEKDAY_SPAN.fullmatch(span.strip())
    if m is None or published is None:
        return None
    target = WEEKDAYS.index(m.group("day").lower())
    lead = (m.group("lead") or "").lower()
    if lead == "next" or (lead != "last" and _AHEAD.search(_clause_of(m.group("day"), sentence))):
        return published + dt.timedelta(days=(target - published.weekday()) % 7 or 7)
    back = (published.weekday() - target) % 7
    return published - dt.timedelta(days=back or (7 if lead == "last" else 0))


def dated_span(span: str, sentence: str, published: dt.date | None) -> tuple[str, str]:
    """A when-answer and how it was read: a bare weekday becomes its calendar day, with a note
    ("Monday, 6 February 2017", " (“Monday” in an article of 7 February 2017)"); other spans
    are returned as they are, without a note."""
    day = weekday_date(span, sentence, published)
    if day is None:
        return span, ""
    return f"{day.strftime('%A')}, {human(day)}", f" (“{span}” in an article of {human(published)})"

"""Property-based tests (hypothesis) of the question parser and date extraction.

``parse_question`` must return a well-formed ``ParsedQuestion`` for any text (any Unicode,
dates in years 0..9999, huge "last N days", a collection whose newest article is 1 January 0001
or 31 December 9999) and turn valid date phrases into the right range. ``parse_date`` must give
the date or None for any value. A last property asks the real engine (fake embedder) arbitrary
questions end to end: an ``Answer`` every time, never an exception.

Fast (CI) ~100-200 examples per property; ``-m slow`` runs many more.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qa.lang.dates import parse_date
from qa.question.filters import extract_dates
from qa.question.parse import parse_question
from qa.question.types import ParsedQuestion, Vocabulary

FAST = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SLOW = settings(FAST, max_examples=5000, derandomize=False)

MONTH_NAMES = list(calendar.month_name)[1:]
KINDS = {"chitchat", "collection", "metadata", "passage"}
TYPES = {"PERSON", "DATE", "NUMBER", "MONEY", "PERCENT", "PLACE", "ORG", "OTHER", "YESNO"}

any_date = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
# words that steer the parser into its date, range, relative-date and name branches
VOCAB = ["in", "on", "of", "the", "between", "and", "from", "to", "since", "after", "before", "until", "by",
         "during", "first", "last", "second", "week", "weeks", "days", "past", "yesterday", "today", "this",
         "month", "year", "latest", "earliest", "christmas", "halloween", "new year's eve", "published",
         "articles", "who", "what", "when", "how many", "said", "TASS", "BBC", "Ana Lopez", "Putin",
         "ſeptember", "Kelvin\u212a", "\u200b", "\u202e", "0000", "0001", "9999", "99999999999", "-", "–",
         "1-7", "31", "32", "0", "29", "2017", "1999", "2017-02-29", "0000-01-01", "15.03.2017", "?", ",",
         *MONTH_NAMES, "Sept", "Dec.", "mar"]
word_salad = st.lists(st.one_of(st.sampled_from(VOCAB), st.integers(0, 9999).map(str)),
                      max_size=14).map(" ".join)
questions = st.one_of(st.text(max_size=200), word_salad)


@st.composite
def vocabularies(draw: Any) -> Vocabulary:
    a, b = sorted([draw(any_date), draw(any_date)])
    newest = draw(st.sampled_from([None, b, dt.date(1, 1, 1), dt.date(9999, 12, 31)]))
    months = frozenset(draw(st.lists(st.tuples(st.integers(1, 9999), st.integers(1, 12)), max_size=4)))
    return Vocabulary(
        sources=tuple(draw(st.lists(st.sampled_from(["TASS", "BBC", "Le Monde", "ſ", "\u200b", "a.b"]),
                                    max_size=3, unique=True))),
        authors=tuple(draw(st.lists(st.sampled_from(["Ana Lopez", "Putin", "O'Brien", "X"]), max_size=3,
                                    unique=True))),
        sections=tuple(draw(st.lists(st.sampled_from(["World", "Sport", "(", "a+b"]), max_size=2, unique=True))),
        newest=newest, oldest=a if newest else None, months=months,
    )


def check_parsed(pq: ParsedQuestion, question: str) -> None:
    assert isinstance(pq, ParsedQuestion)
    assert isinstance(pq.core, str) and isinstance(pq.text, str)
    if question.strip():
        assert pq.core.strip()
    assert pq.kind in KINDS and pq.answer_type in TYPES
    f = pq.filters
    for d in (f.date_from, f.date_to):
        assert d is None or isinstance(d, dt.date)
    assert all(isinstance(x, str) for x in (*f.sources, *f.authors, *f.sections))


# ---------------------------------------------------------------------------- parse_question
def _any_question(q: str, vocab: Vocabulary) -> None:
    check_parsed(parse_question(q, vocab), q)


@FAST
@given(q=questions, vocab=vocabularies())
def test_parse_question_never_crashes(q: str, vocab: Vocabulary) -> None:
    _any_question(q, vocab)


@pytest.mark.slow
@SLOW
@given(q=questions, vocab=vocabularies())
def test_parse_question_never_crashes_slow(q: str, vocab: Vocabulary) -> None:
    _any_question(q, vocab)


@FAST
@given(year=st.integers(0, 9999), month=st.integers(1, 12), vocab=vocabularies(),
       prefix=st.sampled_from(["what happened in", "articles published in", "news from", "during"]))
def test_month_and_year_phrases_for_years_0_to_9999(year: int, month: int, vocab: Vocabulary, prefix: str) -> None:
    q = f"{prefix} {MONTH_NAMES[month - 1]} {year:04d}?"
    pq = parse_question(q, vocab)
    check_parsed(pq, q)
    if year >= 1:
        last = calendar.monthrange(year, month)[1]
        assert (pq.filters.date_from, pq.filters.date_to) == (dt.date(year, month, 1), dt.date(year, month, last))
    else:  # there is no year 0: no date filter rather than an error
        assert pq.filters.date_from is None and pq.filters.date_to is None


@FAST
@given(a=any_date, b=any_date, vocab=vocabularies())
def test_between_two_days_gives_that_range(a: dt.date, b: dt.date, vocab: Vocabulary) -> None:
    lo, hi = sorted([a, b])
    q = f"who said what between {lo.day} {MONTH_NAMES[lo.month - 1]} {lo.year:04d} and " \
        f"{hi.day} {MONTH_NAMES[hi.month - 1]} {hi.year:04d}"
    pq = parse_question(q, vocab)
    check_parsed(pq, q)
    assert (pq.filters.date_from, pq.filters.date_to) == (lo, hi)


@FAST
@given(n=st.integers(0, 10**15), unit=st.sampled_from(["days", "weeks"]), newest=any_date)
def test_the_last_n_days_never_overflows(n: int, unit: str, newest: dt.date) -> None:
    _, lo, hi, _ = extract_dates(f"news in the last {n} {unit}", newest)
    if lo is not None:
        assert hi == newest and lo <= hi


@pytest.mark.parametrize("newest", [dt.date(1, 1, 1), dt.date(1, 1, 31), dt.date(9999, 12, 31)])
@pytest.mark.parametrize("phrase", ["yesterday", "last week", "this week", "last month", "this year",
                                    "in March", "on 5 March", "christmas", "the first week of January",
                                    "since 31 December 9999", "after 31 December 9999", "before 1 January 0001",
                                    "in the last 3650000 days", "between 1 and 7 March 0000"])
def test_relative_dates_at_the_ends_of_the_calendar(newest: dt.date, phrase: str) -> None:
    pq = parse_question(f"what was published {phrase}?", Vocabulary(newest=newest, oldest=newest))
    check_parsed(pq, phrase)


@pytest.mark.parametrize("q", ["news from 15 ſeptember 2017", "15 ſep 2017", "3 auguſt 2017",
                               "articles of 15 Aprİl 2017", "DEC 5, 2017"])
def test_unicode_case_folding_does_not_break_month_lookup(q: str) -> None:
    check_parsed(parse_question(q, Vocabulary()), q)
    parse_date(q)


def test_long_questions_parse() -> None:
    """Pathological lengths parse to a well-formed question (whether the time stays linear is
    measured by ``python -m bench.long_questions``, not asserted here)."""
    v = Vocabulary(sources=("TASS",), authors=("Ana Lopez",), newest=dt.date(2020, 1, 1), oldest=dt.date(2017, 1, 1))
    for q in ("between 1 and " * 2000, "15 March " * 3000, "\u200b" * 30000, "Ab Cd " * 5000):
        check_parsed(parse_question(q, v), q)


# ---------------------------------------------------------------------------- parse_date
@FAST
@given(y=st.integers(0, 9999), m=st.integers(0, 13), d=st.integers(0, 32),
       form=st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{y:04d}/{m}/{d}", "{y:04d}-{m:02d}-{d:02d}T10:00:00Z",
                             "'{y:04d}-{m:02d}-{d:02d}'", "{d:02d}.{m:02d}.{y:04d}", "{y:04d}{m:02d}{d:02d}"]))
def test_parse_date_numeric_forms_year_0_to_9999(y: int, m: int, d: int, form: str) -> None:
    try:
        expected: dt.date | None = dt.date(y, m, d)
    except ValueError:
        expected = None
    assert parse_date(form.format(y=y, m=m, d=d)) == expected


@FAST
@given(day=any_date, form=st.sampled_from(["{d} {M} {y:04d}", "{M} {d}, {y:04d}", "{d}th of {M} {y:04d}",
                                           "{M3}. {d} {y:04d}", "on {d} {MU} {y:04d}"]))
def test_parse_date_written_forms(day: dt.date, form: str) -> None:
    name = MONTH_NAMES[day.month - 1]
    text = form.format(d=day.day, M=name, M3=name[:3], MU=name.upper(), y=day.year)
    assert parse_date(text) == day, text


@FAST
@given(value=st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.none(), st.booleans(),
                       st.datetimes(), st.dates(), st.binary(max_size=20)))
def test_parse_date_any_value(value: Any) -> None:
    out = parse_date(value)
    assert out is None or isinstance(out, dt.date)


@pytest.mark.slow
@SLOW
@given(value=st.one_of(st.text(), st.integers(), st.floats(), word_salad))
def test_parse_date_any_value_slow(value: Any) -> None:
    out = parse_date(value)
    assert out is None or isinstance(out, dt.date)


# ---------------------------------------------------------------------------- end to end (fake embedder)
@pytest.fixture(scope="module")
def asking_bot(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from qa import ArticleQA, Settings
    from tests.conftest import CORPUS

    bot = ArticleQA(settings=Settings.from_env(home=tmp_path_factory.mktemp("ask-home"), embedder="hash"))
    bot.ingest([CORPUS])
    yield bot
    bot.close()


def _ask(bot: Any, q: str) -> None:
    from qa.types import Answer

    assume(q.strip())
    answer = bot.ask(q)
    assert isinstance(answer, Answer) and isinstance(answer.text, str)


@settings(FAST, max_examples=30)
@given(q=questions)
def test_engine_answers_any_question(asking_bot: Any, q: str) -> None:
    _ask(asking_bot, q)


@pytest.mark.slow
@settings(SLOW, max_examples=1000)
@given(q=questions)
def test_engine_answers_any_question_slow(asking_bot: Any, q: str) -> None:
    _ask(asking_bot, q)

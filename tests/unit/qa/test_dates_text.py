"""Date parsing and sentence splitting."""

from __future__ import annotations

import datetime as dt

import pytest

from qa.lang.dates import date_int, from_int, parse_date, weekday_date
from qa.lang.text import split_sentences


@pytest.mark.parametrize(
    "raw, want",
    [
        ("2017/3/15", dt.date(2017, 3, 15)),
        ("'          2016/12/30 7:11'", dt.date(2016, 12, 30)),
        ("2017-03-15T10:22:00Z", dt.date(2017, 3, 15)),
        ("on 25 JANUARY 2022", dt.date(2022, 1, 25)),
        ("March 15, 2017", dt.date(2017, 3, 15)),
        ("15th of March 2017", dt.date(2017, 3, 15)),
        ("15.03.2017", dt.date(2017, 3, 15)),
        ("20170315", dt.date(2017, 3, 15)),
        ("", None),
        ("soon", None),
        ("2017/13/45", None),
    ],
)
def test_parse_date(raw: str, want: dt.date | None) -> None:
    assert parse_date(raw) == want


def test_date_int_round_trip() -> None:
    assert date_int(dt.date(2017, 3, 5)) == 20170305
    assert from_int(20170305) == dt.date(2017, 3, 5)
    assert date_int(None) == 0 and from_int(0) is None


def test_sentences_are_abbreviation_safe_and_verbatim() -> None:
    text = (
        "Rep. John Smith of the U.S. House met Gen. Lee on Jan. 5 in Washington. "
        "They talked for 2.5 hours. Was it useful? \"Yes,\" said Mr. Smith.\nNew paragraph here."
    )
    spans = split_sentences(text)
    got = [text[s:e] for s, e in spans]
    assert got == [
        "Rep. John Smith of the U.S. House met Gen. Lee on Jan. 5 in Washington.",
        "They talked for 2.5 hours.",
        "Was it useful?",
        "\"Yes,\" said Mr. Smith.",
        "New paragraph here.",
    ]


def test_a_dash_after_a_full_stop_is_a_lost_paragraph_break() -> None:
    text = ("Repairs will cost $1 trillion.- The officials put the dams at $21 billion. -He agreed. "
            "U.S.-China trade grew.")
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["Repairs will cost $1 trillion.", "The officials put the dams at $21 billion.", "He agreed.",
                   "U.S.-China trade grew."]


@pytest.mark.parametrize(
    ("span", "sentence", "day"),
    [
        ("Monday", "Cook resigned as captain on Monday.", dt.date(2017, 2, 6)),  # the last Monday
        ("Tuesday", "The vote took place on Tuesday.", dt.date(2017, 2, 7)),  # the day it was published
        ("last Tuesday", "He spoke last Tuesday.", dt.date(2017, 1, 31)),
        ("Sunday", "Turks will vote on Sunday.", dt.date(2017, 2, 12)),  # still to come: the next one
        ("next Tuesday", "The hearing is next Tuesday.", dt.date(2017, 2, 14)),
        ("Friday night", "The fire broke out on Friday night.", dt.date(2017, 2, 3)),
        # only the weekday's own clause says whether it is still to come
        ("Monday", 'Cook says it will "not be an issue" following his resignation on Monday.', dt.date(2017, 2, 6)),
        ("Friday", "The minister, who resigned on Friday, will be replaced.", dt.date(2017, 2, 3)),
        ("Monday", "On Monday, the court will rule on the case.", dt.date(2017, 2, 13)),
        ("Monday", "On Monday, the court ruled on the case.", dt.date(2017, 2, 6)),
    ],
)
def test_a_weekday_is_the_calendar_day_of_the_article_it_is_in(span: str, sentence: str, day: dt.date) -> None:
    published = dt.date(2017, 2, 7)  # a Tuesday
    assert weekday_date(span, sentence, published) == day


def test_what_is_not_a_bare_weekday_has_no_weekday_date() -> None:
    assert weekday_date("March 3", "x", dt.date(2017, 2, 7)) is None
    assert weekday_date("Monday", "x", None) is None


def test_a_base_form_matches_its_inflections() -> None:
    from qa.answer.reader import base_form
    from qa.lang.text import content_terms, match_form
    from qa.plan.tools import weighted_share

    assert match_form("accuse") == match_form("accus") == "accus"  # stem("accuse"), stem("accused")
    assert base_form(content_terms("give")[0]) == base_form(content_terms("giving")[0])
    assert match_form("the") == "the" and match_form("bee") == "bee"  # short words stay
    claim = set(content_terms("did prosecutors accuse Lee of giving donations"))
    assert weighted_share(claim, "Prosecutors accused Mr Lee of giving donations.", lambda t: 1.0) == 1.0

"""Typos read against the collection: which words count as typos, and which neighbour is chosen."""

from __future__ import annotations

import pytest

from qa.lang.text import content_terms
from qa.question import spelling
from qa.question.spelling import apply, corrections, edits

#: a made-up collection: document frequencies and passages where two words occur together, by
#: word (stemmed below, as the keyword index holds its terms)
WORDS = {"bought": 40, "kuka": 3, "german": 90, "robot": 12, "maker": 30, "chinese": 80, "firm": 50,
         "rising": 200, "missing": 60, "rear": 5, "kerry": 4, "engine": 20, "airliner": 9, "fly": 30}
PAIRS = {("bought", "kuka"): 2, ("missing", "kerry"): 2, ("missing", "rear"): 2}
DF = {content_terms(w)[0]: n for w, n in WORDS.items()}
TOGETHER = {frozenset(content_terms(f"{a} {b}")): n for (a, b), n in PAIRS.items()}


def df(term: str) -> int:
    return DF.get(term, 0)


def together(terms: list[str]) -> int:
    return TOGETHER.get(frozenset(terms), 0)


def test_a_word_no_article_and_no_dictionary_has_becomes_the_neighbour_found_with_the_question() -> None:
    q = "which chinese firm bougth german robot maker kuka?"
    found = corrections(q, df, together)
    assert [(c.typed, c.read) for c in found] == [("bougth", "bought")]
    assert apply(q, found) == "which chinese firm bought german robot maker kuka?"


def test_the_neighbour_that_occurs_with_the_question_wins_over_a_commoner_one() -> None:
    # "rising" is more common, but only "missing" is ever next to Kerry Rear
    found = corrections("kerry rear had been mising since when?", df, together)
    assert [c.read for c in found] == ["missing"]


def test_names_dictionary_words_and_short_words_are_left_alone() -> None:
    assert corrections("Who founded Xqzvo Labs?", df, together) == []  # capitalised: a name
    assert corrections("which alumna was it named after?", df, together) == []  # a word, if not here
    assert corrections("how did the qx fly?", df, together) == []  # too short to guess


def test_a_mistyped_first_word_is_read_as_a_question_word() -> None:
    assert [c.read for c in corrections("wich engine will the airliner fly with?", df, together)] == ["which"]
    assert [c.read for c in corrections("Whn will the airliner fly?", df, together)] == ["When"]
    assert [c.read for c in corrections("whos the ceo of kuka?", df, together)] == ["who's"]
    assert corrections("were did the airliner fly?", df, together) == []  # a word: not touched


def test_edits_are_one_letter_away() -> None:
    out = {w for _, w in edits("abc")}
    assert {"bac", "ab", "abcd", "xbc", "ac"} <= out and "abc" not in {w for r, w in edits("abc") if r != 2}


def test_without_the_dictionary_nothing_is_corrected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spelling, "_dictionary", lambda: None)
    assert corrections("which chinese firm bougth german robot maker kuka?", df, together) == []

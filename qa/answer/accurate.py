"""Accurate mode's reading: the local reader model picks the answer phrase among the fast
reader's best distinct sentences (``ACCURATE_SENTENCES``), and the phrase is snapped to the
typed span it overlaps (``qa.answer.reader.snap_span``).

The model may say that no sentence answers (``NO_ANSWER``: the engine refuses). A phrase that
only repeats the question's own words ("Lashkar-e-Islam" for "who is the leader of
Lashkar-e-Islam?") answers nothing either: on the three blind dev sets every such answer was
wrong (4, 4 and 6 of them), so it counts as the model finding no answer.
"""

from __future__ import annotations

import logging
from typing import Any

from qa.answer.pick import said_by_question
from qa.answer.reader import Reading, snap_span
from qa.lang.text import words
from qa.question.types import ParsedQuestion
from qa.types import Chunk

logger = logging.getLogger(__name__)

ACCURATE_SENTENCES = 4  #: sentences the reader model sees in accurate mode (~40 tokens each)
#: what ``model_reading`` returns when the reader model says no sentence answers
NO_ANSWER = Reading(chunk=Chunk(id="", article_id="", position=0, text="", start=0, end=0), start=0, end=0,
                    sentence="", span="", span_start=-1, score=0.0, match=0.0, passage_rank=-1)


def model_reading(llm: Any, pq: ParsedQuestion, readings: list[Reading]) -> Reading | None:
    """The reader model's span over the best distinct sentences; ``NO_ANSWER`` when it says none
    answers or only echoes the question; None when it is unavailable (the fast reading stands)."""
    top: list[Reading] = []
    for r in readings:
        if all(r.sentence != t.sentence for t in top):
            top.append(r)
        if len(top) == ACCURATE_SENTENCES:
            break
    try:
        ok, _ = llm.available()
        if not ok:
            return None
        span = llm.read_span(pq.text, [r.sentence for r in top])
    except Exception as exc:  # the model is an optional extra: fall back to the fast reader
        logger.warning("accurate mode unavailable, using the fast reader: %s", exc)
        return None
    if span == "":
        return NO_ANSWER
    if not span or not any(ch.isalnum() for ch in span):
        return None
    if said_by_question(span, set(words(pq.text))):
        return NO_ANSWER  # "Lashkar-e-Islam" for "who is the leader of Lashkar-e-Islam?"
    for r in top:
        pos = r.sentence.find(span)
        if pos >= 0:
            return snap_span(r, pos, span, pq.answer_type)
    return None

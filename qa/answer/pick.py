"""The typed answer inside one sentence: the candidate of the asked kind the question points
at (next to the question's words and the asked-for noun, with a unit when it asks how tall),
cut to the answer ("18 students" -> "18"), and what finding it adds to the sentence's score."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.spans import Span
from qa.lang.dates import MONTH_NAMES
from qa.lang.places import is_country
from qa.lang.text import STOPWORDS, content_terms, stem, words
from qa.lang.units import COUNT_WORDS, UNIT_WORDS

NAMES = frozenset({"PERSON", "PLACE", "ORG"})
#: a name candidate of the asked kind (a place after "in", an entity of the asked type) over others
TYPE_MATCH = 0.3
#: a candidate the parse makes the asked argument of the question's verb (its subject for "who
#: illustrated ...?", the passive's agent, ...): ``qa.lang.roles.arguments``
ARGUMENT = 0.4

_CALENDAR = re.compile(r"\d|\b(?:" + "|".join(names[0].capitalize() for names in MONTH_NAMES) + r")\b")

#: words after a number that belong to the answer even when the question does not name them
MEASURES = UNIT_WORDS | COUNT_WORDS


MEASURE_Q = re.compile(r"\bhow\s+(?:tall|high|far|deep|wide|long|heavy)\b", re.I)


#: what follows an attributive measure: "a 12-meter tall (39-foot) sculpture" -> "sculpture"
_MEASURED = re.compile(r"(?:\s*\([^)]*\))?[\s\-)]*(?:(?:tall|high|long|wide|deep|heavy)\b)?"
                       r"(?:\s*\([^)]*\))?[\s\-)]*([a-z]+)")


def _measures_other(sentence: str, span: Span, q_terms: set[str]) -> bool:
    """"a 12-meter tall sculpture" measures the sculpture: not the answer to "how tall is the
    Frauenkirche?" (only attributive measures, the ones joined by a hyphen, name their noun)."""
    if "-" not in span.text and sentence[span.end : span.end + 1] != "-":
        return False
    m = _MEASURED.match(sentence, span.end)
    if m is None:
        return False
    return m.group(1) not in STOPWORDS and stem(m.group(1)) not in q_terms


_PLACE_PHRASE = re.compile(
    r"\b([A-Za-z]+)\s+(?:in|at|into|inside|on|under|near|beneath)\s+(?:(?:the|a|an|its|their|his|her)\s+)?"
    r"([a-z][\w\-]*(?:\s+[a-z][\w\-]*){0,3})")


def _place_phrase(sentence: str, verbs: set[str]) -> Span | None:
    """Where-questions answered without a name: "the juice is stored in million-gallon aseptic
    tanks" -> "million-gallon aseptic tanks" (the phrase after the question's own verb)."""
    for m in _PLACE_PHRASE.finditer(sentence):
        if stem(m.group(1).lower()) not in verbs:
            continue
        kept: list[str] = []
        for w in m.group(2).split():
            if w in STOPWORDS:
                break
            kept.append(w)
        if kept:
            start = m.start(2)
            text = " ".join(kept)
            return Span(start, start + len(text), text, "PHRASE")
    return None


def said_by_question(text: str, q_words: set[str]) -> bool:
    """Every word of ``text`` is one of the question's (``q_words``): it cannot be the answer. A
    possessive typed without its apostrophe says the name too ("ashley grahams husband")."""
    said = set(words(text))
    return bool(said) and all(w in q_words or f"{w}s" in q_words for w in said)


def _fits(sentence: str, c: Span, ask: TypedAsk, q_terms: set[str]) -> bool:
    """The candidate may answer: not already in the question, a country only where one is asked
    for, a measure with its unit where the question asks how tall / far / ..."""
    if said_by_question(c.text, ask.q_words):
        return False  # the question already says it
    if ask.country and not is_country(c.text):
        return False  # "which country": Zambia, not the "Fall" of "Fall armyworms", nor Moscow
    if ask.local and is_country(c.text):
        return False  # "which German city": Frankfurt, not Germany
    if ask.need_unit:  # "how tall" is not answered by a bare "12"
        unit = re.match(r"[\s\-]?([a-z]+)", sentence[c.end:c.end + 12].lower())
        said = re.findall(r"[a-z]+", c.text.lower()) + ([unit.group(1)] if unit else [])
        if not any(w in MEASURES for w in said) or _measures_other(sentence, c, q_terms):
            return False
    return True


def _pick_span(sentence: str, cands: list[Span], matched_pos: list[int], head_pos: list[int],
               ask: TypedAsk, args: tuple[tuple[int, int], ...] = ()) -> Span | None:
    kind, q_words, prep = ask.kind, ask.q_words, ask.prep
    q_terms = {stem(w) for w in q_words} if ask.need_unit else set()
    best: tuple[float, Span] | None = None
    for c in cands:
        if not _fits(sentence, c, ask, q_terms):
            continue
        c_words = set(words(c.text))
        if kind == "NUMBER":  # "150,000 members" for "how many members": the counted noun is no echo
            c_words -= {w for w in c_words if any(t in content_terms(w) for t in ask.heads)}
        new = len(c_words - q_words) / max(1, len(c_words))
        dist = min((abs(c.start - p) for p in matched_pos), default=len(sentence))
        score = new + 1.0 / (1.0 + dist / 25.0)
        if head_pos:  # next to the asked-for noun: "the artist Manaf Halbouni", "Barclays' ... brother"
            score += 0.6 / (1.0 + min(min(abs(c.start - p), abs(c.end - p)) for p in head_pos) / 12.0)
        if kind in NAMES and c.kind == kind:
            score += TYPE_MATCH  # a place, not a name that might be one; the recogniser's person or organisation
        if prep and re.search(rf"\b{prep}\s+(?:the\s+)?$", sentence[max(0, c.start - 12) : c.start], re.I):
            score += 0.3  # "import its roses from?" -> "imported from Ecuador"
        if kind == "DATE":  # a calendar date or year says "when" better than "Monday" / "today"
            score += 0.3 if _CALENDAR.search(c.text) else 0.0
        if kind in ("PERSON", "ORG") and len(c.text.split()) > 1:
            score += 0.15
        if any(c.start < e and s < c.end for s, e in args):
            score += ARGUMENT  # "who illustrated the book?" -> "was illustrated by Donato Bertelli"
        if best is None or score > best[0]:
            best = (score, c)
    return best[1] if best else None


def _with_its_region(sentence: str, span: Span, cands: list[Span]) -> Span:
    """A place is named with the region it lies in: "Palm Beach, Florida" and "Dunedin, New
    Zealand", whichever of the two was picked (the first is the one asked for). Not in a list
    ("from South Africa, Malaysia, India and Brazil")."""
    def joined(a: Span, b: Span) -> bool:
        return a.end <= b.start and sentence[a.end : b.start] == ", "

    def listed(a: Span, b: Span) -> bool:
        return a.end <= b.start and re.fullmatch(r",?\s+(?:and|or)\s+|, ", sentence[a.end : b.start]) is not None

    before = next((c for c in cands if joined(c, span)), None)
    after = next((c for c in cands if joined(span, c)), None)
    first, second = (before, span) if before is not None else (span, after)
    if second is None or (first is span and not is_country(second.text)):
        return span
    if any(listed(c, first) or listed(second, c) for c in cands):
        return span
    return Span(first.start, second.end, sentence[first.start : second.end], span.kind)


def _trim_count(span: Span, heads: list[str]) -> Span:
    """"about 4,000 settler" -> "about 4,000" when the word after the number is neither the
    counted noun of the question ("how many homes" -> "10,000 homes") nor a unit of measure."""
    m = re.search(r"\s([A-Za-z][a-z\-]+)$", span.text)  # "1,575 Chinese [companies]" too
    if not m or m.group(1).lower() in MEASURES or any(t in content_terms(m.group(1)) for t in heads):
        return span
    if not re.search(r"\d|\b(?:hundred|thousand|million|billion|dozen)", span.text[: m.start()], re.I):
        return span  # "two dozen" style counts keep their words
    return Span(span.start, span.start + m.start(), span.text[: m.start()], span.kind)


def _drop_counted(span: Span, heads: list[str]) -> Span:
    """"18 students" -> "18" when the question asked "how many students": it already says what."""
    m = re.search(r"\s+([A-Za-z][\w\-]*)$", span.text)
    if not m or not re.search(r"\d|\b(?:hundred|thousand|million|billion|dozen)", span.text[: m.start()], re.I):
        return span
    if not any(t in content_terms(m.group(1)) for t in heads) or m.group(1) in ("times", "time"):
        return span  # "10 times" keeps its word: it says what kind of number
    return Span(span.start, span.start + m.start(), span.text[: m.start()], span.kind)


@dataclass(frozen=True)
class TypedAsk:
    """What a typed question asks for, as the span picker needs it."""

    kind: str
    q_words: set[str]
    need_unit: bool
    prep: str
    country: bool
    counted: list[str]
    heads: list[str]
    anchors: set[str]
    local: bool = False  #: "which city / town / district / region": a place inside a country
    #: the verb whose subject or object the question asks for, and which (``QuestionSyntax.role``)
    verb: str = ""
    role: str = ""


def score_span(sent: str, cands: list[Span], positions: list[int], head_pos: list[int], ask: TypedAsk,
               args: tuple[tuple[int, int], ...] = ()) -> tuple[Span | None, float]:
    """The best candidate of a typed question's sentence and what it adds to the sentence's score
    (``args``: where the sentence's words fill the asked role of the question's verb)."""
    kind = ask.kind
    score = 0.0
    span = _pick_span(sent, cands, positions, head_pos, ask, args)
    if span is not None and kind == "PLACE" and not ask.country:
        span = _with_its_region(sent, span, cands)
    if span is None and kind == "PLACE" and not ask.country:
        span = _place_phrase(sent, ask.anchors)
    if span and kind == "NUMBER":
        span = _trim_count(span, ask.counted)
        if ask.heads and any(t in content_terms(span.text) for t in ask.heads):
            score += 0.12  # "how many students" -> "18 students" is the count asked for
            span = _drop_counted(span, ask.heads)  # ... and the answer is "18"
    if span and kind == "DATE" and not _CALENDAR.search(span.text):
        score -= 0.06  # only "Monday" / "yesterday": a sentence with the date may say more
    if span is None:
        score -= 0.2
    else:  # "in Zambia" says where; a bare capitalised word ("Fall armyworms") may not
        score += 0.05 if kind in NAMES and span.kind != kind else 0.12
    if span and head_pos and min(abs(span.start - h) for h in head_pos) <= 40:
        score += 0.1  # "his lawyer Vadim Prokhorov": the answer sits by the noun
    return span, score

"""Grounding: map the model's ``[n]`` to passages, drop citations that point nowhere, attach the
verbatim article sentence that best supports each answer sentence, drop unsupported sentences."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from qa.citations import make_citation
from qa.lang.text import content_terms, split_sentences
from qa.llm.prompts import REFUSAL, Prompt, Source
from qa.types import Citation

logger = logging.getLogger(__name__)

SUPPORT = 0.5  #: share of an answer sentence's content words that its passage must contain
REATTRIBUTE = 0.6  #: same, to credit a passage the model did not cite
MIN_CITE = 0.25  #: a cited passage with less than this is not shown as a source

_CITE = re.compile(
    r"\s*\[\s*(?:passages?\s*|sources?\s*)?(\d+(?:\s*(?:,|;|and|-|–)\s*\d+)*)\s*\]", re.I
)
_YES_NO_QUESTION = re.compile(
    r"(?i)(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would|should|may|might)\b"
)
_PASSAGE_TALK = re.compile(
    r"\b(?:according to|as (?:stated|mentioned|reported|said) in|based on)\s+(?:the\s+)?"
    r"(?:passages?|articles?|sources?)\s*,?\s*|,?\s*as (?:stated|mentioned) in (?:the\s+)?"
    r"(?:passages?|articles?)\b", re.I
)
#: words about the answer rather than the news: not checked against the passages
_META_WORDS = frozenset(
    content_terms("yes no passage passages article articles mentioned mentions reported "
                  "reports stated states according")
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_REFUSAL_LIKE = re.compile(
    r"\b(?:could not|couldn't|cannot|can't|can not|unable to|did not|didn't) "
    r"(?:find|answer|determine|locate)\b|\bnot (?:mentioned|stated|provided|specified)\b"
    r"|\b(?:do|does) not (?:say|contain|mention|provide|state|specify)\b",
    re.I,
)


@dataclass
class Grounded:
    """The model's answer after checking: text with renumbered [n], verified citations."""

    text: str
    citations: list[Citation]
    refused: bool
    supported: int  #: answer sentences backed by a passage
    dropped: list[str]  #: answer sentences no passage supports (not shown)
    dropped_citations: list[int]  #: [n] the model wrote that point at no passage
    short_answer: str = ""


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def _cited(match: re.Match[str]) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", match.group(1)):
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            out.extend(range(lo, min(hi, lo + 10) + 1))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def answer_sentences(raw: str) -> list[str]:
    """Split the model's text into sentences, keeping trailing ``[n]`` with their sentence."""
    out: list[str] = []
    for s, e in split_sentences(raw):
        piece = raw[s:e]
        if out and _CITE.sub("", piece).strip(" .") == "":
            out[-1] = out[-1] + " " + piece
        else:
            out.append(piece)
    return out


def is_refusal(sentence: str) -> bool:
    return bool(_REFUSAL_LIKE.search(sentence)) or REFUSAL.lower() in sentence.lower()


@dataclass
class _Claim:
    text: str  #: answer sentence without [n]
    quotes: list[tuple[Source, tuple[int, int]]]  #: supporting passage and sentence span
    checked: bool  #: has content words that were checked (not a bare "Yes.")
    topical: bool = False  #: shares a word with the question (or its quote does)


def ground(raw: str, prompt: Prompt) -> Grounded:
    """Check the model's answer against the prompt's passages (see module docstring).

    A claim must be on the question's topic, or come from a passage that also backs an
    on-topic claim, so an article cannot make the model parrot an unrelated line ("PWNED").
    """
    by_number = {s.number: s for s in prompt.sources}
    q_terms = set(content_terms(prompt.question))
    claims: list[_Claim] = []
    dropped: list[str] = []
    bogus: list[int] = []
    saw_refusal = False
    for sent in answer_sentences(raw.strip()):
        for src in prompt.sources:  # small models echo the "[n] title (source, date)" line
            sent = sent.replace(src.label, " ")
        numbers = [n for m in _CITE.finditer(sent) for n in _cited(m)]
        bogus.extend(n for n in numbers if n not in by_number)
        cited = [by_number[n] for n in dict.fromkeys(numbers) if n in by_number]
        bare = _PASSAGE_TALK.sub("", _CITE.sub("", sent))
        bare = re.sub(r"\s+([.,;:!?])", r"\1", bare).strip(" \t\n-–—:*,")
        bare = bare[:1].upper() + bare[1:]
        if not bare:
            continue
        if is_refusal(bare):
            saw_refusal = True
            continue
        if any(bare.lower() == c.text.lower() for c in claims):
            continue  # said twice
        terms = set(content_terms(bare)) - _META_WORDS
        if not terms:  # "Yes." / "No.": nothing to check; kept only beside a supported claim
            claims.append(_Claim(bare, [(s, _best_span(s, q_terms, q_terms)) for s in cited],
                                 checked=False))
            continue
        support = _support(bare, terms, cited, prompt.sources)
        if not support:
            logger.info("dropped unsupported answer sentence: %r", bare)
            dropped.append(bare)
            continue
        quotes = [(s, _best_span(s, terms, q_terms)) for s in support]
        topical = not q_terms or _related(terms, q_terms) or any(
            _related(set(content_terms(s.sentence(span))), q_terms) for s, span in quotes)
        claims.append(_Claim(bare, quotes, checked=True, topical=topical))
    on_topic = {id(s) for c in claims if c.topical for s, _ in c.quotes}
    kept: list[_Claim] = []
    for c in claims:
        if c.checked and not c.topical:
            c.quotes = [(s, span) for s, span in c.quotes if id(s) in on_topic]
            if not c.quotes:
                logger.info("dropped off-topic answer sentence: %r", c.text)
                dropped.append(c.text)
                continue
        kept.append(c)
    supported = sum(1 for c in kept if c.checked)
    if not supported:
        kept = []
    citations: list[Citation] = []
    index: dict[tuple[str, int, int], int] = {}
    lines: list[str] = []
    for claim in kept:
        marks = []
        for src, (start, end) in claim.quotes:
            key = (src.article.id, start, end)
            if key not in index:
                citations.append(make_citation(src.article, start, end, src.hit.chunk))
                index[key] = len(citations)
            marks.append(f"[{index[key]}]")
        lines.append(_attach(claim.text, "".join(dict.fromkeys(marks))))
    short = ""
    if kept:
        first = kept[0].text
        yes_no = re.match(r"(?i)(yes|no)\b", first)
        if yes_no and _YES_NO_QUESTION.match(prompt.question.strip()):
            short = yes_no.group(1).capitalize()
        else:
            short = first.rstrip(".!?")
    return Grounded(
        text=" ".join(lines),
        citations=citations,
        refused=not kept and saw_refusal,
        supported=supported,
        dropped=dropped,
        dropped_citations=sorted(set(bogus)),
        short_answer=short,
    )


def _coverage(terms: set[str], src: Source) -> float:
    return len(terms & src.terms) / len(terms) if terms else 0.0


def _numbers_ok(sentence: str, src: Source) -> bool:
    """Every number in the answer sentence appears in the passage the model saw."""
    published = src.hit.chunk.published
    have = _numbers(src.article.title + " " + src.shown())
    if published is not None:  # the year from the label; its day and month would match too much
        have.add(str(published.year))
    return _numbers(sentence) <= have


def _support(bare: str, terms: set[str], cited: list[Source], sources: list[Source]
             ) -> list[Source]:
    """The passages that back an answer sentence: they hold its words and its numbers."""
    def backs(src: Source, need: float) -> bool:
        return _coverage(terms, src) >= need and _numbers_ok(bare, src)

    ok = [s for s in cited if backs(s, SUPPORT)]
    if ok:
        return [s for s in cited if s in ok or backs(s, MIN_CITE)]
    # the model cited nothing, or the wrong passage: credit one that clearly says it
    for best in sorted(sources, key=lambda s: (-_coverage(terms, s), s.number)):
        if backs(best, REATTRIBUTE):
            return [best]
    return []


def _related(terms: set[str], q_terms: set[str]) -> bool:
    """Shares a word with the question (5-letter prefixes: "evacuated" ~ "evacuations")."""
    return bool({t[:5] for t in terms} & {t[:5] for t in q_terms})


def _best_span(src: Source, terms: set[str], q_terms: set[str]) -> tuple[int, int]:
    """The shown sentence of ``src`` sharing most words with the answer sentence."""
    def score(span: tuple[int, int]) -> tuple[int, int, int]:
        t = set(content_terms(src.sentence(span)))
        return (len(t & terms), len(t & q_terms), -span[0])

    return max(src.spans, key=score)


def _attach(sentence: str, marks: str) -> str:
    if not marks:
        return sentence
    m = re.search(r"[.!?]+[\"'”’)]*$", sentence)
    if m:
        return f"{sentence[: m.start()]} {marks}{sentence[m.start():]}"
    return f"{sentence} {marks}."

"""Check a claim against one outlet's articles: supports, contradicts or not stated, with the quote.

The checker finds the sentence (or two adjacent sentences) of the outlet's passages that shares
the most of the claim's rarer words, then compares what the claim asserts with it, by rule:

* numbers: a number of the claim that the sentence does not have, where the sentence states
  another number, contradicts ("two supplementary engines" vs "four");
* negation: one of the two denies what the other states ("signed" vs "did not sign");
* opposites: a word of the claim whose opposite the sentence uses instead ("older" vs "younger").

It says *supports* only when the sentence covers the claim's content (idf-weighted share
``SUPPORT_OVERLAP``; the words that only name the event, "at the Flamanville plant", may be in
the article's title instead) with no conflict, and *contradicts* only on a conflict inside a sentence
that is about the claim (share ``ABOUT_OVERLAP``); everything else is *not stated*, which the
answer reports as such instead of guessing. Thresholds were set on the dev split.

Where no sentence holds the whole claim, the dependency parse splits it into its subject and
what it asserts (``qa.lang.nlp.claim_parts``), and a sentence that holds the assertion may
decide, in a passage that names the subject, when the sentence says it of that subject ("He
spent over 26 years of his life in prison", in the passage on Ahmed Kathrada). Numbers are
compared per noun they count, as the parse reads them ("two tourists" is not "late 2018, SpaceX").

With a judge (the local model, in accurate mode), the checker hands it the outlet's
``JUDGE_SENTENCES`` best-matching sentences instead, and its label stands: supports or
contradicts only with the number of the sentence that shows it, which is then the quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from qa.lang import nlp, roles
from qa.lang.text import content_terms, split_sentences, stem, words
from qa.plan.tools import weighted_share
from qa.question.types import Filters
from qa.retrieval.hybrid import HybridRetriever
from qa.types import Chunk

Verdict = Literal["supports", "contradicts", "not stated"]
#: (claim, sentences) -> (label, index of the sentence it rests on; -1: not stated), or None
Judge = Callable[[str, list[str]], "tuple[str, int] | None"]
JUDGE_SENTENCES = 4  #: sentences (or adjacent pairs) of the outlet's passages the judge reads
SUPPORT_OVERLAP = 0.80
ABOUT_OVERLAP = 0.55
PREDICATE_TERMS = 3  #: content words a claim's predicate needs before it is looked for on its own
NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
ORDINALS = {w: str(i) for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
NEGATIONS = {"not", "no", "never", "n't", "none", "neither", "nor", "without", "denied", "deny", "denies"}
OPPOSITES = [("older", "younger"), ("oldest", "youngest"), ("higher", "lower"), ("more", "less"),
             ("more", "fewer"), ("before", "after"), ("inside", "outside"), ("entire", "part"),
             ("agreed", "refused"), ("accepted", "rejected"), ("won", "lost"), ("rose", "fell"),
             ("increase", "decrease"), ("largest", "smallest"), ("larger", "smaller"), ("first", "last"),
             ("above", "below"), ("guilty", "innocent"), ("allowed", "banned"), ("open", "closed")]
_OPP = {a: b for a, b in OPPOSITES} | {b: a for a, b in OPPOSITES}
_NUM = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Check:
    """The verdict on one claim for one outlet, with the sentence it rests on."""

    verdict: Verdict
    outlet: str
    chunk: Chunk | None = None
    start: int = 0  #: offsets of the quoted sentence(s) in the chunk's article text
    end: int = 0
    overlap: float = 0.0
    reason: str = ""
    judged: bool = False  #: the verdict is the judge's (the local model), not the rules'


def numbers(text: str) -> set[str]:
    """Numbers a text states, as digit strings: 17, 17th, seventeen, second -> 17, 17, 17, 2."""
    out = {m.group(0).replace(",", "") for m in _NUM.finditer(text)}
    for w in words(text):  # digits are read above ("1,200" is one number, not two words)
        if w in NUMBER_WORDS:
            out.add(NUMBER_WORDS[w])
        elif w in ORDINALS:
            out.add(ORDINALS[w])
    return out - {"2017", "2016"}


def _negated(text: str) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words(text))


class ClaimChecker:
    """Checks claims against one outlet's passages at a time."""

    def __init__(self, retriever: HybridRetriever, idf: Callable[[str], float], judge: Judge | None = None) -> None:
        self.retriever = retriever
        self.idf = idf
        self.judge = judge

    def check(self, claim: str, outlet: str, k: int = 8) -> Check:
        terms = set(content_terms(claim))
        hits = self.retriever.search(claim, Filters(sources=(outlet,)), k=k)
        found: list[tuple[float, Chunk, int, int]] = []
        for h in hits:
            c = h.chunk  # its text is the article's text[c.start:c.end]; offsets stay the article's
            spans = split_sentences(c.text, c.start)
            for i, (s, _) in enumerate(spans):
                for j in (i, min(i + 1, len(spans) - 1)):
                    end = spans[j][1]
                    share = weighted_share(terms, _quote(c, s, end), self.idf) - 0.02 * (j - i)
                    found.append((share, c, s, end))
        if not found:
            return Check("not stated", outlet, reason=f"{outlet} has no passage on it")
        found.sort(key=lambda f: -f[0])
        if self.judge is not None:
            judged = self._judged(claim, outlet, found)
            if judged is not None:
                return judged
        ruled = self._by_rules(claim, terms, outlet, found)
        if ruled.verdict != "not stated":
            return ruled
        return self._by_parts(claim, outlet, found) or ruled

    def _by_rules(self, claim: str, terms: set[str], outlet: str, found: list[tuple[float, Chunk, int, int]]
                  ) -> Check:
        """The verdict on the sentence that holds the most of the claim's words."""
        share, chunk, s, e = found[0]
        sentence = _quote(chunk, s, e)
        base = Check("not stated", outlet, chunk, s, e, share)
        if share < ABOUT_OVERLAP:
            return base
        conflict = self._conflict(claim, sentence, share)
        if conflict:
            return Check("contradicts", outlet, chunk, s, e, share, conflict)
        if share >= SUPPORT_OVERLAP:
            return Check("supports", outlet, chunk, s, e, share, "the sentence states it")
        if weighted_share(terms, f"{chunk.title}\n{sentence}", self.idf) >= SUPPORT_OVERLAP:
            return Check("supports", outlet, chunk, s, e, share, "the sentence states it, in the article about it")
        return base

    def _by_parts(self, claim: str, outlet: str, found: list[tuple[float, Chunk, int, int]]) -> Check | None:
        """Where no sentence holds the whole claim: the sentence that holds what the claim asserts
        (its predicate, ``nlp.claim_parts``), in a passage that names what it is about ("He spent
        over 26 years of his life in prison", in the passage on Ahmed Kathrada). None otherwise."""
        parts = nlp.claim_parts(claim)
        if parts is None:
            return None
        asserted = [t for t in (set(content_terms(p)) for p in parts.predicates) if len(t) >= PREDICATE_TERMS]
        if not asserted:
            return None  # "said it was red": too little to find
        def held(c: Chunk, s: int, e: int) -> float:
            return max(weighted_share(t, _quote(c, s, e), self.idf) for t in asserted)
        # the best share, and of equal ones the shorter text (a sentence, not it and the next)
        share, _, chunk, s, e = max(((held(c, s, e), s - e, c, s, e) for _, c, s, e in found), key=lambda f: f[:2])
        about = weighted_share(set(content_terms(parts.subject)), f"{chunk.title}\n{chunk.text}", self.idf)
        sentence = _quote(chunk, s, e)
        if share < ABOUT_OVERLAP or about < ABOUT_OVERLAP or not _same_subject(parts, sentence):
            return None  # "it has signed off on the permit" need not be Rex Tillerson
        conflict = self._conflict(claim, sentence, share)
        if conflict:
            return Check("contradicts", outlet, chunk, s, e, share, conflict)
        if share < SUPPORT_OVERLAP:
            return None
        return Check("supports", outlet, chunk, s, e, share, f"the sentence states it of {parts.subject}")

    def _judged(self, claim: str, outlet: str, found: list[tuple[float, Chunk, int, int]]) -> Check | None:
        """The judge's verdict over the best distinct sentences; None when it gave none."""
        assert self.judge is not None
        shown: list[tuple[float, Chunk, int, int]] = []
        texts: list[str] = []
        for f in found:
            text = _quote(f[1], f[2], f[3])
            if text not in texts and not any(text in t or t in text for t in texts):
                shown.append(f)
                texts.append(text)
            if len(shown) == JUDGE_SENTENCES:
                break
        verdict = self.judge(claim, texts)
        if verdict is None:
            return None
        label, i = verdict
        if label not in ("supports", "contradicts") or not 0 <= i < len(shown):
            share, chunk, s, e = shown[0]
            return Check("not stated", outlet, chunk, s, e, share, "the model found it not stated", judged=True)
        share, chunk, s, e = shown[i]
        return Check("supports" if label == "supports" else "contradicts", outlet, chunk, s, e, share,
                     f"the model judged this sentence to {'state' if label == 'supports' else 'contradict'} it",
                     judged=True)

    def _conflict(self, claim: str, sentence: str, share: float) -> str:
        clash = number_clash(claim, sentence)
        if clash:
            return clash
        if share >= SUPPORT_OVERLAP and _negated(claim) != _negated(sentence):
            return "one of them is negated"
        sw = {stem(w) for w in words(sentence)}
        for w in words(claim):
            opp = _OPP.get(w)
            if opp and stem(opp) in sw and stem(w) not in sw:
                return f"the claim says {w!r}, the article {opp!r}"
        return ""


def _quote(chunk: Chunk, start: int, end: int) -> str:
    """The chunk's text between two offsets into its article."""
    return chunk.text[start - chunk.start : end - chunk.start]


#: pronouns that stand for the claim's subject when the passage is about it; "it" and "this" may
#: stand for anything the sentence names
_PERSONAL = frozenset({"he", "she", "they", "his", "her", "their"})


def _same_subject(parts: nlp.ClaimParts, sentence: str) -> bool:
    """The sentence asserts its predicate of the claim's subject: the subject of the claim's verb
    there shares a word with the claim's subject ("The hack" / "the Yahoo hack"), or is a personal
    pronoun ("He spent ..."). True without the model."""
    said = roles.subjects(sentence, parts.verb)
    if said is None:
        return True
    mine = set(content_terms(parts.subject))
    return any(s.lower() in _PERSONAL or mine & set(content_terms(s)) for s in said)


def _numbered(text: str) -> dict[str, set[str]]:
    """The numbers a text states, by the noun each counts ("four engines" -> engine: {4}).
    Cardinals count the noun the dependency parse says they count, so "the two SpaceX Moon
    tourists" counts tourists, not SpaceX, and "late 2018, SpaceX" counts nothing; ordinals
    ("second place"), and every number without the model, name the word that follows them."""
    parsed = nlp.counted(text)
    if parsed is None:
        return _numbered_by_order(text, ordinals_only=False)
    out = _numbered_by_order(text, ordinals_only=True)
    for phrase, noun in parsed:
        if got := numbers(phrase):
            out.setdefault(stem(noun), set()).update(got)
    return out


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)$")


def _numbered_by_order(text: str, ordinals_only: bool) -> dict[str, set[str]]:
    """The word that follows each number (or each ordinal) names what it counts."""
    ws = words(text)
    out: dict[str, set[str]] = {}
    for i, w in enumerate(ws):
        if ordinals_only and w not in ORDINALS and not _ORDINAL.match(w):
            continue
        got = numbers(w) if (w[:1].isdigit() or w in NUMBER_WORDS or w in ORDINALS) else set()
        if not got:
            continue
        rest = ws[i + 1 : i + 4]
        noun = next((stem(x.split("-")[-1]) for x in rest if x not in ("of", "the", "a", "per", "more", "than")
                     and not x[:1].isdigit()), "")
        if "-" in w:  # "120-day"
            noun = stem(w.split("-")[-1])
        if noun:
            out.setdefault(noun, set()).update(got)
    return out


def number_clash(claim: str, sentence: str) -> str:
    """A number the claim ties to a word, where the sentence ties another number to that word."""
    mine, theirs = _numbered(claim), _numbered(sentence)
    for noun, nums in mine.items():
        other = theirs.get(noun)
        if other and not nums & other:
            return f"the claim says {'/'.join(sorted(nums))} {noun}, the article {'/'.join(sorted(other))}"
    return ""

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

With a judge (the local model, in accurate mode), the checker hands it the outlet's
``JUDGE_SENTENCES`` best-matching sentences instead, and its label stands: supports or
contradicts only with the number of the sentence that shows it, which is then the quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

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
                    share = weighted_share(terms, c.text[s - c.start : end - c.start], self.idf) - 0.02 * (j - i)
                    found.append((share, c, s, end))
        if not found:
            return Check("not stated", outlet, reason=f"{outlet} has no passage on it")
        found.sort(key=lambda f: -f[0])
        if self.judge is not None:
            judged = self._judged(claim, outlet, found)
            if judged is not None:
                return judged
        share, chunk, s, e = found[0]
        sentence = chunk.text[s - chunk.start : e - chunk.start]
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

    def _judged(self, claim: str, outlet: str, found: list[tuple[float, Chunk, int, int]]) -> Check | None:
        """The judge's verdict over the best distinct sentences; None when it gave none."""
        assert self.judge is not None
        shown: list[tuple[float, Chunk, int, int]] = []
        texts: list[str] = []
        for f in found:
            text = f[1].text[f[2] - f[1].start : f[3] - f[1].start]
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


def _numbered(text: str) -> dict[str, set[str]]:
    """The numbers a text states, by the word that follows each ("four engines" -> engine: {4})."""
    ws = words(text)
    out: dict[str, set[str]] = {}
    for i, w in enumerate(ws):
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

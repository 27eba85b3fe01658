"""Typos in a question, read against the collection: "which chinese firm bougth kuka?" is read
as "... bought ...", "wich engine ...?" as "which engine ...?".

A lower-case word is a typo only when no article has it (its term's document frequency is 0)
and an English dictionary does not list it either (pyspellchecker's word-frequency list, which
ships in its wheel: "alumna" is a word, "bougth" is not).
Its candidates are the words one edit away (a letter dropped, added, swapped with the next or
changed) that the collection has; the one kept is the candidate that occurs together with the
question's rarest other words in the most passages (then the more frequent one): next to
"Kerry Rear", a "mising" is "missing" rather than the commoner "rising". A question's first word
may also be a mistyped question word ("wich", "whn", "whos"). Capitalised words are
names and are left alone, as are words of fewer than four letters and words no article pairs
with the rest of the question.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from qa.lang.text import STOPWORDS, content_terms

#: question words a mistyped first word may be (apostrophe forms included: "whos" -> "who's")
QUESTION_WORDS = ("which", "what", "when", "where", "who", "whom", "whose", "why", "how", "who's", "what's",
                  "where's")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_LETTERS = 4  #: shorter words have too many neighbours to guess from
RARE = 3  #: the question's rarest known terms a candidate is counted with

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[A-Za-z][a-z]*(?:'[a-z]+)?")


@dataclass(frozen=True)
class Correction:
    """One word read as another, with its offset in the question."""

    start: int
    typed: str
    read: str


def edits(word: str) -> Iterator[tuple[int, str]]:
    """The words one edit from ``word``, each with its kind's rank (0: a letter added, 1: two
    swapped, 2: one changed, 3: one dropped; people mostly leave letters out)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for a, b in splits:
        for c in LETTERS + "'":
            yield 0, a + c + b
    for a, b in splits:
        if len(b) > 1:
            yield 1, a + b[1] + b[0] + b[2:]
    for a, b in splits:
        if b:
            for c in LETTERS:
                if c != b[0]:
                    yield 2, a + c + b[1:]
    for a, b in splits:
        if b:
            yield 3, a + b[1:]


def corrections(question: str, df: Callable[[str], int], together: Callable[[list[str]], int]) -> list[Correction]:
    """The typos of ``question`` and what each is read as. ``df`` is a term's document frequency
    in the collection, ``together`` the number of passages that hold all of the given terms."""
    df = cache(df)  # the same terms are looked up again for every candidate
    found: list[Correction] = []
    tokens = list(_WORD.finditer(question))
    for i, m in enumerate(tokens):
        word = m.group(0)
        if i == 0 and word.lower() not in QUESTION_WORDS and not known(word.lower(), df):
            wh = _question_word(word.lower())
            if wh:
                found.append(Correction(m.start(), word, wh if word.islower() else wh.capitalize()))
                continue
        if word[0].isupper() or len(word) < MIN_LETTERS or "'" in word or known(word, df):
            continue
        others = [t for t in content_terms(question[: m.start()] + " " + question[m.end():]) if df(t) > 0]
        rare = sorted(set(others), key=df)[:RARE]
        best: tuple[int, int, int, str] | None = None
        for rank, cand in set(edits(word)):
            terms = content_terms(cand)
            if cand in STOPWORDS or len(terms) != 1 or df(terms[0]) == 0:
                continue
            seen = sum(together([terms[0], r]) for r in rare)
            if seen == 0:
                continue
            key = (seen, df(terms[0]), -rank, cand)
            if best is None or key > best:
                best = key
        if best is not None:
            found.append(Correction(m.start(), word, best[3]))
    return found


def known(word: str, df: Callable[[str], int]) -> bool:
    """The collection or the dictionary has the word (a stopword always counts as known; without
    the dictionary, every word does: nothing is corrected)."""
    terms = content_terms(word)
    if not terms or any(df(t) > 0 for t in terms):
        return True
    words = _dictionary()
    return words is None or bool(words.known([word]))


@cache
def _dictionary() -> Any:
    """pyspellchecker's English word list (loaded once, ~0.1 s), or None when it is not installed."""
    try:
        from spellchecker import SpellChecker
    except ImportError as exc:
        logger.warning("no spelling correction: %s", exc)
        return None
    return SpellChecker(language="en", distance=1)


def _question_word(word: str) -> str:
    """The question word one edit from ``word`` ("wich" -> "which"), preferring added letters."""
    close = sorted((rank, cand) for rank, cand in edits(word) if cand in QUESTION_WORDS)
    return close[0][1] if close else ""


def apply(question: str, found: list[Correction]) -> str:
    """The question with each typo replaced by what it is read as."""
    out, last = [], 0
    for c in sorted(found, key=lambda c: c.start):
        out.append(question[last : c.start] + c.read)
        last = c.start + len(c.typed)
    out.append(question[last:])
    return "".join(out)

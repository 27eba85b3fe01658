"""Multi-article questions about one entity: "Which company, according to TechCrunch and The
Verge, has invested billions to remain the default search engine and is accused of ...?"

No single sentence answers such a question; each clause is answered by a different article. The
answer is the name the best sentences of *several* articles have in common. This module finds it:
it collects the typed names (people, organisations) of the reader's best sentences, weighs each
name by the best sentence score it has in each article, and keeps a name that at least two
articles support. Every name it returns is a verbatim span of the sentences it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from qa.answer.reader import Reading
from qa.answer.spans import Span, candidates
from qa.answer.typed import NAME_LABELS
from qa.lang import nlp
from qa.lang.nlp import Entity
from qa.lang.text import words
from qa.question.types import ParsedQuestion

#: a question this long, asking who / which company, describes its answer clause by clause
MIN_WORDS = 18
#: readings looked at (best first); names outside them are not evidence
TOP_READINGS = 40


@dataclass(frozen=True)
class Common:
    """A name several articles support, and the best sentence of each (best first)."""

    name: str
    support: tuple[Reading, ...]
    score: float


def is_compositional(pq: ParsedQuestion) -> bool:
    """A long who / which-X question: its clauses are answered by different articles."""
    return pq.answer_type in ("PERSON", "ORG") and len(pq.text.split()) >= MIN_WORDS


def _key(name: str) -> str:
    return re.sub(r"['’]s$", "", name).strip().lower()


def common_entity(pq: ParsedQuestion, readings: Iterable[Reading], min_articles: int = 2) -> Common | None:
    """The name the best sentences of at least ``min_articles`` articles share, or None."""
    q_words = set(words(pq.text))
    # name key -> article id -> best reading of that article that mentions the name (and where)
    found: dict[str, dict[str, tuple[Reading, int, int]]] = {}
    shown: dict[str, str] = {}
    inside: set[str] = set()  # names seen after a sentence's first word: really names
    readings_list = list(readings)
    top = readings_list[:TOP_READINGS]
    found_ents = nlp.entities([r.sentence for r in top])
    ents = nlp.consistent(found_ents) if found_ents is not None else None
    for n, r in enumerate(top):
        inside.update(_key(c.text) for c in candidates(r.sentence, pq.answer_type))
        # a sentence's first word counts too ("Google paid ..."), when it is a name elsewhere
        for c in candidates(r.sentence, pq.answer_type, starts_sentence=False):
            if ents is not None and _other_type(c, ents[n], pq.answer_type):
                continue  # "Alexander Acosta" is no company, however capitalised
            text = re.sub(r"['’]s$", "", c.text)
            c_words = set(words(text))
            if not c_words or c_words <= q_words:
                continue  # the question already names it
            key = _key(text)
            per_article = found.setdefault(key, {})
            best = per_article.get(r.chunk.article_id)
            if best is None or r.score > best[0].score:
                per_article[r.chunk.article_id] = (r, c.start, c.start + len(text))
            if len(text) > len(shown.get(key, "")):
                shown[key] = text
    for key in [k for k in found if k not in inside]:
        del found[key]
    _merge_surnames(found, shown)
    ranked = []
    for key, per_article in found.items():
        if len(per_article) < min_articles:
            continue
        if pq.answer_type == "PERSON" and " " not in shown[key]:
            continue  # a person is named in full somewhere; "ChatGPT" or "Gemini" is not who
        support = sorted(per_article.values(), key=lambda t: -t[0].score)
        ranked.append((sum(t[0].score for t in support), key, support))
    if not ranked:
        return None
    ranked.sort(key=lambda t: -t[0])
    score, key, support = ranked[0]
    # lead with the best sentence that gives the name in full ("Sam Bankman-Fried", not "Bankman-Fried")
    full = [t for t in support if t[0].sentence[t[1] : t[2]] == shown[key]]
    if full:
        support = [full[0], *[t for t in support if t is not full[0]]]
    fuller = None if full else _full_form(shown[key], readings_list)
    if fuller is not None:  # "Swift" -> "Taylor Swift", as another sentence read names her in full
        support = [fuller, *[t for t in support if t[0].chunk.article_id != fuller[0].chunk.article_id]]
    first, s, e = support[0]
    cited = tuple(
        replace(r, span=r.sentence[a:b], span_start=r.start + a) if r is first else r
        for r, a, b in support[:3]
    )
    return Common(name=first.sentence[s:e], support=cited, score=score)


def _other_type(c: Span, ents: tuple[Entity, ...], kind: str) -> bool:
    """The recogniser reads the name as something the question does not ask for: a person for
    which company, an organisation or a place for who (``qa.answer.typed.NAME_LABELS``)."""
    if kind not in NAME_LABELS:
        return False
    strong, weak, conflict = NAME_LABELS[kind]
    labels = {e.label for e in ents if e.start < c.end and c.start < e.end}  # overlapping the name
    return bool(labels & conflict) and not labels & (strong | weak)


def _merge_surnames(found: dict[str, dict[str, tuple[Reading, int, int]]], shown: dict[str, str]) -> None:
    """"Bankman-Fried" and "Sam Bankman-Fried" are one person: fold a one-word name into the
    longer name that ends with it (when exactly one does)."""
    for key in [k for k in found if " " not in k]:
        longer = [k for k in found if k != key and k.endswith(" " + key)]
        if len(longer) != 1:
            continue
        target = found[longer[0]]
        for art, hit in found.pop(key).items():
            if art not in target or hit[0].score > target[art][0].score:
                target[art] = hit
        shown.pop(key, None)


def _full_form(name: str, readings: list[Reading]) -> tuple[Reading, int, int] | None:
    """A sentence read that gives ``name``, the longest form seen of the name, in full
    ("Taylor Swift" where the supporting sentences say "Swift"); None when none does, or when
    the form is a phrase around the name ("CEO of Alameda")."""
    if " " not in name or any(w[:1].islower() for w in name.split()):
        return None
    exact = re.compile(rf"(?<![\w'’\-]){re.escape(name)}(?![\w'’\-])")
    return next(((r, m.start(), m.end()) for r in readings for m in exact.finditer(r.sentence)), None)

"""Resolve follow-up questions against the chat history (Gradio's ``{role, content}`` shape)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.spans import name_runs
from qa.question.filters import extract_dates, extract_sources
from qa.question.types import Vocabulary

PRONOUN = re.compile(
    r"\b(he|she|him|his|hers|they|them|their|it|its|this|that|these|those|there|"
    r"the (?:article|story|piece|report|same)|this (?:article|story|piece|report))\b",
    re.I,
)
FRAGMENT = re.compile(r"^\s*(?:and|also|but|what about|how about|what of|same for|now)\b", re.I)
#: "is there", "there are": the existential there points at nothing said before
EXISTENTIAL = re.compile(r"\b(?:is|are|was|were)\s+there\b|\bthere(?:'s|\s+(?:is|are|was|were|have|has))\b", re.I)
#: a question of its own after the connector ("and who wrote it?"): not a fragment to glue on
FULL_QUESTION = re.compile(r"^\s*(?:who|what|when|where|why|how|which|whose|is|are|was|were|did|does|do|can|could)"
                           r"\b\s+\S", re.I)


@dataclass(frozen=True)
class Resolved:
    text: str  #: the standalone question
    article_ids: tuple[str, ...] = ()  #: articles the previous answer cited ("it" may mean them)
    changed: bool = False
    context: str = ""  #: names from earlier turns that the pronouns refer to


def _last(history: list[dict[str, str]], role: str) -> str:
    for msg in reversed(history):
        if msg.get("role") == role and isinstance(msg.get("content"), str):
            return msg["content"]
    return ""


def resolve(
    question: str,
    history: list[dict[str, str]] | None,
    vocab: Vocabulary,
    previous_ids: tuple[str, ...] = (),
) -> Resolved:
    """Turn "and in March?" / "what did he say next?" into a standalone question."""
    if not history:
        return Resolved(question)
    prev_q = _last(history, "user")
    if not prev_q:
        return Resolved(question)
    q = question.strip()
    connector = FRAGMENT.match(q)
    if connector and FULL_QUESTION.match(q[connector.end():].lstrip(" ,")):
        q = q[connector.end():].lstrip(" ,")  # "and who wrote it?" is "who wrote it?"
    is_fragment = bool(FRAGMENT.match(q)) or (
        len(q.split()) <= 4
        and not re.match(r"^\s*(?:who|what|when|where|why|how|which|is|are|did|does|do|can)\b", q, re.I)
    )
    if is_fragment:
        frag = FRAGMENT.sub("", q).strip(" ?,.")
        base = prev_q.rstrip(" ?.!")
        _, lo, hi, _ = extract_dates(frag, vocab.newest, vocab.months)
        if lo or hi:
            base = extract_dates(base, vocab.newest, vocab.months)[0]
        _, srcs, _ = extract_sources(frag, vocab)
        if srcs:
            base = extract_sources(base, vocab)[0]
        return Resolved(f"{base} {frag}?".replace("  ", " "), previous_ids, True)
    own_names = [n for n in name_runs(q) if n.start > 0]
    if PRONOUN.search(EXISTENTIAL.sub(" ", q)) and not own_names:  # "his visit" after naming Gauck refers to Gauck
        names = [n.text for n in name_runs(prev_q) if n.text.lower() not in q.lower()]
        if names:
            context = ", ".join(dict.fromkeys(names))
            return Resolved(q, previous_ids, True, context)
        return Resolved(q, previous_ids, True)
    return Resolved(q, changed=q != question.strip())

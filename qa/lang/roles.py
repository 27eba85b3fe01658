"""Who does what in a sentence, from its dependency parse (``qa.lang.nlp`` runs the pipeline):
the subjects a verb is said of (the claim checker) and the words that fill the role a question
asks for ("who illustrated ...?" -> the subject, or the passive's agent). Without the model
package, both return None.
"""

from __future__ import annotations

from typing import Any

from qa.lang.nlp import RELATIVE, SUBJECT, SYNTAX, Recent, memo, run, subtree_text

_args: Recent[tuple[tuple[int, int], ...]] = Recent()


def arguments(sentence: str, verb: str, role: str) -> tuple[tuple[int, int], ...] | None:
    """Character spans of the words of ``sentence`` that fill ``role`` of ``verb`` (a lemma; see
    ``QuestionSyntax.role``), each head word with its apposition: for "subj" the active verb's
    subject or the passive's agent ("was illustrated *by Donato Bertelli*", "guidance systems made
    by *Raytheon*"); for "subjpass" and "obj" the passive's subject or the active verb's object. A
    verb joined to another shares its subject ("Moss denied murder but was found guilty"); a
    relative pronoun stands for its noun. None without the model."""
    key = f"{verb} {role}\n{sentence}"
    return memo(_args, key, lambda nlp: _arguments(run(nlp, sentence, SYNTAX), verb, role))


def _arguments(doc: Any, verb: str, role: str) -> tuple[tuple[int, int], ...]:
    found: list[Any] = []
    for v in doc:
        if v.lemma_.lower() != verb or v.pos_ != "VERB":
            continue
        kids = list(v.children)
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in kids) or (v.dep_ == "acl" and v.tag_ == "VBN")
        subj = [c for c in kids if c.dep_ in SUBJECT]
        if not subj and v.dep_ == "conj":
            subj = [c for c in v.head.children if c.dep_ in SUBJECT]
        if not subj and v.dep_ == "acl":
            subj = [v.head]  # "guidance systems made by Raytheon": the noun is what is made
        subj = [v.head if c.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl" else c for c in subj]
        agents = [p for c in kids if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
        objects = [c for c in kids if c.dep_ == "dobj"]
        if role == "subj":
            found += agents if passive else subj
        else:
            found += subj if passive else objects
    spans = []
    for tok in found:
        spans.append((tok.idx, tok.idx + len(tok)))
        spans += [(a.idx, a.idx + len(a)) for a in tok.children if a.dep_ == "appos"]
    return tuple(spans)


_subjects: Recent[tuple[str, ...]] = Recent()


def subjects(sentence: str, verb: str) -> tuple[str, ...] | None:
    """Who or what ``verb`` (a lemma) is said of in ``sentence``: its subjects, the noun a
    relative "which" / "who" stands for, or the noun a participle describes ("The hack ...,
    affected 500 million accounts", as the small model parses it); every verb's subjects when
    none has that lemma. "He spent over 26 years in prison" -> ("He",). None without the model."""
    return memo(_subjects, f"{verb}\n{sentence}", lambda nlp: _subjects_of(run(nlp, sentence, SYNTAX), verb))


def _subjects_of(doc: Any, verb: str) -> tuple[str, ...]:
    own = [t for t in doc if t.lemma_.lower() == verb and t.pos_ in ("VERB", "AUX")]
    found = []
    for v in own or [t for t in doc if any(c.dep_ in SUBJECT for c in t.children)]:
        subj = [c for c in v.children if c.dep_ in SUBJECT]
        for c in subj:
            if c.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl":
                found.append(_noun_phrase(v.head))
            else:
                found.append(subtree_text(c))
        if not subj and v.dep_ in RELATIVE:
            found.append(_noun_phrase(v.head))
    return tuple(found)


_RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom"})


def _noun_phrase(noun: Any) -> str:
    """The noun with the words before it in its phrase ("the massive cyber-attack")."""
    ids = {x.i for c in noun.lefts for x in c.subtree} | {noun.i}
    return str(noun.doc[min(ids) : max(ids) + 1].text)



"""Two hops: "Which oil company was run by *the secretary of state who said X*?" names its
subject only by a description. The single-article reader then often answers with the described
person (the first hop's sentence says who said X), or with some other name of the long question.

The dependency parse (``qa.lang.nlp.question_syntax``) finds the described noun phrase. Its
bridge question ("Who is the secretary of state who said X?") is answered first. When the plain
answer *is* that bridge entity, or the description is of a person (a who / whom / whose clause),
the question is asked again with the name in place of the description ("Which oil company was
run by Rex Tillerson?"), and that answer stands, citing both sentences; a refused plain answer
is tried the same way. In every other case (the second hop finds nothing, or a thing described
by a that-clause is not the plain answer) the plain answer stands, so a one-hop question with a
relative clause is not touched. (Withdrawing the plain answer when the second hop found nothing
refused right answers on dev, where a description refers to the answer itself; asking again
about things, not only people, lost three right answers on the news dev set.) One exception:
when the plain answer is the person a who-clause describes (the recogniser reads the first hop's
name as a person) and the question asks for a company, a place, a date or a figure, that answer
cannot be right, and the answer is a refusal that says who the description names. And a second
hop whose answer the recogniser does not read as the asked type ("Tet Kale Party" for "which
former president ...?") does not replace a plain answer that it does read so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from qa.answer.typed import NAME_LABELS
from qa.lang import nlp
from qa.lang.text import words
from qa.types import Answer

#: answers a question (the chain's passage path, with the turn's filters)
Ask = Callable[[str], Answer]


def same_entity(a: str, b: str) -> bool:
    """The two short answers name the same thing: equal, or one holds the other as whole words
    ("Tillerson" in "Rex Tillerson")."""
    x, y = " ".join(words(a)), " ".join(words(b))
    if not x or not y:
        return False
    return x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} "


def bridge_question(text: str, noun: str, person: bool) -> str:
    """The first hop: "Who is <phrase>?" for a who-clause, else "Which <noun> is <phrase>?"."""
    return f"Who is {text}?" if person else f"Which {noun} is {text}?"


#: answer types a person cannot answer: when the plain answer is the person a who-clause
#: describes and the question asks for one of these, the plain answer is wrong for sure
NOT_A_PERSON = frozenset({"ORG", "PLACE", "DATE", "NUMBER", "MONEY", "PERCENT"})


def answer_bridged(question: str, plain: Answer, ask: Ask, asked_type: str = "") -> Answer:
    """``plain`` (the single-article answer to ``question``), or the two-hop answer when the
    plain answer is the entity the question only describes or the question describes a person
    (module docstring). ``asked_type`` is the question's answer type: a company asked for cannot
    be the person it is asked about."""
    if plain.kind != "passage":
        return plain
    syntax = nlp.question_syntax(question)
    if syntax is None or not syntax.described:
        return plain
    d = syntax.described[0]
    if plain.refused and not d.person:
        return plain
    bridge = bridge_question(d.text, d.noun, d.person)
    first = ask(bridge)
    entity = first.short_answer.strip()
    if first.refused or not entity or not first.citations:
        return plain
    if not d.person and not same_entity(plain.short_answer, entity):
        return plain  # only a person a who-clause describes is asked about again whatever the plain answer
    if any(ch.isdigit() for ch in entity):
        return plain  # a date or a figure is no entity to ask about ("When was November 30 ratified?")
    outer = f"{question[:d.start]}{entity}{question[d.end:]}"
    second = ask(outer)
    if second.refused or not second.short_answer.strip() or same_entity(second.short_answer, entity):
        if (d.person and asked_type in NOT_A_PERSON and same_entity(plain.short_answer, entity)
                and _a_person(entity, first.citations[0].quote)):
            # "which company ... the man who ...?" answered with the man
            return replace(plain, text=f"I cannot answer that from the articles: they say {d.text} is {entity} [1], "
                                       f"but no passage answers the question about {entity}.",
                           short_answer="", refused=True, citations=tuple(first.citations[:1]))
        return plain  # no second hop: the plain reading stands
    if not _typed_as(second, asked_type) and _typed_as(plain, asked_type) and not plain.refused:
        return plain  # "which former president ...?" answered "Tet Kale Party": the plain person stands
    steps = [{"tool": "bridge", "args": {"question": bridge}, "result": f"{d.text} = {entity}",
              "article_ids": [first.citations[0].article_id]},
             {"tool": "answer", "args": {"question": outer}, "result": second.short_answer,
              "article_ids": [c.article_id for c in second.citations]}]
    plan = {"plan": {"form": "two_hop", "outlets": [], "topic": d.text, "later": False, "topic2": ""},
            "steps": steps}
    citations = (*second.citations, *(c for c in first.citations[:1]
                                       if all(c.chunk_id != s.chunk_id or c.start != s.start
                                              for s in second.citations)))
    why = f" ({d.text} is {entity} [{len(citations)}].)" if len(citations) > len(second.citations) else ""
    return replace(second, question=plain.question, text=f"{second.text}{why}", citations=citations, plan=plan,
                   passages=tuple({p.chunk.id: p for p in (*second.passages, *first.passages)}.values()))


def _typed_as(answer: Answer, asked_type: str) -> bool:
    """The recogniser reads the short answer, in the sentence it cites, as the asked type (a
    person for who); true for other types and without the model."""
    if asked_type not in NAME_LABELS or not answer.citations or not answer.short_answer.strip():
        return True
    labels = NAME_LABELS[asked_type][0]  # the labels that answer it
    found = nlp.entities([answer.citations[0].quote])
    return found is None or any(e.label in labels and same_entity(e.text, answer.short_answer) for e in found[0])


def _a_person(name: str, sentence: str) -> bool:
    """The recogniser reads ``name`` in ``sentence`` as a person (not "ATSB", which a who-question
    may also be answered with)."""
    found = nlp.entities([sentence])
    return found is not None and any(e.label == "PERSON" and same_entity(e.text, name) for e in found[0])

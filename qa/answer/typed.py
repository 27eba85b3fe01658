"""Answer candidates of the asked type from named entities (``qa.lang.nlp``): a person for
"who", an organisation for "which company", a place for "where", and numbers and dates that
the recogniser does not read as something else (a clock time is not a count).

Names come from the recogniser alone, so an award, a nationality or a capitalised common word
is no longer offered as a person; numbers and dates keep the pattern candidates of
``qa.answer.spans`` (their units and modifiers), minus those the recogniser types otherwise.
"""

from __future__ import annotations

import re

from qa.answer.spans import Span, candidates
from qa.lang.nlp import Entity
from qa.lang.text import STOPWORDS

#: the kind of an entity whose label may answer (an organisation for who, a venue for where)
MAYBE = "ENTITY"
#: the kind of a capitalised run the recogniser did not read as an entity
UNKNOWN = "RUN"
_NUMERIC = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_OTHER = frozenset({"NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})

#: names: the labels that answer each answer type (the span's kind is the type), the labels that
#: may (kind ``MAYBE``), and the labels that do not (the pattern candidate they hold is dropped).
#: A person's name the recogniser took for an organisation is kept as a maybe: the small model
#: often does ("Rush Holt").
NAME_LABELS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "PERSON": (frozenset({"PERSON"}), frozenset({"ORG"}), _NUMERIC | _OTHER | {"GPE", "LOC", "FAC"}),
    "ORG": (frozenset({"ORG"}), frozenset(), _NUMERIC | _OTHER | {"PERSON", "GPE", "LOC"}),
    "PLACE": (frozenset({"GPE", "LOC", "FAC"}), frozenset({"ORG"}), _NUMERIC | _OTHER | {"PERSON"}),
}
#: numbers and dates: the labels that do not answer the type (an age or a duration is a DATE to
#: the recogniser, so a count may be one; a clock time or a rank is not a count)
VALUE_CONFLICTS: dict[str, frozenset[str]] = {
    "NUMBER": frozenset({"TIME", "ORDINAL"}),
    "MONEY": frozenset({"TIME", "ORDINAL", "DATE", "PERCENT"}),
    "PERCENT": frozenset({"TIME", "ORDINAL", "DATE", "MONEY"}),
    "DATE": frozenset({"MONEY", "PERCENT", "QUANTITY"}),
}
_NAME_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                          "LANGUAGE"})

_LEAD = re.compile(r"(?:the|a|an)\s+", re.I)
#: a word the scraped text glued on with a hyphen where a space was lost: "Justin Trudeau-at-",
#: "Canada,-which", "France-has" (not a name's own lower-case part: "Kim Jong-un", "Moon Jae-in")
_GLUED = re.compile(r"(?:,[-–][a-z]*|[-–][a-z]+[-–]|[-–]|[-–](?P<word>[a-z]{3,}))$")
_POSSESSIVE = re.compile(r"['’]s?$")
#: a quote or a lost character inside the entity: the recogniser ran over the text's damage
#: ('"harry Potter"?universe', 'marijuana,"?Debbie Willis')
_BROKEN = re.compile(r"[\"“”?]")
_VALUE_CORE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                         r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|"
                         r"several|few|[A-Z][a-z]+day|January|February|March|April|May|June|July|August|"
                         r"September|October|November|December|yesterday|today|tomorrow)", re.I)


def _glued(text: str) -> int:
    """Where a glued-on word (``_GLUED``) starts in ``text``, or -1."""
    m = _GLUED.search(text)
    if m is None or (m.group("word") and m.group("word") not in STOPWORDS):
        return -1
    return m.start()


def _name_span(sentence: str, ent: Entity, kind: str) -> Span | None:
    """The entity without a leading article, a trailing possessive or a glued-on word: "the
    Kremlin's" -> "Kremlin", "Justin Trudeau-at-" -> "Justin Trudeau"."""
    s, e = ent.start, ent.end
    lead = _LEAD.match(sentence, s, e)
    if lead:
        s = lead.end()
    tail = _POSSESSIVE.search(sentence[s:e])
    if tail and tail.start() > 0:
        e = s + tail.start()
    glued = _glued(sentence[s:e])
    if glued > 0:
        e = s + glued
    text = sentence[s:e].strip()
    if not text or not any(ch.isalpha() for ch in text) or _BROKEN.search(text):
        return None
    return Span(s, s + len(text), text, kind)


def _holders(span: Span, ents: tuple[Entity, ...]) -> list[Entity]:
    return [ent for ent in ents if ent.start < span.end and span.start < ent.end]


def entity_candidates(sentence: str, kind: str, ents: tuple[Entity, ...]) -> list[Span]:
    """Spans of ``kind`` in ``sentence`` given its entities, in order of appearance.

    Names: the entities of a label that answers (kind ``kind``) or may (``MAYBE``), and the
    pattern candidates no entity holds (``UNKNOWN``: the recogniser missed or did not know them);
    a pattern candidate inside an entity of a label that does not answer is dropped ("the
    Pulitzer Prize" for who, "Beijing" for which bank). Numbers and dates: the pattern
    candidates, minus those whose number or date word an entity of a conflicting label holds."""
    pattern = candidates(sentence, kind)
    if kind in NAME_LABELS:
        strong, weak, conflict = NAME_LABELS[kind]
        out = []
        for ent in ents:
            if ent.label in strong or ent.label in weak:
                span = _name_span(sentence, ent, kind if ent.label in strong else MAYBE)
                if span is not None:
                    out.append(span)
        for c in pattern:
            labels = {ent.label for ent in _holders(c, ents)}
            if labels & (strong | weak | conflict):
                continue  # given above as the entity, or not of the asked type
            glued = _glued(c.text)
            text = c.text[:glued] if glued > 0 else c.text
            out.append(Span(c.start, c.start + len(text), text, UNKNOWN))
        return sorted(out, key=lambda sp: sp.start)
    conflicts = VALUE_CONFLICTS.get(kind, frozenset()) | _NAME_LABELS
    kept = []
    for c in pattern:
        core = _VALUE_CORE.search(c.text)
        at = c.start + (core.start() if core else 0)
        holder = next((ent for ent in ents if ent.start <= at < ent.end), None)
        if holder is None or holder.label not in conflicts:
            kept.append(c)
    return kept

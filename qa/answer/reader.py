"""The extractive reader: pick the sentence that answers, and the answer span inside it.

Each sentence is scored on named features (``SENTENCE_FEATURES``: question terms weighted by
IDF, the passage's retrieval rank and dense score, the title, a penalty for sentences that merely
echo the question, ...) with the hand-set weights, or with weights fitted on the dev sets
(``eval/train_reader.py``) when ``qa/answer/data/reader.json`` holds them. The expected answer
type (who -> a name not in the question, how many -> a number, when -> a date, where -> a
place) picks the span, and the span's own score is one more feature.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import pairwise

from qa.answer.packaged import packaged_json
from qa.answer.pick import MEASURE_Q, NAMES, TypedAsk, score_span
from qa.answer.spans import Span, candidates, focus_noun, head_noun, phrases
from qa.answer.typed import entity_candidates
from qa.lang import nlp, roles
from qa.lang.text import IRREGULAR, content_terms, fold, match_form, split_sentences, stem, words
from qa.question.types import ParsedQuestion
from qa.types import Chunk, ScoredChunk

#: the asked noun of a where-question that names a place inside a country (stemmed)
LOCAL_UNITS = frozenset(stem(w) for w in "city town village district region province county suburb "
                        "neighbourhood neighborhood municipality borough prefecture".split())
TYPED = {"PERSON", "DATE", "NUMBER", "MONEY", "PERCENT", "PLACE", "ORG"}
#: sentences of a typed question read for named entities (the best on everything but the span)
ENTITY_SENTENCES = 8
#: what a sentence's score weighs, and the weights: the hand-set ones the reader was tuned with,
#: unless ``qa/answer/data/reader.json`` holds fitted ones (``eval/train_reader.py``)
SENTENCE_FEATURES = ("match", "context_paragraph", "context_other", "title", "dense", "anchor", "rank",
                     "neighbour", "soft", "link_label", "bigrams", "short", "long", "echo", "head_noun",
                     "not_asserted", "speaker", "span")
#: ("speaker", for "what did X say" questions: 0 / 0.15 / 0.3 answered 5 / 8 / 8 of the 15 such dev
#: questions right and 3 / 4 / 7 wrong)
HAND_WEIGHTS = {"match": 0.62, "context_paragraph": 0.25, "context_other": 0.15, "title": 0.12, "dense": 0.16,
                "anchor": 0.15, "rank": 0.10, "neighbour": -0.03, "soft": 0.62, "link_label": -0.2,
                "bigrams": 0.04, "short": -0.15, "long": -0.05, "echo": -0.2, "head_noun": 0.12,
                "not_asserted": -0.15, "speaker": 0.15, "span": 1.0}


@cache
def sentence_weights() -> dict[str, float]:
    """The fitted weights when the package ships them, else the hand-set ones."""
    data = packaged_json("reader.json")
    return dict(HAND_WEIGHTS) if data is None else {k: float(v) for k, v in data["weights"].items()}


def sentence_score(feats: dict[str, float]) -> float:
    w = sentence_weights()
    return w.get("bias", 0.0) + sum(w.get(k, 0.0) * v for k, v in feats.items())


# question words that carry no topic
_QWORDS = {stem(w) for w in "happen happened mean report reported article story new news".split()}


@dataclass(frozen=True)
class Reading:
    """A candidate answer: a sentence (offsets into the article) and maybe a short span."""

    chunk: Chunk
    start: int  #: sentence start in ``Article.text``
    end: int
    sentence: str
    span: str  #: short answer ("" when the sentence is the answer)
    span_start: int  #: span offset in the article (-1 without span)
    score: float
    match: float  #: share of the question's (IDF-weighted) terms found in the sentence
    passage_rank: int
    anchor: float = 1.0  #: share of the question's lower-case content words (what it asks about)
    asserted: bool = True  #: False when the question's past event is only hoped for or foreseen here
    #: the sentence's scored features (``SENTENCE_FEATURES``) and, once picked, ``span`` (its span's score)
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


#: a link label that starts a line: "READ MORE:", "WATCH:", "RELATED:"
_LABEL = re.compile(r"\s*(?:READ(?: MORE)?|WATCH|RELATED|SEE ALSO|ALSO READ|MORE|PHOTOS?|VIDEO)\s*:", re.I)


def _sentences(chunk: Chunk) -> list[tuple[int, int, str]]:
    out = []
    for s, e in split_sentences(chunk.text):
        out.append((chunk.start + s, chunk.start + e, chunk.text[s:e]))
    return out


_GENERIC = {stem(w) for w in "name call known kind type year day date time number amount many much first last "
            "main one two also get go make take".split()}


def _later_words(question: str, capitalised: bool) -> list[str]:
    """The question's words after the first (whose capital is only grammar), keeping those that
    start with a capital (names) or those that do not (everything else)."""
    toks = re.findall(r"[A-Za-z][A-Za-z'’\-]*", question)
    return [w for w in toks[1:] if w[0].isupper() == capitalised]


#: other words a sentence may use for a question's word: "age" -> "48-year-old", "start" -> "began"
ANCHOR_FORMS = {stem(k): {stem(w) for w in v.split()} for k, v in {
    "age": "old aged", "die": "death dead kill", "death": "die dead kill", "tall": "height high",
    "height": "tall high", "start": "begin launch", "begin": "start", "end": "finish", "finish": "end",
    "buy": "purchase acquire", "purchase": "buy acquire", "acquire": "buy purchase",
}.items()}

#: derivational endings: "endorsed" meets "endorsement", "arrived" meets "arrival"
_DERIVED = re.compile(r"(?:e?ment|ation|ition|ion|al|ance|ence|ure)$")


def base_form(term: str) -> str:
    """A stemmed term without its derivational ending ("endorsement" -> "endors")."""
    cut = _DERIVED.sub("", term)
    return match_form(cut if len(cut) >= 4 else term)


def sentence_forms(terms: set[str]) -> set[str]:
    """A sentence's stemmed terms and their base forms (see ``found``)."""
    return terms | {base_form(t) for t in terms}


def found(t: str, terms: set[str], forms: set[str]) -> bool:
    """The question term ``t`` is in a sentence: as is, as a related form ("endorsed" /
    "endorsement") or as another word for it ("start" / "began")."""
    return t in terms or base_form(t) in forms or bool(ANCHOR_FORMS.get(t, set()) & terms)


def anchor_terms(question: str) -> list[str]:
    """Stemmed lower-case content words of the question: the attribute or action it asks about
    ("wife", "born", "population", "won"), as opposed to the names that find the article."""
    out = [t for w in _later_words(question, capitalised=False) for t in content_terms(w)
           if t not in _GENERIC and t not in _QWORDS and len(t) > 2]
    return list(dict.fromkeys(out))


def name_terms(question: str) -> list[str]:
    """Stemmed terms of the names in the question ("ZTE", "Kara-Murza"): what it is about."""
    out = [t for w in _later_words(question, capitalised=True) for t in content_terms(w) if len(t) > 1]
    return list(dict.fromkeys(out))


def names_present(question: str, text: str, idf: Callable[[str], float]) -> float:
    """IDF-weighted share of the question's names found in ``text`` (the answer's article)
    (1.0 when the question names nothing)."""
    names = name_terms(question)
    if not names:
        return 1.0
    have = set(content_terms(text))
    total = sum(idf(t) for t in names) or 1.0
    return sum(idf(t) for t in names if t in have) / total


#: "what did <someone> say / tell / warn ...": the question asks for that person's words
_SPEECH_Q = re.compile(
    r"^\s*what\s+(?:did|does|do|has|had|have|was|is)\s+(?P<who>.{2,60}?)\s+(?:say|said|says|tell|told|think|"
    r"thinks|believe|argue|claim|warn|warned|write|wrote|tweet|tweeted|predict|recommend|call|make\s+of)\b", re.I)
#: a sentence that reports speech
_SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|stated|states|warned|warns|insisted|explained|noted|wrote|writes|"
    r"tweeted|argued|argues|claimed|claims|according\s+to|described|urged|stressed|emphasi[sz]ed|asked|replied|"
    r"commented|declared|admitted|recommended|predicted|believes|thinks|called)\b", re.I)


def speaker_terms(question: str) -> tuple[str, ...]:
    """The stemmed last two words of the person a "what did X say ..." question asks about
    ("What did Polish PM Beata Szydlo say about ...?" -> ("beata", "szydlo")); () for other questions."""
    m = _SPEECH_Q.match(question)
    return tuple(content_terms(m.group("who"))[-2:]) if m else ()


def speaks(sentence: str, terms: set[str], before: set[str], speaker: tuple[str, ...]) -> bool:
    """The sentence reports the asked person's words: it has a verb of speech, and names the
    person, or follows a sentence that names them and refers back ("he", "she") or quotes."""
    if not _SPEECH.search(sentence):
        return False
    if any(t in terms for t in speaker):
        return True
    return any(t in before for t in speaker) and bool(re.search(r"\b(?:he|she)\b|[\"“]", sentence, re.I))


def question_terms(pq: ParsedQuestion) -> list[str]:
    terms = [t for t in content_terms(pq.core) if t not in _QWORDS]
    return list(dict.fromkeys(terms))


#: what makes a verb's event unreal: "favourite to win", "could win", "prevent her from winning",
#: "unless one of them wins"
_IRREALIS = re.compile(
    r"(?:\b(?:favou?rite|expected|likely|unlikely|poised|set|hoping|hopes?|wants?|wanted|aims?|aiming|seeks?|"
    r"seeking|bid|bidding|chances?|odds|plans?|planned|planning|tr(?:y|ies|ying)|attempts?|going|tipped|runner|"
    r"bound|vowed?|promised?|threatened?|threatens?)\s+to\s+(?:\w+\s+)?"
    r"|\b(?:will|would|could|might|may|can|cannot|can't|won't|wouldn't|shall|should|must|'ll)\s+(?:\w+\s+)?"
    r"|\bfrom\s+|\b(?:chances?|hopes?|odds|prospects?|dreams?|fears?|risk|threat|danger|capable|idea|thought)\s+of\s+"
    r"|\b(?:if|unless|whether)\b[^,.;:]{0,60})$", re.I)


_PRESENT_OR_PROSPECT = frozenset(
    "do does is are am can may might will would could should shall must".split())


def event_verbs(question: str) -> set[str]:
    """Stems of the question's past-tense verbs ("who won ..." -> {"win"}): the event it asks about."""
    toks = re.findall(r"[a-z]+", question.lower())
    if _PRESENT_OR_PROSPECT & set(toks):
        return set()  # "where does a cannonball dropped from ... land?", "may be assembled to do what?"
    return {stem(w) for w in toks[1:] if w in IRREGULAR or (w.endswith("ed") and len(w) > 4)} - _GENERIC


def asserts(sentence: str, verbs: set[str]) -> bool:
    """False when the sentence has the question's event verb only as a prospect or a condition
    ("Le Pen is favourite to win", "unless one of them wins"): it does not say it happened."""
    if not verbs:
        return True
    seen = False
    for m in re.finditer(r"[A-Za-z]+", sentence):
        st = stem(m.group(0).lower())
        if st not in verbs and re.sub(r"(.)\1$", r"\1", st) not in verbs:  # "winning" -> "winn" -> "win"
            continue
        seen = True
        if not _IRREALIS.search(sentence[max(0, m.start() - 80) : m.start()]):
            return True
    return not seen


def typed_core(span: str, kind: str) -> tuple[str, int]:
    """A reader model's phrase cut to the answer the question's type wants, with its offset:
    "1985, ZTE is the second-largest ..." -> "1985" for a when-question; "Khorgos, and the
    Western China highway" -> "Khorgos" for a where-question. Untyped questions keep the phrase."""
    if kind not in TYPED:
        return span, 0
    found = candidates(span, kind, starts_sentence=False)
    if found:
        return found[0].text, found[0].start
    comma = span.find(", ")
    return (span[:comma], 0) if comma > 0 else (span, 0)


def _only_a_date(text: str) -> bool:
    return any(c.start == 0 and c.end == len(text) for c in candidates(text, "DATE", False))


#: a what-question that names one of these may be answered by a date ("what was the month ...?")
_TIME_NOUN = re.compile(r"(?<![\w-])(?:month|day|year|date|week|time|season)s?\b", re.I)  # not "prime-time"


def _pick_phrase(
    sentence: str, focus: tuple[str, ...], q_words: set[str], matched_pos: list[int], dates: bool = False
) -> Span | None:
    """For "what/which X" questions: the phrase that names an X and is not in the question (a
    date only when ``dates``: the question asks for a month, a day, ...)."""
    focus_stems = {f[:5] for f in focus}
    best: tuple[float, Span] | None = None
    for p in phrases(sentence):
        p_words = words(p.text)
        new = [w for w in p_words if w not in q_words]
        if not new or (not dates and _only_a_date(p.text)):
            continue  # nothing new, or a date ("Thursday"): it says when, not what
        has_focus = any(w[:5] in focus_stems for w in p_words)
        dist = min((abs(p.start - m) for m in matched_pos), default=len(sentence))
        score = len(new) / len(p_words) + (1.0 if has_focus else 0.0) + 1.0 / (1.0 + dist / 30.0)
        score += 0.2 if p.text[:1].isupper() else 0.0
        score -= 0.05 * max(0, len(p_words) - 5)
        if best is None or score > best[0]:
            best = (score, p)
    if best is None or best[0] < (1.2 if focus else 1.0):
        return None
    return best[1]


#: labels that name an instance of a "which X" question's noun
_NAMED = frozenset({"WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "ORG", "FAC", "PERSON", "GPE", "LOC"})


def _named_instances(readings: list[Reading], focus: tuple[str, ...], q_words: set[str]) -> None:
    """"Which musical ...?": where the phrase picked is the description ("the critically acclaimed
    Broadway musical"), the name the recogniser finds right after the asked noun ("Come From
    Away") is the answer. Read for the ``ENTITY_SENTENCES`` best such sentences."""
    stems = {f[:5] for f in focus}
    picked = sorted((i for i, r in enumerate(readings) if r.span and any(w[:5] in stems for w in words(r.span))),
                    key=lambda i: -readings[i].score)[:ENTITY_SENTENCES]
    found = nlp.entities([readings[i].sentence for i in picked]) if picked else None
    for i, ents in zip(picked, found or [], strict=False):
        r = readings[i]
        link = next((k for k in nlp.names_linked(r.sentence, frozenset(stems)) or ()
                     if k.text not in r.span and not all(w in q_words for w in words(k.text))), None)
        if link is not None:  # "a large fish called the totoaba", "polymelia -- a rare birth defect"
            readings[i] = replace(r, span=link.text, span_start=r.start + link.start)
            continue
        nouns = [m.end() for m in re.finditer(r"\b\w+", r.sentence) if m.group(0).lower()[:5] in stems]
        for ent in ents:
            if (ent.label in _NAMED and any(0 < ent.start - n <= 3 for n in nouns)
                    and not all(w in q_words for w in words(ent.text))):
                readings[i] = replace(r, span=ent.text, span_start=r.start + ent.start)
                break


@dataclass(frozen=True)
class _Pending:
    """A typed question's sentence waiting for its span: where the question's words and the
    asked-for noun are in it."""

    index: int  #: into the readings
    positions: list[int]
    head_pos: list[int]


def _typed_spans(readings: list[Reading], pending: list[_Pending], ask: TypedAsk) -> None:
    """Pick the span of each pending sentence and add what it says to the sentence's score.
    With the entity recogniser, only the ``ENTITY_SENTENCES`` best sentences (on everything
    but the span) are read for entities; the others have no span. Without it, every sentence
    gets the pattern candidates of ``qa.answer.spans``."""
    best = sorted(pending, key=lambda p: -readings[p.index].score)[:ENTITY_SENTENCES]
    found = nlp.entities([readings[p.index].sentence for p in best])
    ents = nlp.consistent(found) if found is not None else None
    by_index = dict(zip((p.index for p in best), ents, strict=True)) if ents is not None else None
    for p in pending:
        r = readings[p.index]
        if by_index is None:
            cands = candidates(r.sentence, ask.kind)
        elif p.index in by_index:
            cands = entity_candidates(r.sentence, ask.kind, by_index[p.index])
        else:
            cands = []
        asked_role = bool(ask.verb and cands and ask.kind in NAMES)
        args = (roles.arguments(r.sentence, ask.verb, ask.role) or ()) if asked_role else ()
        span, delta = score_span(r.sentence, cands, p.positions, p.head_pos, ask, args)
        feats = {**r.features, "span": delta}
        readings[p.index] = replace(r, span=span.text if span else "", span_start=r.start + span.start if span else -1,
                                    score=sentence_score(feats), features=feats)


def read(
    pq: ParsedQuestion,
    passages: list[ScoredChunk],
    idf: Callable[[str], float],
    context: Callable[[Chunk], list[Chunk]] | None = None,
    max_passages: int = 6,
) -> list[Reading]:
    """All candidate readings, best first."""
    terms = question_terms(pq)
    weights = {t: idf(t) for t in terms}
    # names carried over from earlier turns ("what did they discuss?") help, but less
    for t in content_terms(pq.context):
        if t not in weights:
            terms.append(t)
            weights[t] = 0.35 * idf(t)
    total = sum(weights.values()) or 1.0
    q_words = set(words(pq.text))
    # words the filters took out of the question ("in November 2016", "according to ABC News")
    # still help pick the sentence, as a bonus that does not change the match share
    core_terms = set(content_terms(pq.core)) | set(weights)
    soft = {t: 0.5 * idf(t) for t in content_terms(pq.text) if t not in core_terms and t not in _QWORDS}
    need_unit = pq.answer_type == "NUMBER" and bool(MEASURE_Q.search(pq.text))
    # a preposition left at the end ("which country does it import roses from?") sits before the answer
    stranded = re.search(r"\b(from|to|with|for|by|at|in|on|of|about|into)\s*\?*\s*$", pq.text, re.I)
    prep = stranded.group(1).lower() if stranded else ""
    anchors = anchor_terms(pq.core)
    anchor_set = set(anchors)
    events = event_verbs(pq.core)
    anchor_total = sum(idf(t) for t in anchors)
    kind = pq.answer_type
    focus = focus_noun(pq.text) if kind == "OTHER" else ()
    # the noun the answer is an instance of ("which archbishop", "who is the lawyer"): the
    # answering sentence usually names it next to the answer
    counted = [t for w in head_noun(pq.text) for t in content_terms(w)]  # "how many calls" -> call
    heads = [t for t in counted if t not in _GENERIC]
    country = kind == "PLACE" and bool({"country", "nation"} & set(heads))
    local = kind == "PLACE" and bool(LOCAL_UNITS & set(heads))
    # "what is / what does X ..." questions want a phrase; "what did X say", why and how want sentences
    phrase_ok = kind == "OTHER" and bool(re.match(r"^\s*(?:what|which)\b", pq.text, re.I)) and not re.search(
        r"\b(?:say|said|says|think|thinks|believe|argue|argued|claim|warn|warned|tell|told|explain|"
        r"describe|mean|happen|happened|report|reported|announce|announced|do|did|does)\b", pq.text, re.I)
    speaker = speaker_terms(pq.text)
    asks_time = bool(_TIME_NOUN.search(pq.text))  # "what was the month ...?" may be answered by a date
    readings: list[Reading] = []
    typed: list[_Pending] = []
    seen: set[tuple[str, int]] = set()
    for rank, sc in enumerate(passages[:max_passages]):
        chunks = context(sc.chunk) if context else [sc.chunk]
        title_terms = set(content_terms(sc.chunk.title))
        dense = sc.dense if sc.dense is not None else 0.0
        for ch in chunks:
            own = ch.id == sc.chunk.id
            prev_terms: set[str] = set()
            prev_forms: set[str] = set()
            prev_end = -1
            for s, e, sent in _sentences(ch):
                # the sentence before, in the same paragraph, often names what "it"/"the line" is
                same_par = "\n" not in ch.text[max(0, prev_end - ch.start) : s - ch.start]
                ctx_terms = prev_terms if prev_end >= 0 else set()
                ctx_forms = prev_forms if prev_end >= 0 else set()
                prev_end = e
                if (ch.article_id, s) in seen:
                    continue
                seen.add((ch.article_id, s))
                s_terms = set(content_terms(sent))
                s_forms = sentence_forms(s_terms)
                prev_terms, prev_forms = s_terms, s_forms
                hit = [t for t in terms if found(t, s_terms, s_forms)]
                match = sum(weights[t] for t in hit) / total
                ctx = sum(weights[t] for t in terms if t not in hit and t in ctx_terms) / total
                title_match = sum(weights[t] for t in terms if t in title_terms and t not in s_terms) / total
                n_words = len(sent.split())
                anchor = (sum(idf(t) for t in anchors
                              if found(t, s_terms, s_forms) or found(t, ctx_terms, ctx_forms))
                          / anchor_total
                          if anchor_total else 1.0)
                folded = fold(sent)
                # adjacent words of the question in order: phrase match
                bigrams = sum(
                    1 for a, b in pairwise(terms)
                    if re.search(rf"\b{re.escape(a)}\w*\W+(?:\w+\W+)?{re.escape(b)}", folded)
                )
                head_pos = [m.start() for t in heads if t in s_terms
                            for m in re.finditer(rf"\b{re.escape(t[:5])}", folded)]
                real = asserts(sent, events)
                feats = {
                    "match": match, "context_paragraph": ctx if same_par else 0.0,
                    "context_other": 0.0 if same_par else ctx, "title": title_match, "dense": dense,
                    "anchor": anchor, "rank": 1.0 / (1 + rank), "neighbour": 0.0 if own else 1.0,
                    "soft": sum(w for t, w in soft.items() if t in s_terms) / total,
                    "link_label": float(bool(_LABEL.match(sent))),  # "READ MORE: <another story>"
                    "bigrams": float(min(bigrams, 3)), "short": float(n_words < 5), "long": float(n_words > 60),
                    "echo": float(bool(s_terms) and s_terms <= set(terms)),  # only echoes the question
                    "head_noun": float(bool(head_pos)),  # names the noun the answer is an instance of
                    "not_asserted": float(not real),  # "favourite to win" does not say who won
                    "speaker": float(bool(speaker) and speaks(sent, s_terms, ctx_terms, speaker)),
                }
                score = sentence_score(feats)
                span: Span | None = None
                if kind in TYPED:  # the span is picked after the loop, for the best sentences only
                    positions = [m.start() for t in hit for m in re.finditer(re.escape(t[:5]), folded)]
                    typed.append(_Pending(len(readings), positions, head_pos))
                elif focus or phrase_ok:
                    positions = [m.start() for t in hit for m in re.finditer(re.escape(t[:5]), folded)]
                    span = _pick_phrase(sent, focus, q_words, positions, dates=asks_time)
                readings.append(
                    Reading(
                        chunk=ch, start=s, end=e, sentence=sent,
                        span=span.text if span else "",
                        span_start=s + span.start if span else -1,
                        score=score, match=match + 0.5 * ctx, passage_rank=rank,
                        anchor=anchor, asserted=real, features=feats,
                    )
                )
    if typed:
        syntax = nlp.question_syntax(pq.text) if kind in NAMES else None
        ask = TypedAsk(kind, q_words, need_unit, prep, country, counted, heads, anchor_set, local,
                       syntax.verb if syntax else "", syntax.role if syntax else "")
        _typed_spans(readings, typed, ask)
    elif focus:
        _named_instances(readings, focus, q_words)
    readings.sort(key=lambda r: -r.score)
    return readings


def confidence(r: Reading) -> float:
    """A 0..1 squashing of the reading score (for display and thresholds)."""
    return 1 / (1 + math.exp(-8 * (r.score - 0.45)))


def snap_span(r: Reading, pos: int, span: str, kind: str) -> Reading:
    """The model's phrase at ``pos`` of ``r.sentence``, snapped to the typed span of the sentence
    it overlaps ("46" -> "46 billion", "1985, ZTE is ..." -> "1985"); untyped phrases stay."""
    end = pos + len(span)
    if kind in TYPED:
        for c in candidates(r.sentence, kind):
            if c.start < end and pos < c.end:
                return replace(r, span=c.text, span_start=r.start + c.start)
    cut, offset = typed_core(span, kind)
    return replace(r, span=cut, span_start=r.start + pos + offset)

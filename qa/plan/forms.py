"""Recognise the question forms that need more than one article (``Plan``), or return None.

The forms are a small closed set, each with a grammatical frame around its slots: the outlets
the question names (found with the collection's outlet vocabulary and replaced by ``@0``,
``@1``), and a topic (a noun phrase: "report *the Orly attack*") or a claim (a clause:
"report *that* ...", "according to A, ..."). A frame is a pattern of the form, never of one
question; anything that fits none of them goes to the single-article flow.
"""

from __future__ import annotations

import re

from qa.lang.text import content_terms
from qa.plan.types import Form, Plan
from qa.question.filters import extract_dates
from qa.question.types import Vocabulary

VERB = (r"(?:report(?:ed|s)?|publish(?:ed|es)?|cover(?:ed|s)?|ran|run|carr(?:y|ied|ies)|"
        r"br(?:eak|oke)|wr(?:ite|ote) (?:about|on)|post(?:ed)?)")
#: a clause follows these: what the outlet *said*, a claim to check
SAY = (r"(?:say|said|state|stated|report that|reported that|write that|wrote that|claim|claimed|"
       r"quote|quoted|name|named|attribute|attributed|confirm|confirmed|describe|described|"
       r"mention that|mentioned that|put|give|gave|cite|cited)")
ARTICLE = r"(?:reports?|articles?|stor(?:y|ies)|pieces?|coverage)"
OUTLETS = r"(?:outlets?|sources?|news outlets?|publications?|media|newspapers?|broadcasters?)"
PLURAL = r"(?:outlets|sources|news outlets|publications|media|newspapers|broadcasters)"
EARLY = {"before": False, "earlier than": False, "ahead of": False, "first": False, "earlier": False,
         "sooner": False, "after": True, "later than": True, "last": True, "later": True}
REL = r"(?P<rel>before|after|earlier than|later than|ahead of)"
END_O1 = r"@1(?:'s)?(?: (?:did|did so|had|was|reported it|did it|published it|one|ones|report|article|story))?"

AUX = r"(?:did|does|do|was|were|is|are|had|has|have|would|will|could|can|should)"
TOLD = (r"(?:reported|mentioned|discussed|covered|highlighted|published|wrote about|announced|said|"
        r"detailed|described|noted|reported on)")
FRAMES: list[tuple[Form, str]] = [
    # two stories: "did A report X before B mentioned Y?" (each outlet's own article)
    ("order_yesno", rf"(?:did|was|were) (?:the )?@0 (?:first )?{VERB}(?: on| about| that| news of)? "
                    rf"(?P<topic>.+?) {REL} (?:the )?@1 {TOLD}(?: on| about| that)? (?P<topic2>.+)"),
    ("order_yesno", rf"(?:did|was|were|had) @0 (?:first )?{VERB}(?: on| about| that| news of| the news of)? "
                    rf"(?P<topic>.+?) {REL} {END_O1}"),
    ("order_yesno", rf"(?:was|were|did) @0(?:'s)? {ARTICLE} (?:on|of|about|that) (?P<topic>.+?) "
                    rf"(?:published |appear |come out |run |go out )?{REL} {END_O1}"),
    ("order_which", rf"which (?:outlet|source|publication|one|of the two)(?: of the two)? (?:was )?"
                    rf"(?:the )?(?P<rel>first|last|earlier|later) to {VERB}(?: on| about| that)? (?P<topic>.+?),? "
                    rf"(?:the )?@0 or @1"),
    ("order_which", rf"which (?:outlet|source|publication|one|of the two)(?: of the two)? {VERB}(?: on| about| that)? "
                    rf"(?P<topic>.+?) (?P<rel>first|last|earlier|later|sooner),? (?:the )?@0 or @1"),
    ("first_outlet", rf"which {OUTLETS} (?:was |were )?(?:the )?(?P<rel>first|last)(?: in (?:this|the) collection)? "
                     rf"to {VERB}(?: on| about| that)? (?P<topic>.+)"),
    ("first_outlet", rf"which {OUTLETS} {VERB}(?: on| about| that)? (?P<topic>.+?) (?P<rel>first|last)"),
    ("outlets", rf"which {PLURAL}(?: in (?:this|the) collection)? (?:have |had )?{VERB}(?: on| about| that)? "
                rf"(?P<topic>.+)"),
    ("count_outlets", rf"how many {OUTLETS}(?: in (?:this|the) collection)? (?:have |had )?{VERB}"
                      rf"(?: on| about| that)? (?P<topic>.+)"),
    ("count_articles", rf"how many (?:(?P<o0>@0) )?(?:{ARTICLE}|news {ARTICLE})(?: in total)?"
                       rf"(?: did (?:the )?(?:{OUTLETS}|@0) (?:publish|run|write|post) (?:about|on)"
                       rf"| (?:covering|reporting on)"
                       rf"| (?:that |which )?(?:covered|reported(?: on)?))"
                       rf" (?P<topic>.+)"),
    ("covered_other", rf"(?:apart from|besides|other than|except(?: for)?) (?:the )?@0,? did any (?:other )?"
                      rf"{OUTLETS} {VERB}(?: on| about)? (?P<topic>.+)"),
    ("covered_other", rf"did any {OUTLETS} (?:other than|apart from|besides|except(?: for)?) (?:the )?@0 "
                      rf"{VERB}(?: on| about)? (?P<topic>.+)"),
    ("claim_both", rf"did both (?:the )?@0 and (?:the )?@1 (?P<verb>{SAY})(?: that)? (?P<topic>.+)"),
    ("covered", rf"did (?:both )?(?:the )?@0(?: and (?:the )?@1)? {VERB}(?: on| about)? (?!that\b)(?P<topic>.+)"),
    ("compare", r"(?:do|did|does) (?:both )?(?:the )?@0 and (?:the )?@1 (?:give|cite|use|have|put|"
                r"agree on|agree about|state) (?P<topic>.+)"),
    ("compare", r"which (?:outlet|source|one)(?: of the two)? (?:put|gave|reported|cited|had|stated|quoted)"
                r" (?P<topic>.+?),? (?:the )?@0 or @1"),
    # a yes/no question after the outlet ("according to A, how old..." is a single fact)
    ("claim", rf"according to (?:the )?@0(?:'s (?:report|article|story|coverage))?,? (?P<topic>{AUX} .+)"),
    ("claim", rf"(?:in|from) (?:the )?@0(?:'s)? (?:report|article|story|coverage),? (?P<topic>{AUX} .+)"),
    ("claim", rf"(?:does|did) (?:the )?@0 (?P<verb>{SAY})(?: that)? (?P<topic>.+)"),
]
#: "which outlets published the most articles": a catalog ranking, not a topic
NOT_A_TOPIC = re.compile(r"(?:the )?(?:most|fewest|least|more|fewer|(?:largest|highest|smallest) number)\b"
                         r"|(?:articles|stories|reports|pieces)\b", re.I)
#: a coverage topic that holds a second question ("... and did the same source ...") or a judgement
#: of content ("... portray his actions inconsistently?"): not a topic to find articles about
JUDGED = re.compile(r"\b(?:suggests?|indicates?|impl(?:y|ies)|portrays?|and did|(?:in)?consistent(?:ly)?)\b",
                    re.I)
COVERAGE: frozenset[Form] = frozenset({"order_yesno", "order_which", "first_outlet", "outlets", "count_outlets",
                                       "count_articles", "covered", "covered_other"})
_COMPILED = [(form, re.compile(rf"^{pat}$", re.I)) for form, pat in FRAMES]


def mark_outlets(question: str, vocab: Vocabulary) -> tuple[str, tuple[str, ...]]:
    """The question with each outlet it names replaced by ``@0``, ``@1``... in order of mention
    (an outlet named twice gets one mark), and the canonical outlet names."""
    spans: list[tuple[int, int, str]] = []
    for alias, canon in vocab.source_aliases(within=question):
        for m in re.finditer(rf"(?<![\w@-])(?:the )?{re.escape(alias)}(?![\w-])", question, re.I):
            bare = re.sub(r"^the ", "", m.group(0), flags=re.I)
            if len(alias) <= 4 and not bare[:1].isupper():
                continue  # "dw", "abc", "bbc" in lower case: too ambiguous
            if any(s < m.end() and m.start() < e for s, e, _ in spans):
                continue  # inside a longer alias already taken
            spans.append((m.start(), m.end(), canon))
    spans.sort()
    names: list[str] = []
    out, last = [], 0
    for s, e, canon in spans:
        if canon not in names:
            names.append(canon)
        out.append(question[last:s] + f"@{names.index(canon)}")
        last = e
    out.append(question[last:])
    return "".join(out), tuple(names)


def recognise(question: str, vocab: Vocabulary) -> Plan | None:
    """The plan of a question across articles, or None (a single-article question)."""
    text = re.sub(r"\s+", " ", question.strip()).rstrip("?.! ").replace("’", "'")
    marked, outlets = mark_outlets(text, vocab)
    for form, pat in _COMPILED:
        m = pat.match(marked)
        if not m:
            continue
        needs = 2 if "@1" in marked else 1 if "@0" in marked else 0
        if needs != len(outlets):
            continue  # a third outlet inside the topic: not a form we can read safely
        groups = m.groupdict()
        topic = _unmark(groups.get("topic") or "", outlets).strip(" ,")
        if groups.get("verb") and form in ("claim", "claim_both") and not re.match(
                r"(?:say|said|state|stated|report|reported|write|wrote|claim|claimed|mention)", groups["verb"], re.I):
            topic = f"{groups['verb']} {topic}"  # "quote X calling..." keeps its verb: it carries content
        if len(topic.split()) < 2 or NOT_A_TOPIC.match(topic) or _only_a_date(topic):
            continue
        if groups.get("topic2") is not None and len(groups["topic2"].split()) < 2:
            continue  # "before B reported it": one story, the next frame reads it
        if form in COVERAGE and JUDGED.search(f"{topic} {groups.get('topic2') or ''}"):
            continue
        rel = (groups.get("rel") or "").lower()
        topic2 = _unmark(groups.get("topic2") or "", outlets).strip(" ,")
        return Plan(form=form, outlets=outlets, topic=topic, later=EARLY.get(rel, False), question=question,
                    topic2=topic2)
    return None


#: words that name no topic ("did the BBC publish anything on 20 March?")
_ANY = frozenset(content_terms("anything something news any article articles story stories report reports"))


def _only_a_date(topic: str) -> bool:
    """"15 March 2017", "anything on 20 March": a date, not a topic ("how many articles did TASS
    publish on 15 March 2017?" is a catalog count with a date filter)."""
    rest, lo, hi, _ = extract_dates(topic, None)
    return (lo is not None or hi is not None) and not set(content_terms(rest)) - _ANY


def _unmark(text: str, outlets: tuple[str, ...]) -> str:
    return re.sub(r"@(\d)", lambda m: outlets[int(m.group(1))], text)

"""Parse a question into a typed query: the kind of question (chit-chat, collection, one article's
metadata, passage), its expected answer type and its filters (``qa.question.filters``)."""

from __future__ import annotations

import re
from dataclasses import replace

from qa.lang import nlp
from qa.question.filters import (
    PUBLICATION_CUES,
    PUBLISHING,
    extract_dates,
    extract_names,
    extract_sources,
    writes_capitals,
)
from qa.question.types import Filters, ParsedQuestion, Vocabulary

CHITCHAT = re.compile(
    r"^\s*(hi|hello|hey|hiya|good (?:morning|afternoon|evening)|thanks?(?: you)?(?: very much| a lot)?|"
    r"thank you|cheers|ok(?:ay)?|cool|great|bye|goodbye|see you|who are you|what can you do|help)"
    r"[\s!.?,]*(?:there|bot|so much)?[\s!.?]*$",
    re.I,
)

#: nouns that name articles; and nouns that name other things as often ("how many items have
#: police seized?"), so that "how many ..." is a collection question only when what follows says so
_SURE_ARTICLES = r"(?:articles?|stories|story|news(?:\s+items?)?|headlines?)"
_MAYBE_ARTICLES = r"(?:items?|reports?|pieces?|texts?|documents?|publications?|posts?)"
_ARTICLE_NOUN = rf"(?:{_SURE_ARTICLES}|{_MAYBE_ARTICLES})"
_ABOUT_ARTICLES = (r"(?=\s*(?:about|on|from|by|mentioning|published|were\s+there|are\s+there|have\s+been\s+published|"
                   r"came\s+out|come\s+out|appeared|in\s+(?:the\s+)?(?:collection|corpus|index|archive)|"
                   r"(?:did|does|do|has|have)\s+.{1,30}?\s+(?:publish|run|post|write|carry|put\s+out)|[?.!]?\s*$))")
COLLECTION = [
    re.compile(rf"\bhow many\s+(?:\w+\s+){{0,4}}?{_SURE_ARTICLES}\b", re.I),
    re.compile(rf"\bhow many\s+(?:\w+\s+){{0,4}}?{_MAYBE_ARTICLES}\b{_ABOUT_ARTICLES}", re.I),
    re.compile(r"\bhow many\s+(?:different\s+|distinct\s+)?(?:sources|outlets|authors|publishers|newspapers|news "
        r"outlets)\b", re.I),
    re.compile(r"\bhow many\s+(?:different\s+|distinct\s+)(?:days|dates|months|sections)\b|\bon how many days\b", re.I),
    re.compile(r"\b(?:number|count|total)\s+of\s+(?:\w+\s+){0,3}?" + _ARTICLE_NOUN, re.I),
    # "which outlet published the most?", "... more stories on X", not "... left more than a million people"
    re.compile(r"\b(?:which|what)\s+(?:source|outlet|newspaper|publisher|site|agency|broadcaster|author|writer|"
        r"journalist|day|date|month|week)s?\b.*(?:\b(?:most|fewest|least|largest|biggest)\b|\b(?:more|less|top)\b"
        rf"(?:\s+[\w\-]+){{0,3}}?\s*(?:{_ARTICLE_NOUN}|often|frequently|coverage|active|prolific|[?.!]|$))", re.I),
    re.compile(r"\b(?:most|fewest)\s+(?:articles|stories|reports)\b", re.I),
    re.compile(rf"^\s*(?:please\s+)?(?:list|show|give|find|get|display|name)\s+(?:me\s+)?(?:all\s+|the\s+|"
        rf"some\s+)?(?:\w+\s+){{0,3}}?{_ARTICLE_NOUN}\b", re.I),
    re.compile(rf"^\s*(?:what|which)\s+(?:\w+\s+){{0,3}}?{_ARTICLE_NOUN}\s+(?:were|was|are|did|have|has|is)\b", re.I),
    re.compile(r"\bwhat did\s+.+?\s+(?:publish|run|post|cover)\b", re.I),
    # "did the BBC publish anything on 20 March?": a count answers it
    re.compile(r"^\s*(?:did|does|do|has|have)\s+.{1,40}?\s+(?:publish(?:ed)?|run|post(?:ed)?|write|written|put out)\s+"
               rf"(?:anything|any\s+(?:news\s+)?{_ARTICLE_NOUN})\b", re.I),
    re.compile(rf"\b(?:latest|newest|most recent|recent|first|earliest|oldest|last)\s+{_ARTICLE_NOUN}\b", re.I),
    re.compile(rf"\bwhen was the (?:first|last|latest|earliest|most recent|newest|oldest)\s+"
               rf"(?:\w+\s+)?{_ARTICLE_NOUN}\b", re.I),
    re.compile(r"\b(?:what|which)\s+(?:period|time ?span|date range|dates|time range|time frame)\b.*\b(?:cover|span|"
        r"collection|corpus|index|archive|articles)\b", re.I),
    re.compile(r"\b(?:what|which)\s+(?:news\s+)?(?:sources|outlets|publishers|authors|newspapers|agencies)\s+(?:are|do|"
        r"does|did|have|were)\b", re.I),
    re.compile(rf"^\s*(?:all\s+|any\s+)?(?:\w+\s+)?{_ARTICLE_NOUN}\s+"
               r"(?:from|about|on|by|published|in|with|mentioning)\b", re.I),
    re.compile(r"\bdistribution\s+of\b|\bper\s+(?:day|source|outlet|month)\b|"
               r"\bby\s+(?:source|outlet|day|month)\b\s*\??$", re.I),
]

#: what a news story is called, and what an outlet does with one
_STORY = r"(?:article|story|piece|report|feature|interview|essay|column|editorial|item|list|op-ed|post|blog|explainer)"
_PUBLISHES = r"(?:publish|run|post|report|carry|cover|put\s+out|air|break|feature)"
_OUTLET_NOUNS = (r"(?:news\s+)?(?:outlet|source|newspaper|paper|publisher|site|website|agency|media|organi[sz]ation|"
                 r"broadcaster|channel|publication)")
#: "the" or one possessor before the story noun: "the article", "DW's story", "the TASS report"
_WHOSE = r"(?:the|this|that|it)?\s*(?:[\w&.\-]+(?:['’]s?)?\s+)?"

#: questions about one article that name its outlet ("When did CNN publish its story on ...?",
#: "What was HuffPost's headline on ...?"): metadata questions when ``outlet`` is a known source
BY_OUTLET = [
    (re.compile(r"^\s*(?:on\s+)?(?:when|(?:what|which)\s+(?:date|day))\s+did\s+(?P<outlet>.{1,40}?)\s+"
                rf"{_PUBLISHES}\b", re.I), "date"),
    (re.compile(r"\bwhat\s+(?:headline|title)\s+did\s+(?P<outlet>.{1,40}?)\s+(?:run|use|give|put|publish|carry)\b",
                re.I), "title"),
    (re.compile(r"\bwhat(?:'s|’s|\s+is|\s+was)\s+(?P<outlet>.{1,40}?)['’]s?\s+(?:headline|title)\b", re.I), "title"),
]

METADATA = [
    (re.compile(r"\bwho\s+(?:wrote|authored|penned|is the author of|was the author of|writes)\b", re.I),
     "author"),
    (re.compile(r"\bwho\s+(?:reported|broke|ran|carried)\b", re.I), "source"),  # in news, an outlet reports
    # "the author of the article on ...", "the byline of DW's story", not "the lead author of the study"
    (re.compile(rf"\b(?:author|byline|writer|reporter)s?\s+(?:of|on)\s+(?:{_WHOSE}{_STORY}\b|it\b|['\"“‘])", re.I),
     "author"),
    (re.compile(rf"\bwhen\s+(?:was|were|did)\s+{_WHOSE}(?:{_STORY}|it)\b.*\b(?:published|come out|appear|written|"
                r"released|posted)", re.I), "date"),
    (re.compile(r"\b(?:publication|publishing)\s+date\b", re.I), "date"),
    (re.compile(r"\bwhen\s+(?:was|were)\s+(?:it|that|this|they)\s+(?:published|posted|released|written|out)\b",
                re.I), "date"),
    (re.compile(rf"\b(?:what|which)\s+(?:date|day)\s+(?:was|were|did)\s+{_WHOSE}{_STORY}\b.*\b(?:published|"
                r"come out|appear|released|posted|run)\b", re.I), "date"),
    (re.compile(rf"\b(?:which|what)\s+{_OUTLET_NOUNS}\s+(?:published|ran|reported|carried|wrote|posted|put out|"
                rf"covered|featured|broke|had\s+(?:the|a|an|this|that)\s+{_STORY})\b", re.I), "source"),
    (re.compile(r"\bwho\s+published\b", re.I), "source"),
    (re.compile(r"\b(?:which|what)\s+(?:news\s+)?(?:outlet|source|newspaper|publisher|site|website|agency|"
                r"broadcaster|channel)\s+(?:was|is)\s+(?:it|that|this)\b", re.I), "source"),
    (re.compile(r"\bwhat(?:'s| is| was)\s+the\s+(?:title|headline)\b|\bwhat\s+(?:is|was)\s+(?:the\s+)?(?:article|"
        r"story)\s+(?:called|titled)\b", re.I), "title"),
    (re.compile(r"\b(?:photo|image|picture)\s+(?:credit|courtesy)\b|\bwho\s+(?:took|shot)\s+the\s+(?:photo|picture|"
        r"image)s?\b", re.I), "credit"),
    (re.compile(r"\b(?:the|its|photo|image|picture)\s+captions?\b", re.I), "caption"),  # not "youtube captions"
    (re.compile(r"\b(?:which|what)\s+sections?\b|\bsection\s+(?:was|is)\b|\bwhich\s+categor", re.I), "section"),
    (re.compile(r"\bdatelined?\b|\bwhere\s+was\s+(?:the|this|that|it)?\s*(?:article|story|report|piece|it)\s+(?:filed|"
        r"written|datelined)\b", re.I), "dateline"),
    (re.compile(r"\b(?:link|url|web address)\s+(?:to|of|for)\s+(?:the|this|that|it)\b(?:\s+(?:article|story|piece|"
        r"report))?|\bwhat(?:'s| is)\s+the\s+(?:url|link)\b|\bwhere can i read\b", re.I), "url"),
]

PERSON_NOUNS = (
    r"(?:minister|president|leader|official|spokes(?:man|woman|person)|chancellor|secretary|ceo|chief|head|"
    r"director|governor|senator|mayor|king|queen|prince|premier|ambassador|envoy|judge|player|coach|candidate|"
    r"actor|actress|singer|author|writer|journalist|founder|chairman|chairwoman|commander|general|lawmaker|"
    r"politician|man|woman|person|prosecutor|lawyer|activist|manager|captain|star|winner|victim|suspect|pope|"
    r"emperor|dictator|diplomat|economist|analyst|expert|scientist|doctor|professor|officer|researcher|physicist|"
    r"chemist|biologist|mathematician|philosopher|explorer|engineer|inventor|architect|artist|painter|poet|"
    r"novelist|composer|musician|historian|theologian|astronomer|physician|surgeon|ruler|monarch|emperor|general|"
    r"admiral|bishop|priest|saint|scholar|student|teacher|designer|owner|rapper|band member|quarterback|pitcher|"
    r"striker|goalkeeper|athlete|entrepreneur|billionaire|businessman|businesswoman|host|presenter|anchor|editor|"
    r"critic|producer|director|reformer|missionary|commentator|spokesperson|representative|congressman|"
    r"congresswoman|deputy|mp|nominee|individual|figure|celebrity|personality|executive|investor|trader|banker)"
)
PLACE_NOUNS = (
    r"(?:city|country|countries|town|village|region|province|state|capital|island|port|nation|continent|county|"
    r"district|area|location|place|venue|airport|border|republic)"
)
ORG_NOUNS = (
    r"(?:company|companies|firm|party|organi[sz]ation|agency|group|bank|airline|team|club|union|ministry|"
    r"department|newspaper|network|university|court|body|institution|carrier|broadcaster|manufacturer|brand|"
    r"alliance|coalition|militia|movement|platform|tool|app|website|chatbot|product|device|console|startup|"
    r"franchise|studio|retailer|automaker|carmaker|maker|operator|insurer|lender|charity|regulator|watchdog)"
)


MONEY_NOUNS = (r"(?:turnover|revenues?|sales|budget|cost|price|value|salary|wages?|debt|deficit|surplus|profits?|"
               r"losses|income|gdp|investment|fine|fee|ransom|compensation|bill|valuation|earnings)")
COUNT_NOUNS = (r"(?:population|death toll|toll|attendance|turnout|capacity|height|length|distance|weight|area|"
               r"size|speed)")
_WH = re.compile(r"\b(?:what|which|who|whom|whose|where|when|how|why)\b")


_MONEY_WORDS = re.compile(
    r"\b(?:cost|costs|paid|pay|pays|price|worth|money|spend|spent|fund|funds|invest|budget|value|revenue|"
    r"dollars?|euros?|yuan|rubles?|pounds?|withdraw|salary|fine|loan|debt|sum)\b")
_MOD = r"(?:(?!(?:did|does|do|is|was|are|were|has|have|had|will|would|can|could|should|the|a|an|of)\b)[\w\-]+\s+)"
#: "which US immigration judge", "what company": up to two modifiers before the noun
_WHICH = rf"(?:what|which)\s+{_MOD}{{0,2}}?"
#: "what is the maximum amount", "what was Kazakhstan's bilateral trade turnover"
_THE = (rf"(?:what|which)\s+(?:is|was|are|were|will\s+be)\s+"
        rf"(?:the|his|her|their|its|(?:[\w\-]+\s+){{0,3}}?[\w\-]+['’]s?)\s+{_MOD}{{0,2}}?")
_AFTER = r"(?:\s+(?:of|for|between|in|at|on|during|when|from|to|with|that|which)\b|\s*\??$)"
_THE_PLACE = r"(?:city|country|town|village|region|province|capital|island|port|county|district|venue|airport)"


def answer_type(q: str, focus: int | None = None) -> str:
    """The type of answer the question wants, read from its asking wh-phrase: in "what was the
    vote tally when ..." or "which agency did the man whose ... talk to" the later "when" and
    "whose" open a clause and say nothing about the answer. ``focus`` is the asking wh-word's
    offset as the dependency parse found it ("The veteran whose funeral ... was imprisoned on
    *which* island?"); without it, the first wh-word asks."""
    s = q.lower()
    if re.match(r"^\s*(?:and\s+)?(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b", s):
        return "YESNO"
    wh = (_WH.match(s, focus) if focus is not None else None) or _WH.search(s)
    head = s[wh.start():] if wh else s.strip()  # the question from its wh-word on
    at = re.match if wh else re.search  # without a wh-word ("name the ..."), anywhere
    money = bool(_MONEY_WORDS.search(s))
    if at(r"how\s+much\b", head):
        return "MONEY" if money else "NUMBER"
    if at(r"how\s+(?:many|long|old|far|big|large|tall|high|deep|wide|heavy)\b", head):
        return "NUMBER"
    amount = at(rf"(?:{_THE}|(?:what|which)\s+)(amount|number|quantity|sum)\b", head) \
        or at(rf"(?:{_THE}|(?:what|which)\s+)({MONEY_NOUNS}|{COUNT_NOUNS}){_AFTER}", head) \
        or at(r"(?:what|which)\s+(amount|number|quantity|age|size)\b", head) \
        or at(rf"{_THE}(age|tally|score|toll|count){_AFTER}", head)
    if amount:  # "what was the trade turnover between ...", "what is the population of ..."
        noun = amount.group(1)
        return "MONEY" if re.fullmatch(MONEY_NOUNS, noun) or (noun in ("amount", "sum") and money) else "NUMBER"
    if at(r"(?:what|which)\s+(?:percentage|percent|share|proportion|rate)\b", head):
        return "PERCENT"
    if at(r"when\b|(?:what|which)\s+(?:year|date|day|month|time|decade|century|period)\b", head) \
            or at(r"what\s+(?:is|was)\s+the\s+(?:date|year|day)\b", head):
        return "DATE"
    if at(rf"where\b|{_WHICH}{PLACE_NOUNS}\b|{_THE}{_THE_PLACE}{_AFTER}", head):
        return "PLACE"
    if at(r"whose\s+(?:statistics|data|figures|report|study|survey|research|estimates?|analysis|poll|numbers)\b", head):
        return "ORG"  # an organisation as often as a person: any name will do
    if at(rf"who(?:m|se)?\b|{_WHICH}{PERSON_NOUNS}s?\b", head) or re.search(r"\bname\s+of\s+the\s+" + PERSON_NOUNS, s):
        return "PERSON"
    if (at(rf"{_WHICH}{ORG_NOUNS}\b|{_THE}{ORG_NOUNS}{_AFTER}", head)
            or re.search(r"\bname\s+of\s+the\s+" + ORG_NOUNS, s)):
        return "ORG"
    if at(r"what\s+(?:price|cost)\b", head):
        return "MONEY"
    return "OTHER"


def publication_dated(q: str) -> bool:
    """The question's date is the articles' publication date: a word of publishing in the question
    that the date attaches to ("which outlet covered the evacuation on 12 February"), not a date
    of the event ("which company, covered by Engadget, is releasing its product on November 16th").
    Without the parser, or when it finds no date, any such word in the question decides."""
    if not PUBLICATION_CUES.search(q):
        return False
    syntax = nlp.question_syntax(q)
    if syntax is None or not syntax.dates:
        return True
    return any(head in PUBLISHING for head in syntax.dates)


def focus(q: str) -> int | None:
    """The asking wh-word's offset from the dependency parse (None without the model)."""
    syntax = nlp.question_syntax(q)
    return syntax.focus if syntax is not None else None


def classify(q: str, vocab: Vocabulary | None = None) -> tuple[str, str]:
    """(kind, metadata field); ``vocab`` names the collection's outlets."""
    if CHITCHAT.match(q):
        return "chitchat", ""
    for pat in COLLECTION:
        if pat.search(q):
            return "collection", ""
    for pat, fld in METADATA:
        if pat.search(q) and not (fld == "title" and _titles_a_work(q, vocab)):
            return "metadata", fld
    return "passage", ""


def _titles_a_work(q: str, vocab: Vocabulary | None) -> bool:
    """"What is the title of Spike TV's docuseries ...?" asks for a title the articles state, not
    an article's: the parse says what the title is of, it is no story, and the question names
    none of the collection's outlets (whose "video on ..." would be one of their articles)."""
    syntax = nlp.question_syntax(q)
    if syntax is None or not syntax.titled or re.fullmatch(_STORY, syntax.titled) is not None:
        return False
    return vocab is None or not extract_sources(q, vocab)[1]


#: what makes a question about an outlet's stories one about the collection
_COLLECTION_WORDS = re.compile(r"\b(?:most|fewest|first|earliest|latest|last|newest|oldest|recent|how many|any|all|"
                               r"every|list)\b", re.I)


def by_outlet(q: str, vocab: Vocabulary) -> str:
    """The metadata field a question about one article of a named outlet asks ("When did CNN
    publish its story on ...?" -> "date"), or ""."""
    for pat, fld in BY_OUTLET:
        m = pat.search(q)
        if not m:
            continue
        rest, found, _ = extract_sources(m.group("outlet"), vocab)
        if found and not re.sub(r"\b(?:the|['’]s?)\b|['’]", " ", rest).strip():
            return fld
    return ""


def parse_question(
    question: str, vocab: Vocabulary, explicit: Filters | None = None, context: str = ""
) -> ParsedQuestion:
    q = re.sub(r"\s+", " ", question).strip()
    kind, meta_field = classify(q, vocab)
    core, lo, hi, flags = extract_dates(q, vocab.newest, vocab.months)
    if kind == "passage" or (kind == "collection" and not (lo or hi or _COLLECTION_WORDS.search(q))):
        asked = by_outlet(q, vocab)
        if asked:
            kind, meta_field = "metadata", asked
    core, sources, unknown = extract_sources(core, vocab)
    core, authors = extract_names(core, vocab.authors, capitals=writes_capitals(q))
    sections = tuple(
        s for s in vocab.sections
        if len(s) > 2 and s.lower() in q.lower() and re.search(
            rf"\b(?:in the|section|category)\s+{re.escape(s)}\b|\b{re.escape(s)}\s+(?:section|category)\b",
            q, re.I)
    )
    filters = Filters(date_from=lo, date_to=hi, sources=sources, authors=authors, sections=sections)
    if explicit is not None and not explicit.empty():
        filters = filters.merge(explicit)
    pub = kind in ("collection", "metadata") or (bool(lo or hi) and publication_dated(q))
    outside = False
    if (lo or hi) and vocab.newest and vocab.oldest:
        outside = bool((lo and lo > vocab.newest) or (hi and hi < vocab.oldest))
    return ParsedQuestion(
        text=q,
        core=core or q,
        filters=filters,
        date_is_publication=pub,
        latest=flags["latest"],
        earliest=flags["earliest"],
        kind=kind,
        answer_type=answer_type(q, focus(q)),
        meta_field=meta_field,
        context=context,
        unknown_sources=unknown,
        date_outside=outside,
    )


def without_dates(pq: ParsedQuestion) -> ParsedQuestion:
    f = replace(pq.filters, date_from=None, date_to=None)
    return replace(pq, filters=f)

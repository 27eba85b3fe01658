"""Typed candidate spans inside a sentence: numbers, money, percentages, dates, names, places,
organisations. Pure functions over text; offsets are local to the sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.lang import nlp
from qa.lang.dates import MONTHS
from qa.lang.places import is_country, is_nationality

MONTH_RE = "|".join(sorted({m.capitalize() for m in MONTHS}, key=len, reverse=True))

NUMWORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|a dozen|several|a few)"
)
SCALE = r"(?:\s?(?:million|billion|trillion|thousand|hundred|mln|bln|bn|m|k)\b)?"
NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?){SCALE}"
CUR_PRE = r"(?:US\$|A\$|C\$|HK\$|\$|€|£|¥|₹|USD\s?|EUR\s?|GBP\s?|RMB\s?|CNY\s?|Rs\.?\s?)"
CUR_POST = (
    r"(?:US dollars|dollars|euros?|pounds(?: sterling)?|yuan|renminbi|rubles?|roubles?|yen|"
    r"rupees?|tenge|francs?|pesos?|won|lira|shekels?|dirhams?|riyals?|rand|hryvnias?|zlotys?|baht|"
    r"ringgit|rupiah|nairas?|shillings?|kronor|kronur|krona|krone|forints?|lei|leu|dinars?|manats?|soms?|"
    r"lari|drams?|kyats?|taka|cedis?|kwacha|birr|reais|real|bolivars?|sol|soles|dong|afghanis?|"
    r"Swiss francs|USD|EUR|GBP|CNY|RUB|JPY)"
)
MODIFIER = (
    r"(?:(?:about|around|nearly|almost|approximately|roughly|some|more than|over|under|less than|at least|up to|"
    r"just over|just under)\s+)?"
)

MONEY = re.compile(
    rf"{MODIFIER}(?:{CUR_PRE}{NUM}|{NUM}\s?{CUR_POST}|{NUMWORD}\s+(?:million|billion)?\s*{CUR_POST})", re.I)
PERCENT = re.compile(rf"{MODIFIER}(?:{NUM}|{NUMWORD})\s?(?:%|percent|per cent|percentage points?)", re.I)
UNIT_WORD = (
    r"(?:\s(?!(?:and|or|of|the|a|in|on|at|to|for|by|with|from|was|were|is|are|has|had|have|said|per|as|than|that|"
    r"which|who|this|its|their|his|her)\b)[a-z][a-z\-]+)?"
)
#: a unit written onto its number: "25km", "770ft", "150mph"
ATTACHED_UNIT = r"(?:km|kg|cm|mm|ft|mph|kph|km/h|lbs?|sq\s?km|m)\b"
NUMBER = re.compile(rf"{MODIFIER}(?<![\w.])(?:{NUM}{ATTACHED_UNIT}|(?:{NUM}|{NUMWORD}\b(?:[\s-]{NUMWORD}\b)?)"
                    rf"(?![\w.]*\d){UNIT_WORD})", re.I)
#: a vote count or a score: "72 votes to 27", "by 72-27", "a 6-1 win"
TALLY = re.compile(r"(?<![\w.\-])\d{1,3}(?:\s+votes?\s+to\s+|\s*[-–]\s*)\d{1,3}(?![\w.\-]*\d)(?:\s+votes?\b)?")
DATE = re.compile(
    rf"\b(?:(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTH_RE})\.?,?\s+\d{{4}}|(?:{MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|"
        rf"th)?,?\s+\d{{4}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTH_RE})\b|(?:{MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|"
        rf"(?:{MONTH_RE})\.?\s+\d{{4}}|"
    rf"(?:from\s+|between\s+)?(?:1[5-9]|20)\d{{2}}\s*(?:to|and|-|–)\s*(?:(?:1[5-9]|20)\d{{2}}|\d{{2}})\b|"
    rf"(?:early|mid|late)[\s-](?:{MONTH_RE}|\d{{4}}s?)|(?:(?:early|mid|late)[\s-])?\d{{1,2}}(?:st|nd|rd|"
        rf"th)[\s-]century|"
    rf"\d{{1,2}}(?::\d\d)?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\d{{4}}-\d{{2}}-\d{{2}}|(?:in|since|by|until|"
        rf"from)\s+\d{{4}}s?\b|\b(?:1[5-9]|20)\d{{2}}s?\b|"
    rf"(?:last|next|this)\s+(?:week|month|year|weekend|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    rf"(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|today|tomorrow|"
    rf"(?:(?<=in )|(?<=since )|(?<=until )|(?<=by )|(?<=from )|(?<=early )|(?<=late ))(?:{MONTH_RE})\b(?!\s+\d))",
)
_CAP_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w'’\-]*[\w]|[A-Z]\.?|[A-Z]{2,})"
_CONNECT = r"(?:\s(?:of|de|del|della|da|di|van|von|der|den|bin|ibn|al|el|la|le|du|dos|y|and|for|the)(?=\s[A-Z]))"
CAPSEQ = re.compile(rf"(?<![\w])(?:{_CAP_WORD})(?:{_CONNECT}?\s(?:{_CAP_WORD}))*")

NOT_NAMES = frozenset(
    ["The", "A", "An", "In", "On", "At", "For", "From", "To", "By", "With", "And", "But", "Or", "If", "As",
     "It", "Its", "This", "That", "These", "Those", "He", "She", "They", "We", "I", "You", "His", "Her",
     "Their", "Our", "My", "Your", "There", "Here", "When", "Where", "What", "Which", "Who", "Why", "How",
     "After", "Before", "During", "While", "Since", "Until", "Although", "Though", "However", "Meanwhile",
     "Also", "Still", "Yet", "So", "Then", "Now", "Today", "Yesterday", "Tomorrow", "Monday", "Tuesday",
     "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May",
     "June", "July", "August", "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr",
     "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mr", "Mrs", "Ms", "Dr", "Some", "Many", "Most",
     "More", "All", "Both", "Each", "Every", "No", "Not", "One", "Two", "Three", "Other", "Another",
     "According", "Last", "Next", "First", "Second", "Third", "Earlier", "Later", "Under", "Over", "Despite",
     "Following", "Among"]
)
TITLES = frozenset(
    ["President", "Prime", "Minister", "Foreign", "Secretary", "Chancellor", "General", "Gen", "Sen", "Senator",
     "Rep", "Gov", "Governor", "King", "Queen", "Prince", "Princess", "Pope", "Judge", "Justice", "Mayor",
     "Chief", "Director", "Dr", "Mr", "Mrs", "Ms", "Sir", "Lord", "Lady", "Ambassador", "Minister", "Deputy",
     "Vice", "Spokesman", "Spokeswoman", "Chairman", "Chairwoman", "CEO", "Professor", "Prof", "Commander",
     "Colonel", "Captain", "Officer", "Premier", "Sheikh", "Emir", "Crown", "Defense", "Defence", "Interior",
     "Finance", "Economy", "Trade", "Health", "Education", "Justice", "Attorney", "State", "US", "U.S.", "UN",
     "EU"]
)
ORG_HINT = re.compile(
    r"\b(?:Company|Corp|Corporation|Inc|Ltd|Group|Party|Ministry|Department|Agency|Bank|Council|"
    r"Union|Association|Organi[sz]ation|Committee|Commission|Court|University|Institute|Foundation|"
    r"Airlines?|Airways|Fund|Service|Office|Federation|Movement|Front|Army|Forces|Police|Club|"
    r"Assembly|Parliament|Congress|Senate|Times|Post|News|Press|Network|Motors|Technologies|"
    r"Holdings|Bureau|Authority|Board|Alliance|Coalition|League|Society|Center|Centre|Exchange)\b"
)

#: nationality adjectives ("French", "Sudanese", "African"): they describe, they do not name a place
DEMONYM = re.compile(
    r"(?!(?:Caribbean|Vatican)$)[A-Z][a-z]+(?:ian|ean|ese|ish|ican)|French|Dutch|Greek|Thai|Swiss|Arab|Czech|"
    r"Iraqi|Israeli|Pakistani|Saudi|Afghan|Kuwaiti|Qatari|Yemeni|Omani|Emirati|Bangladeshi|Somali|Nepali|"
    r"Kazakh|Uzbek|Tajik|Kyrgyz|Turkmen|Welsh|Scots|Irish|Filipino|Bahraini|Azeri"
)


HYPHEN_UNIT = re.compile(
    r"-(?:year-old|(?:metre|meter|kilometre|kilometer|km|mile|foot|feet|inch|ton|tonne|storey|story|hour|day|"
    r"week|month|year|minute|second|percent)s?)\b")
COUNTRY_CODES = frozenset(["US", "U.S.", "USA", "UK", "U.K."])


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    kind: str


def describes(sentence: str, span: Span) -> bool:
    """The run is a nationality used as an adjective, not a name: "the French side", "Multiple
    South Korean officials", "North Korean"."""
    words = span.text.split()
    if is_nationality(span.text):
        return True
    last = is_nationality(" ".join(words[-2:])) or is_nationality(words[-1])  # "... South Korean"
    return last and bool(re.match(r"\s+[a-z]", sentence[span.end :]))


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " ,;:\"'“”‘’([":
        s += 1
    while e > s and text[e - 1] in " ,;:.\"'“”‘’)]":
        e -= 1
    return s, e


def name_runs(sentence: str) -> list[Span]:
    out = []
    for m in CAPSEQ.finditer(sentence):
        s, e = m.start(), m.end()
        words = m.group(0).split()
        # drop leading function words / titles ("The", "President") from the run
        while words and (words[0].strip(".,") in NOT_NAMES):
            s += len(words[0]) + 1
            words = words[1:]
        if not words:
            continue
        s, e = _strip_span(sentence, s, e)
        if e < len(sentence) and sentence[e] == "." and re.search(r"(?:^|\s)(?:[A-Z]\.)+[A-Z]$", sentence[s:e]):
            e += 1  # "the U.S." keeps its last dot: the abbreviation, not the full stop
        # "New York-based Human Rights Watch", "Kremlin-backed Rosneft": the name follows the label
        label = re.match(r".*?-(?:based|born|owned|backed|led|run|funded|controlled|listed|registered)\s+(?=[A-Z])",
                         sentence[s:e])
        if label:
            s += label.end()
        text = sentence[s:e]
        if not text or text in NOT_NAMES or re.fullmatch(r"[A-Z]{2,}s['’]?", text):
            continue  # ("MPs", "CEOs": plural common nouns, not names)
        out.append(Span(s, e, text, "NAME"))
    return out


def candidates(sentence: str, kind: str, starts_sentence: bool = True) -> list[Span]:
    """Spans of ``kind`` in the sentence, in order of appearance. ``starts_sentence=False``:
    the text is a phrase from inside a sentence, so its first capital is not just grammar."""
    pats = {
        "MONEY": [MONEY],
        "PERCENT": [PERCENT],
        "NUMBER": [MONEY, PERCENT, TALLY, NUMBER],
        "DATE": [DATE],
    }.get(kind)
    out: list[Span] = []
    if pats:
        taken: list[tuple[int, int]] = []
        for pat in pats:
            for m in pat.finditer(sentence):
                s, e = _strip_span(sentence, m.start(), m.end())
                if e <= s or any(s < te and ts < e for ts, te in taken):
                    continue
                if kind == "NUMBER" and (
                    re.fullmatch(r"(?:19|20)\d\d", sentence[s:e])
                    or any(d.start() <= s < d.end() for d in DATE.finditer(sentence))
                ):
                    continue  # a year or a day of a date is not a count
                if kind == "NUMBER" and pat is NUMBER:
                    unit = HYPHEN_UNIT.match(sentence, e)
                    if unit:  # "a 12-meter tall sculpture", "a 48-year-old mother"
                        e = unit.end()
                if kind == "DATE":
                    lead = re.match(r"(?:on|in|since|by|until|from)\s+", sentence[s:e])
                    if lead and e - s > lead.end():
                        s += lead.end()
                taken.append((s, e))
                out.append(Span(s, e, sentence[s:e], kind))
        return sorted(out, key=lambda sp: sp.start)
    if kind in ("PERSON", "PLACE", "ORG"):
        for sp in name_runs(sentence):
            text = sp.text
            is_org = bool(ORG_HINT.search(text)) or (text.isupper() and 2 <= len(text) <= 6)
            words = text.split()
            if kind != "PLACE" and describes(sentence, sp):
                continue  # "the French side", "North Korean agents": who they are, not a name
            if kind == "PERSON":
                if is_org or DATE.fullmatch(text):
                    continue
                before = sentence[max(0, sp.start - 12) : sp.start].lower()
                if re.search(r"\b(?:in|at|near|inside|outside|across)\s+(?:the\s+)?$", before):
                    continue  # "at the Nou Camp", "in Dresden": a place, not a person
                if starts_sentence and sp.start == 0 and len(words) == 1:
                    continue  # a capitalised first word is usually not a name
                # strip titles: "Chinese President Xi Jinping" -> "Xi Jinping"
                k = 0
                for j, w in enumerate(words[:-1]):
                    if w.strip(".") in TITLES:
                        k = j + 1
                if k:
                    off = sentence.index(words[k], sp.start)
                    sp = Span(off, sp.end, sentence[off : sp.end], kind)
                out.append(Span(sp.start, sp.end, sp.text, kind))
            elif kind == "ORG":
                if starts_sentence and sp.start == 0 and len(words) == 1 and not is_org:
                    continue
                if text in COUNTRY_CODES:
                    continue  # "the US ride-hailing company": a country used as an adjective
                out.append(Span(sp.start, sp.end, sp.text, kind))
            else:  # PLACE: names after a locative preposition, or any name run
                before = sentence[max(0, sp.start - 12) : sp.start].lower()
                loc = bool(re.search(r"\b(?:in|at|from|to|near|across|outside|inside|into|of|across)\s+(?:the\s+)?$",
                                     before))
                if starts_sentence and sp.start == 0 and len(words) == 1 and not is_country(text):
                    continue  # a capitalised first word is usually grammar ("Russia will host": a country)
                if DEMONYM.fullmatch(text.removesuffix("'s").removesuffix("’s")):
                    continue  # "the Sudanese capital Khartoum": the place is Khartoum
                if not is_org or loc:
                    out.append(Span(sp.start, sp.end, sp.text, "PLACE" if loc else "NAME"))
    return out


# ----------------------------------------------------------------------------- untyped phrases

_FUNCTION = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its
    this that these those there here what which who whom whose when where why how do does did done
    have has had having not no nor so than too very can could will would shall should may might must
    he him his she her they them their we our you your i me my also just only into over under after
    before between during through up down out off about against within without while since until
    although though because however said says say told according including such other another
    across all each every some any both many much more most toward towards among upon via per onto
    around near beyond behind below above then now thus yet still""".split()
)
_PHRASE_TOKEN = re.compile(r"[A-Za-z0-9][\w'’\-.%$€£]*[\w%]|[A-Za-z0-9$€£]")


def focus_noun(question: str) -> tuple[str, ...]:
    """Words naming what a what/which question asks for: "what pathway ..." -> ("pathway",)."""
    m = re.search(
        r"\b(?:what|which)\s+(?:kind of\s+|type of\s+|sort of\s+|form of\s+|name of\s+(?:the\s+)?)?"
        r"([a-z]{3,})(?:\s+([a-z]{3,}))?",
        question.lower(),
    )
    if not m:
        return ()
    verbish = {"did", "does", "was", "were", "are", "has", "had", "happened", "happens", "can", "could", "will"}
    out = []
    for w in (m.group(1), m.group(2)):
        if not w or w in _FUNCTION or w in verbish:
            break
        out.append(w)
    return tuple(out)


def head_noun(question: str) -> tuple[str, ...]:
    """The noun naming what is asked for, for any wh-question that has one: "which archbishop ...",
    "what union ...", "who is the lawyer representing ...", "in which square ..." -> ("lawyer",).
    Empty when the question names no such noun ("who scored ...", "when did ...")."""
    found = focus_noun(question)
    if found:
        return found
    m = re.search(r"\bwho\s+(?:is|was|are|were|'s)\s+(?:the|a|an|this|that)\s+([a-z][a-z\-]{2,})", question.lower())
    if not m or m.group(1) in _FUNCTION:
        m = re.search(r"\bhow\s+many\s+(?:more\s+|fewer\s+)?([a-z]{3,})", question.lower())  # "how many students"
    if m and m.group(1) not in _FUNCTION:
        syntax = nlp.question_syntax(question)
        if syntax is not None and syntax.noun:
            return (syntax.noun,)  # "how many Chinese companies", "who is the Chinese spokeswoman": the parse's noun
        return (m.group(1),)
    return ()


def phrases(sentence: str) -> list[Span]:
    """Maximal runs of content words (a crude noun-phrase chunker; "of" may join two runs)."""
    out: list[Span] = []
    toks = [(m.start(), m.end(), m.group(0)) for m in _PHRASE_TOKEN.finditer(sentence)]
    cur: list[tuple[int, int, str]] = []

    def flush() -> None:
        while cur and cur[-1][2].lower() in _FUNCTION:
            cur.pop()
        if cur:
            s, e = cur[0][0], cur[-1][1]
            s, e = _strip_span(sentence, s, e)
            if e > s:
                out.append(Span(s, e, sentence[s:e], "PHRASE"))
        cur.clear()

    for i, (s, e, w) in enumerate(toks):
        low = w.lower()
        gap = sentence[cur[-1][1] : s] if cur else ""
        if cur and re.search(r"[,;:()\"“”]", gap):
            flush()
        if low in _FUNCTION:
            nxt = toks[i + 1][2].lower() if i + 1 < len(toks) else ""
            if low in {"of", "and"} and cur and nxt and nxt not in _FUNCTION:
                cur.append((s, e, w))
                continue
            flush()
            continue
        cur.append((s, e, w))
    flush()
    return out

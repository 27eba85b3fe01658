"""Text utilities shared by the chunker, the retriever and the reader.

Sentence splitting is abbreviation-safe ("Rep.", "Gen.", "U.S.", "Jan. 5") and returns
character offsets, so every sentence can be cited verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "rep", "sen", "gen", "gov", "lt", "col",
    "capt", "sgt", "maj", "cmdr", "adm", "rev", "hon", "pres", "supt", "insp", "det", "fr",
    "inc", "ltd", "co", "corp", "plc", "llc", "bros", "dept", "univ", "assn", "no", "nos", "vs",
    "etc", "e.g", "i.e", "al", "approx", "est", "fig", "vol", "pp", "cf", "ca",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "u.s", "u.k", "u.n", "e.u", "d.c", "a.m",
    "p.m", "u.s.a", "ph.d", "mt", "ft", "ave", "blvd", "rd", "hwy", "op", "ed",
}

#: a sentence end, then space or a dash standing for a lost paragraph break ("... systems.- The ...")
_BOUNDARY = re.compile(r"""([.!?…]+["'”’)\]]*|[.!?]["'”’]?\s*\?)(\s+|\s*-\s*)(?=["'“‘(\[]?[A-Z0-9])""")


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text`` (plus ``offset``), verbatim, trimmed."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        p_start = para.start()
        seg = para.group()
        start = 0
        for m in _BOUNDARY.finditer(seg):
            end = m.end(1)
            before = seg[start:end]
            word = re.search(r"(\S+?)[.]+[\"'”’)\]]*$", before)
            if word and m.group(1).startswith("."):
                w = word.group(1).lower().strip("(\"'“")
                # "U.S." / "Gen." / single initials "J." do not end sentences
                if w in ABBREVIATIONS or re.fullmatch(r"[a-z]", w) or re.fullmatch(
                    r"(?:[a-z]\.)+[a-z]", w
                ):
                    continue
            _push(spans, seg, start, end, p_start + offset)
            start = m.end()
        _push(spans, seg, start, len(seg), p_start + offset)
    return spans


def _push(spans: list[tuple[int, int]], seg: str, start: int, end: int, base: int) -> None:
    piece = seg[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    if piece.strip():
        spans.append((base + start + lead, base + end - trail))


STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it
    its this that these those there here what which who whom whose when where why how do does
    did done doing have has had having not no nor so than too very can could will would shall
    should may might must i me my we our you your he him his she her they them their about into
    over under after before between during through up down out off again further then once all
    any both each few more most other some such only own same just also s t don now said says
    say tell told according""".split()
)


def fold(text: str) -> str:
    """Lower case, accents removed, curly quotes straightened."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("’", "'").replace("‘", "'")


_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")


#: irregular past forms -> the base form, so "fell" meets "fall" and "won" meets "win"
IRREGULAR = {
    past: base
    for base, forms in {
        "fall": "fell fallen", "rise": "rose risen", "win": "won", "lose": "lost", "buy": "bought",
        "sell": "sold", "pay": "paid", "lead": "led", "hold": "held", "meet": "met", "begin": "began begun",
        "build": "built", "spend": "spent", "shoot": "shot", "fight": "fought", "seek": "sought",
        "bring": "brought", "think": "thought", "teach": "taught", "catch": "caught", "choose": "chose chosen",
        "drive": "drove driven", "grow": "grew grown", "know": "knew known", "throw": "threw thrown",
        "draw": "drew drawn", "break": "broke broken", "speak": "spoke spoken", "write": "wrote written",
        "strike": "struck stricken", "sink": "sank sunk", "stand": "stood", "send": "sent", "keep": "kept",
        "feel": "felt", "run": "ran", "come": "came", "become": "became", "see": "saw seen",
        "eat": "ate eaten", "go": "went gone", "get": "got gotten", "hear": "heard", "wear": "wore worn",
        "hide": "hid hidden", "shake": "shook shaken", "arise": "arose arisen", "fly": "flew flown",
        "withdraw": "withdrew withdrawn", "steal": "stole stolen", "give": "gave given",
        "take": "took taken", "make": "made", "die": "died dying", "find": "found", "flee": "fled",
        "lie": "lay lain", "bear": "bore born borne", "swear": "swore sworn", "forbid": "forbade forbidden",
        "freeze": "froze frozen", "ride": "rode ridden", "sing": "sang sung", "swim": "swam swum",
        "drink": "drank drunk", "ring": "rang rung", "tear": "tore torn", "bite": "bit bitten",
        "sit": "sat", "sleep": "slept", "leave": "left", "light": "lit", "deal": "dealt", "mean": "meant",
        "feed": "fed", "bleed": "bled", "dig": "dug", "hang": "hung", "stick": "stuck",
        "weep": "wept", "sweep": "swept", "undergo": "underwent undergone", "overtake": "overtook overtaken",
        "undertake": "undertook undertaken", "forgive": "forgave forgiven", "forget": "forgot forgotten",
    }.items()
    for past in forms.split()
}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper (enough for BM25 recall; not linguistics); irregular past forms
    first go to their base form ("fell" -> "fall")."""
    word = IRREGULAR.get(word, word)
    if len(word) <= 3 or word.isdigit():
        return word
    for suf, rep in (
        ("ies", "y"), ("sses", "ss"), ("ness", ""), ("ments", "ment"), ("ings", ""), ("ing", ""),
        ("edly", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", ""),
    ):
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            if suf == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suf)] + rep
            break
    return word


def match_form(term: str) -> str:
    """A stemmed term as it is matched: without a base form's final e, which ``stem`` keeps
    ("accuse") but loses with the suffix ("accused" -> "accus"). The keyword index keeps the
    stems; matching in the reader and the claim checker compares these forms."""
    return term[:-1] if len(term) >= 4 and term.endswith("e") else term


def words(text: str) -> list[str]:
    """Folded word tokens (keeps numbers and inner apostrophes/dots)."""
    out = []
    for w in _WORD.findall(fold(text)):
        w = w.replace(".", "") if re.fullmatch(r"(?:[a-z]\.)+[a-z]", w) else w
        w = w.removesuffix("'s")
        out.append(w)
    return out


def content_terms(text: str) -> list[str]:
    """Stemmed words without stopwords: the BM25 / overlap vocabulary."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]

"""The house text format: ``date YYYY-MM-DD`` header, title, byline (``BY X in A, B`` /
``on 25 JANUARY 2022``), dateline and image captions."""

from __future__ import annotations

import re

from ingest.parsers.common import Skip, _clean, make_id
from qa.lang.dates import parse_date
from qa.types import Article, Caption

_HOUSE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_BYLINE = re.compile(r"^\s*BY\s+(.+?)(?:\s+in\s+(.+))?\s*$")
_BYDATE = re.compile(r"^\s*on\s+(\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})\s*$", re.I)
_IMAGE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|bmp|tiff?|svg|avif)$", re.I)
_CREDIT = re.compile(r"\s*\(?(?:Photo|Image|Picture)\s+(?:credit|courtesy)\s*:\s*(.+?)\)?\s*$", re.I)
_DATELINE = re.compile(r"^([A-Z][A-Z .'\-]{1,40}?(?:,\s*[A-Z][A-Za-z .]{1,30})?)\s+[–—-]\s+\S")


def looks_like_house(text: str) -> bool:
    lines = text.lstrip("\ufeff").splitlines()[:12]
    if lines and _HOUSE_HEADER.match(lines[0]):
        return True
    return any(_BYLINE.match(x) for x in lines) and any(_BYDATE.match(x) for x in lines)


def _name_case(s: str) -> str:
    s = s.strip()
    return s.title() if s.isupper() else s


def parse_house(text: str, where: str) -> Article | Skip:
    """The house text format described in ``../shared/NOTES.md``."""
    lines = _clean(text).split("\n")
    i = 0
    stored = None
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and (m := _HOUSE_HEADER.match(lines[i])):
        stored = parse_date(m[1])
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    title_lines: list[str] = []
    while i < len(lines) and lines[i].strip() and not _BYLINE.match(lines[i]):
        title_lines.append(lines[i].strip())
        i += 1
    title = " ".join(title_lines)
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    published = None
    # byline block: "BY X in A, B" then "on 25 JANUARY 2022" (either may be missing)
    j = i
    while j < len(lines) and j < i + 6:
        line = lines[j]
        if m := _BYLINE.match(line):
            authors = tuple(_name_case(a) for a in re.split(r"\s*(?:,|\band\b|&)\s*", m[1]) if a)
            if m[2]:
                sections = tuple(_name_case(s) for s in m[2].split(",") if s.strip())
            i = j + 1
        elif m := _BYDATE.match(line):
            published = parse_date(m[1])
            i = j + 1
        elif line.strip():
            break
        j += 1
    paragraphs: list[str] = []
    captions: list[Caption] = []
    block: list[str] = []
    pending_image = ""

    def flush() -> None:
        nonlocal pending_image
        if not block:
            return
        para = re.sub(r"\s+", " ", " ".join(block)).strip()
        block.clear()
        credit_m = _CREDIT.search(para)
        if pending_image or credit_m:
            cap_text = para[: credit_m.start()].strip() if credit_m else para
            captions.append(Caption(cap_text, pending_image, credit_m[1].strip() if credit_m else ""))
            pending_image = ""
        elif para:
            paragraphs.append(para)

    for line in lines[i:]:
        s = line.strip()
        if not s:
            flush()
        elif _IMAGE.match(s):
            flush()
            if pending_image:  # an image with no caption
                captions.append(Caption("", pending_image, ""))
            pending_image = s
        else:
            block.append(s)
    flush()
    if pending_image:
        captions.append(Caption("", pending_image, ""))
    if not paragraphs:
        return Skip(where, "no body text after the header")
    dateline = ""
    if m := _DATELINE.match(paragraphs[0]):
        dateline = m[1].strip()
    art_id = make_id("", "", "", title, published.isoformat() if published else "", paragraphs[0])
    return Article(
        id=art_id,
        title=title,
        paragraphs=tuple(paragraphs),
        published=published or stored,
        authors=authors,
        sections=sections,
        dateline=dateline,
        captions=tuple(captions),
        path=where,
        stored=stored,
    )

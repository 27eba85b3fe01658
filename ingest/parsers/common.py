"""Shared by every format: limits, ``Skip``, field aliases, ids, records to ``Article``,
text cleaning and paragraphs, and reading UTF-8 text (``read_text`` / ``open_text``)."""

from __future__ import annotations

import codecs
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from qa.lang.dates import parse_date
from qa.lang.outlets import outlet_from_url
from qa.types import Article, stable_hash

# the package's logger, so messages keep the name they had when the parsers were one module
logger = logging.getLogger("ingest.parsers")

# Memory stays bounded whatever the input: CSV / JSONL files are streamed record by record (one
# physical line is at most ``MAX_RECORD_CHARS``), plain text / house files are read only up to
# twice the longest body kept, JSON arrays (parsed whole) are limited to ``MAX_JSON_ARRAY_CHARS``,
# and files over the size limit (``Settings.max_file_bytes``) are refused without being read.
# The other modules read these limits here at call time (``common.MAX_...``): patch them here.
SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".csv", ".tsv", ".jsonl", ".ndjson", ".json"}
MAX_FILE_BYTES = 512 * 1024 * 1024  #: default size limit: larger files are refused with a reason
MAX_ARTICLE_CHARS = 2_000_000  #: longer bodies are cut to this (and say so in the log)
MAX_RECORD_CHARS = 16 * 1024 * 1024  #: longest CSV / JSONL line (and CSV field) read
MAX_JSON_ARRAY_CHARS = 64 * 1024 * 1024  #: ``[...]`` files are parsed whole; larger must be JSONL
MAX_FIELD_CHARS = 1000  #: title, source, dateline and other one-line fields are cut to this
MAX_NESTING = 32  #: deeper JSON lists / objects inside a field are refused


@dataclass(frozen=True)
class Skip:
    """A record or file that could not be ingested, and why."""

    where: str  #: path, with ``:row N`` / ``:line N`` for records inside exports
    reason: str


# ---------------------------------------------------------------------------- helpers

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("article_id", "id", "doc_id", "uuid", "guid", "_id"),
    "title": ("title", "headline", "heading", "name"),
    "subtitle": ("subtitle", "subheadline", "standfirst", "description", "summary", "dek"),
    "text": ("text", "body", "content", "article", "article_text", "full_text", "story"),
    "published": (
        "publish_date", "published", "published_at", "date", "pub_date", "publication_date",
        "datetime", "created_at", "timestamp",
    ),
    "authors": ("author", "authors", "byline", "writer", "by"),
    "source": ("source", "outlet", "publisher", "publication", "site", "source_name"),
    "url": ("url", "link", "article_source_link", "source_link", "href", "permalink"),
    "sections": ("section", "sections", "category", "categories", "topic", "tags"),
    "dateline": ("dateline", "place", "location"),
}
_ALIAS_TO_FIELD = {alias: f for f, aliases in FIELD_ALIASES.items() for alias in aliases}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        items = [_one_line(v.get("name", "")) if isinstance(v, dict) else _one_line(v) for v in value]
    else:
        items = [_one_line(i) for i in re.split(r"\s*(?:;|,|\band\b|&)\s*", str(value)[: MAX_FIELD_CHARS * 20])]
    return tuple(i for i in items if i)


def _as_text(value: Any, depth: int = 0) -> str:
    if value is None:
        return ""
    if depth > MAX_NESTING:
        raise ValueError(f"field nested more than {MAX_NESTING} levels deep")
    if isinstance(value, list | tuple):
        return "\n\n".join(_as_text(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return _as_text(value.get("text") or value.get("value") or "", depth + 1)
    return str(value)


def _one_line(value: Any) -> str:
    """A one-line field (title, source, ...): whitespace folded, cut to ``MAX_FIELD_CHARS``."""
    return re.sub(r"\s+", " ", _clean(_as_text(value)[: MAX_FIELD_CHARS * 4])).strip()[:MAX_FIELD_CHARS]


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return text


#: a double quote standing for an apostrophe inside a word ("don"t", "Trump"s", "we"ve"): some
#: exports (the demo corpus: 1,202 in 415 rows) wrote every apostrophe as one
_QUOTE_APOSTROPHE = re.compile(r'(?<=[A-Za-z])"(?=(?:t|s|re|ve|ll|d|m)\b)')


REPAIRED_QUOTES = "repaired_quotes"  #: Article.extra key: apostrophes restored from double quotes


def repair_quotes(text: str) -> tuple[str, int]:
    """``text`` with apostrophes written as double quotes restored, and how many there were."""
    return _QUOTE_APOSTROPHE.subn("'", text)


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Blank-line separated paragraphs, whitespace inside each folded."""
    text = _clean(text)
    paras = [re.sub(r"[ \t\f\v]+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    out: list[str] = []
    for p in paras:
        p = re.sub(r"\s*\n\s*", " ", p)
        if p:
            out.append(p)
    return tuple(out)


def make_id(own_id: str, source: str, url: str, title: str, date: str, body: str) -> str:
    """Stable article id: the URL when known, else source + title + date (+ body if untitled)."""
    if url:
        return "a" + stable_hash("url", url.split("#")[0].rstrip("/"))
    if own_id and source:
        return "a" + stable_hash("own", source, own_id)
    if title:
        return "a" + stable_hash("meta", source, title, date)
    return "a" + stable_hash("body", source, date, body[:2000])


def article_from_record(record: dict[str, Any], where: str) -> Article | Skip:
    """Build an Article from one export row / JSON object (column names case-insensitive)."""
    fields: dict[str, Any] = {}
    extra: dict[str, str] = {}
    for raw_key, value in record.items():
        if raw_key is None:  # csv: more values than header columns
            continue
        k = _key(raw_key)
        f = _ALIAS_TO_FIELD.get(k)
        if f and f not in fields and value not in (None, ""):
            fields[f] = value
        elif not f and value not in (None, "") and not isinstance(value, dict | list):
            extra[k[:100]] = str(value)[:500]
    body = _as_text(fields.get("text"))
    if len(body) > 2 * MAX_ARTICLE_CHARS:  # never fold megabytes that _cap would throw away
        logger.warning("%s: body longer than %d characters, cut", where, MAX_ARTICLE_CHARS)
        body = body[: 2 * MAX_ARTICLE_CHARS]
    body, repaired = repair_quotes(body)
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        return Skip(where, "empty text")
    title, fixed = repair_quotes(_one_line(fields.get("title")))
    subtitle, fixed_sub = repair_quotes(_one_line(fields.get("subtitle")))
    repaired += fixed + fixed_sub
    url = _one_line(fields.get("url"))
    source = _one_line(fields.get("source")) or outlet_from_url(url)
    raw_date = fields.get("published")
    published = parse_date(raw_date if isinstance(raw_date, str | int | float) else _one_line(raw_date))
    if raw_date not in (None, "") and published is None:
        logger.warning("%s: unreadable date %r, kept without a date", where, str(raw_date)[:40])
    own_id = _one_line(fields.get("id"))
    art_id = make_id(
        own_id, source, url, title, published.isoformat() if published else "", "\n".join(paragraphs)
    )
    if own_id:
        extra["source_id"] = own_id
    if repaired:  # kept in the catalog with the article; ingest reports the total
        extra[REPAIRED_QUOTES] = str(repaired)
    return Article(
        id=art_id,
        title=title,
        subtitle=subtitle,
        paragraphs=_cap(paragraphs, where),
        published=published,
        authors=_as_list(fields.get("authors")),
        source=source,
        url=url,
        sections=_as_list(fields.get("sections")),
        dateline=_one_line(fields.get("dateline")),
        path=where,
        extra=extra,
    )


def _cap(paragraphs: tuple[str, ...], where: str) -> tuple[str, ...]:
    total = 0
    out: list[str] = []
    for p in paragraphs:
        if total + len(p) > MAX_ARTICLE_CHARS:
            logger.warning("%s: body longer than %d characters, cut", where, MAX_ARTICLE_CHARS)
            break
        out.append(p)
        total += len(p) + 2
    return tuple(out) or (paragraphs[0][:MAX_ARTICLE_CHARS],)



# ---------------------------------------------------------------------------- reading text
# Text must be UTF-8 (BOM tolerated); anything else (Latin-1, cp1252, UTF-16, binary) is refused
# with the byte offset of the first bad byte.

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def sniff_encoding(head: bytes) -> tuple[str, str]:
    """(codec, label) for a file starting with ``head``: UTF-8 (BOM tolerated) or ValueError.

    UTF-16 / UTF-32 byte order marks are refused by name rather than decoded: a Latin-1 file
    starting with "ÿþ" has the same bytes, and guessing wrong would index mojibake.
    """
    for bom, _, label in _BOMS:
        if head.startswith(bom):
            raise ValueError(f"not UTF-8 text (starts with a {label} byte order mark; save it as UTF-8)")
    if b"\x00" in head:
        raise ValueError("binary file (NUL bytes)")
    return "utf-8-sig", "UTF-8"


def _decode(data: bytes, codec: str, label: str, final: bool, offset: int = 0,
            decoder: codecs.IncrementalDecoder | None = None) -> str:
    dec = decoder or codecs.getincrementaldecoder(codec)("strict")
    try:
        return dec.decode(data, final=final)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not {label} text (byte {offset + exc.start}: {exc.reason})") from exc


def read_text(path: Path, max_chars: int | None = None) -> str:
    """Read a UTF-8 text file (BOM tolerated); binary files and other encodings raise
    ValueError naming the first bad byte. With ``max_chars`` only the start is read."""
    with path.open("rb") as fh:
        data = fh.read() if max_chars is None else fh.read(4 * max_chars + 4)
        eof = max_chars is None or not fh.read(1)
    codec, label = sniff_encoding(data[:8192])
    text = _decode(data, codec, label, final=eof)
    return text if max_chars is None else text[:max_chars]


def open_text(path: Path) -> TextIO:
    """Open for streaming after checking, block by block, that the whole file decodes."""
    with path.open("rb") as fh:
        codec, label = sniff_encoding(fh.read(8192))
        fh.seek(0)
        dec = codecs.getincrementaldecoder(codec)("strict")
        offset = 0
        while block := fh.read(1 << 20):
            _decode(block, codec, label, final=False, offset=offset, decoder=dec)
            offset += len(block)
        _decode(b"", codec, label, final=True, offset=offset, decoder=dec)
    return path.open(encoding=codec, errors="strict", newline="")


class _LineTooLong(Exception):
    pass


def _lines(fh: TextIO, limit: int | None = None) -> Iterator[str]:
    """Physical lines, each at most ``limit`` characters (else ``_LineTooLong``, nothing more read)."""
    limit = limit or MAX_RECORD_CHARS
    while line := fh.readline(limit):
        if len(line) >= limit and not line.endswith(("\n", "\r")):
            raise _LineTooLong(f"a line longer than {limit:,} characters")
        yield line


def _stream(source: str | TextIO) -> TextIO:
    return io.StringIO(source, newline="") if isinstance(source, str) else source

"""Parse article files into ``Article`` objects.

Formats: the house text format (``date YYYY-MM-DD`` header, byline, dateline, captions),
CSV / TSV and JSONL / JSON exports with article fields, and plain ``.txt`` / ``.md``.
Every parser yields either an ``Article`` or a ``Skip`` naming the file (and row) and the
reason, so one broken record never stops the others.

Memory stays bounded whatever the input: CSV / JSONL files are streamed record by record (one
physical line is at most ``MAX_RECORD_CHARS``), plain text / house files are read only up to
twice the longest body kept, JSON arrays (parsed whole) are limited to ``MAX_JSON_ARRAY_CHARS``,
and files over the size limit (``Settings.max_file_bytes``) are refused without being read.
Text must be UTF-8 (BOM tolerated); anything else (Latin-1, cp1252, UTF-16, binary) is refused
with the byte offset of the first bad byte.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from qa.lang.dates import parse_date
from qa.lang.outlets import outlet_from_url
from qa.types import Article, Caption, stable_hash

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".csv", ".tsv", ".jsonl", ".ndjson", ".json"}
MAX_FILE_BYTES = 512 * 1024 * 1024  #: default size limit: larger files are refused with a reason
MAX_ARTICLE_CHARS = 2_000_000  #: longer bodies are cut to this (and say so in the log)
MAX_RECORD_CHARS = 16 * 1024 * 1024  #: longest CSV / JSONL line (and CSV field) read
MAX_JSON_ARRAY_CHARS = 64 * 1024 * 1024  #: ``[...]`` files are parsed whole; larger must be JSONL
MAX_FIELD_CHARS = 1000  #: title, source, dateline and other one-line fields are cut to this
MAX_NESTING = 32  #: deeper JSON lists / objects inside a field are refused

csv.field_size_limit(MAX_RECORD_CHARS)


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
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        return Skip(where, "empty text")
    title = _one_line(fields.get("title"))
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
    return Article(
        id=art_id,
        title=title,
        subtitle=_one_line(fields.get("subtitle")),
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


# ---------------------------------------------------------------------------- formats

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


def parse_csv(source: str | TextIO, where: str, delimiter: str | None = None) -> Iterator[Article | Skip]:
    """CSV / TSV text or an open file, streamed row by row; the header must name a text column."""
    fh = _stream(source)
    if delimiter is None:
        sample = fh.read(65536)
        fh.seek(0)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(_lines(fh), delimiter=delimiter)
    row = 1
    try:
        header = [_key(h) for h in (reader.fieldnames or [])]
        if not any(_ALIAS_TO_FIELD.get(h) == "text" for h in header):
            yield Skip(where, f"no text column (columns: {', '.join(header[:12])[:300] or 'none'})")
            return
        for row, record in enumerate(reader, start=2):
            yield article_from_record(record, f"{where}:row {row}")
    except (csv.Error, _LineTooLong, ValueError) as exc:  # ValueError: undecodable bytes
        yield Skip(f"{where}:row {row + 1}", f"malformed CSV: {exc}; rows after it not read")


def parse_jsonl(source: str | TextIO, where: str) -> Iterator[Article | Skip]:
    """JSON Lines (one object per line, streamed) or a JSON array of objects (parsed whole)."""
    fh = _stream(source)
    head = fh.read(65536)
    fh.seek(0)
    if head.lstrip().startswith("["):
        yield from _parse_json_array(fh, where)
        return
    n = 0
    while line := fh.readline(MAX_RECORD_CHARS):
        n += 1
        if len(line) >= MAX_RECORD_CHARS and not line.endswith(("\n", "\r")):
            while (rest := fh.readline(MAX_RECORD_CHARS)) and not rest.endswith(("\n", "\r")):
                pass  # drop the rest of the oversize line without holding it
            yield Skip(f"{where}:line {n}", f"record longer than {MAX_RECORD_CHARS:,} characters, not read")
            continue
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError) as exc:  # ValueError: also ints over 4300 digits
            yield Skip(f"{where}:line {n}", f"malformed JSON: {str(exc)[:120]}")
            continue
        yield _json_item(item, f"{where}:line {n}")


def _parse_json_array(fh: TextIO, where: str) -> Iterator[Article | Skip]:
    text = fh.read(MAX_JSON_ARRAY_CHARS + 1)
    if len(text) > MAX_JSON_ARRAY_CHARS:
        yield Skip(where, f"JSON array over {MAX_JSON_ARRAY_CHARS:,} characters; "
                          "write large exports as JSON Lines (one object per line)")
        return
    try:
        items = json.loads(text)
    except (ValueError, RecursionError) as exc:
        yield Skip(where, f"malformed JSON: {str(exc)[:200]}")
        return
    if not isinstance(items, list):
        yield Skip(where, f"expected a JSON array of objects, got {type(items).__name__}")
        return
    for i, item in enumerate(items, start=1):
        yield _json_item(item, f"{where}:item {i}")


def _json_item(item: Any, where: str) -> Article | Skip:
    if not isinstance(item, dict):
        return Skip(where, f"expected a JSON object, got {type(item).__name__}")
    try:
        return article_from_record(item, where)
    except (ValueError, RecursionError) as exc:  # too deeply nested fields
        return Skip(where, f"unusable record: {str(exc)[:120]}")


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


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def parse_plain(text: str, where: str) -> Article | Skip:
    """Plain text / Markdown: front matter fields if present, else the first line is the title."""
    text = _clean(text).lstrip("\ufeff")
    meta: dict[str, Any] = {}
    if m := _FRONT.match(text):
        for line in m[1].splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                meta[k.strip()] = v.strip().strip("'\"")
        text = text[m.end():]
    lines = text.split("\n")
    if "title" not in {_key(k) for k in meta}:
        for n, line in enumerate(lines):
            if line.strip():
                meta["title"] = re.sub(r"^#+\s*", "", line.strip())
                lines = lines[n + 1:]
                break
    body = "\n".join(lines)
    body = re.sub(r"(?m)^#{1,6}\s+", "", body)  # markdown headings become plain paragraphs
    meta["text"] = body
    return article_from_record(meta, where)


_RECORD_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json"}


def parse_text(source: str | TextIO, where: str, suffix: str) -> Iterator[Article | Skip]:
    """Dispatch on the suffix (and content, for .txt); CSV / JSON may be an open file."""
    fh = _stream(source) if suffix in _RECORD_SUFFIXES else None
    head = fh.read(65536) if fh else str(source)
    if fh:
        fh.seek(0)
    if not head.strip() and len(head) < 65536:
        yield Skip(where, "empty file")
        return
    if fh is None:
        text = str(source)
        if suffix == ".txt" and looks_like_house(text):
            yield parse_house(text, where)
        else:
            yield parse_plain(text, where)
        return
    if suffix in (".csv", ".tsv"):
        items = parse_csv(fh, where, delimiter="\t" if suffix == ".tsv" else None)
    else:
        items = parse_jsonl(fh, where)
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:  # e.g. a header and blank lines only: still say why nothing came of it
        yield Skip(where, "no records in the file")


def parse_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Article | Skip]:
    """Parse one file; never raises for bad content, yields ``Skip`` instead.

    Files over ``max_bytes`` are refused before anything is read; CSV / JSONL are streamed.
    """
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield Skip(where, f"unsupported file type {suffix or '(none)'}")
        return
    try:
        if path.is_symlink() and not path.exists():
            raise OSError("broken symbolic link")
        size = path.stat().st_size
        if size > max_bytes:
            yield Skip(where, f"file too large ({size:,} bytes; the limit is {max_bytes:,})")
            return
        if suffix in _RECORD_SUFFIXES:
            with open_text(path) as fh:
                yield from parse_text(fh, where, suffix)
            return
        head_chars = 2 * MAX_ARTICLE_CHARS
        text = read_text(path, max_chars=head_chars)
        if len(text) >= head_chars:
            logger.warning("%s: longer than %d characters, only the start read", where, head_chars)
    except (OSError, ValueError) as exc:
        yield Skip(where, str(exc) if isinstance(exc, ValueError) else f"unreadable: {exc}")
        return
    yield from parse_text(text, where, suffix)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Skip]]:
    """Expand files and folders (recursively) into supported files, sorted; report the rest."""
    files: list[Path] = []
    skips: list[Skip] = []
    for p in paths:
        path = Path(p).expanduser()
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts):
                    if f.suffix.lower() in SUPPORTED_SUFFIXES:
                        files.append(f)
                    else:
                        skips.append(Skip(str(f), f"unsupported file type {f.suffix or '(none)'}"))
        elif path.is_file():
            files.append(path)
        else:
            skips.append(Skip(str(path), "no such file or folder"))
    return files, skips

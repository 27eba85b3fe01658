"""Parse article files into ``Article`` objects.

Formats: the house text format (``date YYYY-MM-DD`` header, byline, dateline, captions),
CSV / TSV and JSONL / JSON exports with article fields, and plain ``.txt`` / ``.md``.
Every parser yields either an ``Article`` or a ``Skip`` naming the file (and row) and the
reason, so one broken record never stops the others.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.outlets import outlet_from_url
from qa.dates import parse_date
from qa.types import Article, Caption, stable_hash

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".csv", ".tsv", ".jsonl", ".ndjson", ".json"}
MAX_FILE_BYTES = 512 * 1024 * 1024  #: larger files are refused with a reason
MAX_ARTICLE_CHARS = 2_000_000  #: longer bodies are cut to this (and say so in the log)

csv.field_size_limit(64 * 1024 * 1024)


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
        items = [str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value]
    else:
        items = re.split(r"\s*(?:;|,|\band\b|&)\s*", str(value))
    return tuple(i.strip() for i in items if i and i.strip())


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n\n".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return _as_text(value.get("text") or value.get("value") or "")
    return str(value)


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
            extra[k] = str(value)[:500]
    body = _as_text(fields.get("text"))
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        return Skip(where, "empty text")
    title = re.sub(r"\s+", " ", _as_text(fields.get("title"))).strip()
    url = _as_text(fields.get("url")).strip()
    source = re.sub(r"\s+", " ", _as_text(fields.get("source"))).strip() or outlet_from_url(url)
    raw_date = fields.get("published")
    published = parse_date(raw_date)
    if raw_date not in (None, "") and published is None:
        logger.warning("%s: unreadable date %r, kept without a date", where, str(raw_date)[:40])
    own_id = _as_text(fields.get("id")).strip()
    art_id = make_id(
        own_id, source, url, title, published.isoformat() if published else "", "\n".join(paragraphs)
    )
    if own_id:
        extra["source_id"] = own_id
    return Article(
        id=art_id,
        title=title,
        subtitle=re.sub(r"\s+", " ", _as_text(fields.get("subtitle"))).strip(),
        paragraphs=_cap(paragraphs, where),
        published=published,
        authors=_as_list(fields.get("authors")),
        source=source,
        url=url,
        sections=_as_list(fields.get("sections")),
        dateline=_as_text(fields.get("dateline")).strip(),
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

def read_text(path: Path) -> str:
    """Read a text file as UTF-8 (BOM tolerated); binary and other encodings raise ValueError."""
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start}: {exc.reason})") from exc


def parse_csv(text: str, where: str, delimiter: str | None = None) -> Iterator[Article | Skip]:
    sample = text[:65536]
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [_key(h) for h in (reader.fieldnames or [])]
    if not any(_ALIAS_TO_FIELD.get(h) == "text" for h in header):
        yield Skip(where, f"no text column (columns: {', '.join(header[:12]) or 'none'})")
        return
    row = 1
    try:
        for row, record in enumerate(reader, start=2):
            yield article_from_record(record, f"{where}:row {row}")
    except csv.Error as exc:
        yield Skip(f"{where}:row {row + 1}", f"malformed CSV: {exc}; rows after it not read")


def parse_jsonl(text: str, where: str) -> Iterator[Article | Skip]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield Skip(where, f"malformed JSON: {exc}")
            return
        for i, item in enumerate(items, start=1):
            yield _json_item(item, f"{where}:item {i}")
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield Skip(f"{where}:line {n}", f"malformed JSON: {str(exc)[:120]}")
            continue
        yield _json_item(item, f"{where}:line {n}")


def _json_item(item: Any, where: str) -> Article | Skip:
    if not isinstance(item, dict):
        return Skip(where, f"expected a JSON object, got {type(item).__name__}")
    return article_from_record(item, where)


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


def parse_text(text: str, where: str, suffix: str) -> Iterator[Article | Skip]:
    """Dispatch on the suffix (and content, for .txt)."""
    if not text.strip():
        yield Skip(where, "empty file")
        return
    if suffix in {".csv"}:
        yield from parse_csv(text, where)
    elif suffix == ".tsv":
        yield from parse_csv(text, where, delimiter="\t")
    elif suffix in {".jsonl", ".ndjson", ".json"}:
        yield from parse_jsonl(text, where)
    elif suffix == ".txt" and looks_like_house(text):
        yield parse_house(text, where)
    else:
        yield parse_plain(text, where)


def parse_file(path: Path) -> Iterator[Article | Skip]:
    """Parse one file; never raises for bad content, yields ``Skip`` instead."""
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield Skip(where, f"unsupported file type {suffix or '(none)'}")
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Skip(where, f"file too large ({size} bytes > {MAX_FILE_BYTES})")
            return
        text = read_text(path)
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

"""Parse article files (house text, CSV / TSV, JSONL / JSON, plain text / Markdown) into ``Article`` objects;
every parser yields an ``Article`` or a ``Skip`` naming the file (and row) and the reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import ingest.parsers.common as common
from ingest.parsers.common import (
    FIELD_ALIASES,
    MAX_ARTICLE_CHARS,
    MAX_FIELD_CHARS,
    MAX_FILE_BYTES,
    MAX_JSON_ARRAY_CHARS,
    MAX_NESTING,
    MAX_RECORD_CHARS,
    SUPPORTED_SUFFIXES,
    Skip,
    _stream,
    article_from_record,
    logger,
    make_id,
    open_text,
    read_text,
    sniff_encoding,
    split_paragraphs,
)
from ingest.parsers.csv import parse_csv
from ingest.parsers.house import looks_like_house, parse_house
from ingest.parsers.jsonl import parse_jsonl
from ingest.parsers.plain import parse_plain
from qa.types import Article

# re-exported: the names ``from ingest.parsers import ...`` gave before the parsers were split up.
# The limits are copies: to change one at run time, set it on ``ingest.parsers.common``.
__all__ = [
    "FIELD_ALIASES",
    "MAX_ARTICLE_CHARS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_JSON_ARRAY_CHARS",
    "MAX_NESTING",
    "MAX_RECORD_CHARS",
    "SUPPORTED_SUFFIXES",
    "Skip",
    "article_from_record",
    "discover",
    "looks_like_house",
    "make_id",
    "open_text",
    "parse_csv",
    "parse_file",
    "parse_house",
    "parse_jsonl",
    "parse_plain",
    "parse_text",
    "read_text",
    "sniff_encoding",
    "split_paragraphs",
]

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
        head_chars = 2 * common.MAX_ARTICLE_CHARS
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

"""CSV / TSV exports, streamed row by row; the header must name a text column.
(Inside a package ``import csv`` still means the standard library's module.)"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from ingest.parsers.common import (
    _ALIAS_TO_FIELD,
    MAX_RECORD_CHARS,
    Skip,
    _key,
    _lines,
    _LineTooLong,
    _stream,
    article_from_record,
)
from qa.types import Article

csv.field_size_limit(MAX_RECORD_CHARS)


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

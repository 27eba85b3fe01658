"""CSV / TSV exports, streamed row by row; the header must name a text column.
(Inside a package ``import csv`` still means the standard library's module.)

A quoted field that never closes is legal CSV until the end of the file, so it silently swallows
every record after it. A record whose field spans lines shaped like this file's records (its id,
date and link columns in the header's order) is reported by line number, and those lines are read
again as records, so one broken quote loses one record, not the rest of the file.
"""

from __future__ import annotations

import csv
import re
from collections import deque
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
from qa.lang.dates import parse_date
from qa.types import Article

csv.field_size_limit(MAX_RECORD_CHARS)

_URL = re.compile(r"^\s*https?://\S+\s*$", re.I)
_ID = re.compile(r"^\s*[\w.:/-]{1,64}\s*$")


class _Lines:
    """The file's physical lines, with the ones since the last record kept (to look at a record's
    raw lines) and a way to put lines back (to read them again as records)."""

    def __init__(self, fh: TextIO) -> None:
        self._source = _lines(fh)
        self._again: deque[str] = deque()
        self.taken: list[str] = []
        self.number = 0  #: physical line number of the last line handed out

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._source)
        self.number += 1
        self.taken.append(line)
        return line

    def put_back(self, lines: list[str]) -> None:
        self._again.extendleft(reversed(lines))
        self.number -= len(lines)


def _record_shaped(line: str, header: list[str], delimiter: str) -> bool:
    """Does ``line`` look like a record of this file: its id, date and link columns (those of them
    the header has, at least two) hold an id, a date and a link?"""
    checks = {"id": lambda v: bool(_ID.match(v)), "published": lambda v: parse_date(v) is not None,
              "url": lambda v: bool(_URL.match(v))}
    columns = [(i, _ALIAS_TO_FIELD.get(h)) for i, h in enumerate(header) if _ALIAS_TO_FIELD.get(h) in checks]
    if len(columns) < 2:
        return False
    try:
        fields = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    if len(fields) <= max(i for i, _ in columns):
        return False
    return all(checks[kind](fields[i]) for i, kind in columns if kind)


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
    lines = _Lines(fh)
    reader = csv.DictReader(lines, delimiter=delimiter)
    row = 1
    try:
        header = [_key(h) for h in (reader.fieldnames or [])]
        if not any(_ALIAS_TO_FIELD.get(h) == "text" for h in header):
            yield Skip(where, f"no text column (columns: {', '.join(header[:12])[:300] or 'none'})")
            return
        lines.taken = []
        while True:
            first = lines.number + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            row += 1
            taken, lines.taken = lines.taken, []
            swallowed = next((k for k in range(1, len(taken)) if _record_shaped(taken[k], header, delimiter)), 0)
            if swallowed:
                lines.put_back(taken[swallowed:])
                yield Skip(f"{where}:line {first}",
                           f"a quoted field does not close: it ran into line {first + swallowed}, which is "
                           "shaped like a record; this record is skipped and the lines after it read again")
                continue
            yield article_from_record(record, f"{where}:row {row}")
    except (csv.Error, _LineTooLong, ValueError) as exc:  # ValueError: undecodable bytes
        yield Skip(f"{where}:row {row + 1}", f"malformed CSV: {exc}; rows after it not read")

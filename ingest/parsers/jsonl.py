"""JSON Lines / NDJSON exports (one object per line, streamed) and JSON arrays of objects
(parsed whole, up to ``MAX_JSON_ARRAY_CHARS``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

import ingest.parsers.common as common
from ingest.parsers.common import Skip, _stream, article_from_record
from qa.types import Article


def parse_jsonl(source: str | TextIO, where: str) -> Iterator[Article | Skip]:
    """JSON Lines (one object per line, streamed) or a JSON array of objects (parsed whole)."""
    fh = _stream(source)
    head = fh.read(65536)
    fh.seek(0)
    if head.lstrip().startswith("["):
        yield from _parse_json_array(fh, where)
        return
    n = 0
    while line := fh.readline(common.MAX_RECORD_CHARS):
        n += 1
        if len(line) >= common.MAX_RECORD_CHARS and not line.endswith(("\n", "\r")):
            while (rest := fh.readline(common.MAX_RECORD_CHARS)) and not rest.endswith(("\n", "\r")):
                pass  # drop the rest of the oversize line without holding it
            yield Skip(f"{where}:line {n}",
                       f"record longer than {common.MAX_RECORD_CHARS:,} characters, not read")
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
    text = fh.read(common.MAX_JSON_ARRAY_CHARS + 1)
    if len(text) > common.MAX_JSON_ARRAY_CHARS:
        yield Skip(where, f"JSON array over {common.MAX_JSON_ARRAY_CHARS:,} characters; "
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

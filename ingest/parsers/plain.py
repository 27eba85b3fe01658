"""Plain text and Markdown files: front matter fields if present, else the first line is the title."""

from __future__ import annotations

import re
from typing import Any

from ingest.parsers.common import Skip, _clean, _key, article_from_record
from qa.types import Article

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

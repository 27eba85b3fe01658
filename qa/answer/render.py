"""Plain-text rendering of an Answer for the CLI (the app renders its own HTML)."""

from __future__ import annotations

import textwrap

from qa.lang.dates import human
from qa.types import Answer


def render_text(answer: Answer, width: int = 100) -> str:
    lines = [textwrap.fill(answer.text, width) if "\n" not in answer.text else answer.text]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for n, c in enumerate(answer.citations, start=1):
            meta = ", ".join(x for x in (c.source, human(c.published) if c.published else "") if x)
            lines.append(f"[{n}] {c.title or '(untitled)'}" + (f" ({meta})" if meta else ""))
            if c.url:
                lines.append(f"    {c.url}")
            if c.quote:
                lines.append(textwrap.indent(textwrap.fill(f"“{c.quote}”", width - 4), "    "))
    elif answer.refused and answer.passages:
        lines.append("")
        lines.append("Related passages:")
        for p in answer.passages[:3]:
            ch = p.chunk
            lines.append(f"- {ch.title or '(untitled)'} ({ch.source}, {human(ch.published)})")
    return "\n".join(lines)

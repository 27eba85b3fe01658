"""HTML of chat messages, source cards and the collection summary: Python builds plain view data,
the Jinja2 templates in ``ui/templates`` (autoescape on) turn it into HTML."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.ext import Extension

from qa.lang.dates import human, parse_date
from qa.types import Answer, Citation, ScoredChunk

if TYPE_CHECKING:
    from ui.jobs import LoadStatus

QUOTE_CONTEXT = 240  #: characters of chunk text shown around a highlighted quote
TEMPLATES = Path(__file__).resolve().parent / "templates"
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_PARAGRAPH = re.compile(r"\n\s*\n")


class _Spaceless(Extension):
    """Templates are written on many lines for reading: a line break and the indentation after
    it are not output (a space that matters sits inside a line)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return re.sub(r"\n\s*", "", source)


_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    extensions=[_Spaceless],
)


def _macro(template: str, name: str, *args: Any) -> str:
    """Call the macro ``name`` of ``template``; the result is plain ``str`` HTML."""
    return str(getattr(_ENV.get_template(template).module, name)(*args))


# =============================================================================== view data
@dataclass(frozen=True)
class Piece:
    """A run of an HTML fragment: text (escaped by the template), a highlighted quote (``mark``)
    or a line break, followed by citation badges ``refs``."""

    text: str = ""
    mark: bool = False
    refs: tuple[int, ...] = ()
    br: bool = False


@dataclass(frozen=True)
class Meta:
    """The grey line under a card title: outlet · date · link."""

    source: str
    day: str | None
    link: str
    host: str


@dataclass(frozen=True)
class SourceCard:
    anchor: int
    nums: tuple[int, ...]
    title: str
    meta: Meta
    quotes: list[list[Piece]]


@dataclass(frozen=True)
class PassageCard:
    title: str
    meta: Meta
    similarity: str
    snippet: str


@dataclass(frozen=True)
class AnswerView:
    refused: bool
    kind: str
    paragraphs: list[list[Piece]]
    footer: list[str]
    cards: list[SourceCard] = field(default_factory=list)
    label: str = ""
    related: list[PassageCard] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  #: "How I answered": a plan's executed steps


def _plan_steps(answer: Answer) -> list[str]:
    """One line per executed step of a question across articles (empty for other answers)."""
    if not answer.plan:
        return []
    plan = answer.plan.get("plan", {})
    head = f"Read as: {str(plan.get('form', '')).replace('_', ' ')}"
    if plan.get("outlets"):
        head += f" · outlets {', '.join(plan['outlets'])}"
    if plan.get("topic"):
        head += f" · “{plan['topic']}”"
    return [head] + [f"{s.get('tool')}: {s.get('result')}" for s in answer.plan.get("steps", [])]


@dataclass(frozen=True)
class StatsView:
    tiles: list[tuple[str, str]]
    span: str
    notes: list[str]
    load: str = ""  #: "" | loading | failed | done
    corpus: str = ""
    what: str = ""
    pct: str = ""
    error: str = ""


# =============================================================================== text helpers
#: ASCII punctuation; the chat renders user messages as Markdown, where a backslash makes each literal
_MARKDOWN_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def plain_message(text: str) -> str:
    """A user's message shown exactly as typed: no HTML, Markdown or links are rendered from it
    (the chat renders messages as Markdown, so every ASCII punctuation mark is escaped)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def day_note_html(caption: str) -> str:
    """The per-day chart's note ("37 articles outside this span not shown"), escaped; "" if none."""
    return f'<p class="aqa-day-note">{html.escape(caption)}</p>' if caption else ""


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def safe_url(url: str) -> str:
    """The URL if it is a plain http(s) link, else "" (never a javascript: or data: link)."""
    try:
        parts = urlparse(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def filters_text(filters: dict[str, Any]) -> str:
    """``{"date_from": …, "sources": […]}`` -> ``2017-03-01 – …; TASS`` (plain text)."""
    parts = []
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"{filters.get('date_from') or '…'} – {filters.get('date_to') or '…'}")
    for key in ("sources", "authors", "sections"):
        if filters.get(key):
            parts.append(", ".join(map(str, filters[key])))
    return "; ".join(parts)


def _meta(source: str, published: dt.date | None, url: str) -> Meta:
    link = safe_url(url)
    host = urlparse(link).netloc.removeprefix("www.") if link else ""
    return Meta(source=source, day=human(published) if published else None, link=link, host=host)


# =============================================================================== answer text
def _text_pieces(run: str | tuple[int, ...]) -> list[Piece]:
    """A text run with its line breaks, or a run of citation badges."""
    if isinstance(run, tuple):
        return [Piece(refs=run)]
    out: list[Piece] = []
    for k, line in enumerate(run.split("\n")):
        if k:
            out.append(Piece(br=True))
        if line:
            out.append(Piece(text=line))
    return out


def _paragraphs(text: str, n_citations: int) -> list[list[Piece]]:
    """The answer as paragraphs of text and badge runs (see ``answer_text_html``)."""
    runs: list[str | tuple[int, ...]] = []
    pos = 0
    found = False
    for m in _MARKER.finditer(text):
        nums = tuple(int(x) for x in re.split(r"\s*[,;]\s*", m.group(1)))
        if not all(1 <= n <= n_citations for n in nums):
            continue
        found = True
        runs += [text[pos : m.start()].rstrip(" "), nums]
        pos = m.end()
    runs.append(text[pos:])
    if n_citations and not found:
        runs.append(tuple(range(1, n_citations + 1)))
    paragraphs: list[list[str | tuple[int, ...]]] = [[]]
    for run in runs:  # text and badge runs alternate; a blank line only occurs inside a text run
        parts = [run] if isinstance(run, tuple) else _PARAGRAPH.split(run)
        for k, part in enumerate(parts):
            if k:
                paragraphs.append([])
            paragraphs[-1].append(part)
    out = []
    for para in paragraphs:
        if para and isinstance(para[0], str):
            para[0] = para[0].lstrip()
        if para and isinstance(para[-1], str):
            para[-1] = para[-1].rstrip()
        if any(para):
            out.append([p for run in para for p in _text_pieces(run)])
    return out


def answer_text_html(text: str, n_citations: int) -> str:
    """Escape the answer and turn ``[1]`` / ``[1, 2]`` markers into numbered badges.

    Markers that point past the citation list are left as plain text; when the text carries no
    marker at all, the badges for every citation go at its end.
    """
    return _macro("answer.html", "answer_text", _paragraphs(text, n_citations))


# =============================================================================== quotes
def _trim_left(text: str, limit: int) -> tuple[str, bool]:
    """The last ``limit`` characters of ``text``, starting on a word boundary."""
    if len(text) <= limit:
        return text, False
    text = text[-limit:]
    return (text[text.find(" ") + 1 :] if " " in text else text), True


def _trim_right(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    text = text[:limit]
    return (text[: text.rfind(" ")] if " " in text else text), True


def _locate(chunk_text: str, chunk_start: int, quote: str, start: int, end: int) -> int:
    """Offset of ``quote`` in the chunk: from the article offsets, else by search (-1: absent)."""
    lo, hi = start - chunk_start, end - chunk_start
    if 0 <= lo < hi <= len(chunk_text) and chunk_text[lo:hi] == quote:
        return lo
    return chunk_text.find(quote) if quote else -1


def _quote_pieces(
    chunk_text: str,
    chunk_start: int,
    quotes: Sequence[tuple[str, int, int]],
    labels: Sequence[int],
    context: int,
) -> list[Piece]:
    """The pieces of ``highlight_quotes``."""
    spans: list[tuple[int, int, int]] = []  # (lo, hi, index)
    missing: list[int] = []
    for i, (quote, start, end) in enumerate(quotes):
        lo = _locate(chunk_text, chunk_start, quote, start, end)
        if lo < 0:
            missing.append(i)
        else:
            spans.append((lo, lo + len(quote), i))
    spans.sort()

    def mark(i: int, text: str) -> Piece:
        return Piece(text=squash(text), mark=True, refs=(labels[i],) if i < len(labels) else ())

    parts: list[Piece] = []
    pos = 0
    for n, (lo, hi, i) in enumerate(spans):
        if lo < pos:  # overlaps the previous quote: already highlighted
            continue
        gap = chunk_text[pos:lo]
        if n == 0:
            gap, cut = _trim_left(gap, context)
            parts.append(Piece(text="… " if cut else ""))
        elif len(gap) > 2 * context:
            head, _ = _trim_right(gap, context)
            tail, _ = _trim_left(gap, context)
            gap = f"{head} … {tail}"
        if gap.strip():
            parts.append(Piece(text=squash(gap) + " "))
        parts.append(mark(i, chunk_text[lo:hi]))
        pos = hi
    if spans:
        after, cut = _trim_right(chunk_text[pos:], context)
        if after.strip():
            parts.append(Piece(text=" " + squash(after)))
        parts.append(Piece(text=" …" if cut else ""))
    for i in missing:
        if parts:
            parts.append(Piece(text=" … "))
        parts.append(mark(i, quotes[i][0]))
    return parts


def highlight_quotes(
    chunk_text: str,
    chunk_start: int,
    quotes: Sequence[tuple[str, int, int]],
    labels: Sequence[int] = (),
    context: int = QUOTE_CONTEXT,
) -> str:
    """HTML of the chunk text around ``quotes`` (quote, start, end), each one highlighted.

    Offsets are article offsets (``Citation.start``); a quote whose offsets do not land in the
    chunk is searched for, and one that is not in the chunk at all is shown on its own. Context
    before, between and after the quotes is trimmed to ``context`` characters on word
    boundaries. ``labels`` puts a citation number after each quote.
    """
    return _macro("parts.html", "pieces", _quote_pieces(chunk_text, chunk_start, quotes, labels, context))


def highlight_quote(
    chunk_text: str, chunk_start: int, quote: str, start: int, end: int,
    context: int = QUOTE_CONTEXT,
) -> str:
    """``highlight_quotes`` for a single quote, without a number."""
    return highlight_quotes(chunk_text, chunk_start, [(quote, start, end)], context=context)


# =============================================================================== cards
def _source_card(numbered: Sequence[tuple[int, Citation]], passages: dict[str, ScoredChunk]) -> SourceCard:
    first = numbered[0][1]
    by_chunk: dict[str, list[tuple[int, Citation]]] = {}
    for n, c in numbered:
        by_chunk.setdefault(c.chunk_id, []).append((n, c))
    labelled = len(numbered) > 1
    quotes = []
    for chunk_id, cits in by_chunk.items():
        spans = [(c.quote, c.start, c.end) for _, c in cits if c.quote]
        labels = [n for n, c in cits if c.quote] if labelled else []
        passage = passages.get(chunk_id) if chunk_id else None
        if not spans:
            continue
        if passage is not None:
            quotes.append(_quote_pieces(passage.chunk.text, passage.chunk.start, spans, labels, QUOTE_CONTEXT))
        else:
            quotes.append(_quote_pieces("", 0, spans, labels, QUOTE_CONTEXT))
    return SourceCard(
        anchor=numbered[0][0],
        nums=tuple(n for n, _ in numbered),
        title=first.title or "(untitled)",
        meta=_meta(first.source, first.published, first.url),
        quotes=quotes,
    )


def _source_cards(citations: Sequence[Citation], passages: Sequence[ScoredChunk]) -> list[SourceCard]:
    groups: dict[str, list[tuple[int, Citation]]] = {}
    for n, c in enumerate(citations, 1):
        groups.setdefault(c.article_id, []).append((n, c))
    by_chunk = {p.chunk.id: p for p in passages}
    return [_source_card(g, by_chunk) for g in groups.values()]


def source_card(numbered: Sequence[tuple[int, Citation]], passages: dict[str, ScoredChunk]) -> str:
    """One card per article: its citation numbers, title (linked when known), outlet, date, and
    one quote block per cited passage with every supporting sentence highlighted in context."""
    return _macro("cards.html", "source_card", _source_card(numbered, passages))


def source_cards(citations: Sequence[Citation], passages: Sequence[ScoredChunk]) -> str:
    """Cards for all citations, grouped by article in order of first citation."""
    return _macro("cards.html", "source_cards", _source_cards(citations, passages))


def _passage_card(p: ScoredChunk, chars: int = 320) -> PassageCard:
    ch = p.chunk
    text = squash(ch.text)
    snippet = text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"
    return PassageCard(
        title=ch.title or "(untitled)",
        meta=_meta(ch.source, ch.published, ch.url),
        similarity=f"{p.dense:.2f}" if p.dense is not None else "",
        snippet=snippet,
    )


def passage_card(p: ScoredChunk, chars: int = 320) -> str:
    """A related-passage card (used on refusals): metadata and the start of the passage."""
    return _macro("cards.html", "passage_card", _passage_card(p, chars))


# =============================================================================== messages
def _footer_bits(answer: Answer, options: dict[str, str] | None) -> list[str]:
    bits = []
    if "total" in answer.timings:
        bits.append(f"{answer.timings['total']:.2f} s")
    if answer.kind in ("collection", "metadata"):
        bits.append("counted in the catalog" if answer.kind == "collection" else "from the catalog")
    rq = answer.rewritten_question.strip()
    if rq and squash(rq).casefold() != squash(answer.question).casefold():
        bits.append(f"understood as “{rq}”")
    if answer.filters and (ftext := filters_text(answer.filters)):
        bits.append(f"filters: {ftext}")
    bits.extend((options or {}).values())
    return bits


def answer_footer(answer: Answer, options: dict[str, str] | None = None) -> str:
    """Small grey line: time taken, how the question was understood, filters, options."""
    return _macro("answer.html", "footer", _footer_bits(answer, options))


def _answer_view(answer: Answer, options: dict[str, str] | None) -> AnswerView:
    footer = _footer_bits(answer, options)
    if answer.refused:
        best: dict[str, ScoredChunk] = {}  # one passage per article, in the engine's order
        for p in answer.passages:
            best.setdefault(p.chunk.article_id, p)
        related = [_passage_card(p) for p in list(best.values())[:3]]
        return AnswerView(refused=True, kind=answer.kind, paragraphs=_paragraphs(answer.text, 0),
                          footer=footer, related=related, steps=_plan_steps(answer))
    n_articles = len({c.article_id for c in answer.citations})
    return AnswerView(
        refused=False,
        kind=answer.kind,
        paragraphs=_paragraphs(answer.text, len(answer.citations)),
        footer=footer,
        cards=_source_cards(answer.citations, answer.passages),
        label="Source" if n_articles == 1 else f"Sources ({n_articles} articles)",
        steps=_plan_steps(answer),
    )


def render_answer(answer: Answer, options: dict[str, str] | None = None) -> str:
    """The whole chat message for an Answer, as one HTML block (no blank lines).

    Answers: text with numbered citation badges, then source cards. Refusals: a distinct box
    with the engine's explanation, then the closest related passages.
    """
    return _macro("answer.html", "answer", _answer_view(answer, options))


def render_partial(text: str) -> str:
    """The answer so far while a local LLM writes it, with a cursor."""
    return _macro("answer.html", "partial", text)


def render_error(message: str) -> str:
    return _macro("answer.html", "error", message)


# =============================================================================== collection panel
def _stats_view(stats: dict[str, Any], status: LoadStatus | None) -> StatsView:
    lo, hi = stats.get("date_from"), stats.get("date_to")
    notes = []
    if stats.get("skipped"):
        notes.append(f"{stats['skipped']:,} records skipped")
    if stats.get("duplicates"):
        notes.append(f"{stats['duplicates']:,} duplicates merged")
    if stats.get("pending"):
        notes.append(f"{stats['pending']:,} being written")
    view = StatsView(
        tiles=[
            (f"{int(stats.get('articles') or 0):,}", "articles"),
            (f"{int(stats.get('chunks') or 0):,}", "passages"),
            (f"{len(stats.get('sources') or {}):,}", "sources"),
        ],
        span=f"{human(parse_date(lo))} – {human(parse_date(hi))}" if lo and hi else "no dated articles",
        notes=notes,
    )
    if status and status.stage in ("waiting", "loading"):
        embedding = status.what == "embedding" and status.total > 0
        pct = 100.0 * status.done / status.total if embedding else 0.0
        what = (f"{status.done:,} / {status.total:,} new articles embedded" if embedding
                else (status.what or "starting"))
        return replace(view, load="loading", corpus=status.corpus, what=what, pct=f"{pct:.1f}")
    if status and status.stage == "failed":
        return replace(view, load="failed", error=status.error)
    if status and status.stage == "done" and time.time() - status.finished < 60:
        return replace(view, load="done", corpus=status.corpus)
    return view


def render_stats(stats: dict[str, Any], status: LoadStatus | None = None) -> str:
    """The collection summary: counts, date range, ingest problems, background progress."""
    return _macro("stats.html", "stats", _stats_view(stats, status))

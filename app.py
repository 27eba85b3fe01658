"""Gradio chat over the article collection: a thin UI that renders what ``qa`` returns.

``python app.py`` (or ``article-qa serve``) opens the index once, loads the demo news corpus on
an empty index, and serves the chat on http://127.0.0.1:7860. ``python app.py --help`` lists
the options. Everything that answers questions lives in ``qa``; this file only turns
``Answer`` objects into HTML, collects the panel's options and moves uploaded files into the
index home. Only this module imports gradio.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import html
import ipaddress
import logging
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from qa.lang.dates import human, parse_date
from qa.types import Answer, Citation, IngestReport, ScoredChunk

if TYPE_CHECKING:
    import gradio as gr

    from qa.api import ArticleQA

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent
SHARED_ARTICLES = REPO.parent / "shared" / "data" / "articles"
UPLOAD_SUFFIXES = (".txt", ".md", ".csv", ".tsv", ".jsonl", ".json")
HISTORY_MESSAGES = 12  #: chat messages handed to ``ask`` for follow-ups
QUOTE_CONTEXT = 240  #: characters of chunk text shown around a highlighted quote
DEMO_META_KEY = "app.demo"  #: catalog meta: which demo stage the app finished

EXAMPLES = [
    "What did Tokayev say about trade with China?",
    "Who was arrested in South Korea in February 2017?",
    "How many people died in the Addis Ababa rubbish landslide?",
    "How many TASS articles were published on 15 March 2017?",
    "How much was the gold coin stolen from the Berlin museum worth?",
]


# =============================================================================== pure helpers
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def safe_url(url: str) -> str:
    """The URL if it is a plain http(s) link, else "" (never a javascript: or data: link)."""
    try:
        parts = urlparse(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def engine_history(turns: Sequence[dict[str, str]]) -> list[dict[str, str]] | None:
    """The last plain-text turns in the ``[{"role", "content"}]`` shape ``ask`` takes."""
    clean = [
        {"role": t["role"], "content": t["content"]}
        for t in turns
        if t.get("role") in ("user", "assistant") and t.get("content")
    ]
    return clean[-HISTORY_MESSAGES:] or None


def build_filters(
    date_from: str | None,
    date_to: str | None,
    sources: Sequence[str] | None,
    authors: Sequence[str] | None,
) -> dict[str, Any] | None:
    """Panel values -> the ``filters=`` dict of ``ask`` (None when nothing is set).

    Raises ValueError with a user-facing message for dates that cannot be read or a reversed
    range.
    """
    out: dict[str, Any] = {}
    for key, raw in (("date_from", date_from), ("date_to", date_to)):
        if raw is None or not str(raw).strip():
            continue
        day = parse_date(str(raw))
        if day is None:
            raise ValueError(f"cannot read the date {str(raw)!r}; write it like 2017-03-15")
        out[key] = day.isoformat()
    if "date_from" in out and "date_to" in out and out["date_from"] > out["date_to"]:
        raise ValueError(f"the date range is reversed: {out['date_from']} > {out['date_to']}")
    if srcs := [s for s in (sources or []) if s and s.strip()]:
        out["sources"] = srcs
    if auths := [a.strip() for a in (authors or []) if a and a.strip()]:
        out["authors"] = auths
    return out or None


def safe_upload_name(name: str) -> str:
    """A safe basename for an uploaded file, or ValueError with the reason it is refused.

    Names with path separators, ``..``, NUL or a leading dot are refused (never "cleaned" into
    something else); other unusual characters become ``_``; the suffix must be a supported one.
    """
    if not name or any(ch in name for ch in ("/", "\\", "\x00")) or name in (".", ".."):
        raise ValueError("not a plain file name")
    if name.startswith(".") or ".." in name:
        raise ValueError("hidden or path-like file name")
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ValueError(
            f"unsupported type {suffix or '(none)'}; use {', '.join(UPLOAD_SUFFIXES)}"
        )
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(name).stem).strip(" .") or "upload"
    return f"{stem[:100]}{suffix}"


# =============================================================================== rendering
_BLANK = 'target="_blank" rel="noopener noreferrer"'
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")


def _refs(nums: Sequence[int]) -> str:
    return "".join(f'<sup class="aqa-ref" title="source {n}">{n}</sup>' for n in nums)


def answer_text_html(text: str, n_citations: int) -> str:
    """Escape the answer and turn ``[1]`` / ``[1, 2]`` markers into numbered badges.

    Markers that point past the citation list are left as plain text; when the text carries no
    marker at all, the badges for every citation go at its end.
    """
    out: list[str] = []
    pos = 0
    found = False
    for m in _MARKER.finditer(text):
        nums = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        if not all(1 <= n <= n_citations for n in nums):
            continue
        found = True
        out.append(_e(text[pos : m.start()]).rstrip(" "))
        out.append(_refs(nums))
        pos = m.end()
    out.append(_e(text[pos:]))
    body = "".join(out)
    if n_citations and not found:
        body += _refs(range(1, n_citations + 1))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)


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
    spans: list[tuple[int, int, int]] = []  # (lo, hi, index)
    missing: list[int] = []
    for i, (quote, start, end) in enumerate(quotes):
        lo = _locate(chunk_text, chunk_start, quote, start, end)
        if lo < 0:
            missing.append(i)
        else:
            spans.append((lo, lo + len(quote), i))
    spans.sort()

    def mark(i: int, text: str) -> str:
        badge = _refs([labels[i]]) if i < len(labels) else ""
        return f"<mark>{_e(_squash(text))}</mark>{badge}"

    parts: list[str] = []
    pos = 0
    for n, (lo, hi, i) in enumerate(spans):
        if lo < pos:  # overlaps the previous quote: already highlighted
            continue
        gap = chunk_text[pos:lo]
        if n == 0:
            gap, cut = _trim_left(gap, context)
            parts.append("… " if cut else "")
        elif len(gap) > 2 * context:
            head, _ = _trim_right(gap, context)
            tail, _ = _trim_left(gap, context)
            gap = f"{head} … {tail}"
        if gap.strip():
            parts.append(_e(_squash(gap)) + " ")
        parts.append(mark(i, chunk_text[lo:hi]))
        pos = hi
    if spans:
        after, cut = _trim_right(chunk_text[pos:], context)
        if after.strip():
            parts.append(" " + _e(_squash(after)))
        parts.append(" …" if cut else "")
    for i in missing:
        parts.append((" … " if parts else "") + mark(i, quotes[i][0]))
    return "".join(parts)


def highlight_quote(
    chunk_text: str, chunk_start: int, quote: str, start: int, end: int,
    context: int = QUOTE_CONTEXT,
) -> str:
    """``highlight_quotes`` for a single quote, without a number."""
    return highlight_quotes(chunk_text, chunk_start, [(quote, start, end)], context=context)


def _meta_line(source: str, published: dt.date | None, url: str) -> str:
    bits = [f'<span class="aqa-outlet">{_e(source)}</span>' if source else ""]
    if published:
        bits.append(f"<span>{_e(human(published))}</span>")
    if link := safe_url(url):
        host = urlparse(link).netloc.removeprefix("www.")
        bits.append(f'<a href="{_e(link)}" {_BLANK}>{_e(host)} ↗</a>')
    return " · ".join(b for b in bits if b)


def source_card(
    numbered: Sequence[tuple[int, Citation]], passages: dict[str, ScoredChunk]
) -> str:
    """One card per article: its citation numbers, title (linked when known), outlet, date, and
    one quote block per cited passage with every supporting sentence highlighted in context."""
    first = numbered[0][1]
    title = _e(first.title or "(untitled)")
    if link := safe_url(first.url):
        title = f'<a href="{_e(link)}" {_BLANK}>{title}</a>'
    nums = "".join(f'<span class="aqa-num">{n}</span>' for n, _ in numbered)
    by_chunk: dict[str, list[tuple[int, Citation]]] = {}
    for n, c in numbered:
        by_chunk.setdefault(c.chunk_id, []).append((n, c))
    labelled = len(numbered) > 1
    blocks = []
    for chunk_id, cits in by_chunk.items():
        spans = [(c.quote, c.start, c.end) for _, c in cits if c.quote]
        labels = [n for n, c in cits if c.quote] if labelled else []
        passage = passages.get(chunk_id) if chunk_id else None
        if not spans:
            continue
        if passage is not None:
            body = highlight_quotes(passage.chunk.text, passage.chunk.start, spans, labels)
        else:
            body = highlight_quotes("", 0, spans, labels)
        blocks.append(f'<blockquote class="aqa-quote">{body}</blockquote>')
    return (
        f'<div class="aqa-card" id="aqa-src-{numbered[0][0]}">'
        f'<div class="aqa-card-title">{nums}{title}</div>'
        f'<div class="aqa-meta">{_meta_line(first.source, first.published, first.url)}</div>'
        + "".join(blocks)
        + "</div>"
    )


def source_cards(citations: Sequence[Citation], passages: Sequence[ScoredChunk]) -> str:
    """Cards for all citations, grouped by article in order of first citation."""
    groups: dict[str, list[tuple[int, Citation]]] = {}
    for n, c in enumerate(citations, 1):
        groups.setdefault(c.article_id, []).append((n, c))
    by_chunk = {p.chunk.id: p for p in passages}
    return "".join(source_card(g, by_chunk) for g in groups.values())


def passage_card(p: ScoredChunk, chars: int = 320) -> str:
    """A related-passage card (used on refusals): metadata and the start of the passage."""
    ch = p.chunk
    text = _squash(ch.text)
    snippet = text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"
    title = _e(ch.title or "(untitled)")
    if link := safe_url(ch.url):
        title = f'<a href="{_e(link)}" {_BLANK}>{title}</a>'
    score = ""
    if p.dense is not None:
        score = f' <span class="aqa-score">similarity {p.dense:.2f}</span>'
    return (
        '<div class="aqa-card aqa-related">'
        f'<div class="aqa-card-title">{title}</div>'
        f'<div class="aqa-meta">{_meta_line(ch.source, ch.published, ch.url)}{score}</div>'
        f'<blockquote class="aqa-quote">{_e(snippet)}</blockquote></div>'
    )


def _filters_text(filters: dict[str, Any]) -> str:
    parts = []
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"{filters.get('date_from') or '…'} – {filters.get('date_to') or '…'}")
    for key in ("sources", "authors", "sections"):
        if filters.get(key):
            parts.append(", ".join(map(str, filters[key])))
    return "; ".join(parts)


def answer_footer(answer: Answer, options: dict[str, str] | None = None) -> str:
    """Small grey line: time taken, how the question was understood, filters, options."""
    bits = []
    if "total" in answer.timings:
        bits.append(f"{answer.timings['total']:.2f} s")
    if answer.kind in ("collection", "metadata"):
        bits.append("counted in the catalog" if answer.kind == "collection" else "from the catalog")
    rq = answer.rewritten_question.strip()
    if rq and _squash(rq).casefold() != _squash(answer.question).casefold():
        bits.append(f"understood as “{_e(rq)}”")
    if answer.filters and (ftext := _filters_text(answer.filters)):
        bits.append(f"filters: {_e(ftext)}")
    for v in (options or {}).values():
        bits.append(_e(v))
    return f'<div class="aqa-footer">{" · ".join(bits)}</div>' if bits else ""


def render_answer(answer: Answer, options: dict[str, str] | None = None) -> str:
    """The whole chat message for an Answer, as one HTML block (no blank lines).

    Answers: text with numbered citation badges, then source cards. Refusals: a distinct box
    with the engine's explanation, then the closest related passages.
    """
    if answer.refused:
        best: dict[str, ScoredChunk] = {}  # one passage per article, in the engine's order
        for p in answer.passages:
            best.setdefault(p.chunk.article_id, p)
        related = "".join(passage_card(p) for p in list(best.values())[:3])
        return (
            '<div class="aqa-msg aqa-refused">'
            '<div class="aqa-refusal"><div class="aqa-refusal-head">Not found in the articles</div>'
            f"{answer_text_html(answer.text, 0)}</div>"
            + (
                '<details class="aqa-sources" open><summary>Closest related passages</summary>'
                f"{related}</details>"
                if related
                else ""
            )
            + answer_footer(answer, options)
            + "</div>"
        )
    cards = source_cards(answer.citations, answer.passages)
    n_articles = len({c.article_id for c in answer.citations})
    label = "Source" if n_articles == 1 else f"Sources ({n_articles} articles)"
    return (
        f'<div class="aqa-msg aqa-{_e(answer.kind)}">'
        f'<div class="aqa-answer">{answer_text_html(answer.text, len(answer.citations))}</div>'
        + (f'<details class="aqa-sources" open><summary>{label}</summary>{cards}</details>'
           if cards else "")
        + answer_footer(answer, options)
        + "</div>"
    )


def render_error(message: str) -> str:
    return f'<div class="aqa-msg aqa-error"><b>Something went wrong.</b> {_e(message)}</div>'


# =============================================================================== collection panel
@dataclass
class LoadStatus:
    """What the background demo load is doing (shown in the collection panel)."""

    stage: str = "idle"  #: idle | waiting | loading | done | failed
    corpus: str = ""
    done: int = 0
    total: int = 0
    what: str = ""
    error: str = ""
    started: float = 0.0
    finished: float = 0.0


def render_stats(stats: dict[str, Any], status: LoadStatus | None = None) -> str:
    """The collection summary: counts, date range, ingest problems, background progress."""
    n_sources = len(stats.get("sources") or {})
    lo, hi = stats.get("date_from"), stats.get("date_to")
    span = (
        f"{human(parse_date(lo))} – {human(parse_date(hi))}" if lo and hi else "no dated articles"
    )
    tiles = "".join(
        f'<div class="aqa-tile"><div class="aqa-tile-n">{v:,}</div><div>{_e(k)}</div></div>'
        for k, v in (
            ("articles", int(stats.get("articles") or 0)),
            ("passages", int(stats.get("chunks") or 0)),
            ("sources", n_sources),
        )
    )
    notes = []
    if stats.get("skipped"):
        notes.append(f"{stats['skipped']:,} records skipped")
    if stats.get("duplicates"):
        notes.append(f"{stats['duplicates']:,} duplicates merged")
    if stats.get("pending"):
        notes.append(f"{stats['pending']:,} being written")
    progress = ""
    if status and status.stage in ("waiting", "loading"):
        embedding = status.what == "embedding" and status.total > 0
        pct = 100.0 * status.done / status.total if embedding else 0.0
        what = (
            f"{status.done:,} / {status.total:,} new articles embedded"
            if embedding
            else (status.what or "starting")
        )
        progress = (
            f'<div class="aqa-load"><div>Loading the <b>{_e(status.corpus)}</b> demo corpus in '
            f"the background: {_e(what)}</div>"
            f'<div class="aqa-bar"><div style="width:{pct:.1f}%"></div></div></div>'
        )
    elif status and status.stage == "failed":
        progress = (
            f'<div class="aqa-load aqa-error">Demo corpus not loaded: {_e(status.error)}</div>'
        )
    elif status and status.stage == "done" and time.time() - status.finished < 60:
        progress = f'<div class="aqa-load">The {_e(status.corpus)} demo corpus is loaded.</div>'
    return (
        f'<div class="aqa-stats"><div class="aqa-tiles">{tiles}</div>'
        f'<div class="aqa-span">{_e(span)}</div>'
        + (f'<div class="aqa-notes">{_e(", ".join(notes))}</div>' if notes else "")
        + progress
        + "</div>"
    )


# =============================================================================== uploads
@dataclass
class FileReport:
    """What happened to one uploaded file."""

    name: str
    stored: str = ""  #: path under the upload dir ("" when refused before copying)
    report: IngestReport | None = None
    error: str = ""  #: why the file was refused or failed
    duplicate_titles: list[str] = field(default_factory=list)


def store_upload(src: Path, upload_dir: Path, max_bytes: int) -> Path:
    """Copy an uploaded temp file into ``upload_dir`` under a safe, content-addressed name.

    Only the basename of the upload is used; symlinks, oversize files and unsafe names are
    refused with ValueError. Identical re-uploads land on the same file.
    """
    name = safe_upload_name(src.name)
    if src.is_symlink() or not src.is_file():
        raise ValueError("not a regular file")
    size = src.stat().st_size
    if size > max_bytes:
        raise ValueError(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
    digest = hashlib.sha256()
    with src.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    upload_dir.mkdir(parents=True, exist_ok=True)
    dest = upload_dir / f"{digest.hexdigest()[:12]}-{name}"
    if dest.parent.resolve() != upload_dir.resolve():
        raise ValueError("not a plain file name")
    if dest.exists() and not dest.is_symlink():
        return dest
    tmp = upload_dir / f".{dest.name}.{os.getpid()}.{threading.get_ident()}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
    with os.fdopen(fd, "wb") as out, src.open("rb") as fh:
        shutil.copyfileobj(fh, out)
    tmp.replace(dest)
    return dest


def _where_in_file(where: str, stored: str) -> str:
    """``/home/uploads/ab12-export.csv:row 6`` -> ``row 6`` (the record inside the upload)."""
    rest = where[len(stored):] if stored and where.startswith(stored) else where.rsplit("/", 1)[-1]
    return rest.lstrip(":").strip() or "the file"


def render_upload_report(reports: Sequence[FileReport], max_reasons: int = 8) -> str:
    """Markdown: one line per file (what was added / updated / unchanged) with skip reasons."""
    if not reports:
        return ""
    lines: list[str] = []
    for fr in reports:
        name = fr.name.replace("*", "\\*").replace("_", "\\_")
        if fr.report is None:
            lines.append(f"- **{name}**: refused, {fr.error}")
            continue
        r = fr.report
        parts = [
            f"{len(r.added)} added" if r.added else "",
            f"{len(r.updated)} updated" if r.updated else "",
            f"{len(r.unchanged)} already in the collection" if r.unchanged else "",
            f"{len(r.duplicates)} duplicate{'s' if len(r.duplicates) != 1 else ''}"
            if r.duplicates else "",
            f"{len(r.skipped)} skipped" if r.skipped else "",
        ]
        lines.append(f"- **{name}**: {', '.join(x for x in parts if x) or 'no articles'}")
        for where, reason in r.skipped[:max_reasons]:
            lines.append(f"    - {_where_in_file(where, fr.stored)}: {reason}")
        if len(r.skipped) > max_reasons:
            lines.append(f"    - … and {len(r.skipped) - max_reasons} more")
        for title in fr.duplicate_titles[:max_reasons]:
            lines.append(f"    - same text as “{title}”, already indexed")
    added = sum(len(fr.report.added) + len(fr.report.updated) for fr in reports if fr.report)
    head = f"**{added} article{'s' if added != 1 else ''} added or updated.**"
    return "\n".join([head, "", *lines])


# =============================================================================== ingest scheduling
class IngestGate:
    """Serialises writes to the index; a long background ingest lets uploads go first.

    The background load calls ``pause_point()`` between write groups (nothing half-written
    then), so an upload waits seconds, not the whole demo load.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._waiting = 0

    @contextlib.contextmanager
    def foreground(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._busy:
                self._cond.wait()
            self._waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextlib.contextmanager
    def background(self) -> Iterator[None]:
        self._acquire_background()
        try:
            yield
        finally:
            self._release()

    def pause_point(self) -> None:
        """Called by the background writer at a consistent point: let waiting uploads run."""
        with self._cond:
            if not self._waiting:
                return
            self._busy = False
            self._cond.notify_all()
        self._acquire_background()

    def _acquire_background(self) -> None:
        with self._cond:
            while self._busy or self._waiting:
                self._cond.wait()
            self._busy = True

    def _release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()


class DemoLoader:
    """First-start demo corpus: news100 (+ the shared sample) now, the full corpus behind.

    ``writer`` is the handle the background load writes through; give it its own embedder so
    questions never wait for the model lock behind a batch of demo articles.
    """

    def __init__(
        self,
        bot: ArticleQA,
        gate: IngestGate,
        shared_dir: Path | None = SHARED_ARTICLES,
        writer: ArticleQA | None = None,
    ) -> None:
        self.bot = bot
        self.writer = writer or bot
        self.gate = gate
        self.shared_dir = shared_dir
        self._status = LoadStatus()
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def status(self) -> LoadStatus:
        with self._lock:
            return replace(self._status)

    def _set(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    def stage_done(self) -> str | None:
        return self.bot.index.catalog.get_meta(DEMO_META_KEY)

    def load_first(self, progress: Any = None) -> bool:
        """On an empty, never-seeded index: ingest news100 and the shared sample (blocking).

        Returns True when the background step should follow.
        """
        stage = self.stage_done()
        if stage == "news":
            return False
        if stage is None:
            if self.bot.index.catalog.counts()["articles"]:
                return False  # someone's own collection: leave it alone
            with self.gate.foreground():
                rep = self.bot.ingest_demo("news100", progress=progress)
                logger.info("demo news100: %s", rep.summary())
                if self.shared_dir is not None and self.shared_dir.is_dir():
                    rep = self.bot.ingest([self.shared_dir])
                    logger.info("shared articles: %s", rep.summary())
            self.bot.index.catalog.set_meta(DEMO_META_KEY, "news100")
        return True

    def start_background(self) -> threading.Thread:
        """Ingest the full ``news`` corpus in a daemon thread; progress goes to ``status()``."""
        self._set(stage="waiting", corpus="news", started=time.time())
        self.thread = threading.Thread(target=self._run, name="demo-news", daemon=True)
        self.thread.start()
        return self.thread

    def _progress(self, done: int, total: int, what: str) -> None:
        self._set(stage="loading", done=done, total=total, what=what)
        if what == "embedding":
            self.gate.pause_point()

    def _run(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # best effort: keep the chat snappy
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        try:
            with self.gate.background():
                self._set(stage="loading", what="reading the corpus")
                rep = self.writer.ingest_demo("news", progress=self._progress)
            self.writer.index.catalog.set_meta(DEMO_META_KEY, "news")
            logger.info("demo news: %s", rep.summary())
            self._set(stage="done", finished=time.time())
        except Exception as exc:
            logger.exception("loading the demo corpus failed")
            self._set(stage="failed", error=str(exc), finished=time.time())


class AskJob:
    """Runs ``bot.ask`` in a worker thread so the UI can show progress and stream LLM tokens."""

    def __init__(
        self,
        bot: ArticleQA,
        question: str,
        history: list[dict[str, str]] | None,
        filters: dict[str, Any] | None,
        options: dict[str, str],
    ) -> None:
        self.bot, self.question, self.history = bot, question, history
        self.filters, self.options = filters, options
        self.done = threading.Event()
        self.answer: Answer | None = None
        self.error: BaseException | None = None
        self._tokens: list[str] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        threading.Thread(target=self._run, name="ask", daemon=True).start()

    def _on_token(self, token: str) -> None:
        with self._lock:
            self._tokens.append(token)

    def partial(self) -> str:
        with self._lock:
            return "".join(self._tokens)

    def _run(self) -> None:
        try:
            extra: dict[str, Any] = {}
            if self.options.get("answerer") == "llm":
                extra["on_token"] = self._on_token
            self.answer = self.bot.ask(self.question, history=self.history,
                                       filters=self.filters, **self.options, **extra)
        except Exception as exc:
            logger.exception("ask failed for %r", self.question)
            self.error = exc
        finally:
            self.done.set()


def _pending(title: str) -> dict[str, Any]:
    return {"role": "assistant", "content": "",
            "metadata": {"title": title, "status": "pending"}}


# =============================================================================== the app
CSS = """
.aqa-msg { line-height: 1.5; }
.aqa-msg p { margin: 0 0 .5em 0; }
.aqa-ref { display: inline-block; min-width: 1.35em; padding: 0 .25em; margin-left: .12em;
  border-radius: .7em; background: var(--primary-100); color: var(--primary-700);
  font-size: .7em; font-weight: 700; text-align: center; line-height: 1.5;
  vertical-align: .45em; }
.dark .aqa-ref { background: var(--primary-800); color: var(--primary-100); }
.aqa-sources { margin-top: .6em; }
.aqa-sources > summary { cursor: pointer; font-weight: 600; font-size: .85em;
  color: var(--body-text-color-subdued); margin-bottom: .35em; }
.aqa-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .55em .75em; margin: .4em 0; background: var(--background-fill-secondary); }
.aqa-card-title { font-weight: 700; }
.aqa-card-title a { color: inherit; text-decoration: none; }
.aqa-card-title a:hover { text-decoration: underline; }
.aqa-num { display: inline-block; min-width: 1.5em; margin-right: .45em; border-radius: .75em;
  background: var(--color-accent); color: white; font-size: .8em; text-align: center; }
.aqa-meta { font-size: .82em; color: var(--body-text-color-subdued); margin: .1em 0 .3em 0; }
.aqa-meta a { color: var(--link-text-color); }
.aqa-outlet { font-weight: 600; }
.aqa-score { margin-left: .5em; opacity: .8; }
.aqa-quote { margin: .2em 0 0 0 !important; padding: .1em 0 .1em .7em !important;
  border-left: 3px solid var(--border-color-primary) !important; font-size: .9em;
  color: var(--body-text-color-subdued); }
.aqa-quote mark { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 2px; }
.aqa-refusal { border-left: 4px solid #f59e0b; background: rgba(245, 158, 11, .08);
  border-radius: 6px; padding: .5em .8em; }
.aqa-refusal-head { font-weight: 700; color: #b45309; margin-bottom: .25em; }
.aqa-related { opacity: .92; }
.aqa-footer { margin-top: .4em; font-size: .75em; color: var(--body-text-color-subdued); }
.aqa-error { color: #b91c1c; }
.aqa-stats .aqa-tiles { display: flex; gap: .5em; }
.aqa-tile { flex: 1; text-align: center; border: 1px solid var(--border-color-primary);
  border-radius: 8px; padding: .4em 0; font-size: .8em; color: var(--body-text-color-subdued); }
.aqa-tile-n { font-size: 1.6em; font-weight: 700; color: var(--body-text-color); }
.aqa-span, .aqa-notes { margin-top: .5em; font-size: .85em; text-align: center; }
.aqa-notes { color: var(--body-text-color-subdued); }
.aqa-load { margin-top: .6em; font-size: .85em; }
.aqa-bar { height: 8px; border-radius: 4px; background: var(--border-color-primary);
  overflow: hidden; margin-top: .3em; }
.aqa-bar > div { height: 100%; background: var(--color-accent); transition: width .5s; }
#aqa-title h1 { margin-bottom: 0; }
#aqa-from .timebox input, #aqa-to .timebox input { min-width: 0; width: 100%; }
#aqa-from .timebox, #aqa-to .timebox { display: flex; }
"""

HEADER = (
    "# Article QA\n"
    "Ask about the news articles in the collection. Every answer quotes the passages it comes "
    "from; when the articles do not hold the answer, it says so."
)


def busy_days(
    counts: Sequence[tuple[str, int]], tail: float = 0.01
) -> tuple[list[tuple[str, int]], int]:
    """Per-day counts without the stray outer ``tail`` of articles on each side.

    A handful of articles far outside the main span (a 2022 article in a 2017 corpus) would
    squash the per-day chart into a spike; returns the kept days and how many articles were
    left out.
    """
    total = sum(n for _, n in counts)
    if not total:
        return [], 0
    cut = int(total * tail)
    lo, seen = 0, 0
    while lo < len(counts) and seen + counts[lo][1] <= cut:
        seen += counts[lo][1]
        lo += 1
    hi, seen_hi = len(counts), 0
    while hi > lo and seen_hi + counts[hi - 1][1] <= cut:
        seen_hi += counts[hi - 1][1]
        hi -= 1
    return list(counts[lo:hi]), seen + seen_hi


def _frames(bot: ArticleQA, stats: dict[str, Any]) -> tuple[Any, Any, str]:
    """Articles per source and per day (DataFrames for the charts) + the per-day caption."""
    import pandas as pd

    src = pd.DataFrame(
        [{"source": k, "articles": v} for k, v in (stats.get("sources") or {}).items()],
        columns=["source", "articles"],
    )
    rows = bot.index.catalog.query(
        "SELECT published, COUNT(*) FROM articles WHERE state='ready' AND published IS NOT NULL "
        "GROUP BY published ORDER BY published"
    )
    kept, hidden = busy_days([(str(r[0]), int(r[1])) for r in rows])
    days = pd.DataFrame(kept, columns=["day", "articles"])
    days["day"] = pd.to_datetime(days["day"], errors="coerce")
    caption = f"{hidden} article{'s' if hidden != 1 else ''} outside this span not shown" if (
        hidden) else ""
    return src, days.dropna(), caption


def replot_needed(old_key: str, new_key: str, change: float = 0.02) -> bool:
    """Redraw the charts when the outlets changed or the article count moved by > ``change``.

    Keys are ``"<articles>|<sources>"``; a background load then redraws every few percent, not
    on every refresh tick.
    """
    if not old_key:
        return True
    old_n, _, old_src = old_key.partition("|")
    new_n, _, new_src = new_key.partition("|")
    if old_src != new_src:
        return True
    a, b = int(old_n or 0), int(new_n or 0)
    return abs(b - a) > change * max(a, 1) or (a == 0) != (b == 0)


def _outlets(stats: dict[str, Any]) -> list[str]:
    """Outlet filter choices: named sources, most articles first."""
    return [s for s in (stats.get("sources") or {}) if s and s != "(unknown)"]


def _authors(bot: ArticleQA, limit: int = 300) -> list[str]:
    rows = bot.index.catalog.query(
        "SELECT au.author, COUNT(*) AS n FROM article_authors au JOIN articles a "
        "ON a.id = au.article_id WHERE a.state='ready' GROUP BY au.author "
        "ORDER BY n DESC, au.author LIMIT ?",
        (limit,),
    )
    return [str(r[0]) for r in rows]


@dataclass(frozen=True)
class AppConfig:
    """Serving options that the UI needs to know about."""

    upload_dir: Path
    max_file_bytes: int = 25 * 1024 * 1024
    concurrency: int = 2
    refresh_seconds: float = 3.0


def build_app(
    bot: ArticleQA,
    config: AppConfig,
    loader: DemoLoader | None = None,
    gate: IngestGate | None = None,
) -> gr.Blocks:
    """The Blocks app. Every callback only collects options, calls ``bot`` and renders."""
    _gradio_env()
    import gradio as gr

    gate = gate or (loader.gate if loader else IngestGate())

    def respond(
        message: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, str]],
        date_from: str | None,
        date_to: str | None,
        sources: list[str] | None,
        authors: list[str] | None,
        mode: str,
        answerer: str,
        retrieval: str,
    ) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, str]], str]]:
        message = (message or "").strip()
        chat = list(chat or [])
        turns = list(turns or [])
        if not message:
            yield chat, turns, ""
            return
        chat.append({"role": "user", "content": message})
        try:
            filters = build_filters(date_from, date_to, sources, authors)
        except ValueError as exc:
            chat.append({"role": "assistant", "content": render_error(f"Filters: {exc}.")})
            yield chat, turns, message
            return
        n_articles = bot.index.catalog.counts()["articles"]
        where = f" ({_filters_text(filters)})" if filters else ""
        searching = f"Searching {n_articles:,} articles{where}"
        chat.append(_pending(searching))
        yield chat, turns, ""
        options = {"mode": mode or "fast", "answerer": answerer or "extractive",
                   "retrieval": retrieval or "hybrid"}
        job = AskJob(bot, message, engine_history(turns), filters, options)
        job.start()
        t0 = time.perf_counter()
        while not job.done.wait(0.25):
            partial = job.partial()
            chat[-1] = (
                {"role": "assistant", "content": _e(partial) + " ▌"}
                if partial
                else _pending(f"{searching} … {time.perf_counter() - t0:.0f} s")
            )
            yield chat, turns, ""
        if job.error is not None or job.answer is None:
            err = job.error
            chat[-1] = {"role": "assistant",
                        "content": render_error(str(err) or type(err).__name__)}
            yield chat, turns, ""
            return
        answer = job.answer
        shown = {k: v for k, v in options.items() if v not in ("fast", "extractive", "hybrid")}
        chat[-1] = {"role": "assistant", "content": render_answer(answer, shown)}
        turns += [{"role": "user", "content": message},
                  {"role": "assistant", "content": answer.text}]
        yield chat, turns, ""

    def ask_api(
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: dict[str, Any] | None = None,
        mode: str = "fast",
        answerer: str = "extractive",
    ) -> dict[str, Any]:
        """Structured answer for API clients: ``Answer.to_dict()``."""
        answer = bot.ask(question, history=history or None, filters=filters or None,
                         mode=mode, answerer=answerer)
        return answer.to_dict()

    def add_files(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        paths = [Path(f) for f in (files or [])]
        reports: list[FileReport] = []
        for i, src in enumerate(paths):
            fr = FileReport(name=src.name)
            reports.append(fr)
            try:
                dest = store_upload(src, config.upload_dir, config.max_file_bytes)
            except (ValueError, OSError) as exc:
                fr.error = str(exc)
                continue
            fr.stored = str(dest)

            def cb(done: int, total: int, what: str, i: int = i, name: str = src.name) -> None:
                frac = (i + (done / total if total else 0.0)) / len(paths)
                progress(frac, desc=f"{name}: {what} ({done}/{total})")

            progress(i / len(paths), desc=f"{src.name}: waiting for the index")
            try:
                with gate.foreground():
                    fr.report = bot.ingest([dest], progress=cb)
            except Exception as exc:
                logger.exception("ingest of upload %s failed", dest)
                fr.error = f"ingest failed: {exc}"
                continue
            for _, owner in fr.report.duplicates[:5]:
                art = bot.index.catalog.article(owner)
                fr.duplicate_titles.append(art.title if art and art.title else owner)
        progress(1.0, desc="done")
        return render_upload_report(reports)

    def refresh(key: str) -> tuple[Any, ...]:
        stats = bot.stats()
        html_stats = render_stats(stats, loader.status() if loader else None)
        new_key = f"{stats['articles']}|{','.join(stats['sources'])}"
        if not replot_needed(key, new_key):
            return html_stats, gr.skip(), gr.skip(), gr.skip(), gr.skip(), key
        src, days, day_caption = _frames(bot, stats)
        top_src = float(src["articles"].max()) if len(src) else 1.0
        top_day = float(days["articles"].max()) if len(days) else 1.0
        return (
            html_stats,
            gr.BarPlot(value=src, y_lim=[0, top_src * 1.08]),
            gr.LinePlot(value=days, y_lim=[0, top_day * 1.08], caption=day_caption or None),
            gr.Dropdown(choices=_outlets(stats)),
            gr.Dropdown(choices=_authors(bot)),
            new_key,
        )

    first_stats = bot.stats()
    with gr.Blocks(title="Article QA", fill_height=True) as demo:
        turns = gr.State([])
        stats_key = gr.State("")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=480):
                gr.Markdown(HEADER, elem_id="aqa-title")
                chatbot = gr.Chatbot(
                    label="Chat",
                    show_label=False,
                    height="68vh",
                    elem_id="aqa-chat",
                    latex_delimiters=[],
                    feedback_options=None,
                    buttons=[],  # a copy button would copy the HTML markup
                    placeholder="Ask a question about the articles, or pick an example below.",
                    group_consecutive_messages=False,
                )
                with gr.Row():
                    msg = gr.Textbox(
                        placeholder="e.g. What did Tokayev say about trade with China?",
                        show_label=False,
                        scale=8,
                        autofocus=True,
                        submit_btn=False,
                        elem_id="aqa-input",
                        lines=1,
                        max_lines=4,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=80,
                                     elem_id="aqa-send")
                gr.Examples(EXAMPLES, inputs=[msg], label="Try")
            with gr.Column(scale=2, min_width=320, elem_id="aqa-panel"):
                with gr.Accordion("Filters for the next questions", open=True):
                    with gr.Row():
                        date_from = gr.DateTime(label="From", include_time=False, type="string",
                                                value=None, elem_id="aqa-from")
                        date_to = gr.DateTime(label="To", include_time=False, type="string",
                                              value=None, elem_id="aqa-to")
                    sources = gr.Dropdown(label="Outlets", multiselect=True,
                                          choices=_outlets(first_stats),
                                          allow_custom_value=True, elem_id="aqa-sources")
                    authors = gr.Dropdown(label="Authors", multiselect=True,
                                          choices=_authors(bot), allow_custom_value=True,
                                          elem_id="aqa-authors")
                with gr.Accordion("Answering", open=True):
                    mode = gr.Radio([("Fast", "fast"), ("Accurate", "accurate")], value="fast",
                                    label="Mode", elem_id="aqa-mode")
                    answerer = gr.Radio(
                        [("Extractive (quotes)", "extractive"), ("Local LLM", "llm")],
                        value="extractive", label="Answerer", elem_id="aqa-answerer",
                    )
                    retrieval = gr.Radio(
                        [("Hybrid", "hybrid"), ("Keywords (BM25)", "bm25"), ("Dense", "dense")],
                        value="hybrid", label="Retrieval", elem_id="aqa-retrieval",
                    )
                with gr.Accordion("Collection", open=True):
                    stats_html = gr.HTML(elem_id="aqa-stats")
                    with gr.Tabs():
                        with gr.Tab("Per outlet"):
                            src_plot = gr.BarPlot(x="source", y="articles", sort="-y", height=220,
                                                  x_label_angle=-35, show_label=False,
                                                  x_title=" ", y_title="articles")
                        with gr.Tab("Per day"):
                            day_plot = gr.LinePlot(x="day", y="articles", height=220,
                                                   show_label=False, x_title=" ",
                                                   y_title="articles")
                with gr.Accordion("Add articles", open=False):
                    files = gr.File(
                        label="txt, md, csv, tsv, jsonl or json",
                        file_count="multiple",
                        file_types=list(UPLOAD_SUFFIXES),
                        elem_id="aqa-upload",
                    )
                    upload_report = gr.Markdown(elem_id="aqa-upload-report")

        ask_inputs = [msg, chatbot, turns, date_from, date_to, sources, authors, mode, answerer,
                      retrieval]
        ask_outputs = [chatbot, turns, msg]
        common = {"concurrency_limit": config.concurrency, "concurrency_id": "ask",
                  "show_progress": "minimal"}
        msg.submit(respond, ask_inputs, ask_outputs, api_name="chat", **common)  # type: ignore[arg-type]
        send.click(respond, ask_inputs, ask_outputs, api_visibility="private", **common)  # type: ignore[arg-type]
        chatbot.clear(lambda: [], None, [turns], api_visibility="private", queue=False)
        gr.api(ask_api, api_name="ask", concurrency_limit=config.concurrency,
               concurrency_id="ask")
        panel_out = [stats_html, src_plot, day_plot, sources, authors, stats_key]
        up = files.upload(add_files, [files], [upload_report], api_name="add_files",
                          concurrency_limit=1, concurrency_id="ingest")
        up.then(refresh, [stats_key], panel_out, api_visibility="private", queue=False)
        demo.load(refresh, [stats_key], panel_out, api_visibility="private", queue=False)
        timer = gr.Timer(config.refresh_seconds)
        timer.tick(refresh, [stats_key], panel_out, api_visibility="private",
                   show_progress="hidden", queue=False)
    return demo


# =============================================================================== serving
def _gradio_env() -> None:
    """Offline, no telemetry: must run before gradio is imported."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:pass`` -> (user, pass); None for no auth; ValueError when malformed."""
    if value is None or not value.strip():
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError("auth must look like user:password")
    return user.strip(), password


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_size(value: str) -> int:
    """``25mb`` / ``500kb`` / ``1gb`` / ``1048576`` -> bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*", value.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (e.g. 25mb)")
    return int(float(m[1]) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m[2]])


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="article-qa serve",
        description="Serve the Article QA chat (Gradio) over the index in --home.",
        epilog="Environment: ARTICLE_QA_HOME, ARTICLE_QA_AUTH=user:pass, ARTICLE_QA_NO_DEMO=1, "
        "and every ARTICLE_QA_* setting.",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to bind (default 127.0.0.1; others need --auth)")
    p.add_argument("--port", type=int, default=int(os.environ.get("ARTICLE_QA_PORT", "7860")),
                   help="port (default 7860)")
    p.add_argument("--home", help="index folder (default: $ARTICLE_QA_HOME or ~/.article-qa)")
    p.add_argument("--auth", help="basic auth as user:password (or env ARTICLE_QA_AUTH)")
    p.add_argument("--insecure-no-auth", action="store_true",
                   help="allow a non-loopback --host without auth")
    p.add_argument("--no-demo", action="store_true",
                   help="do not load the demo corpus into an empty index "
                   "(env ARTICLE_QA_NO_DEMO=1)")
    p.add_argument("--max-file-size", type=parse_size, default=parse_size("25mb"),
                   help="largest upload accepted (default 25mb)")
    p.add_argument("--concurrency", type=int, default=2,
                   help="questions answered at the same time (default 2)")
    p.add_argument("-v", "--verbose", action="count", default=0)
    return p


def launch(
    demo: gr.Blocks,
    host: str,
    port: int,
    auth: tuple[str, str] | None,
    config: AppConfig,
    block: bool = True,
    quiet: bool = False,
) -> None:
    """Queue + launch with the app's theme, CSS and limits."""
    import gradio as gr

    demo.queue(default_concurrency_limit=config.concurrency, max_size=64)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="Article QA: sign in" if auth else None,
        max_file_size=config.max_file_bytes,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=quiet,
        theme=gr.themes.Soft(
            primary_hue="blue",
            neutral_hue="slate",
            font=[gr.themes.LocalFont("IBM Plex Sans", weights=(400, 600, 700)),
                  "ui-sans-serif", "system-ui", "sans-serif"],
        ),
        css=CSS,
        footer_links=["api"],
        ssr_mode=False,
        mcp_server=False,
    )


def _tqdm(desc: str) -> Any:
    """An ingest progress callback drawing a tqdm bar on stderr (created on first call)."""
    from tqdm import tqdm

    bars: list[Any] = []

    def progress(done: int, total: int, what: str) -> None:
        if not bars:
            bars.append(tqdm(total=total, desc=desc, unit="article", file=sys.stderr))
        bar = bars[0]
        if bar.total != total:
            bar.reset(total=total)
        bar.set_postfix_str(what, refresh=False)
        bar.update(done - bar.n)

    return progress


def _background_writer(settings: Any) -> ArticleQA | None:
    """A second handle on the index with its own copy of the model for the background load
    (the shared model's lock would make questions wait for whole ingest batches)."""
    if settings.embedder != "minilm":
        return None
    from qa.api import ArticleQA
    from qa.embed.base import MiniLMEmbedder

    return ArticleQA(settings=settings,
                     embedder=MiniLMEmbedder(batch_size=settings.embed_batch_size))


def main(argv: list[str] | None = None) -> int:
    """Parse args, open the index once, seed the demo corpus if needed, serve."""
    _gradio_env()
    if argv and argv[0] == "--":  # `article-qa serve -- --port 8000`
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    if not logging.getLogger().handlers:
        level = [logging.INFO, logging.DEBUG][min(args.verbose, 1)]
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3", "gradio", "bm25s"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        if not args.verbose:  # per-record skips are counted in the app's collection panel
            logging.getLogger("ingest").setLevel(logging.ERROR)
    try:
        auth = parse_auth(args.auth if args.auth is not None else os.environ.get("ARTICLE_QA_AUTH"))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not is_loopback(args.host) and auth is None and not args.insecure_no_auth:
        print(
            f"error: refusing to serve on {args.host} without a password. Use --auth user:pass "
            "(or ARTICLE_QA_AUTH), bind 127.0.0.1, or pass --insecure-no-auth.",
            file=sys.stderr,
        )
        return 2

    from qa.api import ArticleQA
    from qa.settings import Settings

    settings = Settings.from_env(home=args.home)
    bot = ArticleQA(settings=settings)
    gate = IngestGate()
    loader = DemoLoader(bot, gate)
    no_demo = args.no_demo or os.environ.get("ARTICLE_QA_NO_DEMO", "").strip().lower() in (
        "1", "true", "yes", "on")
    if not no_demo:
        try:
            if loader.stage_done() is None and not bot.index.catalog.counts()["articles"]:
                print("First start: loading 100 demo news articles (about a minute)...",
                      file=sys.stderr)
            if loader.load_first(progress=_tqdm("demo news100")):
                loader.writer = _background_writer(settings) or bot
                loader.start_background()
        except Exception as exc:
            logger.exception("could not load the demo corpus")
            print(f"warning: demo corpus not loaded ({exc}); add articles in the app.",
                  file=sys.stderr)
    config = AppConfig(upload_dir=Path(settings.home) / "uploads",
                       max_file_bytes=args.max_file_size, concurrency=max(1, args.concurrency))
    demo = build_app(bot, config, loader=loader, gate=gate)
    print(f"Article QA on http://{args.host}:{args.port} (index: {settings.home})", file=sys.stderr)
    try:
        launch(demo, args.host, args.port, auth, config, block=True)
    finally:
        bot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

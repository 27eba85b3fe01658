"""Core data types: articles, chunks, citations and answers.

They are plain frozen dataclasses; vendor objects (LangChain documents, Chroma rows) are
converted at the edges, never passed around.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

MAX_QUESTION_CHARS = 2000  #: longer input is refused before any parsing (it costs ~1 s per 100k chars)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"\s+", " ", text).strip()


def stable_hash(*parts: str, length: int = 16) -> str:
    """A short, stable hex digest of the normalised parts."""
    h = hashlib.sha256("\x1f".join(_norm(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:length]


@dataclass(frozen=True)
class Caption:
    """A photo caption found in an article."""

    text: str  #: caption text without the credit
    image: str = ""  #: image file name the caption belongs to, if known
    credit: str = ""  #: "Photo credit: X" -> "X"


@dataclass(frozen=True)
class Article:
    """One parsed article: body text plus its metadata."""

    id: str  #: stable id (source's own id, else hash of url or source+title+date)
    title: str  #: headline; may be empty for dirty inputs
    paragraphs: tuple[str, ...]  #: body paragraphs, no captions or image names
    subtitle: str = ""  #: standfirst / subtitle
    published: dt.date | None = None  #: publication date (byline date for the house format)
    authors: tuple[str, ...] = ()  #: bylines, as written
    source: str = ""  #: outlet name, e.g. "TASS", "BBC"
    url: str = ""  #: canonical link if known
    sections: tuple[str, ...] = ()  #: sections / categories
    dateline: str = ""  #: dateline place, e.g. "NUR-SULTAN"
    captions: tuple[Caption, ...] = ()  #: photo captions with credits
    path: str = ""  #: file (and row) it came from
    stored: dt.date | None = None  #: when the page was stored (house header date), if known
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        """Body text; citation offsets index into this string."""
        return "\n\n".join(self.paragraphs)

    @property
    def content_hash(self) -> str:
        """Hash of everything stored about the article; a change means re-index."""
        parts = [
            self.title,
            self.subtitle,
            self.text,
            self.published.isoformat() if self.published else "",
            "|".join(self.authors),
            self.source,
            self.url,
            "|".join(self.sections),
            self.dateline,
            "|".join(f"{c.image}:{c.text}:{c.credit}" for c in self.captions),
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]

    @property
    def body_hash(self) -> str:
        """Hash of the normalised body text: equal bodies are the same article."""
        return stable_hash(self.text, length=24)

    def replace(self, **changes: Any) -> Article:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Chunk:
    """A piece of an article's body, the unit of retrieval."""

    id: str  #: hash of article id + position + text
    article_id: str  #: owning article
    position: int  #: 0-based order within the article
    text: str  #: verbatim slice of ``Article.text``
    start: int  #: offset of ``text`` in ``Article.text``
    end: int  #: end offset (exclusive)
    header: str = ""  #: title / source / date line embedded with the text
    title: str = ""
    source: str = ""
    published: dt.date | None = None
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    url: str = ""

    @property
    def embed_text(self) -> str:
        """What the embedder sees: the metadata header, then the text."""
        return f"{self.header}\n{self.text}" if self.header else self.text


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with its fused score and per-retriever details."""

    chunk: Chunk
    score: float  #: fused score, higher is better
    dense: float | None = None  #: cosine similarity, if the dense retriever saw it
    lexical: float | None = None  #: BM25 score, if the lexical retriever saw it


@dataclass(frozen=True)
class Citation:
    """A verified pointer from an answer into an article."""

    article_id: str
    title: str
    source: str
    published: dt.date | None
    url: str
    chunk_id: str  #: retrieved chunk the quote comes from ("" for catalog citations)
    quote: str  #: verbatim text of the article
    start: int  #: offset of ``quote`` in ``Article.text``
    end: int

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d


@dataclass(frozen=True)
class Answer:
    """What ``ArticleQA.ask`` returns."""

    question: str
    text: str  #: the answer as shown to the user
    citations: tuple[Citation, ...] = ()
    refused: bool = False  #: True when the articles do not hold the answer
    short_answer: str = ""  #: the bare answer span, if one was extracted
    kind: str = "passage"  #: passage | metadata | collection | chitchat
    passages: tuple[ScoredChunk, ...] = ()  #: what was considered (related, on refusal)
    timings: dict[str, float] = field(default_factory=dict)  #: seconds per stage
    rewritten_question: str = ""  #: the question after resolving follow-ups
    filters: dict[str, Any] = field(default_factory=dict)  #: filters applied
    #: questions across articles: the executed plan (form, outlets, topic, each step's result)
    plan: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "short_answer": self.short_answer,
            "refused": self.refused,
            "kind": self.kind,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [
                {
                    "chunk_id": p.chunk.id,
                    "article_id": p.chunk.article_id,
                    "title": p.chunk.title,
                    "source": p.chunk.source,
                    "published": p.chunk.published.isoformat() if p.chunk.published else None,
                    "score": p.score,
                    "dense": p.dense,
                    "text": p.chunk.text,
                }
                for p in self.passages
            ],
            "timings": self.timings,
            "rewritten_question": self.rewritten_question,
            "filters": self.filters,
            "plan": self.plan,
        }


@dataclass
class IngestReport:
    """What an ingest run did, per article and per file."""

    added: list[str] = field(default_factory=list)  #: article ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  #: (where, duplicate of id)
    skipped: list[tuple[str, str]] = field(default_factory=list)  #: (where, reason)
    pruned: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  #: half-written articles redone
    repaired_quotes: int = 0  #: apostrophes restored in the added / updated articles ("don"t" -> "don't")
    chunks_added: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """False only when nothing at all could be ingested."""
        return bool(self.added or self.updated or self.unchanged or self.duplicates) or not (
            self.skipped
        )

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, duplicates {len(self.duplicates)}, "
            f"skipped {len(self.skipped)}, pruned {len(self.pruned)}; "
            f"{self.chunks_added} chunks embedded in {self.seconds:.1f} s"
            + (f"; {self.repaired_quotes} apostrophes restored from double quotes" if self.repaired_quotes else "")
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

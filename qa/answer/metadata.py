"""Questions about one article's metadata: who wrote it, when, which outlet, photo credits..."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qa.answer.reader import read
from qa.citations import make_citation
from qa.lang.dates import human
from qa.lang.text import content_terms
from qa.question.types import ParsedQuestion
from qa.types import Answer, Article, Citation

if TYPE_CHECKING:
    from qa.answer.engine import Engine

SCAFFOLD = re.compile(
    r"\b(?:who|whom|when|which|what|where|was|were|is|are|did|does|do|the|this|that|it|its|"
    r"wrote|written|write|writes|authored|penned|author|authors|byline|writer|reporter|reported|"
    r"published|publish|publication|publishing|date|come|came|out|appear|appeared|released|"
    r"posted|outlet|source|newspaper|publisher|site|agency|media|news|organi[sz]ation|title|"
    r"headline|called|titled|photo|image|picture|credit|courtesy|took|shot|caption|captions|"
    r"section|sections|category|categories|dateline|filed|datelined|link|url|read|can|i|"
    r"article|story|piece|report|about|on|of|for|in|regarding|concerning|with|a|an)\b",
    re.I,
)


def topic_of(pq: ParsedQuestion) -> str:
    return re.sub(r"\s+", " ", SCAFFOLD.sub(" ", re.sub(r"[?!.,:;]", " ", pq.core))).strip()


def _field(art: Article, field: str) -> tuple[str, str]:
    """(value, phrase) for the field; value '' when the article does not have it."""
    head = f"“{art.title or '(untitled)'}”"
    where = ", ".join(x for x in (art.source, human(art.published) if art.published else "") if x)
    head_full = f"{head} ({where})" if where else head
    if field == "author":
        v = ", ".join(art.authors)
        return v, f"{head_full} was written by {v}." if v else f"{head_full} does not name its author."
    if field == "date":
        v = art.published.isoformat() if art.published else ""
        src = f" by {art.source}" if art.source else ""
        return v, (f"{head} was published{src} on {human(art.published)}." if v
                   else f"{head} has no publication date.")
    if field == "source":
        v = art.source
        return v, (f"{head} was published by {v}" + (f" on {human(art.published)}." if art.published else ".")
                   if v else f"{head_full} does not name its outlet.")
    if field == "title":
        return art.title, (f"The article is titled {head} ({where})." if art.title
                           else "The article has no title.")
    if field == "credit":
        credits = list(dict.fromkeys(c.credit for c in art.captions if c.credit))
        v = ", ".join(credits)
        return v, (f"The photos in {head} are credited to {v}." if v
                   else f"{head_full} gives no photo credit.")
    if field == "caption":
        caps = [c.text for c in art.captions if c.text]
        v = " / ".join(caps)
        return v, (f"Captions in {head}: " + "; ".join(f"“{c}”" for c in caps) + "." if v
                   else f"{head_full} has no photo captions.")
    if field == "section":
        v = ", ".join(art.sections)
        return v, (f"{head} appeared in {v}." if v else f"{head_full} names no section.")
    if field == "dateline":
        v = art.dateline
        return v, (f"{head} is datelined {v}." if v else f"{head_full} has no dateline.")
    if field == "url":
        v = art.url
        return v, (f"{head} is at {v}" if v else f"{head_full} has no link.")
    return "", f"I do not know the field {field!r}."


#: "which outlet reported *more* people injured, the BBC or CNN?" compares figures, not outlets
COMPARES = re.compile(r"\b(?:more|fewer|less|higher|lower|larger|bigger|smaller|greater)\b", re.I)


def answer_metadata(
    engine: Engine, pq: ParsedQuestion, question: str, context_ids: tuple[str, ...], retrieval: str
) -> Answer:
    outlets = pq.filters.sources
    if pq.meta_field == "source" and len(outlets) > 1 and COMPARES.search(pq.text):
        return Answer(question=question, refused=True, kind="metadata", filters=pq.filters.to_dict(),
                      text=f"I cannot tell which of {' and '.join(outlets)} reported more or less: I did not find "
                      "a figure for it that both of their articles state.")
    topic = topic_of(pq)
    hits = []
    art_id = ""
    if content_terms(topic):
        hits = engine.retriever.search(
            topic, pq.filters, 5, retrieval, pq.latest,
            engine.index.embedder.embed([topic])[0] if retrieval != "bm25" else None,
        )
        strong = hits and max((h.dense or 0.0) for h in hits) >= engine.settings.refuse_below
        if strong:
            art_id = hits[0].chunk.article_id
    elif context_ids:
        art_id = context_ids[0]
    if not art_id:
        text = (f"I could not find an article about “{topic}”." if topic
                else "Which article do you mean? Ask about its topic, e.g. “who wrote the article about X?”.")
        return Answer(question=question, text=text, refused=True, kind="metadata",
                      passages=tuple(hits), filters=pq.filters.to_dict())
    art = engine.index.catalog.article(art_id)
    if art is None:
        return Answer(question=question, text="That article is no longer in the index.",
                      refused=True, kind="metadata")
    value, phrase = _field(art, pq.meta_field)
    # cite the passage that matched the topic (or the article's opening sentence)
    citation: Citation | None = None
    own_hits = [h for h in hits if h.chunk.article_id == art_id]
    if own_hits:
        readings = read(pq.__class__(text=topic, core=topic), own_hits[:1],
                        engine.retriever.idf())
        if readings:
            r = readings[0]
            citation = make_citation(art, r.start, r.end, r.chunk)
    if citation is None:
        chunks = engine.retriever.article_chunks(art_id)
        from qa.lang.text import split_sentences

        spans = split_sentences(art.text)
        if spans:
            citation = make_citation(art, spans[0][0], spans[0][1], chunks[0] if chunks else None)
    return Answer(
        question=question, text=phrase + (" [1]" if citation else ""),
        citations=(citation,) if citation else (), refused=not value, short_answer=value,
        kind="metadata", passages=tuple(hits), filters=pq.filters.to_dict(),
    )

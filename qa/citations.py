"""Citations are verified, not trusted: every quote must be a verbatim slice of its article."""

from __future__ import annotations

from qa.types import Article, Chunk, Citation


class CitationError(ValueError):
    """A quote that is not verbatim in its article (a bug upstream; never shown to users)."""


def make_citation(article: Article, start: int, end: int, chunk: Chunk | None = None) -> Citation:
    """Cite ``article.text[start:end]``; offsets are checked against the article text."""
    text = article.text
    if not (0 <= start < end <= len(text)):
        raise CitationError(f"offsets {start}:{end} outside article {article.id}")
    return Citation(
        article_id=article.id,
        title=article.title,
        source=article.source,
        published=article.published,
        url=article.url,
        chunk_id=chunk.id if chunk else "",
        quote=text[start:end],
        start=start,
        end=end,
    )


def cite_quote(article: Article, quote: str, chunk: Chunk | None = None) -> Citation | None:
    """Cite ``quote`` if it occurs verbatim in the article (searching the chunk's span first)."""
    text = article.text
    pos = -1
    if chunk is not None:
        pos = text.find(quote, chunk.start, chunk.end + len(quote))
    if pos < 0:
        pos = text.find(quote)
    if pos < 0 or not quote:
        return None
    return make_citation(article, pos, pos + len(quote), chunk)


def verify(citation: Citation, article: Article | None) -> bool:
    """True when the citation's quote is exactly the article text at its offsets."""
    return (
        article is not None
        and article.id == citation.article_id
        and bool(citation.quote)
        and article.text[citation.start : citation.end] == citation.quote
    )

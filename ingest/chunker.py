"""Split an article into retrieval chunks sized for the 256-word-piece embedder.

Chunks follow sentence boundaries (and prefer paragraph boundaries), are verbatim slices of
``Article.text`` with their offsets, and carry a short title / source / date header that is
embedded with them so metadata is searchable.
"""

from __future__ import annotations

from collections.abc import Callable

from qa.embed.base import MODEL_MAX_TOKENS
from qa.lang.text import split_sentences
from qa.types import Article, Chunk, stable_hash

CountFn = Callable[[list[str]], list[int]]


def header_for(article: Article) -> str:
    parts = [article.title or "(untitled)"]
    if article.source:
        parts.append(article.source)
    if article.published:
        parts.append(article.published.isoformat())
    return " | ".join(parts)


def chunk_article(article: Article, count: CountFn, target_tokens: int = 200) -> list[Chunk]:
    """Chunks of about ``target_tokens`` word-pieces, never over the model limit with header."""
    text = article.text
    header = header_for(article)
    header_tokens = count([header])[0]
    if header_tokens > 48:  # very long titles: keep the header from eating the body budget
        header = header[:160].rsplit(" ", 1)[0]
        header_tokens = count([header])[0]
    budget = max(32, min(target_tokens, MODEL_MAX_TOKENS - 2 - header_tokens - 2))
    spans = _fit(split_sentences(text), text, count, budget)
    if not spans:
        return []
    counts = count([text[s:e] for s, e in spans])
    pieces: list[tuple[int, int]] = []
    cur_start, cur_end, cur_tokens = spans[0][0], spans[0][1], counts[0]
    for (s, e), n in zip(spans[1:], counts[1:], strict=True):
        paragraph_break = "\n" in text[cur_end:s]
        if cur_tokens + n > budget or (paragraph_break and cur_tokens >= budget * 0.6):
            pieces.append((cur_start, cur_end))
            cur_start, cur_end, cur_tokens = s, e, n
        else:
            cur_end, cur_tokens = e, cur_tokens + n + (2 if paragraph_break else 0)
    pieces.append((cur_start, cur_end))
    # A tiny tail is merged into its predecessor when that still fits.
    if len(pieces) > 1:
        tail = count([text[pieces[-2][0] : pieces[-1][1]]])[0]
        if tail <= budget + 8 and count([text[slice(*pieces[-1])]])[0] < budget * 0.25:
            pieces[-2:] = [(pieces[-2][0], pieces[-1][1])]
    return [
        Chunk(
            id="c" + stable_hash(article.id, str(i), text[s:e], length=20),
            article_id=article.id,
            position=i,
            text=text[s:e],
            start=s,
            end=e,
            header=header,
            title=article.title,
            source=article.source,
            published=article.published,
            authors=article.authors,
            sections=article.sections,
            url=article.url,
        )
        for i, (s, e) in enumerate(pieces)
    ]


def _fit(spans: list[tuple[int, int]], text: str, count: CountFn, budget: int) -> list[tuple[int, int]]:
    """Split sentences longer than the budget at word boundaries."""
    if not spans:
        return []
    counts = count([text[s:e] for s, e in spans])
    out: list[tuple[int, int]] = []
    for (s, e), n in zip(spans, counts, strict=True):
        if n <= budget:
            out.append((s, e))
            continue
        # split by words, roughly budget tokens a piece (estimate from this sentence's ratio)
        words_at = [s] + [s + i + 1 for i, c in enumerate(text[s:e]) if c == " "]
        per_piece = max(8, int(len(words_at) * budget / n * 0.9))
        for k in range(0, len(words_at), per_piece):
            ps = words_at[k]
            pe = words_at[k + per_piece] - 1 if k + per_piece < len(words_at) else e
            seg = text[ps:pe].strip()
            if seg:
                lead = len(text[ps:pe]) - len(text[ps:pe].lstrip())
                out.append((ps + lead, ps + lead + len(seg)))
    return out

"""The tools a plan calls: coverage (which articles are about a topic, per outlet), built on the
hybrid retriever with outlet filters and the catalog's article records.

Membership rule ("is this article about the topic?"): the article's best passage for the topic
must be about as close to it by meaning as the best passage of any article searched (dense
cosine within ``ABOUT_MARGIN`` of the best one, and at least ``ABOUT_COSINE``), and share some
of its rarer words (idf-weighted share of the topic's terms in the passage and title at least
``ABOUT_OVERLAP``). The cuts were set on the dev half of eval/data/compositional.jsonl, where
an event's own articles sit at cosine 0.6-0.9 and the best unrelated ones 0.15 or more below
the event's best; every answer that counts or lists articles states the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qa.lang.text import content_terms, match_form
from qa.question.types import Filters
from qa.retrieval.hybrid import HybridRetriever
from qa.store.catalog import Catalog
from qa.types import Article, Chunk

ABOUT_COSINE = 0.45  #: least dense cosine of an article's best passage (dev-set cut)
ABOUT_MARGIN = 0.15  #: ... and at most this far below the best article's (dev-set cut)
ABOUT_OVERLAP = 0.20  #: least idf-weighted share of the topic's terms in passage + title
SEARCH_K = 60  #: passages searched per outlet (the event's articles are a handful per outlet)


@dataclass(frozen=True)
class Covered:
    """An article judged about the topic, with its best passage and the scores that decided it."""

    article: Article
    chunk: Chunk
    cosine: float
    overlap: float

    @property
    def strength(self) -> float:
        return self.cosine + self.overlap


class Tools:
    """Coverage and catalog lookups over one index (read-only)."""

    def __init__(self, retriever: HybridRetriever, catalog: Catalog, idf: Callable[[str], float]) -> None:
        self.retriever = retriever
        self.catalog = catalog
        self.idf = idf

    def coverage(self, topic: str, outlets: tuple[str, ...] = (), k: int = SEARCH_K) -> list[Covered]:
        """The articles about ``topic``, strongest first; ``outlets`` limits the search."""
        terms = set(content_terms(topic))
        hits = self.retriever.search(topic, Filters(sources=outlets), k=k)
        best: dict[str, tuple[Chunk, float]] = {}
        for h in hits:
            cos = h.dense if h.dense is not None else -1.0
            if h.chunk.article_id not in best or cos > best[h.chunk.article_id][1]:
                best[h.chunk.article_id] = (h.chunk, cos)
        articles = self.catalog.articles(list(best))
        cut = max(ABOUT_COSINE, max((cos for _, cos in best.values()), default=1.0) - ABOUT_MARGIN)
        about: list[Covered] = []
        for aid, (chunk, cos) in best.items():
            art = articles.get(aid)
            if art is None or cos < cut:
                continue
            ov = weighted_share(terms, f"{art.title}\n{chunk.text}", self.idf)
            if ov >= ABOUT_OVERLAP:
                about.append(Covered(art, chunk, cos, ov))
        about.sort(key=lambda c: -c.strength)
        return about


def weighted_share(terms: set[str], text: str, idf: Callable[[str], float]) -> float:
    """The idf-weighted share of ``terms`` (content terms) that occur in ``text``; 0 without terms."""
    have = {match_form(t) for t in content_terms(text)}
    weight = {t: max(idf(t), 0.1) for t in terms}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if match_form(t) in have) / total if total else 0.0


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

from qa.lang.text import content_terms
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

    def overlap(self, topic: str, text: str) -> float:
        """The idf-weighted share of ``topic``'s terms that occur in ``text``."""
        terms = set(content_terms(topic))
        if not terms:
            return 0.0
        have = set(content_terms(text))
        weight = {t: max(self.idf(t), 0.1) for t in terms}
        return sum(w for t, w in weight.items() if t in have) / sum(weight.values())

    def coverage(self, topic: str, outlets: tuple[str, ...] = (), filters: Filters | None = None,
                 k: int = SEARCH_K) -> tuple[list[Covered], list[Covered]]:
        """(articles about ``topic``, near misses), strongest first; ``outlets`` limits the search."""
        f = filters or Filters()
        if outlets:
            f = Filters(f.date_from, f.date_to, outlets, f.authors, f.sections, f.article_ids)
        hits = self.retriever.search(topic, f, k=k)
        best: dict[str, tuple[Chunk, float]] = {}
        for h in hits:
            cos = h.dense if h.dense is not None else -1.0
            if h.chunk.article_id not in best or cos > best[h.chunk.article_id][1]:
                best[h.chunk.article_id] = (h.chunk, cos)
        articles = self.catalog.articles(list(best))
        cut = max(ABOUT_COSINE, max((cos for _, cos in best.values()), default=1.0) - ABOUT_MARGIN)
        about: list[Covered] = []
        near: list[Covered] = []
        for aid, (chunk, cos) in best.items():
            art = articles.get(aid)
            if art is None:
                continue
            ov = self.overlap(topic, f"{art.title}\n{chunk.text}")
            c = Covered(art, chunk, cos, ov)
            (about if cos >= cut and ov >= ABOUT_OVERLAP else near).append(c)
        about.sort(key=lambda c: -c.strength)
        near.sort(key=lambda c: -c.strength)
        return about, near


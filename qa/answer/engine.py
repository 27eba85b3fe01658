"""The QA engine: question -> (follow-up resolution, parsing, routing) -> retrieval -> answer.

Routing: greetings get a greeting; questions about the collection (counts, rankings, listings,
ranges) are answered exactly from the catalog; questions about one article's metadata from its
catalog row; everything else by hybrid retrieval and the extractive reader. The passage path is a
LangChain Runnable (parse | retrieve | answer), so a chat model can replace the answer step.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from qa.answer.aggregate import common_entity, is_compositional
from qa.answer.citations import make_citation
from qa.answer.reader import TYPED, Reading, idf_function, names_present, read, typed_core
from qa.answer.spans import candidates
from qa.lang.dates import from_int, human
from qa.question.followup import resolve
from qa.question.parse import parse_question, without_dates
from qa.question.types import Filters, ParsedQuestion, Vocabulary
from qa.retrieval.hybrid import HybridRetriever
from qa.store.index import Index
from qa.store.queries import vocabulary_facts
from qa.types import Answer, Article, Chunk, Citation, ScoredChunk

logger = logging.getLogger(__name__)

#: answer types a sentence cannot answer without a number in it
QUANTITIES = frozenset({"NUMBER", "MONEY", "PERCENT"})

REFUSAL = "The articles do not say."
GREETING = (
    "Hello! Ask me about the articles in the collection: facts from the stories "
    "(\"what did Tokayev say about trade with China?\"), one article's details (\"who wrote it?\") "
    "or the collection itself (\"how many TASS articles came out on 15 March 2017?\")."
)
THANKS = "You're welcome. Ask another question whenever you like."


MAX_QUESTION_CHARS = 2000  #: longer input is refused before any parsing (it costs ~1 s per 100k chars)
ACCURATE_SENTENCES = 4  #: sentences the reader model sees in accurate mode (~40 tokens each)
#: what _accurate_span returns when the reader model says no sentence answers
NO_ANSWER = Reading(chunk=Chunk(id="", article_id="", position=0, text="", start=0, end=0), start=0, end=0,
                    sentence="", span="", span_start=-1, score=0.0, match=0.0, passage_rank=-1)


def _snap(r: Reading, pos: int, span: str, kind: str) -> Reading:
    """The model's phrase at ``pos`` of ``r.sentence``, snapped to the typed span of the sentence
    it overlaps ("46" -> "46 billion", "1985, ZTE is ..." -> "1985"); untyped phrases stay."""
    end = pos + len(span)
    if kind in TYPED:
        for c in candidates(r.sentence, kind):
            if c.start < end and pos < c.end:
                return replace(r, span=c.text, span_start=r.start + c.start)
    cut, offset = typed_core(span, kind)
    return replace(r, span=cut, span_start=r.start + pos + offset)


class Engine:
    """Answers questions over one index. Thread-safe; the index is shared read-only."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings = index.settings
        self.retriever = HybridRetriever(index, self.settings.candidates, self.settings.rrf_k,
                                         self.settings.keep_lexical, self.settings.lexical_dominance)
        self._vocab: tuple[tuple[int, int], Vocabulary] | None = None
        self._recent: OrderedDict[str, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.chain: Runnable[dict[str, Any], Answer] = (
            RunnableLambda(self._step_retrieve) | RunnableLambda(self._step_answer)
        )
        self._llm: Any = None

    # ------------------------------------------------------------------ vocabulary
    def vocabulary(self) -> Vocabulary:
        cat = self.index.catalog
        key = (self.index.generation, cat.generation())
        with self._lock:
            if self._vocab and self._vocab[0] == key:
                return self._vocab[1]
        facts = vocabulary_facts(cat)
        vocab = Vocabulary(facts.sources, facts.authors, facts.sections, from_int(facts.newest),
                           from_int(facts.oldest), facts.months)
        with self._lock:
            self._vocab = (key, vocab)
        return vocab

    # ------------------------------------------------------------------ entry point
    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        filters: dict[str, Any] | None = None,
        mode: str = "fast",
        answerer: str | None = None,
        retrieval: str = "hybrid",
        on_token: Any = None,
    ) -> Answer:
        t0 = time.perf_counter()
        question = (question or "").strip()
        if not question:
            return Answer(question="", text="Please type a question.", refused=True, kind="chitchat")
        if len(question) > MAX_QUESTION_CHARS:
            return Answer(question=question[:200], refused=True, kind="chitchat",
                          text=f"That question is {len(question):,} characters long; please keep it under "
                          f"{MAX_QUESTION_CHARS:,} (ask about one thing at a time).")
        vocab = self.vocabulary()
        prev_ids = self._previous_article_ids(history)
        res = resolve(question, history, vocab, prev_ids)
        explicit = Filters.from_dict(filters)
        pq = parse_question(res.text, vocab, explicit, context=res.context)
        timings = {"parse": time.perf_counter() - t0}
        if pq.kind == "chitchat":
            text = THANKS if pq.text.lower().startswith(("thank", "cheers")) else GREETING
            return self._finish(Answer(question=question, text=text, kind="chitchat"), t0, timings)
        if self.retriever.table.n_articles == 0:
            return self._finish(Answer(
                question=question, refused=True, kind=pq.kind,
                text="The index is empty: ingest some articles first (`article-qa ingest PATH`)."),
                t0, timings)
        impossible = self._impossible_filter(pq, vocab)
        if impossible:
            return self._finish(Answer(question=question, text=impossible, refused=True,
                                       kind=pq.kind, filters=pq.filters.to_dict(),
                                       rewritten_question=res.text if res.changed else ""), t0, timings)
        if pq.kind == "collection":
            from qa.answer.collection import answer_collection

            ans = answer_collection(self, pq, question)
        elif pq.kind == "metadata":
            ans = self._answer_metadata(pq, question, res.article_ids, retrieval)
        else:
            ans = self.chain.invoke({
                "pq": pq, "question": question, "mode": mode, "retrieval": retrieval,
                "answerer": answerer or self.settings.answerer, "timings": timings,
                "on_token": on_token,
            })
        if res.changed:
            shown = f"{res.text} ({res.context})" if res.context else res.text
            ans = replace(ans, rewritten_question=shown)
        return self._finish(ans, t0, timings)

    def _finish(self, ans: Answer, t0: float, timings: dict[str, float]) -> Answer:
        timings = {**timings, **ans.timings, "total": time.perf_counter() - t0}
        ans = replace(ans, timings=timings)
        with self._lock:
            self._recent[ans.text] = ans
            while len(self._recent) > 256:
                self._recent.popitem(last=False)
        return ans

    def _previous_article_ids(self, history: list[dict[str, str]] | None) -> tuple[str, ...]:
        if not history:
            return ()
        for msg in reversed(history):
            if msg.get("role") == "assistant":
                with self._lock:
                    prev = self._recent.get(str(msg.get("content", "")))
                if prev is None:
                    # the app may decorate the text; match on the stored answer text inside it
                    content = str(msg.get("content", ""))
                    with self._lock:
                        prev = next((a for t, a in reversed(self._recent.items())
                                     if t and t in content), None)
                if prev is not None:
                    return tuple(dict.fromkeys(c.article_id for c in prev.citations))
                return ()
        return ()

    def _impossible_filter(self, pq: ParsedQuestion, vocab: Vocabulary) -> str:
        if pq.unknown_sources and not pq.filters.sources:
            have = ", ".join(sorted(vocab.sources)) or "none"
            return (f"The collection has no articles from {', '.join(pq.unknown_sources)}. "
                    f"Outlets in the index: {have}.")
        if pq.date_outside and pq.date_is_publication:
            f = pq.filters
            span = (f"{human(f.date_from)} to {human(f.date_to)}" if f.date_from != f.date_to
                    else human(f.date_from))
            return (f"The collection has no articles from {span}: it covers "
                    f"{human(vocab.oldest)} to {human(vocab.newest)}.")
        return ""

    # ------------------------------------------------------------------ passage path
    def _search(self, pq: ParsedQuestion, k: int, retrieval: str) -> list[ScoredChunk]:
        query = f"{pq.core} {pq.context}".strip()
        vector = None
        if retrieval in ("hybrid", "dense"):
            vector = self.index.embedder.embed([query])[0]
        return self.retriever.search(query, pq.filters, k, retrieval, pq.latest, vector)

    def _step_retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        t = time.perf_counter()
        pq: ParsedQuestion = state["pq"]
        k = self.settings.top_k
        hits = self._search(pq, k, state["retrieval"])
        dropped_dates = False
        has_dates = pq.filters.date_from or pq.filters.date_to
        if has_dates and not pq.date_is_publication and not self._strong(hits):
            # "in September 2019" may date the event, not the article: search without it
            loose = self._search(without_dates(pq), k, state["retrieval"])
            if self._strong(loose) and (not hits or self._top(loose) > self._top(hits)):
                hits, dropped_dates = loose, True
        state["timings"]["retrieve"] = time.perf_counter() - t
        return {**state, "hits": hits, "dropped_dates": dropped_dates}

    def _top(self, hits: list[ScoredChunk]) -> float:
        return max((h.dense for h in hits if h.dense is not None), default=0.0)

    def _strong(self, hits: list[ScoredChunk]) -> bool:
        if hits and all(h.dense is None for h in hits):
            return True  # lexical-only retrieval: the reader decides
        return bool(hits) and self._top(hits) >= self.settings.refuse_below

    def _step_answer(self, state: dict[str, Any]) -> Answer:
        t = time.perf_counter()
        pq: ParsedQuestion = state["pq"]
        hits: list[ScoredChunk] = state["hits"]
        question: str = state["question"]
        filters = pq.filters.to_dict()
        if state.get("dropped_dates"):
            filters = without_dates(pq).filters.to_dict()
        if not hits:
            why = " matching the filters" if not pq.filters.empty() else ""
            return Answer(question=question, text=f"No articles{why} hold an answer to that.",
                          refused=True, filters=filters, timings=state["timings"])
        if state.get("answerer") == "llm":
            return self._answer_llm(state, hits, filters)
        idf = self._idf()
        readings = read(pq, hits, idf, context=self.retriever.neighbours)
        state["timings"]["read"] = time.perf_counter() - t
        best = readings[0] if readings else None
        weak = best is None or self._refuse(pq, hits, best, idf)
        if (is_compositional(pq) and (weak or len(pq.filters.sources) > 1) and state.get("mode") != "sentence"
                and self._strong(hits)):
            # no one sentence answers, or several outlets are asked about: the name their articles share
            common = common_entity(pq, readings)
            if common is not None:
                return self._compose(question, pq, common.support[0], readings, hits, filters, state["timings"],
                                     also=common.support[1:])
        if weak or best is None:
            return self._refusal(question, pq, hits, filters, state["timings"])
        if state.get("dropped_dates") and self._other_years(pq, best):
            # "in 2020" was asked, the sentence speaks of 2021
            return self._refusal(question, pq, hits, filters, state["timings"])
        if not best.span and pq.answer_type in QUANTITIES:
            # "how much did they pay?" and the best sentence names no sum: it does not answer
            # (a who/when answer may be "low-skilled workers" or "the oil shock": no such rule)
            return self._refusal(question, pq, hits, filters, state["timings"])
        if state.get("mode") == "accurate" and pq.answer_type not in QUANTITIES:
            # (numbers stay with the typed reader: per type on the news suite, the model lost them)
            picked = self._accurate_span(pq, readings)
            if picked is NO_ANSWER:  # the reader model read the best sentences: none answers
                return self._refusal(question, pq, hits, filters, state["timings"])
            best = picked or best
        elif state.get("mode") == "sentence":  # the sentence alone (measured against spans in eval)
            best = replace(best, span="", span_start=-1)
        return self._compose(question, pq, best, readings, hits, filters, state["timings"])

    def _refuse(self, pq: ParsedQuestion, hits: list[ScoredChunk], best: Reading, idf: Callable[[str], float]) -> bool:
        if any(h.dense is not None for h in hits):  # (retrieval="bm25" has no dense scores)
            top = self._top(hits)
            if top < self.settings.refuse_below:
                return True
            if best.match < 0.34 and top < self.settings.refuse_below + 0.12:
                return True
        elif best.match < 0.34:
            return True
        if best.anchor < 0.2:
            return True  # the sentence never mentions what is asked about ("wife", "born", ...)
        if not best.asserted:
            return True  # "Le Pen is favourite to win" does not say who won
        art = self._articles([best.chunk.article_id]).get(best.chunk.article_id)
        text = f"{art.title} {art.text}" if art else f"{best.chunk.title} {best.chunk.text}"
        if names_present(pq.core, text, idf) < 0.5:
            return True  # the article is about someone else: ZTE asked, Honeywell found
        return best.match < 0.12

    def _other_years(self, pq: ParsedQuestion, best: Reading) -> bool:
        """The question dates its event (searched without the dates, as no article is from then),
        and the best sentence names other years, none of the asked ones."""
        f = pq.filters
        if f.date_from is None or f.date_to is None:
            return False
        asked = {str(y) for y in range(f.date_from.year, f.date_to.year + 1)}
        said = set(re.findall(r"\b(?:1[5-9]|20)\d\d\b", best.sentence))
        return bool(said) and not said & asked

    def _idf(self) -> Callable[[str], float]:
        return idf_function(self.retriever.table.idf)

    def _refusal(self, question: str, pq: ParsedQuestion, hits: list[ScoredChunk], filters: dict[str, Any],
                 timings: dict[str, float]) -> Answer:
        """The articles do not hold it: say so, with the closest passages as related."""
        return Answer(question=question, text=self._refusal_text(pq), refused=True,
                      passages=tuple(hits), filters=filters, timings=timings)

    def _refusal_text(self, pq: ParsedQuestion) -> str:
        scope = ""
        if not pq.filters.empty():
            f = pq.filters
            parts = []
            if f.sources:
                parts.append("from " + ", ".join(f.sources))
            if f.date_from or f.date_to:
                parts.append(f"dated {human(f.date_from)} to {human(f.date_to)}"
                             if f.date_from != f.date_to else f"dated {human(f.date_from)}")
            if f.authors:
                parts.append("by " + ", ".join(f.authors))
            scope = " " + " ".join(parts)
        return (f"I could not find the answer in the articles{scope}. "
                "The closest passages are listed as related; they do not answer the question.")

    def _articles(self, ids: list[str]) -> dict[str, Article]:
        return self.index.catalog.articles(list(dict.fromkeys(ids)))

    def _compose(
        self, question: str, pq: ParsedQuestion, best: Reading, readings: list[Reading],
        hits: list[ScoredChunk], filters: dict[str, Any], timings: dict[str, float],
        also: tuple[Reading, ...] = (),
    ) -> Answer:
        chosen = [best, *also]  # also: more articles that support the same short answer
        if not best.span and not also:
            # a second supporting sentence when it is nearly as good and says something else
            for r in readings[1:4]:
                if r.score >= best.score * 0.85 and r.match >= 0.5 and r.sentence != best.sentence:
                    chosen.append(r)
                    break
        arts = self._articles([r.chunk.article_id for r in chosen])
        citations: list[Citation] = []
        for r in chosen:
            art = arts.get(r.chunk.article_id)
            if art is None or art.text[r.start:r.end] != r.sentence:
                continue  # never show what we cannot verify
            citations.append(make_citation(art, r.start, r.end, r.chunk))
        if not citations:
            return self._refusal(question, pq, hits, filters, timings)
        if best.span:
            marks = "".join(f"[{n}]" for n in range(1, len(citations) + 1))
            text = f"{best.span} {marks}. From “{citations[0].title}”: “{citations[0].quote}”"
        else:
            text = " ".join(f"“{c.quote}” [{n}]" for n, c in enumerate(citations, start=1))
        return Answer(question=question, text=text, citations=tuple(citations),
                      short_answer=best.span, kind="passage", passages=tuple(hits),
                      filters=filters, timings=timings)

    # ------------------------------------------------------------------ modes / LLM
    def llm(self) -> Any:
        if self._llm is None:
            try:
                from qa.llm.answerer import LLMAnswerer
            except ImportError as exc:
                raise RuntimeError(f"generation is not available: {exc}") from exc
            self._llm = LLMAnswerer(self.settings)
        return self._llm

    def _accurate_span(self, pq: ParsedQuestion, readings: list[Reading]) -> Reading | None:
        """The reader model's span over the best distinct sentences; NO_ANSWER when it says none
        answers; None when it is unavailable (the fast reading stands)."""
        top: list[Reading] = []
        for r in readings:
            if all(r.sentence != t.sentence for t in top):
                top.append(r)
            if len(top) == ACCURATE_SENTENCES:
                break
        try:
            llm = self.llm()
            ok, _ = llm.available()
            if not ok:
                return None
            span = llm.read_span(pq.text, [r.sentence for r in top])
        except Exception as exc:  # the model is an optional extra: fall back to the fast reader
            logger.warning("accurate mode unavailable, using the fast reader: %s", exc)
            return None
        if span == "":
            return NO_ANSWER
        if not span or not any(ch.isalnum() for ch in span):
            return None
        for r in top:
            pos = r.sentence.find(span)
            if pos >= 0:
                return _snap(r, pos, span, pq.answer_type)
        return None

    def _answer_llm(self, state: dict[str, Any], hits: list[ScoredChunk], filters: dict[str, Any]) -> Answer:
        fallback_state = {**state, "answerer": "extractive"}
        fallback = self._step_answer(fallback_state)
        try:
            llm = self.llm()
            ok, reason = llm.available()
        except RuntimeError as exc:
            ok, reason = False, str(exc)
        if not ok:
            return replace(fallback, text=f"{fallback.text}\n\n(Generation is off: {reason})")
        arts = self._articles([h.chunk.article_id for h in hits])
        try:
            ans: Answer = llm.answer(state["question"], hits, arts, fallback=fallback,
                                     on_token=state.get("on_token"))
        except Exception as exc:
            logger.warning("generation failed, using the extractive answer: %s", exc)
            return replace(fallback, text=f"{fallback.text}\n\n(Generation failed: {exc})")
        return replace(ans, filters=filters, timings={**state["timings"], **ans.timings})

    # ------------------------------------------------------------------ metadata path
    def _answer_metadata(self, pq: ParsedQuestion, question: str, context_ids: tuple[str, ...],
                         retrieval: str) -> Answer:
        from qa.answer.metadata import answer_metadata

        return answer_metadata(self, pq, question, context_ids, retrieval)

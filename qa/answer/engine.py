"""The QA engine: question -> (follow-up resolution, parsing, routing) -> retrieval -> answer.

Routing: greetings get a greeting; questions about the collection (counts, rankings, listings,
ranges) are answered exactly from the catalog; questions about one article's metadata from its
catalog row; everything else by hybrid retrieval and the extractive reader. The passage path is a
LangChain Runnable (parse | retrieve | answer), so a chat model can replace the answer step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any, get_args

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda

from qa.answer.accurate import NO_ANSWER, model_reading
from qa.answer.aggregate import common_entity, is_compositional
from qa.answer.bridge import answer_bridged
from qa.answer.confidence import LLM_FEATURES, ConfidenceModel, accurate_model, llm_features, required_model
from qa.answer.reader import Reading, read
from qa.answer.refusal import answer_features, refusal_text, top_dense
from qa.answer.turn import Turn
from qa.citations import make_citation
from qa.lang.dates import dated_span, from_int, human
from qa.plan.forms import recognise
from qa.question.followup import resolve
from qa.question.parse import parse_question, without_dates
from qa.question.spelling import apply as apply_corrections
from qa.question.spelling import corrections
from qa.question.types import Filters, ParsedQuestion, Vocabulary
from qa.retrieval.hybrid import HybridRetriever
from qa.settings import AnswererName, Mode, RetrievalMode
from qa.store.index import Index
from qa.store.queries import vocabulary_facts
from qa.types import MAX_QUESTION_CHARS, Answer, Article, Citation, ScoredChunk

logger = logging.getLogger(__name__)


REFUSAL = "The articles do not say."
GREETING = (
    "Hello! Ask me about the articles in the collection: facts from the stories "
    "(\"what did Tokayev say about trade with China?\"), one article's details (\"who wrote it?\") "
    "or the collection itself (\"how many TASS articles came out on 15 March 2017?\")."
)
THANKS = "You're welcome. Ask another question whenever you like."


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
        self._llm: Any = None
        self.confidence: ConfidenceModel = required_model()  #: answer or refuse (fitted weights)
        self.calibration: list[dict[str, float]] | None = None  #: set by the trainer: record, never refuse
        self._caller_answerers: dict[int, tuple[BaseChatModel, Any]] = {}
        self.chain: Runnable[str | dict[str, Any], Answer] = self.runnable()

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
        mode: Mode = "fast",
        answerer: AnswererName | None = None,
        retrieval: RetrievalMode = "hybrid",
        on_token: Any = None,
    ) -> Answer:
        """Runs the engine's chain (``runnable()``) on one question."""
        return self.chain.invoke({"question": question, "history": history, "filters": filters, "mode": mode,
                                  "answerer": answerer, "retrieval": retrieval, "on_token": on_token})

    # ------------------------------------------------------------------ the chain
    def runnable(self, llm: BaseChatModel | None = None) -> Runnable[str | dict[str, Any], Answer]:
        """The LCEL chain ``ask()`` runs: prepare | route (collection, metadata or retrieve | answer)
        | finish. Input: a question, or a dict of ``ask()``'s arguments. With ``llm``, a LangChain
        chat model writes the passage answers (grounded: every cited sentence is checked against
        the passages; the extractive answer stands in when it cannot be)."""
        passage = (RunnableLambda(self._step_retrieve).with_config(run_name="retrieve")
                   | RunnableLambda(self._step_answer).with_config(run_name="answer")
                   | RunnableLambda(self._step_bridge).with_config(run_name="bridge"))
        route: Runnable[Turn, Turn] = RunnableBranch(
            (lambda t: t.answer is not None, RunnableLambda(lambda t: t)),
            (lambda t: t.plan is not None, RunnableLambda(self._step_plan).with_config(run_name="plan")),
            (lambda t: t.parsed.kind == "collection",
             RunnableLambda(self._step_collection).with_config(run_name="collection")),
            (lambda t: t.parsed.kind == "metadata",
             RunnableLambda(self._step_metadata).with_config(run_name="metadata")),
            passage,
        )
        def prepare(inp: str | dict[str, Any]) -> Turn:
            return self._prepare(inp, llm)

        start: Runnable[str | dict[str, Any], Turn] = RunnableLambda(prepare).with_config(run_name="prepare")
        return start | route | RunnableLambda(self._finish_turn).with_config(run_name="finish")

    def passages(self, question: str, filters: dict[str, Any] | None = None, k: int = 0,
                 retrieval: str = "hybrid") -> list[ScoredChunk]:
        """The passages ``ask()`` reads for ``question`` (the retrieve step alone)."""
        turn = self._parse(Turn(question=(question or "").strip(), filters=filters, k=k, retrieval=retrieval,
                                started=time.perf_counter()))
        return list(self._step_retrieve(turn).hits)

    def _prepare(self, inp: str | dict[str, Any], llm: BaseChatModel | None) -> Turn:
        args: dict[str, Any] = {"question": inp} if isinstance(inp, str) else dict(inp)
        question = str(args.get("question") or "").strip()
        answerer = args.get("answerer") or ("llm" if llm is not None else self.settings.answerer)
        for name, value, choices in (("mode", args.get("mode") or "fast", get_args(Mode)),
                                     ("answerer", answerer, get_args(AnswererName)),
                                     ("retrieval", args.get("retrieval") or "hybrid", get_args(RetrievalMode))):
            if value not in choices:
                raise ValueError(f"unknown {name} {value!r}: choose one of {', '.join(choices)}")
        turn = Turn(question=question, history=tuple(args.get("history") or ()), filters=args.get("filters"),
                    mode=args.get("mode") or "fast", answerer=answerer,
                    retrieval=args.get("retrieval") or "hybrid", on_token=args.get("on_token"), llm=llm,
                    started=time.perf_counter())
        if not question:
            return replace(turn, untimed=True, answer=Answer(
                question="", text="Please type a question.", refused=True, kind="chitchat"))
        if len(question) > MAX_QUESTION_CHARS:
            return replace(turn, untimed=True, answer=Answer(
                question=question[:200], refused=True, kind="chitchat",
                text=f"That question is {len(question):,} characters long; please keep it under "
                f"{MAX_QUESTION_CHARS:,} (ask about one thing at a time)."))
        turn = self._parse(turn)
        pq, res = turn.parsed, turn.resolved
        assert res is not None
        turn.timings["parse"] = time.perf_counter() - turn.started
        if pq.kind == "chitchat":
            text = THANKS if pq.text.lower().startswith(("thank", "cheers")) else GREETING
            return replace(turn, early=True, answer=Answer(question=question, text=text, kind="chitchat"))
        if not self.retriever.has_articles():
            return replace(turn, early=True, answer=Answer(
                question=question, refused=True, kind=pq.kind,
                text="The index is empty: ingest some articles first (`article-qa ingest PATH`)."))
        impossible = self._impossible_filter(pq, self.vocabulary())
        if impossible:
            return replace(turn, early=True, answer=Answer(
                question=question, text=impossible, refused=True, kind=pq.kind, filters=pq.filters.to_dict(),
                rewritten_question=res.text if res.changed else ""))
        return turn

    def _parse(self, turn: Turn) -> Turn:
        vocab = self.vocabulary()
        history = list(turn.history) or None
        typos = (corrections(turn.question, self.retriever.keywords.df, self.retriever.keywords.together)
                 if self.settings.spelling else [])
        res = resolve(apply_corrections(turn.question, typos), history, vocab, self._previous_article_ids(history))
        if typos:
            res = replace(res, changed=True)  # shown as the question as read
        pq = parse_question(res.text, vocab, Filters.from_dict(turn.filters), context=res.context)
        if pq.kind == "metadata" and res.article_ids and res.context:
            # "when was that published?": "that" is the article the last answer cited first
            res = replace(res, context="")
            pq = parse_question(res.text, vocab, Filters.from_dict(turn.filters))
        plan = recognise(res.text, vocab) if pq.kind != "chitchat" else None
        return replace(turn, resolved=res, pq=pq, plan=plan)

    def _step_plan(self, turn: Turn) -> Turn:
        from qa.answer.planned import answer_plan

        return replace(turn, answer=answer_plan(self, turn))

    def _step_collection(self, turn: Turn) -> Turn:
        from qa.answer.collection import answer_collection

        answer = answer_collection(self, turn.parsed, turn.question)
        loading = self.index.loading_status()
        if loading is not None:  # counts are not final: say so, with how far the load is
            ready, expected = loading
            so_far = f"{ready:,} of {expected:,}" if expected > ready else f"{ready:,}"
            answer = replace(answer, text=f"{answer.text} (The collection is still loading: {so_far} articles "
                                          "so far.)")
        return replace(turn, answer=answer)

    def _step_metadata(self, turn: Turn) -> Turn:
        ids = turn.resolved.article_ids if turn.resolved else ()
        return replace(turn, answer=self._answer_metadata(turn.parsed, turn.question, ids, turn.retrieval))

    def _finish_turn(self, turn: Turn) -> Answer:
        ans = turn.answer
        assert ans is not None, "every route answers"
        if turn.untimed:
            return ans
        res = turn.resolved
        if res is not None and res.changed and not turn.early:
            shown = f"{res.text} ({res.context})" if res.context else res.text
            if shown != turn.question:
                ans = replace(ans, rewritten_question=shown)
        return self._finish(ans, turn.started, turn.timings)

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

    def _step_retrieve(self, turn: Turn) -> Turn:
        t = time.perf_counter()
        pq = turn.parsed
        k = turn.k or self.settings.top_k
        hits = self._search(pq, k, turn.retrieval)
        dropped_dates = False
        has_dates = pq.filters.date_from or pq.filters.date_to
        if has_dates and not pq.date_is_publication and not self._strong(hits):
            # "in September 2019" may date the event, not the article: search without it
            loose = self._search(without_dates(pq), k, turn.retrieval)
            if self._strong(loose) and (not hits or top_dense(loose) > top_dense(hits)):
                hits, dropped_dates = loose, True
        turn.timings["retrieve"] = time.perf_counter() - t
        return replace(turn, hits=tuple(hits), dropped_dates=dropped_dates)

    def _strong(self, hits: list[ScoredChunk]) -> bool:
        if hits and all(h.dense is None for h in hits):
            return True  # lexical-only retrieval: the reader decides
        return bool(hits) and top_dense(hits) >= self.settings.refuse_below

    def _step_answer(self, turn: Turn) -> Turn:
        return replace(turn, answer=self._answer_passage(turn))

    def _step_bridge(self, turn: Turn) -> Turn:
        """Two hops: the plain answer may be the entity the question only describes (``bridge``)."""
        if turn.answer is None or turn.answerer != "extractive" or turn.mode == "sentence":
            return turn
        t = time.perf_counter()
        answer = answer_bridged(turn.parsed.text, turn.answer,
                                lambda q: self.sub_answer(q, turn.filters, turn.mode, turn.retrieval),
                                turn.parsed.answer_type)
        if answer is not turn.answer:
            answer.timings["bridge"] = time.perf_counter() - t
        return replace(turn, answer=answer)

    def _sub_turn(self, question: str, filters: dict[str, Any] | None, mode: str, retrieval: str) -> Turn:
        sub = self._parse(Turn(question=question, filters=filters, mode=mode, retrieval=retrieval,
                               started=time.perf_counter()))
        return self._step_retrieve(replace(sub, plan=None))

    def sub_answer(self, question: str, filters: dict[str, Any] | None, mode: str = "fast",
                   retrieval: str = "hybrid") -> Answer:
        """A step's own question on the passage path alone (no plan, no bridge, no follow-up)."""
        return self._answer_passage(self._sub_turn(question, filters, mode, retrieval))

    def readings(self, question: str, filters: dict[str, Any] | None) -> list[tuple[Reading, Article | None]]:
        """A step's question read without the gate: every candidate sentence, best first, with
        its article (for a plan step that weighs the candidates itself)."""
        turn = self._sub_turn(question, filters, "fast", "hybrid")
        found = read(turn.parsed, list(turn.hits), self._idf(), context=self.retriever.neighbours)
        arts = self._articles(list(dict.fromkeys(r.chunk.article_id for r in found)))
        return [(r, arts.get(r.chunk.article_id)) for r in found]

    def _answer_passage(self, turn: Turn) -> Answer:
        t = time.perf_counter()
        pq = turn.parsed
        hits = list(turn.hits)
        question = turn.question
        timings = turn.timings
        filters = pq.filters.to_dict()
        if turn.dropped_dates:
            filters = without_dates(pq).filters.to_dict()
        if not hits:
            why = " matching the filters" if not pq.filters.empty() else ""
            return Answer(question=question, text=f"No articles{why} hold an answer to that.",
                          refused=True, filters=filters, timings=timings)
        if turn.answerer == "llm":
            return self._answer_llm(turn, hits, filters)
        idf = self._idf()
        readings = read(pq, hits, idf, context=self.retriever.neighbours)
        timings["read"] = time.perf_counter() - t
        best = readings[0] if readings else None
        text = self._article_text(best) if best is not None else ""
        features = (answer_features(pq, turn.dropped_dates, hits, readings, text, idf)
                    if best is not None else None)
        read_first = features is not None and turn.mode == "accurate" and self._reads_first()
        picked = self._accurate_span(pq, readings) if read_first else None
        if read_first:  # the gate weighs what the reader model made of the best sentences
            features = {**(features or {}), **llm_features(best, picked, picked is NO_ANSWER)}
        if features is None:
            weak = True  # no sentence to read
        elif self.calibration is not None:
            self.calibration.append(features)  # eval/train_confidence.py: answer, never refuse
            weak = False
        else:
            weak = not self._gate(turn.mode).answers(features)
        if (is_compositional(pq) and (weak or len(pq.filters.sources) > 1) and turn.mode != "sentence"
                and self._strong(hits)):
            # no one sentence answers, or several outlets are asked about: the name their articles share
            common = common_entity(pq, readings)
            if common is not None:
                return self._compose(question, pq, common.support[0], readings, hits, filters, timings,
                                     also=common.support[1:])
        if weak or best is None:
            return self._refusal(question, pq, hits, filters, timings)
        if turn.mode == "accurate":
            picked = picked if read_first else self._accurate_span(pq, readings)
            if picked is NO_ANSWER:  # the reader model read the best sentences: none answers
                return self._refusal(question, pq, hits, filters, timings)
            best = picked or best
        elif turn.mode == "sentence":  # the sentence alone (measured against spans in eval)
            best = replace(best, span="", span_start=-1)
        return self._compose(question, pq, best, readings, hits, filters, timings)

    def _article_text(self, best: Reading) -> str:
        """The best reading's article, title first (what "names present" is checked against)."""
        art = self._articles([best.chunk.article_id]).get(best.chunk.article_id)
        return f"{art.title} {art.text}" if art else f"{best.chunk.title} {best.chunk.text}"

    def _idf(self) -> Callable[[str], float]:
        return self.retriever.idf()

    def _refusal(self, question: str, pq: ParsedQuestion, hits: list[ScoredChunk], filters: dict[str, Any],
                 timings: dict[str, float]) -> Answer:
        """The articles do not hold it: say so, with the closest passages as related."""
        return Answer(question=question, text=refusal_text(pq.filters), refused=True,
                      passages=tuple(hits), filters=filters, timings=timings)

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
        span, how = (dated_span(best.span, best.sentence, best.chunk.published) if pq.answer_type == "DATE"
                     else (best.span, ""))  # "on Monday" answers when only with the article's date
        if span:
            marks = "".join(f"[{n}]" for n in range(1, len(citations) + 1))
            text = f"{span} {marks}{how}. From “{citations[0].title}”: “{citations[0].quote}”"
        else:
            text = " ".join(f"“{c.quote}” [{n}]" for n, c in enumerate(citations, start=1))
        return Answer(question=question, text=text, citations=tuple(citations),
                      short_answer=span, kind="passage", passages=tuple(hits),
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

    def _reads_first(self) -> bool:
        """Accurate mode asks the reader model before the gate: when fitting the gate, and when
        the gate that ships weighs the model's reading (``LLM_FEATURES``)."""
        return self.calibration is not None or bool(set(LLM_FEATURES) & set(self._gate("accurate").names))

    def _gate(self, mode: str) -> ConfidenceModel:
        """Accurate mode's own gate (``accurate_model``) when it ships and the reader model will run."""
        gate = accurate_model() if mode == "accurate" else None
        if gate is None:
            return self.confidence
        try:
            ready = bool(self.llm().available()[0])
        except RuntimeError:
            ready = False
        return gate if ready else self.confidence

    def _caller_llm(self, model: BaseChatModel) -> Any:
        """An answerer around a caller's chat model (``runnable(llm=...)``), one per model."""
        with self._lock:
            if id(model) not in self._caller_answerers:
                from qa.llm.answerer import LLMAnswerer

                self._caller_answerers[id(model)] = (model, LLMAnswerer(self.settings, chat_model=model))
            return self._caller_answerers[id(model)][1]

    def _accurate_span(self, pq: ParsedQuestion, readings: list[Reading]) -> Reading | None:
        """The reader model's reading of the best sentences (``qa.answer.accurate``)."""
        try:
            llm = self.llm()
        except Exception as exc:  # the model is an optional extra: fall back to the fast reader
            logger.warning("accurate mode unavailable, using the fast reader: %s", exc)
            return None
        return model_reading(llm, pq, readings)

    def _answer_llm(self, turn: Turn, hits: list[ScoredChunk], filters: dict[str, Any]) -> Answer:
        fallback = self._answer_passage(replace(turn, answerer="extractive"))
        try:
            llm = self.llm() if turn.llm is None else self._caller_llm(turn.llm)
            ok, reason = llm.available()
        except RuntimeError as exc:
            ok, reason = False, str(exc)
        if not ok:
            return replace(fallback, text=f"{fallback.text}\n\n(Generation is off: {reason})")
        arts = self._articles([h.chunk.article_id for h in hits])
        try:
            ans: Answer = llm.answer(turn.question, hits, arts, fallback=fallback, on_token=turn.on_token)
        except Exception as exc:
            logger.warning("generation failed, using the extractive answer: %s", exc)
            return replace(fallback, text=f"{fallback.text}\n\n(Generation failed: {exc})")
        return replace(ans, filters=filters, timings={**turn.timings, **ans.timings})

    # ------------------------------------------------------------------ metadata path
    def _answer_metadata(self, pq: ParsedQuestion, question: str, context_ids: tuple[str, ...],
                         retrieval: str) -> Answer:
        from qa.answer.metadata import answer_metadata

        return answer_metadata(self, pq, question, context_ids, retrieval)

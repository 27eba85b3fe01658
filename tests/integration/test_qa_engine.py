"""The QA engine end to end on the fixture corpus with the real packaged embedding model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa import Answer, ArticleQA
from qa.citations import verify


def verified(bot: ArticleQA, ans: Answer) -> None:
    """Every citation's quote is exactly the article text at its offsets."""
    for c in ans.citations:
        art = bot.index.catalog.article(c.article_id)
        assert verify(c, art), c


@pytest.mark.parametrize(
    "question, expected",
    [
        ("How much did the new rail link to Aktau cost?", "240 million US dollars"),
        ("Who met Rex Tillerson in Bonn?", "Sergei Lavrov"),
        ("How many homes lost power during Storm Barbara?", "10,000"),
        ("Where did the wildfire force people to leave their homes?", "Valparaiso"),
        ("How much will the new iPad cost?", "329 dollars"),
        ("When will construction of the new library begin?", "June"),
        ("By how much did Gazprom increase gas exports to China?", "12 percent"),
    ],
)
def test_factual_questions_get_the_span_and_a_verified_citation(
    real_bot: ArticleQA, question: str, expected: str
) -> None:
    ans = real_bot.ask(question)
    assert not ans.refused, ans.text
    assert expected in ans.short_answer, (ans.short_answer, ans.text)
    assert ans.citations and expected in ans.citations[0].quote
    verified(real_bot, ans)


def test_a_typo_is_read_as_the_collection_s_word_and_the_answer_says_how_it_read_the_question(
    real_bot: ArticleQA,
) -> None:
    ans = real_bot.ask("How much did the new rail lnik to Aktau cost?")
    assert ans.rewritten_question == "How much did the new rail link to Aktau cost?"
    assert "240 million US dollars" in ans.short_answer
    verified(real_bot, ans)
    assert real_bot.ask("How much did the new rail link to Aktau cost?").rewritten_question == ""


def test_what_did_someone_say_quotes_the_sentence(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("What did Kassymbek say about the rail link?")
    assert not ans.refused
    assert any("5 million tonnes" in c.quote or "gateway between Asia" in c.quote for c in ans.citations)
    verified(real_bot, ans)


@pytest.mark.parametrize(
    "question",
    ["What is the population of Mars?", "Who won the 1998 football World Cup final?",
     "How do I bake sourdough bread?",
     # the right article, but no sentence gives the number asked for
     "How many passengers rode the first train to Aktau?"],
)
def test_refuses_when_the_articles_do_not_hold_the_answer(real_bot: ArticleQA, question: str) -> None:
    ans = real_bot.ask(question)
    assert ans.refused, ans.text
    assert not ans.citations
    assert "could not find" in ans.text or "No articles" in ans.text


def test_filter_from_the_question_is_applied(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("What did TASS report on 15 March 2017?")
    assert ans.filters["sources"] == ["TASS"]
    assert ans.passages and all(p.chunk.source == "TASS" for p in ans.passages)
    assert all(p.chunk.published and p.chunk.published.isoformat() == "2017-03-15" for p in ans.passages)


def test_explicit_filters_narrow_the_search(real_bot: ArticleQA) -> None:
    free = real_bot.ask("How much did Gazprom increase gas exports to China?")
    assert not free.refused
    only_bbc = real_bot.ask("How much did Gazprom increase gas exports to China?",
                            filters={"sources": ["BBC"]})
    assert all(p.chunk.source == "BBC" for p in only_bbc.passages)
    assert only_bbc.refused


def test_date_range_filter(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("What happened between 1 February 2017 and 28 February 2017?")
    assert ans.passages
    assert all("2017-02" in p.chunk.published.isoformat() for p in ans.passages if p.chunk.published)


def test_follow_up_resolves_pronouns_from_history(real_bot: ArticleQA) -> None:
    first = real_bot.ask("Who met Rex Tillerson in Bonn?")
    history = [{"role": "user", "content": "Who met Rex Tillerson in Bonn?"},
               {"role": "assistant", "content": first.text}]
    follow = real_bot.ask("What did they discuss?", history=history)
    assert follow.rewritten_question and "Tillerson" in follow.rewritten_question
    assert not follow.refused
    assert any("Syria and Ukraine" in c.quote for c in follow.citations)


def test_follow_up_it_means_the_cited_article(real_bot: ArticleQA) -> None:
    first = real_bot.ask("How many homes lost power during Storm Barbara?")
    history = [{"role": "user", "content": "How many homes lost power during Storm Barbara?"},
               {"role": "assistant", "content": first.text}]
    follow = real_bot.ask("Which outlet published it?", history=history)
    assert follow.kind == "metadata" and follow.short_answer == "BBC", follow.text


def test_greeting_is_not_a_search(real_bot: ArticleQA) -> None:
    for q in ("hello!", "Thanks a lot", "thank you"):
        ans = real_bot.ask(q)
        assert ans.kind == "chitchat" and not ans.passages and not ans.refused


@pytest.mark.parametrize(
    "question, answer",
    [
        ("Who wrote the article about the rail link to Aktau?", "John Smith, Maria Ivanova"),
        ("Which outlet published the story about Storm Barbara?", "BBC"),
        ("When was the article about the Aktau rail link published?", "2017-03-15"),
        ("What is the photo credit in the article about the Aktau rail link?", "Ministry of Transport"),
        ("Who wrote the article about the Chilean wildfire?", "Ana Lopez"),
        ("When did TASS report that Gazprom raised its gas exports to China?", "2017-03-15"),
        ("what day was the BBC's story on Storm Barbara published?", "2016-12-30"),
        ("What headline did DW run on the Brexit talks?", "Germany debates Brexit talks"),
        ("who reported that Storm Barbara hit northern Scotland?", "BBC"),
    ],
)
def test_metadata_of_one_article(real_bot: ArticleQA, question: str, answer: str) -> None:
    ans = real_bot.ask(question)
    assert ans.kind == "metadata"
    assert ans.short_answer == answer, ans.text
    verified(real_bot, ans)


def test_which_outlet_reported_more_is_not_read_as_which_outlet_reported(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("Which outlet reported more homes without power after Storm Barbara, the BBC or DW?")
    assert ans.refused and "BBC and DW" in ans.text, ans.text


def test_article_without_author_says_so(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("Who wrote the article about Storm Barbara?")
    assert ans.refused and "does not name its author" in ans.text


def test_retrieval_modes(real_bot: ArticleQA) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        ans = real_bot.ask("Who met Rex Tillerson in Bonn?", retrieval=mode)
        assert ans.passages[0].chunk.source == "TASS", mode


class _Reader:
    """A scripted reader model for accurate mode: replies with ``reply`` (or raises it)."""

    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.seen: list[list[str]] = []

    def available(self) -> tuple[bool, str]:
        return True, "scripted"

    def read_span(self, question: str, sentences: list[str]) -> str:
        self.seen.append(sentences)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


@pytest.mark.parametrize("reply", ["Sergei Lavrov", "", RuntimeError("model crashed")])
def test_accurate_mode_uses_the_reader_model_and_its_refusal(real_bot: ArticleQA, reply: str | Exception) -> None:
    engine = real_bot.engine
    saved = engine._llm
    engine._llm = reader = _Reader(reply)
    try:
        ans = real_bot.ask("Who met Rex Tillerson in Bonn?", mode="accurate")
    finally:
        engine._llm = saved
    sentences = reader.seen[0]
    assert 1 <= len(sentences) <= 4 and len(set(sentences)) == len(sentences)
    if reply == "":  # the model read the best sentences and says none answers
        assert ans.refused and ans.passages
    else:  # its span, or the fast reader's when the model fails
        assert not ans.refused and "Lavrov" in ans.short_answer
        verified(real_bot, ans)


def test_accurate_mode_snaps_the_model_phrase_to_the_typed_span(
    real_bot: ArticleQA,
) -> None:
    engine = real_bot.engine
    saved = engine._llm
    engine._llm = reader = _Reader("Lavrov")
    try:
        who = real_bot.ask("Who met Rex Tillerson in Bonn?", mode="accurate")
        engine._llm = counter = _Reader("10,000")
        many = real_bot.ask("How many homes lost power during Storm Barbara?", mode="accurate")
    finally:
        engine._llm = saved
    assert reader.seen and who.short_answer == "Sergei Lavrov"  # the whole name the phrase is part of
    assert counter.seen and many.short_answer == "Around 10,000 homes"  # the whole typed span it is part of
    verified(real_bot, who)


def test_accurate_mode_has_its_own_gate_only_when_the_reader_model_runs(
    real_bot: ArticleQA, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qa.answer import engine as engine_module
    from qa.answer.confidence import ConfidenceModel

    engine = real_bot.engine
    own = ConfidenceModel(engine.confidence.names, engine.confidence.mean, engine.confidence.scale,
                          engine.confidence.coef, engine.confidence.intercept, 0.99)
    monkeypatch.setattr(engine_module, "accurate_model", lambda: own)
    monkeypatch.setattr(engine, "_llm", _Reader("Lavrov"))
    assert engine._gate("accurate") is own and engine._gate("fast") is engine.confidence
    # a gate that refuses nearly everything refuses in accurate mode only
    assert real_bot.ask("Who met Rex Tillerson in Bonn?", mode="accurate").refused
    assert not real_bot.ask("Who met Rex Tillerson in Bonn?", mode="fast").refused

    class _Off(_Reader):
        def available(self) -> tuple[bool, str]:
            return False, "no model"

    monkeypatch.setattr(engine, "_llm", _Off("Lavrov"))  # accurate falls back to fast, and so does its gate
    assert engine._gate("accurate") is engine.confidence


@pytest.mark.parametrize(("reply", "answers"), [("Lavrov", True), ("Bonn", False)])
def test_an_accurate_gate_that_weighs_the_model_s_reading_asks_the_model_first(
    real_bot: ArticleQA, monkeypatch: pytest.MonkeyPatch, reply: str, answers: bool
) -> None:
    from qa.answer import engine as engine_module
    from qa.answer.confidence import ConfidenceModel

    # answers only when the model's phrase is the fast reader's span ("Sergei Lavrov"), not another
    own = ConfidenceModel(("llm_same_span",), (0.0,), (1.0,), (10.0,), -5.0, 0.5)
    monkeypatch.setattr(engine_module, "accurate_model", lambda: own)
    monkeypatch.setattr(real_bot.engine, "_llm", reader := _Reader(reply))
    ans = real_bot.ask("Who met Rex Tillerson in Bonn?", mode="accurate")
    assert reader.seen and ans.refused is not answers
    if answers:
        assert ans.short_answer == "Sergei Lavrov"
        verified(real_bot, ans)


@pytest.mark.parametrize(("top_score", "kept"), [(13.0, True), (5.5, False)])
def test_a_dominant_lexical_hit_survives_rank_fusion(
    fake_bot: ArticleQA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, top_score: float, kept: bool
) -> None:
    # chunk 0 is BM25's clear first (a rare name) and the embedder's last: fusion alone drops it
    for n in range(8):
        (tmp_path / f"a{n}.txt").write_text(f"Story {n}\n\nParis attack number {n} was reported.\n", encoding="utf-8")
    fake_bot.ingest(tmp_path)
    retriever = fake_bot.engine.retriever
    ids = sorted(fake_bot.index.catalog.chunk_ids())
    assert len(ids) == 8
    lex = [(ids[0], top_score)] + [(c, 5.0 - 0.1 * i) for i, c in enumerate(ids[1:], 1)]
    den = [(c, 0.9 - 0.01 * i) for i, c in enumerate(ids[1:], 1)] + [(ids[0], 0.1)]
    monkeypatch.setattr(retriever, "lexical", lambda query, f, n: lex[:n])
    monkeypatch.setattr(retriever, "dense", lambda vector, f, n: den[:n])
    hits = retriever.search("Drugstore Publicis attack", k=3, vector=np.zeros(fake_bot.engine.index.embedder.dim))
    assert len(hits) == 3
    assert (ids[0] in {h.chunk.id for h in hits}) is kept

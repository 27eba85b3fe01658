"""LangChain in the real path: the retriever returns what ``ask()`` reads, and the runnable is the
chain ``ask()`` runs, composable in a user's chain and with any chat model for the answer step."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnablePassthrough

from qa import ArticleQA
from qa.citations import verify

QUESTIONS = [
    "Who met Rex Tillerson in Bonn?",
    "How much did the new rail link to Aktau cost?",
    "How many homes lost power during Storm Barbara?",
    "What did Kassymbek say about the rail link?",
    "What is the population of Mars?",  # refused: its passages are still the ones read
    "Who met Rex Tillerson in Bonn in 2016?",  # no article is from 2016: the date is dropped
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_retriever_returns_the_passages_ask_reads(real_bot: ArticleQA, question: str) -> None:
    ans = real_bot.ask(question)
    assert ans.kind == "passage" and ans.passages, ans.text
    docs = real_bot.as_retriever().invoke(question)
    assert [d.id for d in docs] == [p.chunk.id for p in ans.passages]
    assert docs[0].page_content == ans.passages[0].chunk.text


def test_retriever_takes_k_and_filters(real_bot: ArticleQA) -> None:
    docs = real_bot.as_retriever(k=2, filters={"sources": ["TASS"]}).invoke("Lavrov Tillerson Bonn")
    assert 0 < len(docs) <= 2
    assert {d.metadata["source"] for d in docs} == {"TASS"}
    assert "Tillerson" in docs[0].page_content


def test_the_runnable_is_what_ask_runs(real_bot: ArticleQA) -> None:
    chain = real_bot.as_runnable()
    assert isinstance(chain, Runnable)
    for question in ("Who met Rex Tillerson in Bonn?", "How many articles are there?", "hello"):
        got, want = chain.invoke(question), real_bot.ask(question)
        assert (got.text, got.citations, got.kind) == (want.text, want.citations, want.kind)
    got = chain.invoke({"question": "Who met Tillerson?", "filters": {"sources": ["BBC"]}})
    assert got.filters.get("sources") == ["BBC"]


def test_a_user_chain_composes_the_retriever_with_a_chat_model(real_bot: ArticleQA) -> None:
    model = FakeListChatModel(responses=["Sergei Lavrov."])
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the context only.\n{context}"), ("human", "{question}")])
    seen: list[str] = []

    def context(docs: list) -> str:
        text = "\n\n".join(d.page_content for d in docs)
        seen.append(text)
        return text

    chain = ({"context": real_bot.as_retriever(k=3) | context, "question": RunnablePassthrough()}
             | prompt | model | StrOutputParser())
    assert chain.invoke("Who met Rex Tillerson in Bonn?") == "Sergei Lavrov."
    assert "Tillerson" in seen[0]


def test_a_chat_model_writes_the_answer_with_checked_citations(real_bot: ArticleQA) -> None:
    question = "Who met Rex Tillerson in Bonn?"
    passages = real_bot.ask(question).passages
    n = next(i for i, p in enumerate(passages, start=1) if "Lavrov" in p.chunk.text)
    model = FakeListChatModel(responses=[f"Russian Foreign Minister Sergei Lavrov met Rex Tillerson in Bonn [{n}]."])
    ans = real_bot.as_runnable(llm=model).invoke(question)
    assert not ans.refused and "Lavrov" in ans.text
    assert ans.citations and all(verify(c, real_bot.index.catalog.article(c.article_id)) for c in ans.citations)
    assert "Lavrov" in ans.citations[0].quote


def test_a_chat_model_claim_no_passage_supports_is_not_shown(real_bot: ArticleQA) -> None:
    model = FakeListChatModel(responses=["Angela Merkel met Rex Tillerson on the Moon in 1969 [1]."])
    ans = real_bot.as_runnable(llm=model).invoke("Who met Rex Tillerson in Bonn?")
    assert "Moon" not in ans.text.split("\n\n")[0]
    assert all("Moon" not in c.quote for c in ans.citations)


@pytest.mark.slow
def test_retriever_matches_ask_on_every_news_suite_question() -> None:
    """Over the full demo index an eval run built (``article-qa eval --suite news``)."""
    cache = Path(os.environ.get("ARTICLE_QA_EVAL_CACHE") or Path.home() / ".cache/article-qa/eval")
    homes = sorted((cache / "index").glob("news-minilm-*"), key=lambda p: p.stat().st_mtime)
    if not homes:
        pytest.skip("no news index: run `article-qa eval --suite news` once")
    gold = Path(__file__).parents[2] / "eval" / "data" / "news_gold.jsonl"
    questions = [json.loads(line)["question"] for line in gold.read_text().splitlines() if line.strip()]
    bot = ArticleQA(home=homes[-1])
    try:
        compared = 0
        for q in questions:
            ans = bot.ask(q)
            if ans.kind != "passage":
                continue
            docs = bot.as_retriever().invoke(q)
            assert [d.id for d in docs] == [p.chunk.id for p in ans.passages], q
            compared += 1
        assert compared >= 80
    finally:
        bot.close()

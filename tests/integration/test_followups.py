"""Follow-ups in a conversation, through ``ask(history=...)`` as the chat sends them: "it",
"that" and "the article" mean the article the last answer cited first, and a new full question
is never rewritten with an old topic."""

from __future__ import annotations

from qa import Answer, ArticleQA


def converse(bot: ArticleQA, questions: list[str]) -> list[Answer]:
    history: list[dict[str, str]] = []
    answers = []
    for q in questions:
        ans = bot.ask(q, history=history or None)
        answers.append(ans)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": ans.text}]
    return answers


def test_a_fact_then_when_was_that_published_then_which_outlet(real_bot: ArticleQA) -> None:
    fact, when, outlet = converse(real_bot, [
        "Who met Rex Tillerson in Bonn?", "when was that published?", "and which outlet was it?"])
    cited = fact.citations[0].article_id
    assert not when.refused and when.kind == "metadata", when.text
    assert "15 March 2017" in when.text and when.citations[0].article_id == cited
    assert not outlet.refused and outlet.short_answer == "TASS", outlet.text
    assert outlet.citations[0].article_id == cited
    assert "published" not in outlet.rewritten_question  # not glued onto the previous follow-up


def test_a_collection_answer_then_a_new_full_question(real_bot: ArticleQA) -> None:
    _, total = converse(real_bot, ["How many TASS articles were published on 15 March 2017?",
                                   "How many articles are there?"])
    assert total.rewritten_question == ""  # "are there" points at nothing said before
    assert total.short_answer == str(real_bot.stats()["articles"]), total.text


def test_a_metadata_answer_then_who_wrote_it(real_bot: ArticleQA) -> None:
    date, author = converse(real_bot, ["When was the article about the rail link to Aktau published?",
                                       "who wrote it?"])
    assert date.kind == "metadata" and not date.refused, date.text
    assert not author.refused, author.text
    assert "John Smith" in author.text or "JOHN SMITH" in author.text.upper()
    assert author.citations[0].article_id == date.citations[0].article_id


def test_and_who_wrote_it_is_a_question_of_its_own(real_bot: ArticleQA) -> None:
    *_, author = converse(real_bot, ["What did Kassymbek say about the rail link?", "when was it published?",
                                     "and who wrote it?"])
    assert author.kind == "metadata" and not author.refused, author.text
    assert "published" not in author.rewritten_question

"""Collection questions are answered exactly from the catalog."""

from __future__ import annotations

import pytest

from qa import ArticleQA


@pytest.mark.parametrize(
    "question, short",
    [
        ("how many TASS articles were published on 15 March 2017?", "2"),
        ("How many articles mention Brexit in their title?", "1"),
        ("how many articles did John Smith write?", "1"),
        ("How many articles were published in March 2017?", "6"),
        ("how many articles are there from DW?", "1"),
        ("How many different sources are there?", "6"),
        # "publish on <date>" is a filter, not a topic; "anything" names no topic
        ("how many articles did TASS publish on 15 March 2017?", "2"),
    ],
)
def test_counts(real_bot: ArticleQA, question: str, short: str) -> None:
    ans = real_bot.ask(question)
    assert ans.kind == "collection", ans.text
    assert ans.short_answer == short, ans.text
    assert not ans.refused


def test_a_yes_no_count_answers_yes_or_no(real_bot: ArticleQA) -> None:
    yes = real_bot.ask("did TASS publish anything on 15 March 2017?")
    assert yes.kind == "collection" and yes.short_answer == "Yes" and not yes.refused
    assert yes.text.startswith("Yes. There are 2 articles") and len(yes.citations) == 2
    no = real_bot.ask("Did DW publish any articles on 15 March 2017?")
    assert no.short_answer == "No" and not no.refused and no.text.startswith("No.") and "(0 found)" in no.text


def test_count_cites_the_matching_articles(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("how many TASS articles were published on 15 March 2017?")
    assert len(ans.citations) == 2 and {c.source for c in ans.citations} == {"TASS"}
    assert "distinct articles" in ans.text


def test_ranking_by_source(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("Which source has the most articles?")
    assert ans.short_answer == "TASS" and "(2)" in ans.text


def test_day_with_most_articles(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("On which day were the most articles published?")
    assert ans.short_answer == "15 March 2017", ans.text


def test_listing_with_filters(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("What did DW publish on 9 March 2017?")
    assert ans.kind == "collection"
    assert "Germany debates Brexit talks" in ans.text
    assert [c.source for c in ans.citations] == ["DW"]


def test_extremes_and_range(real_bot: ArticleQA) -> None:
    first = real_bot.ask("When was the first article published?")
    assert first.short_answer == "2016-12-30", first.text
    rng = real_bot.ask("What period does the collection cover?")
    assert "30 December 2016" in rng.text and "21 March 2017" in rng.text


def test_unknown_outlet_is_not_a_zero(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("How many Bloomberg articles are there?")
    assert ans.refused and "no articles from Bloomberg" in ans.text


def test_date_outside_the_collection(real_bot: ArticleQA) -> None:
    ans = real_bot.ask("How many articles were published in 2015?")
    assert ans.refused and "covers" in ans.text


def test_user_text_never_becomes_sql(real_bot: ArticleQA) -> None:
    before = real_bot.stats()["articles"]
    ans = real_bot.ask("how many articles mention \"x'); DROP TABLE articles; --\"?")
    assert ans.kind == "collection"
    assert real_bot.stats()["articles"] == before


def test_topic_rule_about_uses_text_not_only_titles(real_bot: ArticleQA) -> None:
    # "Syria" is in no title; the Lavrov article mentions it once: it "mentions" but is not "about"
    mention = real_bot.ask("How many articles mention Syria?")
    assert mention.short_answer == "1", mention.text
    about = real_bot.ask("How many articles about Syria are there?")
    assert about.refused and "0 found" in about.text

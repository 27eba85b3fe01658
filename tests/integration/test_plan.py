"""Questions across articles, end to end with the real packaged MiniLM on seven tiny articles:
the plan's direct answer comes first, every claim is cited verbatim, and what the articles do not
settle is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa import ArticleQA

ARTICLES = [
    ("BBC", "2017-03-18", "Cyclone Debbie nears Queensland coast",
     "Cyclone Debbie is approaching the coast of Queensland, Australia. Thousands of residents have been told "
     "to leave their homes. Forecasters say the category four storm will make landfall on Tuesday."),
    ("CNN", "2017-03-20", "Queensland braces for Cyclone Debbie",
     "Residents of Queensland in Australia are bracing for Cyclone Debbie. The storm is expected to reach "
     "the coast as a category four cyclone. Schools along the coast will close."),
    ("DW", "2017-03-21", "Cyclone Debbie batters Australian coast",
     "Cyclone Debbie has hit the coast of Queensland in north-eastern Australia. Winds of up to 260 "
     "kilometres per hour tore roofs off houses."),
    ("BBC", "2017-03-02", "Museum gold coin stolen in Berlin",
     "Thieves stole a giant gold coin from the Bode Museum in Berlin. The coin weighs 100 kilograms. "
     "The gold coin had been in the Bode Museum's collection since 2010."),
    ("TASS", "2017-03-03", "North Korea tests new rocket engine",
     "North Korea has tested a new high-thrust rocket engine. South Korea's defence ministry said the test "
     "featured a main engine supported by four supplementary engines."),
    ("CNN", "2017-03-05", "Wheat harvest in Kansas",
     "Farmers in Kansas expect a strong wheat harvest this year after heavy spring rains."),
    ("BBC", "2017-03-06", "Glenmore dam inspected",
     "Engineers finished inspecting the Glenmore dam on Monday. The Glenmore dam is 230 metres tall."),
    ("CNN", "2017-03-07", "Glenmore dam declared safe",
     "Inspectors declared the Glenmore dam safe. The dam is 235 metres tall and holds a large reservoir."),
    ("BBC", "2017-02-13", "Oroville dam: Thousands told to leave their homes",
     "Thousands of people have been told to leave their homes near the Oroville dam. Lake Oroville, which lies "
     "65 miles (105km) north of Sacramento, has never had such an emergency in the dam's near 50-year history."),
    ("CNN", "2017-02-13", "Oroville dam spillway damaged",
     "The spillway of the Oroville dam was damaged by heavy rain. The Oroville dam provides flood control for the "
     "region and is located about 75 miles north of Sacramento. Engineers are inspecting the 770-foot dam."),
    ("DW", "2017-02-10", "Bundesliga: Bayern win again",
     "Bayern Munich beat Hamburg 8-0 in the Bundesliga on Saturday, extending their lead at the top."),
]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("plan")
    corpus = tmp / "news.jsonl"
    corpus.write_text("".join(json.dumps({"source": s, "date": d, "title": t, "body": b}) + "\n"
                              for s, d, t, b in ARTICLES))
    qa = ArticleQA(home=tmp / "home")
    qa.ingest([corpus])
    yield qa
    qa.close()


def _cited_verbatim(bot: ArticleQA, answer) -> bool:
    arts = bot.engine.index.catalog.articles([c.article_id for c in answer.citations])
    return all(arts[c.article_id].text[c.start:c.end] == c.quote for c in answer.citations)


def test_publication_order_answers_yes_or_no_from_the_catalog_dates(bot: ArticleQA) -> None:
    yes = bot.ask("Did the BBC report Cyclone Debbie before CNN did?")
    no = bot.ask("Did DW report Cyclone Debbie before the BBC?")
    assert yes.text.startswith("Yes.") and no.text.startswith("No.")
    assert yes.kind == "plan" and yes.plan and yes.plan["plan"]["form"] == "order_yesno"
    assert {c.source for c in yes.citations} == {"BBC", "CNN"} and _cited_verbatim(bot, yes)
    which = bot.ask("Which outlet reported Cyclone Debbie first, DW or CNN?")
    assert which.text.startswith("CNN reported it first")
    two = bot.ask("Did DW report Bayern's Bundesliga win before TASS reported North Korea's rocket engine test?")
    assert two.text.startswith("Yes.") and [c.source for c in two.citations] == ["DW", "TASS"]
    gone = bot.ask("Did DW report Bayern's Bundesliga win before TASS reported the Kansas wheat harvest?")
    assert gone.refused and "no TASS article about the Kansas wheat harvest" in gone.text


def test_coverage_lists_the_outlets_about_the_event_and_not_the_others(bot: ArticleQA) -> None:
    ans = bot.ask("Which outlets covered Cyclone Debbie's approach to Queensland?")
    assert ans.text.startswith("3 outlets: BBC, CNN, DW.")
    assert len(ans.citations) == 3 and _cited_verbatim(bot, ans)
    assert bot.ask("Did TASS report Cyclone Debbie's approach to Queensland?").text.startswith("No.")
    assert bot.ask("Did both the BBC and DW report Cyclone Debbie's approach?").text.startswith("Yes.")


def test_claims_are_checked_against_the_named_outlet_with_the_quote(bot: ArticleQA) -> None:
    wrong = bot.ask("According to TASS, did the test involve a main engine backed by two supplementary engines?")
    assert wrong.text.startswith("No.") and "four supplementary engines" in wrong.citations[0].quote
    right = bot.ask("According to the BBC, had the gold coin been in the Bode Museum's collection since 2010?")
    assert right.text.startswith("Yes.") and _cited_verbatim(bot, right)
    unsure = bot.ask("According to CNN, did the Kansas farmers sell their harvest to China?")
    assert unsure.refused and not unsure.text.startswith(("Yes", "No"))


def test_a_comparison_it_cannot_settle_is_refused_with_both_passages(bot: ArticleQA) -> None:
    ans = bot.ask("Do the BBC and CNN give the same storm category for Cyclone Debbie?")
    assert ans.refused and {c.source for c in ans.citations} == {"BBC", "CNN"}


def test_figures_are_compared_as_values_with_their_units(bot: ArticleQA) -> None:
    ans = bot.ask("Do the BBC and CNN give the same height for the Glenmore dam?")
    assert ans.text.startswith("No. BBC gives 230 metres [1], CNN 235 metres [2]")
    taller = bot.ask("Which outlet reported a greater height for the Glenmore dam, the BBC or CNN?")
    assert taller.text.startswith("CNN.") and _cited_verbatim(bot, taller)


def test_a_figure_both_outlets_state_in_one_unit_is_compared(bot: ArticleQA) -> None:
    ans = bot.ask("Do the BBC and CNN give the same distance between the Oroville dam and Sacramento?")
    assert ans.text.startswith("No. BBC gives 65 miles [1], CNN about 75 miles [2]")
    assert not ans.refused and _cited_verbatim(bot, ans)
    assert [c.source for c in ans.citations] == ["BBC", "CNN"]
    # an outlet with no article on the story gives no figure, whatever numbers its other articles hold
    none = bot.ask("Do the BBC and TASS give the same distance between the Oroville dam and Sacramento?")
    assert none.refused and none.text.startswith("I found no TASS article about")


def test_single_article_questions_keep_their_flow(bot: ArticleQA) -> None:
    ans = bot.ask("How much does the stolen coin weigh?")
    assert ans.kind == "passage" and ans.plan is None and "100 kilograms" in ans.text


def test_the_plan_is_part_of_the_answer_dict(bot: ArticleQA, tmp_path: Path) -> None:
    d = bot.ask("Did the BBC report Cyclone Debbie before CNN did?").to_dict()
    assert d["plan"]["steps"][0]["tool"] == "coverage" and json.dumps(d)


class FakeJudge:
    """A deterministic stand-in for the local model (the model is beside the point here)."""

    def __init__(self, verdict: tuple[str, int] | None) -> None:
        self.verdict = verdict
        self.shown: list[str] = []

    def __call__(self, claim: str, sentences: list[str]) -> tuple[str, int] | None:
        self.shown = sentences
        return self.verdict


CLAIM = "North Korea's engine test involved a main engine backed by two supplementary engines"


@pytest.mark.parametrize(("verdict", "want"), [
    (("supports", 0), "supports"), (("contradicts", 0), "contradicts"), (("not stated", -1), "not stated"),
])
def test_a_judge_s_label_stands_and_rests_on_the_sentence_it_named(bot: ArticleQA, verdict: tuple[str, int],
                                                                   want: str) -> None:
    from qa.plan.claims import JUDGE_SENTENCES, ClaimChecker

    judge = FakeJudge(verdict)
    check = ClaimChecker(bot.engine.retriever, bot.engine._idf(), judge).check(CLAIM, "TASS")
    assert check.verdict == want and check.judged
    assert 1 <= len(judge.shown) <= JUDGE_SENTENCES
    assert check.chunk is not None
    art = bot.engine.index.catalog.article(check.chunk.article_id)
    assert art is not None and art.source == "TASS"
    quoted = art.text[check.start:check.end]
    assert quoted == judge.shown[0]  # the quote is the sentence the judge named (or the best one)
    assert all(s in art.text for s in judge.shown if art.title not in s)


def test_without_a_verdict_from_the_judge_the_rules_decide(bot: ArticleQA) -> None:
    from qa.plan.claims import ClaimChecker

    check = ClaimChecker(bot.engine.retriever, bot.engine._idf(), FakeJudge(None)).check(CLAIM, "TASS")
    assert check.verdict == "contradicts" and not check.judged  # "two" against "four" by rule
    assert "4" in check.reason and "2" in check.reason

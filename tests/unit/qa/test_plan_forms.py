"""Question forms across articles: each frame, the slots it fills, and what it must leave alone."""

from __future__ import annotations

import pytest

from qa.plan.claims import number_clash, numbers
from qa.plan.forms import mark_outlets, recognise
from qa.question.types import Vocabulary

VOCAB = Vocabulary(sources=("ABC News", "Al Jazeera", "BBC", "CNN", "DW", "RTE", "TASS"))


@pytest.mark.parametrize(
    ("question", "form", "outlets", "topic", "later"),
    [
        ("Did the BBC report the Orly airport attack before CNN did?", "order_yesno", ("BBC", "CNN"),
         "the Orly airport attack", False),
        ("Did Al Jazeera publish news of the Kabul hospital attack after TASS?", "order_yesno",
         ("Al Jazeera", "TASS"), "the Kabul hospital attack", True),
        ("Was ABC News's story on the stolen laptop published before CNN's?", "order_yesno", ("ABC News", "CNN"),
         "the stolen laptop", False),
        ("Which outlet reported the Ranieri sacking first, DW or CNN?", "order_which", ("DW", "CNN"),
         "the Ranieri sacking", False),
        ("Which outlet was the first to report the Nasu avalanche?", "first_outlet", (), "the Nasu avalanche", False),
        ("Which outlets covered Cyclone Debbie's landfall?", "outlets", (), "Cyclone Debbie's landfall", False),
        ("How many outlets reported the Le Pen immunity vote?", "count_outlets", (), "the Le Pen immunity vote",
         False),
        ("How many BBC articles covered the Orly airport attack?", "count_articles", ("BBC",),
         "the Orly airport attack", False),
        ("Did both TASS and DW report the Flamanville explosion?", "covered", ("TASS", "DW"),
         "the Flamanville explosion", False),
        ("Apart from Al Jazeera, did any outlet report the Koshe dump collapse?", "covered_other",
         ("Al Jazeera",), "the Koshe dump collapse", False),
        ("According to RTE, was Ryan McBride appointed captain in 2011?", "claim", ("RTE",),
         "was Ryan McBride appointed captain in 2011", False),
        ("Does the BBC report that the dam is 230m tall?", "claim", ("BBC",), "the dam is 230m tall", False),
        ("Did both CNN and TASS say the test took place at Sohae?", "claim_both", ("CNN", "TASS"),
         "the test took place at Sohae", False),
        ("Do the BBC and RTE give the same height for the peak?", "compare", ("BBC", "RTE"),
         "the same height for the peak", False),
    ],
)
def test_each_form_fills_its_slots(question: str, form: str, outlets: tuple[str, ...], topic: str,
                                   later: bool) -> None:
    plan = recognise(question, VOCAB)
    assert plan is not None, question
    assert (plan.form, plan.outlets, plan.topic, plan.later) == (form, outlets, topic, later)


@pytest.mark.parametrize(
    "question",
    [
        "What did Tokayev say about trade with China?",  # one article
        "According to RTE on 27 March 2017, how old is Carlos the Jackal?",  # a fact, not a yes/no claim
        "How many TASS articles were published on 15 March 2017?",  # a catalog count, no topic
        "how many articles did TASS publish on 15 March 2017?",  # "on <date>" is a filter, not a topic
        "How many articles mention Brexit in their title?",
        "Which outlets published the most articles?",
        "Who wrote the BBC article about the Oroville Dam?",
        "Did TASS report the Duma's check on CNN and Voice of America before ABC News?",  # 3 outlets
    ],
)
def test_other_questions_have_no_plan(question: str) -> None:
    assert recognise(question, VOCAB) is None


def test_outlets_are_marked_once_each_and_lower_case_short_names_are_not_outlets() -> None:
    marked, names = mark_outlets("Did the BBC and bbc news beat dw and DW?", VOCAB)
    assert names == ("BBC", "DW")
    assert marked.count("@0") == 2 and "dw" in marked


def test_numbers_read_digits_words_and_ordinals() -> None:
    assert numbers("two engines, the 17th place, 1,200 people and a third") == {"2", "17", "1200", "3"}


def test_a_number_clash_needs_the_same_thing_counted() -> None:
    assert number_clash("backed by two supplementary engines", "supported by four supplementary engines")
    assert number_clash("a 120-day ban", "a 90-day ban")
    assert not number_clash("two tourists paid a deposit", "two private citizens have paid")
    assert not number_clash("eight helicopters", "it would provide eight helicopters and 200 troops")


def test_two_stories_in_order_keep_both_topics() -> None:
    plan = recognise("Did CNN report the wheat harvest before TASS mentioned the rocket engine test?", VOCAB)
    assert plan is not None and plan.form == "order_yesno" and plan.outlets == ("CNN", "TASS")
    assert (plan.topic, plan.topic2) == ("the wheat harvest", "the rocket engine test")


@pytest.mark.parametrize(
    "question",
    [
        "Did the BBC report on the trial and the later BBC report on the verdict portray him inconsistently?",
        "Did CNN report a win for Dallas in Week 13, and did the same source report a loss in Week 14?",
    ],
)
def test_a_judgement_about_content_is_not_a_coverage_question(question: str) -> None:
    assert recognise(question, VOCAB) is None


def test_before_b_reported_it_is_one_story() -> None:
    plan = recognise("Did CNN report the wheat harvest before TASS reported it?", VOCAB)
    assert plan is not None and plan.topic == "the wheat harvest" and plan.topic2 == ""


def test_figures_are_read_with_scale_and_unit() -> None:
    from qa.plan.compare import fact_question, value_of

    assert value_of("about 2.5 million people") == value_of("2,500,000 people")
    assert value_of("230 metres").unit == "m" and value_of("150 miles").unit == "mile"  # type: ignore[union-attr]
    assert not value_of("230 metres").same_kind(value_of("150 miles"))  # type: ignore[union-attr,arg-type]
    assert not value_of("12").same_kind(value_of("2,450"))  # type: ignore[union-attr,arg-type]
    assert value_of("12").same_kind(value_of("2,450"), counted=True)  # type: ignore[union-attr,arg-type]
    assert value_of("in March") == value_of("March 2017") and value_of("dozens") is None
    assert fact_question("the same height for the peak in their reports on the avalanche") == (
        "What was the height for the peak?", "same")
    assert fact_question("a larger area of coral destroyed") == ("What was the area of coral destroyed?", "higher")


class _OneChunk:
    """A retriever that returns one passage, whatever is asked."""

    def __init__(self, title: str, text: str) -> None:
        from qa.types import Chunk, ScoredChunk
        self.hit = ScoredChunk(Chunk(id="c1", article_id="a1", position=0, text=text, start=0, end=len(text),
                                     title=title), 1.0, dense=0.6)

    def search(self, query: str, filters: object, k: int = 8) -> list:
        return [self.hit]


def test_a_claim_s_event_may_be_named_only_by_the_article_title() -> None:
    from qa.plan.claims import ClaimChecker
    text = "No one was hurt in the explosion at the nuclear plant, officials said. Fishing boats stayed in port."
    claim = "was no one hurt in the explosion at the Flamanville nuclear plant in Normandy"
    titled = _OneChunk("Explosion at Flamanville plant in Normandy", text)
    assert ClaimChecker(titled, lambda t: 1.0).check(claim, "RTE").verdict == "supports"  # type: ignore[arg-type]
    untitled = _OneChunk("Weather news", text)
    assert ClaimChecker(untitled, lambda t: 1.0).check(claim, "RTE").verdict == "not stated"  # type: ignore[arg-type]


def test_a_claim_s_predicate_may_stand_alone_in_a_passage_about_its_subject() -> None:
    from qa.lang import nlp
    from qa.plan.claims import ClaimChecker
    from tests.conftest import require
    require(nlp.available(), "the spaCy model package is not installed")
    text = ("Anti-apartheid activist Ahmed Kathrada was buried on Wednesday in Johannesburg. Thousands came. "
            "He spent over 26 years of his life in prison, many alongside Nelson Mandela.")
    check = ClaimChecker(_OneChunk("Funeral", text), lambda t: 1.0)  # type: ignore[arg-type]
    supported = check.check("anti-apartheid activist Ahmed Kathrada spent more than 26 years in prison", "DW")
    assert supported.verdict == "supports" and text[supported.start:supported.end].startswith("He spent")
    # the same predicate said of someone else ("it": the White House) supports nothing
    text = "Rex Tillerson leads the State Department. The White House said it has signed the pipeline permit today."
    other = ClaimChecker(_OneChunk("Keystone", text), lambda t: 1.0)  # type: ignore[arg-type]
    assert other.check("Secretary of State Rex Tillerson personally signed the pipeline permit",
                       "ABC News").verdict == "not stated"
    # nor does a sentence with another figure for it
    text = "Anti-apartheid activist Ahmed Kathrada was buried. He spent 18 years in prison on Robben Island."
    clash = ClaimChecker(_OneChunk("Funeral", text), lambda t: 1.0)  # type: ignore[arg-type]
    claim = "anti-apartheid activist Ahmed Kathrada spent 26 years in prison"
    assert clash.check(claim, "DW").verdict == "contradicts"


def test_money_and_percent_keep_their_unit() -> None:
    from qa.lang.units import asked_dimension, dimensions
    from qa.plan.compare import value_of

    assert value_of("$38m") == value_of("$38 million")  # a million dollars, not 38 metres
    assert value_of("about 24%") == value_of("24 percent") == value_of("24 per cent")
    assert value_of("nine women").unit == "women"  # type: ignore[union-attr]
    assert dimensions(value_of("roughly 2,450 metre-high").unit) == {"length"}  # type: ignore[union-attr]
    assert dimensions(value_of("$24 billion").unit) == {"money"}  # type: ignore[union-attr]
    assert dimensions(value_of("four people").unit) == set()  # type: ignore[union-attr]
    assert dimensions(value_of("30 inches").unit) == {"length"}  # type: ignore[union-attr]
    assert dimensions(value_of("12 pounds").unit) == {"money", "weight"}  # type: ignore[union-attr]
    assert asked_dimension("What was the height for the peak?") == "length"
    assert asked_dimension("What was the death toll?") == ""


def _fact(answer: str, rank: int = 0):
    from qa.plan.types import Fact
    from qa.types import Citation

    cite = Citation(article_id=f"a-{answer}", title="t", source="s", published=None, url="", chunk_id="c",
                    quote=answer, start=0, end=len(answer))
    return Fact(answer, cite, None, rank)


class _NothingStated:
    """A claim checker that finds no passage (what the refusal quotes is beside the point)."""

    def check(self, claim: str, outlet: str):
        from qa.plan.claims import Check

        return Check("not stated", outlet)


class _About:
    """Coverage that finds the articles of the given ids about the story (and no others)."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids

    def coverage(self, topic: str, outlets: tuple[str, ...] = ()) -> list:
        from qa.plan.tools import Covered
        from qa.types import Article, Chunk

        return [Covered(Article(id=i, title="t", paragraphs=("x",), source=outlets[0]),
                        Chunk(id=f"{i}:0", article_id=i, position=0, text="x", start=0, end=1), 0.8, 0.8)
                for i in sorted(self.ids)]


def _compare(question: str, read: dict, figures: dict, off_topic: tuple[str, ...] = ()) -> str:
    from qa.plan.execute import Executor
    from qa.plan.forms import recognise
    from qa.plan.types import Trace

    plan = recognise(question, VOCAB)
    assert plan is not None and plan.form == "compare"
    about = {f.citation.article_id for fs in figures.values() for f in fs} - set(off_topic)

    def looked_up(q: str, outlet: str, ids: list[str]) -> list:
        assert set(ids) <= about  # figures are looked for in the articles about the story only
        return figures.get(outlet, [])

    ex = Executor(_About(about), _NothingStated(), lambda q, o: read.get(o),  # type: ignore[arg-type]
                  looked_up)
    text, _, refused = ex._compare(plan, Trace(plan))
    return "(refused)" if refused else text


def test_a_comparison_pairs_the_figures_both_outlets_state_in_one_unit() -> None:
    figures = {"BBC": [_fact("50-year"), _fact("65 miles"), _fact("230m", 1)],
               "CNN": [_fact("about 75 miles"), _fact("901 feet", 1)]}
    assert _compare("Do the BBC and CNN give the same distance to Sacramento?", {}, figures).startswith(
        "No. BBC gives 65 miles [1], CNN about 75 miles [2]")
    # best-ranked sentences first: the rank-1 pair is not taken over the rank-0 pair
    figures = {"BBC": [_fact("72 people"), _fact("80 people", 1)], "CNN": [_fact("20 women"), _fact("75 people", 1)]}
    assert _compare("Which outlet gave the lower death toll, the BBC or CNN?", {}, figures).startswith("BBC.")


def test_figures_only_come_from_articles_about_the_story() -> None:
    figures = {"BBC": [_fact("53 people")], "CNN": [_fact("197 people")]}
    question = "Do the BBC and CNN give the same death toll for the shrine bombing?"
    assert _compare(question, {}, figures).startswith("No.")
    assert _compare(question, {}, figures, off_topic=("a-197 people",)) == "(refused)"  # CNN has none on it


def test_figures_of_another_dimension_or_scale_are_not_compared() -> None:
    heights = {"BBC": [_fact("Four people")], "CNN": [_fact("eight people")]}
    assert _compare("Do the BBC and CNN give the same height for the peak?", {}, heights) == "(refused)"
    money = {"BBC": [_fact("roughly $24 billion")], "CNN": [_fact("$19")]}
    assert _compare("Do the BBC and CNN give the same valuation for Snap?", {}, money) == "(refused)"
    sure = {"BBC": _fact("230 metres"), "CNN": _fact("230 metres")}
    assert _compare("Do the BBC and CNN give the same height for the dam?", sure, {}).startswith("Yes.")


def test_asked_whether_two_figures_are_the_same_a_figure_both_state_is_taken_first() -> None:
    figures = {"BBC": [_fact("roughly $24 billion")],
               "CNN": [_fact("$19.5 billion"), _fact("$24 billion", 1)]}
    assert _compare("Do the BBC and CNN give the same valuation for Snap?", {}, figures).startswith(
        "Yes. BBC gives roughly $24 billion [1], CNN $24 billion [2]")
    # which is higher: the best-ranked pair, equal or not
    assert _compare("Which outlet gave the higher valuation for Snap, the BBC or CNN?", {}, figures).startswith(
        "BBC.")

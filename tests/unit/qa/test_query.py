"""Question parsing: kinds, answer types, filters from dates / outlets / authors."""

from __future__ import annotations

import datetime as dt

import pytest

from qa.question.followup import resolve
from qa.question.parse import answer_type, parse_question
from qa.question.types import Filters, Vocabulary
from tests.conftest import require

V = Vocabulary(
    sources=("TASS", "BBC", "Al Jazeera", "ABC News", "DW", "HuffPost", "RTE", "CNN", "China Daily"),
    authors=("Assel Satubaldina",),
    sections=("Central Asia", "International"),
    newest=dt.date(2017, 3, 31),
    oldest=dt.date(2016, 12, 1),
)


@pytest.mark.parametrize(
    "q, kind",
    [
        ("how many TASS articles were published on 15 March 2017?", "collection"),
        ("which outlet wrote most about North Korea in March 2017?", "collection"),
        ("list BBC articles about Brexit from March 2017", "collection"),
        ("latest articles about North Korea", "collection"),
        ("what did DW publish on 9 March 2017?", "collection"),
        ("did the BBC publish anything on 20 March 2017?", "collection"),
        ("has TASS published any stories about Brexit?", "collection"),
        ("when was the first article about Brexit published?", "collection"),
        ("what period does the collection cover?", "collection"),
        ("who wrote the article about the Central Asia - China summit?", "metadata"),
        ("which outlet published the story about Storm Barbara?", "metadata"),
        ("which outlet reported that the floods left more than a million people without water?", "metadata"),
        ("which outlet covered the top court's ruling on piracy?", "metadata"),
        ("which outlet published more stories about Brexit, the BBC or RTE?", "collection"),
        ("what's the name of the campaign she started about bad youtube captions?", "passage"),
        ("Who was the lead author of the study linking brain anatomy to autism?", "passage"),
        ("What did Tokayev say about trade with China?", "passage"),
        ("how many people died in the attack in Kabul?", "passage"),
        ("how many items have police seized so far in the Westminster attack investigation?", "passage"),
        ("how many documents did the FBI seize?", "passage"),
        ("how many reports did CNN publish about Brexit?", "collection"),
        ("how many TASS reports are there about Syria?", "collection"),
        ("how many news items came out on 15 March 2017?", "collection"),
        ("How much did the rail link to Aktau cost?", "passage"),
        ("hello!", "chitchat"),
        ("thanks a lot", "chitchat"),
    ],
)
def test_kinds(q: str, kind: str) -> None:
    assert parse_question(q, V).kind == kind


@pytest.mark.parametrize(
    "q, t",
    [
        ("Who chaired the summit?", "PERSON"),
        ("Which minister opened the line?", "PERSON"),
        ("How many homes lost power?", "NUMBER"),
        ("How much did it cost?", "MONEY"),
        ("What percentage of voters backed it?", "PERCENT"),
        ("When will trains start running?", "DATE"),
        ("In what year was it founded?", "DATE"),
        ("Where did the fire start?", "PLACE"),
        ("Which city hosted the talks?", "PLACE"),
        ("Which company makes the iPad?", "ORG"),
        ("Did the council approve the library?", "YESNO"),
        ("What did Tokayev say about trade?", "OTHER"),
        # the leading wh-phrase decides; a later "when" / "whose" opens a clause
        ("What was the Senate vote tally when Ross was confirmed?", "NUMBER"),
        ("Where did she land when she reached the US?", "PLACE"),
        ("Which agency did the passenger whose headphones caught fire talk to?", "ORG"),
        ("According to ABC News, what is Alaa Ali Alali's age?", "NUMBER"),
        ("What size of stake did ZTE buy?", "NUMBER"),
        ("Who was president when the war started?", "PERSON"),
        ("What was the trade turnover between Kazakhstan and China?", "MONEY"),
        ("What is the population of Astana?", "NUMBER"),
        ("What was the reason for the price rise?", "OTHER"),
        ("Which US immigration judge granted asylum?", "PERSON"),  # two words before the noun
        ("What did the president say about trade?", "OTHER"),
        ("What is the maximum amount customers could withdraw?", "MONEY"),
        ("What was Kazakhstan's bilateral trade turnover with China?", "MONEY"),
        ("Whose statistics showed the rise?", "ORG"),
        ("What is China's northernmost county?", "PLACE"),
        ("What is the state of the economy?", "OTHER"),
    ],
)
def test_answer_types(q: str, t: str) -> None:
    assert answer_type(q) == t


@pytest.mark.parametrize(
    "q, lo, hi",
    [
        ("articles on 15 March 2017", "2017-03-15", "2017-03-15"),
        ("what happened on March 15, 2017?", "2017-03-15", "2017-03-15"),
        ("news in February 2017", "2017-02-01", "2017-02-28"),
        ("what did TASS report in March?", "2017-03-01", "2017-03-31"),  # year from the newest article
        ("in December", "2016-12-01", "2016-12-31"),  # the latest December not after the newest
        ("between 1 March 2017 and 10 March 2017", "2017-03-01", "2017-03-10"),
        ("from 1 Feb 2017 to 3 Mar 2017", "2017-02-01", "2017-03-03"),
        ("since 20 March 2017", "2017-03-20", None),
        ("before 1 January 2017", None, "2016-12-31"),
        ("this week", "2017-03-27", "2017-03-31"),
        ("yesterday", "2017-03-30", "2017-03-30"),
        ("in the last 7 days", "2017-03-25", "2017-03-31"),
        ("2017-03-09", "2017-03-09", "2017-03-09"),
        # two reports on two days: articles from both, not the first day alone
        ("did the report on 2017-03-09 and the one on 2017-03-11 agree?", "2017-03-09", "2017-03-11"),
        ("the BBC report on March 2, 2017 and the CNN one on 28 February 2017", "2017-02-28", "2017-03-02"),
    ],
)
def test_dates(q: str, lo: str | None, hi: str | None) -> None:
    f = parse_question(q, V).filters
    assert (f.date_from.isoformat() if f.date_from else None) == lo
    assert (f.date_to.isoformat() if f.date_to else None) == hi


def test_outlets_from_the_catalog_and_aliases() -> None:
    assert parse_question("What did the BBC report about Brexit?", V).filters.sources == ("BBC",)
    assert parse_question("According to Deutsche Welle, who won?", V).filters.sources == ("DW",)
    assert parse_question("Al Jazeera's coverage of Syria", V).filters.sources == ("Al Jazeera",)
    # a topic, not a filter
    assert parse_question("What did Trump say about CNN?", V).filters.sources == ()
    # lower-case short words are not outlets
    assert parse_question("how do I dw that", V).filters.sources == ()


def test_unknown_outlet_is_reported() -> None:
    pq = parse_question("how many Reuters articles are there?", V)
    assert pq.unknown_sources == ("Reuters",)


def test_author_and_section_filters() -> None:
    pq = parse_question("how many articles did Assel Satubaldina write?", V)
    assert pq.filters.authors == ("Assel Satubaldina",)
    pq = parse_question("what is new in the Central Asia section?", V)
    assert pq.filters.sections == ("Central Asia",)


def test_date_outside_the_collection() -> None:
    assert parse_question("how many articles in 2015?", V).date_outside
    assert not parse_question("how many articles in 2017?", V).date_outside


def test_explicit_filters_merge() -> None:
    pq = parse_question("news about Syria in March 2017", V, Filters.from_dict({"sources": ["BBC"]}))
    assert pq.filters.sources == ("BBC",)
    assert pq.filters.date_from == dt.date(2017, 3, 1)


def test_follow_up_fragment_replaces_the_date() -> None:
    hist = [{"role": "user", "content": "how many TASS articles came out on 15 March 2017?"},
            {"role": "assistant", "content": "There are 12 ..."}]
    r = resolve("and in February?", hist, V)
    pq = parse_question(r.text, V)
    assert pq.kind == "collection" and pq.filters.sources == ("TASS",)
    assert pq.filters.date_from == dt.date(2017, 2, 1) and pq.filters.date_to == dt.date(2017, 2, 28)


def test_follow_up_pronoun_carries_names() -> None:
    hist = [{"role": "user", "content": "What did Tokayev say about trade with China?"},
            {"role": "assistant", "content": "..."}]
    r = resolve("what did he say about investment?", hist, V)
    assert "Tokayev" in r.context


def test_standalone_question_is_left_alone() -> None:
    hist = [{"role": "user", "content": "Who is Tokayev?"}, {"role": "assistant", "content": "..."}]
    r = resolve("Who chaired the virtual summit with Central Asia?", hist, V)
    assert not r.changed


def test_outlet_and_author_names_that_are_also_words_need_their_capitals() -> None:
    v = Vocabulary(sources=("The Age", "The Guardian", "TechCrunch"), authors=("News",))
    pq = parse_question("Which pop star, famous at the age of 16 according to The Guardian, was sued "
                        "by news publishers?", v)
    assert pq.filters.sources == ("The Guardian",) and pq.filters.authors == ()
    assert parse_question("what did the age report about the guardian?", v).filters.sources  # all lower case
    assert parse_question("What did The Age report?", v).filters.sources == ("The Age",)


@pytest.mark.parametrize(
    ("q", "t"),
    [
        ("The veteran whose funeral in March turned into a rally had spent 18 years imprisoned on which island?",
         "PLACE"),
        ("Liu Ligang, who said home prices are unlikely to drop, is an economist at which bank?", "ORG"),
    ],
)
def test_the_parsed_asking_wh_word_types_the_answer_not_a_relative_pronoun(q: str, t: str) -> None:
    from qa.lang import nlp
    from qa.question.parse import focus

    require(nlp.available(), "the spaCy model package is not installed")
    assert answer_type(q) == "PERSON"  # the first wh-word ("whose", "who") would say
    assert answer_type(q, focus(q)) == t


@pytest.mark.parametrize(
    "q, field",
    [
        ("When did CNN publish its article on Sweden reintroducing conscription?", "date"),
        ("When did RTE report that Beijing had shut its last coal plant?", "date"),
        ("on what date did Al Jazeera publish its story on the CAF election?", "date"),
        ("what day was DW's article on Federer beating Wawrinka published?", "date"),
        ("When was CNN's piece on the child predator published?", "date"),
        ("What was HuffPost's headline on the Daily Mail front page?", "title"),
        ("What headline did ABC News run on the Ferguson shooting?", "title"),
        ("which paper ran the three-day Shanghai itinerary?", "source"),
        ("Which outlet had the story about the boy born with four legs?", "source"),
        ("who reported that the woman was found guilty of the Sheffield murder?", "source"),
        ("who is the author of the TASS report on the Kazan fire?", "author"),
    ],
)
def test_questions_about_one_article_of_an_outlet(q: str, field: str) -> None:
    pq = parse_question(q, V)
    assert (pq.kind, pq.meta_field) == ("metadata", field)


@pytest.mark.parametrize(
    "q",
    [
        "When did the protesters publish their demands?",  # not an outlet: a fact in the articles
        "When did Tokayev report the results to parliament?",
        "When did CNN publish the most articles?",  # about the collection
        "what was the film's title?",
    ],
)
def test_an_outlet_verb_without_a_known_outlet_is_not_metadata(q: str) -> None:
    assert parse_question(q, V).kind != "metadata"

"""Typed candidate spans and phrases."""

from __future__ import annotations

import pytest

from qa.answer.spans import candidates, focus_noun, head_noun, phrases


def texts(sentence: str, kind: str) -> list[str]:
    return [c.text for c in candidates(sentence, kind)]


S1 = (
    "Bilateral trade turnover reaches new record highs, according to Tokayev, "
    "making US$17 billion in 11 months of 2021."
)
S2 = "Chinese President Xi Jinping chaired the virtual summit in Beijing on Tuesday, 25 January 2022, with 5 leaders."


def test_money_and_numbers() -> None:
    assert texts(S1, "MONEY") == ["US$17 billion"]
    assert "11 months" in texts(S1, "NUMBER")
    assert texts("Around 10,000 homes lost power.", "NUMBER") == ["Around 10,000 homes"]
    assert texts("Exports rose 12 percent in February.", "PERCENT") == ["12 percent"]
    assert texts("The line cost 240 million US dollars.", "MONEY") == ["240 million US dollars"]


def test_dates() -> None:
    assert texts(S2, "DATE") == ["Tuesday, 25 January 2022"]
    assert texts("Construction will begin in June.", "DATE") == ["June"]
    assert texts(S1, "DATE") == ["2021"]
    assert "25 January" not in " ".join(texts(S2, "NUMBER"))  # a day of a date is not a count


def test_people_skip_titles_and_first_words() -> None:
    assert texts(S2, "PERSON")[0] == "Xi Jinping"
    assert "Bilateral" not in texts(S1, "PERSON")


def test_phrases_and_focus() -> None:
    s = "Ribonucleases and the RNA interference pathway are conserved across all eukaryotes."
    assert "RNA interference pathway" in [p.text for p in phrases(s)]
    assert focus_noun("What pathway is present in all eukaryotes?") == ("pathway",)
    assert focus_noun("What did Tokayev say?") == ()


@pytest.mark.parametrize(("question", "head"), [
    ("Who is the lawyer representing the critic?", ("lawyer",)),
    ("Which archbishop said the church was ashamed?", ("archbishop",)),
    ("In which square was the sculpture put up?", ("square",)),
    ("Who scored the sixth goal?", ()),
    ("How many students died at the scene?", ("students",)),
    ("When did the attack happen?", ()),
])
def test_head_noun(question: str, head: tuple[str, ...]) -> None:
    assert head_noun(question) == head


def test_a_name_after_a_locative_preposition_is_not_a_person() -> None:
    sentence = "In front of 100,000 fans at the Nou Camp, Sergi Roberto scored in the last minute."
    assert [c.text for c in candidates(sentence, "PERSON")] == ["Sergi Roberto"]
    assert "Nou Camp" in [c.text for c in candidates(sentence, "PLACE")]


def test_tallies_and_number_words_inside_other_words() -> None:
    s = "The Senate confirmed billionaire investor Wilbur Ross by 72 votes to 27."
    assert texts(s, "NUMBER") == ["72 votes to 27"]  # "billion" inside "billionaire" is no number
    assert texts("Barcelona won 6-1 against PSG.", "NUMBER") == ["6-1"]


def test_a_nationality_adjective_is_not_a_place() -> None:
    s = "He has been in prison since his arrest in the Sudanese capital Khartoum in 1994."
    assert texts(s, "PLACE") == ["Khartoum"]


def test_centuries_and_clock_times_are_dates() -> None:
    assert texts("In the late 19th century, MSPs voted at 5 pm.", "DATE") == ["late 19th century", "5 pm"]


def test_labels_month_abbreviations_and_country_codes_are_not_organisations() -> None:
    s = "New York-based Human Rights Watch said on Feb 2 that the US ride-hailing company Uber agreed."
    assert texts(s, "ORG") == ["Human Rights Watch", "Uber"]


def test_hyphenated_units_ranges_and_more_currencies() -> None:
    assert texts("The 12-meter tall sculpture was made by a 48-year-old artist in 13 days.", "NUMBER") == [
        "12-meter", "48-year-old", "13 days"]
    assert texts("He served as mayor from 2009 to 2011.", "DATE") == ["2009 to 2011"]
    assert texts("Customers may withdraw 30,000 hryvnia a day.", "MONEY") == ["30,000 hryvnia"]


def test_a_unit_written_onto_its_number_stays_with_it() -> None:
    assert texts("Al-Bab, just 25km south of the border, fell.", "NUMBER") == ["25km"]
    assert texts("The 770ft (230m) tall dam", "NUMBER") == ["770ft", "230m"]
    assert texts("In 2017, 25 people died and winds hit 150mph", "NUMBER") == ["25 people", "150mph"]


def test_dotted_abbreviations_are_one_name() -> None:
    assert texts("She was cleared to come to the U.S. in February.", "PLACE") == ["U.S."]


def test_country_names() -> None:
    from qa.lang.places import is_country

    assert is_country("Zambia") and is_country("the United States") and is_country("Britain's")
    assert not is_country("Fall") and not is_country("Americas")


def test_plural_acronyms_are_not_names() -> None:
    assert texts("While being approved by MPs she said her brother had a role at Barclays.", "ORG") == ["Barclays"]


def test_nationalities_describe_they_do_not_name() -> None:
    from qa.lang.places import is_nationality

    assert is_nationality("French") and is_nationality("North Korean") and is_nationality("Zambian")
    assert not is_nationality("Brian") and not is_nationality("Christian")
    text = "The British historian J. F. D. Shrewsbury challenged it; multiple South Korean officials agreed."
    assert texts(text, "PERSON") == ["J. F. D. Shrewsbury"]
    assert texts("Later the French side lost to Barcelona.", "ORG") == ["Barcelona"]

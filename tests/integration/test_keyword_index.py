"""The keyword index lives in the catalog (SQLite FTS5), written with the chunk rows: every
process that opens the index searches it as it is now, with nothing to build or refresh, and it
stays equal to the chunk rows through re-ingests, pruning, older catalogs and repairs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qa import ArticleQA, Settings
from qa.question.types import Filters
from qa.store import doctor, keywords
from qa.store.queries import ArticleFilter
from tests.conftest import CORPUS


def story(folder: Path, name: str, title: str, body: str, source: str = "", date: str = "") -> Path:
    path = folder / f"{name}.jsonl"
    record = {"id": name, "title": title, "body": body, "source": source, "date": date}
    path.write_text(json.dumps({k: v for k, v in record.items() if v}) + "\n", encoding="utf-8")
    return path


def found(bot: ArticleQA, query: str, filters: Filters | None = None) -> list[str]:
    """Titles of the articles a keyword-only search finds."""
    return [h.chunk.title for h in bot.engine.retriever.search(query, filters, k=5, mode="bm25")]


def bot_at(home: Path) -> ArticleQA:
    return ArticleQA(settings=Settings.from_env(env={}, home=home, embedder="hash"))


def test_a_second_worker_finds_new_articles_without_a_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    writer, reader = bot_at(home), bot_at(home)  # two processes' worth of state on one index
    try:
        writer.ingest([CORPUS])
        before = found(reader, "Lavrov Tillerson Bonn")
        assert before and before == found(writer, "Lavrov Tillerson Bonn")
        story(tmp_path, "quokka", "Quokka census on Rottnest", "Rangers counted 12,000 quokkas on Rottnest Island.")
        writer.ingest([tmp_path / "quokka.jsonl"])
        assert found(reader, "how many quokkas live on Rottnest") == ["Quokka census on Rottnest"]
        vector = reader.index.embedder.embed(["quokkas on Rottnest"])[0]
        a = reader.engine.retriever.search("quokkas on Rottnest", k=4, vector=vector)
        b = writer.engine.retriever.search("quokkas on Rottnest", k=4, vector=vector)
        assert [(h.chunk.id, h.score) for h in a] == [(h.chunk.id, h.score) for h in b]
    finally:
        writer.close()
        reader.close()


def test_reingest_and_prune_keep_the_terms_in_step(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    bot = bot_at(tmp_path / "home")
    try:
        path = story(docs, "zoo", "Zoo news", "The zoo bought a quokka from Perth.")
        bot.ingest([docs])
        assert found(bot, "quokka") == ["Zoo news"]
        story(docs, "zoo", "Zoo news", "The zoo bought a wombat from Perth.")
        bot.ingest([docs])
        assert found(bot, "quokka") == []
        assert found(bot, "wombat") == ["Zoo news"]
        path.unlink()
        story(docs, "other", "Other news", "Parliament met on Tuesday.")
        bot.ingest([docs], prune=True)
        assert found(bot, "wombat") == []
        assert keywords.check(bot.index.catalog) == []
    finally:
        bot.close()


def test_filters_apply_inside_the_keyword_search(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    story(docs, "a", "Quokka story from Alpha", "A quokka was seen.", source="Alpha", date="2017-03-01")
    story(docs, "b", "Quokka story from Beta", "A quokka was seen again.", source="Beta", date="2017-04-01")
    bot = bot_at(tmp_path / "home")
    try:
        bot.ingest([docs])
        assert sorted(found(bot, "quokka")) == ["Quokka story from Alpha", "Quokka story from Beta"]
        assert found(bot, "quokka", Filters(sources=("Beta",))) == ["Quokka story from Beta"]
        import datetime as dt

        march = Filters(date_from=dt.date(2017, 3, 1), date_to=dt.date(2017, 3, 31))
        assert found(bot, "quokka", march) == ["Quokka story from Alpha"]
        assert keywords.search(bot.index.catalog, ["quokka"], ArticleFilter(sources=("Gamma",)), 5) == []
    finally:
        bot.close()


def test_an_older_catalog_gets_its_keyword_index_when_opened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    home = tmp_path / "home"
    bot = bot_at(home)
    bot.ingest([CORPUS])
    want = found(bot, "Lavrov Tillerson Bonn")
    bot.close()
    db = sqlite3.connect(home / "catalog.sqlite3")  # as a catalog from before the keyword index
    db.executescript("DROP TABLE chunk_vocab; DROP TABLE chunk_fts; DROP TABLE chunk_terms;")
    db.close()
    with caplog.at_level("WARNING"):
        bot = bot_at(home)
    try:
        assert "building the keyword index" in caplog.text
        assert found(bot, "Lavrov Tillerson Bonn") == want
        assert keywords.check(bot.index.catalog) == []
    finally:
        bot.close()


def test_the_doctor_finds_and_rebuilds_a_damaged_keyword_index(tmp_path: Path) -> None:
    bot = bot_at(tmp_path / "home")
    bot.ingest([CORPUS])
    want = found(bot, "Lavrov Tillerson Bonn")
    cat = bot.index.catalog
    cat.execute("DELETE FROM chunk_terms WHERE rowid IN (SELECT rowid FROM chunk_terms LIMIT 3)")
    cat.execute("UPDATE chunk_fts_data SET block = zeroblob(length(block)) WHERE id > 10")  # damaged pages
    try:
        problems = doctor.check(bot.index)
        assert "3 chunk(s) missing from the keyword index" in problems
        assert any("keyword index is damaged" in p for p in problems)
        doctor.check(bot.index, repair=True)
        assert doctor.check(bot.index) == []
        assert found(bot, "Lavrov Tillerson Bonn") == want
    finally:
        bot.close()


def test_terms_are_quoted_so_question_words_are_never_query_syntax() -> None:
    assert keywords.match_expression(["near", 'say"s', "and-or", ""]) == '"near" OR "say""s" OR "and-or"'

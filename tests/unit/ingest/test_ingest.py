"""Ingest pipeline: idempotence, updates, pruning, bad input, crash-and-resume consistency."""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from ingest import pipeline
from ingest.chunker import chunk_article
from ingest.parsers import parse_file
from qa import ArticleQA
from qa.embed.base import MODEL_MAX_TOKENS, token_counter
from qa.store.doctor import check
from qa.types import Article
from tests.conftest import CORPUS


def consistent(bot: ArticleQA) -> None:
    assert check(bot.index) == []
    assert bot.index.store.count() == bot.stats()["chunks"]


def test_folder_ingest_reports_every_file(fake_bot: ArticleQA, corpus_dir: Path) -> None:
    rep = fake_bot.ingest([corpus_dir])
    assert len(rep.added) == 9  # house 1, csv 4, jsonl 2, md 1, plain 1
    skipped = dict(rep.skipped)
    for name in ("broken.txt", "latin1.md", "empty.jsonl", "readme.pdf"):
        assert any(k.endswith(name) for k in skipped), name
    assert any(k.endswith("export.csv:row 6") for k in skipped)
    assert rep.ok
    st = fake_bot.stats()
    assert st["articles"] == 9 and st["skipped"] == len(rep.skipped)
    assert st["sources"]["TASS"] == 2
    consistent(fake_bot)


def test_reingest_adds_nothing(fake_bot: ArticleQA, corpus_dir: Path) -> None:
    first = fake_bot.ingest([corpus_dir])
    chunks = fake_bot.stats()["chunks"]
    again = fake_bot.ingest([corpus_dir])
    assert again.added == [] and again.updated == []
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.chunks_added == 0
    assert fake_bot.stats()["chunks"] == chunks
    consistent(fake_bot)


def test_changed_article_replaces_its_chunks(fake_bot: ArticleQA, corpus_dir: Path) -> None:
    fake_bot.ingest([corpus_dir])
    md = corpus_dir / "notes.md"
    md.write_text(md.read_text().replace("4.5 million euros", "5.1 million euros"))
    rep = fake_bot.ingest([corpus_dir])
    assert len(rep.updated) == 1 and not rep.added
    art = fake_bot.index.catalog.article(rep.updated[0])
    assert art is not None and "5.1 million euros" in art.text
    texts = [r["text"] for r in fake_bot.index.catalog.iter_chunks()]
    assert not any("4.5 million euros" in t for t in texts)
    consistent(fake_bot)


def test_prune_removes_articles_whose_files_are_gone(fake_bot: ArticleQA, corpus_dir: Path) -> None:
    fake_bot.ingest([corpus_dir])
    (corpus_dir / "feed.jsonl").unlink()
    rep = fake_bot.ingest([corpus_dir], prune=True)
    assert len(rep.pruned) == 2
    assert fake_bot.stats()["articles"] == 7
    consistent(fake_bot)


def test_duplicate_bodies_are_merged(fake_bot: ArticleQA, tmp_path: Path) -> None:
    src = CORPUS / "export.csv"
    f1 = tmp_path / "a.csv"
    shutil.copy(src, f1)
    f2 = tmp_path / "b.csv"  # same articles under other URLs: same text, so duplicates
    f2.write_text(src.read_text().replace("http://tass.com", "http://mirror.example.org"))
    rep = fake_bot.ingest([f1, f2])
    assert len(rep.added) == 4
    assert len(rep.duplicates) == 4
    assert fake_bot.stats()["duplicates"] == 4


def test_killed_ingest_is_repaired_on_the_next_run(
    fake_bot: ArticleQA, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_upsert = fake_bot.index.store.upsert

    def dying_upsert(chunks, vectors):  # type: ignore[no-untyped-def]
        real_upsert(chunks[: len(chunks) // 2], vectors[: len(chunks) // 2])
        calls["n"] += 1
        raise KeyboardInterrupt  # as if killed mid-write

    monkeypatch.setattr(pipeline, "GROUP_CHUNKS", 4)
    monkeypatch.setattr(fake_bot.index.store, "upsert", dying_upsert)
    with pytest.raises(KeyboardInterrupt):
        fake_bot.ingest([corpus_dir])
    assert fake_bot.index.catalog.pending_ids()
    assert check(fake_bot.index) != []
    monkeypatch.setattr(fake_bot.index.store, "upsert", real_upsert)
    rep = fake_bot.ingest([corpus_dir])
    assert rep.repaired
    assert fake_bot.stats()["articles"] == 9
    consistent(fake_bot)
    again = fake_bot.ingest([corpus_dir])
    assert not again.added and not again.updated


def test_nothing_ingestible_is_not_ok(fake_bot: ArticleQA) -> None:
    rep = fake_bot.ingest([CORPUS / "broken.txt", CORPUS / "missing.csv"])
    assert not rep.ok
    assert {Path(w).name for w, _ in rep.skipped} == {"broken.txt", "missing.csv"}


def test_chunks_fit_the_model_and_are_verbatim(shared_sample: Path) -> None:
    (art,) = [a for a in parse_file(shared_sample) if isinstance(a, Article)]
    count = token_counter().count_many
    chunks = chunk_article(art, count, target_tokens=200)
    assert len(chunks) >= 3
    for c in chunks:
        assert art.text[c.start : c.end] == c.text
        assert count([c.embed_text])[0] + 2 <= MODEL_MAX_TOKENS
    # the whole body is covered, in order
    assert chunks[0].start == 0 and chunks[-1].end == len(art.text)
    assert all(a.end <= b.start for a, b in pairwise(chunks))


def test_long_sentence_is_split_under_the_limit() -> None:
    body = " ".join(["word"] * 900) + "."
    art = Article(id="x", title="T", paragraphs=(body,))
    count = token_counter().count_many
    chunks = chunk_article(art, count, target_tokens=200)
    assert len(chunks) > 3
    assert all(count([c.embed_text])[0] + 2 <= MODEL_MAX_TOKENS for c in chunks)
    assert all(art.text[c.start : c.end] == c.text for c in chunks)


def test_restored_apostrophes_are_reported_and_kept_in_the_catalog(fake_bot: ArticleQA, tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"title": "A", "body": "We don\\"t know. It\\"s late.", "url": "https://x.org/1"}\n'
                    '{"title": "B", "body": "Nothing to do here.", "url": "https://x.org/2"}\n')
    rep = fake_bot.ingest([path])
    assert rep.repaired_quotes == 2 and "2 apostrophes restored" in rep.summary()
    stored = fake_bot.index.catalog.article(rep.added[0])
    assert stored is not None and stored.text == "We don't know. It's late."
    assert stored.extra["repaired_quotes"] == "2"
    assert fake_bot.ingest([path]).repaired_quotes == 0  # unchanged on a re-ingest: nothing redone

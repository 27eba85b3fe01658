"""eval/suites.py: gold loaders and corpus builders (gold ids must be the index's ids)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import metrics as M
from eval import suites as S
from tests.conftest import CORPUS, SHARED, requires_shared

SHARED_DATA = SHARED / "data"
needs_shared = requires_shared(SHARED_DATA / "squad2")


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _words(text: str) -> str:
    """Whitespace folded and zero-width marks dropped, as the parser does."""
    return " ".join(text.replace("\ufeff", "").replace("\u200b", "").split())


def test_read_gold_jsonl_defaults_and_shapes(tmp_path: Path) -> None:
    gold = _write(tmp_path / "g.jsonl", [
        {"question": "Who signed the deal?", "answers": "Alexei Miller", "article_ids": "a1"},
        {"id": "q2", "question": "What colour is the sky on Mars?", "answers": [],
         "type": "trap"},
        {"question": "How many TASS articles?", "answers": ["3"], "type": "count",
         "gold": {"count": 3}},
    ])
    items = S.read_gold_jsonl(gold)
    assert [i.id for i in items] == ["g:1", "q2", "g:3"]
    assert items[0].answers == ("Alexei Miller",) and items[0].article_ids == ("a1",)
    assert items[0].answerable and items[0].type == "default"
    assert not items[1].answerable and items[1].type == "trap"  # no answers, no articles
    assert items[2].extra == {"gold": {"count": 3}}


def test_read_gold_jsonl_reports_the_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok?", "answers": ["x"]}\n{"answers": ["no question"]}\n')
    with pytest.raises(S.SuiteError, match=r"bad\.jsonl:2"):
        S.read_gold_jsonl(bad)


def test_select_is_seeded_and_keeps_order() -> None:
    items = [S.GoldItem(id=str(n), question=f"q{n}") for n in range(50)]
    a = S.select(items, 10, seed=1)
    assert len(a) == 10
    assert [int(i.id) for i in a] == sorted(int(i.id) for i in a)
    assert a == S.select(items, 10, seed=1)
    assert a != S.select(items, 10, seed=2)
    assert S.select(items, None) == items and S.select(items, 500) == items


@needs_shared
def test_squad2_gold_articles_are_the_question_passages(tmp_path: Path) -> None:
    suite = S.load_squad2(SHARED_DATA, tmp_path)
    assert len(suite.items) == 500
    articles = {a.id: a for a in S.parse_articles(suite.corpus_files)}
    queries = json.loads((SHARED_DATA / "squad2" / "queries.json").read_text())["queries"]
    assert len(articles) == len({q["context"] for q in queries})
    context = {q["id"]: q["context"] for q in queries}
    for item in suite.items:
        (gold,) = item.article_ids
        assert _words(articles[gold].text) == _words(context[item.id])  # parser folds spaces
        if item.answerable:
            assert M.contains_gold(articles[gold].text, item.answers)
        else:
            assert item.answers == () and item.type == "no_answer"
    assert {i.type for i in suite.items} == {"has_answer", "no_answer"}


@needs_shared
def test_squad2_question_slice_keeps_the_same_ids(tmp_path: Path) -> None:
    full = S.load_squad2(SHARED_DATA, tmp_path)
    small = S.load_squad2(SHARED_DATA, tmp_path, limit=12, corpus="questions", seed=3)
    assert len(small.items) == 12
    small_ids = {a.id for a in S.parse_articles(small.corpus_files)}
    assert small_ids == {i.article_ids[0] for i in small.items}
    full_gold = {i.id: i.article_ids for i in full.items}
    assert all(full_gold[i.id] == i.article_ids for i in small.items)
    assert small.corpus_key != full.corpus_key
    with pytest.raises(S.SuiteError):
        S.load_squad2(SHARED_DATA, tmp_path, corpus="everything")


@needs_shared
def test_multihop_corpus_holds_every_evidence_fact(tmp_path: Path) -> None:
    suite = S.load_multihop(SHARED_DATA, tmp_path)
    assert len(suite.items) == 500
    articles = {a.id: a for a in S.parse_articles(suite.corpus_files)}
    truth = json.loads((SHARED_DATA / "multihop_rag" / "ground_truth.json").read_text())
    types = {i.type for i in suite.items}
    assert types == {"inference_query", "comparison_query", "temporal_query", "null_query"}
    for item in suite.items:
        assert item.answerable == (item.type != "null_query")
        evidence = truth[item.id]["evidence_list"]
        assert len(item.article_ids) == len({e["url"] for e in evidence})
        for ev in evidence:
            art = next(articles[a] for a in item.article_ids if articles[a].url == ev["url"])
            assert _words(ev["fact"]) in _words(art.text)
            assert _words(art.title) == _words(ev["title"]) and art.source == ev["source"]
    sample = next(iter(articles.values()))
    assert sample.published is not None and sample.sections


def test_news_suite_and_news100_filter(tmp_path: Path) -> None:
    csv = CORPUS / "export.csv"
    ids = [a.id for a in S.parse_articles([csv])]
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    _write(gold_dir / "news_gold.jsonl", [
        {"id": "in", "question": "Who signed?", "answers": ["Miller"], "article_ids": [ids[0]],
         "type": "passage", "answerable": True},
        {"id": "out", "question": "Elsewhere?", "answers": ["x"], "article_ids": ["a-missing"],
         "type": "passage", "answerable": True},
        {"id": "trap", "question": "Mars?", "answers": [], "article_ids": [],
         "type": "unanswerable", "answerable": False},
    ])
    _write(gold_dir / "news_collection_gold.jsonl", [
        {"id": "c1", "question": "How many TASS articles?", "answers": ["2"], "type": "count",
         "gold": {"count": 2}},
    ])
    full = S.load_news(csv, corpus="news", gold_dir=gold_dir, shared_articles=tmp_path / "none")
    assert [i.id for i in full.items] == ["in", "out", "trap", "c1"]
    assert full.corpus_files == (csv,)
    small = S.load_news(csv, corpus="news100", gold_dir=gold_dir)
    assert [i.id for i in small.items] == ["in", "trap"]
    assert small.name == "news-news100"


def test_custom_suite_needs_existing_article_paths(tmp_path: Path) -> None:
    gold = _write(tmp_path / "mine.jsonl", [{"question": "q?", "answers": ["a"]}])
    suite = S.load_custom(gold, articles=[CORPUS])
    assert suite.name == "mine" and len(suite.items) == 1
    assert CORPUS / "export.csv" in suite.corpus_files
    assert all(f.suffix != ".pdf" for f in suite.corpus_files)
    with pytest.raises(S.SuiteError, match="no such file"):
        S.load_custom(gold, articles=[tmp_path / "nope"])


def test_split_half_is_disjoint_balanced_per_type_and_fixed() -> None:
    from eval.suites import GoldItem, split_half

    items = [GoldItem(id=f"{t}{i}", question="q", type=t) for t in ("a", "b") for i in range(7 if t == "a" else 4)]
    dev, test = split_half(items, "dev"), split_half(items, "test")
    assert {i.id for i in dev}.isdisjoint({i.id for i in test}) and len(dev) + len(test) == len(items)
    assert [sum(i.type == t for i in test) for t in ("a", "b")] == [4, 2]  # half each; test gets the odd one
    assert split_half(items, "test") == test and split_half(list(reversed(items)), "test") == test[::-1]
    with pytest.raises(S.SuiteError):
        split_half(items, "train")


def test_compositional_suites_are_the_two_halves_of_one_file(tmp_path: Path) -> None:
    from eval.suites import DATA_DIR, read_gold_jsonl

    items = read_gold_jsonl(DATA_DIR / "compositional.jsonl")
    halves = {s: [i for i in items if i.extra.get("split") == s] for s in ("dev", "test")}
    assert len(halves["dev"]) + len(halves["test"]) == len(items) >= 200
    for kind in {i.type for i in items}:
        assert sum(i.type == kind for i in halves["dev"]) == sum(i.type == kind for i in halves["test"]) >= 15

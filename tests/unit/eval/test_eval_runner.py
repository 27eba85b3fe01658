"""eval runner + CLI end to end on the fixture corpus (fake embedder); the LangChain baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import run_suite, suites
from eval.cli import main
from tests.conftest import CORPUS

QUESTIONS = [
    ("Who signed the Gazprom gas deal in Beijing?", ["Alexei Miller"],
     "Russia raises gas exports to China"),
    ("Who did Lavrov meet in Bonn?", ["Rex Tillerson"], "Lavrov meets Tillerson in Bonn"),
    ("How much will the new library on Market Street cost?", ["4.5 million euros"],
     "Local council approves new library"),
]


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    ids = {a.title: a.id for a in suites.parse_articles(suites.discover([CORPUS])[0])}
    records = [{"id": f"q{n}", "question": q, "answers": a, "article_ids": [ids[t]],
                "type": "passage"} for n, (q, a, t) in enumerate(QUESTIONS)]
    records.append({"id": "mars", "question": "What is the population of the Martian colony "
                    "on Olympus Mons?", "answers": [], "answerable": False,
                    "type": "unanswerable"})
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_run_suite_scores_every_question(gold: Path, tmp_path: Path) -> None:
    res = run_suite(gold, articles=(CORPUS,), embedder="hash", systems=("system", "dense"),
                    cache_dir=tmp_path / "cache", progress=False)
    assert res.systems == ["system", "dense"]
    assert len(res.rows) == 8 and not any(r.error for r in res.rows)
    corpus_ids = {a.id for a in suites.parse_articles(suites.discover([CORPUS])[0])}
    for row in res.rows:
        assert set(row.retrieved) <= corpus_ids
        if row.citations:
            # the engine's citations are verbatim slices of the cited articles
            assert row.metrics["cite_validity"] == 1.0
        if row.answerable:
            assert row.metrics["recall@10"] is not None and row.metrics["f1"] is not None
        else:
            assert row.metrics["correct"] == float(row.refused)
    assert res.corpus["added"] > 0 and res.corpus["articles"] == len(corpus_ids)
    # the second run reuses the cached index: same home, nothing embedded again
    again = run_suite(gold, articles=(CORPUS,), embedder="hash", systems=("system",),
                      cache_dir=tmp_path / "cache", progress=False)
    assert again.corpus["home"] == res.corpus["home"] and again.corpus["added"] == 0
    assert [r.prediction for r in again.rows] == [r.prediction for r in res.rows_for("system")]


def test_cli_report_and_compare(
    gold: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--suite", str(gold), "--articles", str(CORPUS), "--embedder", "hash",
              "--systems", "system,bm25", "--cache", str(tmp_path / "cache"), "-q", "--no-plots"]
    assert main([*common, "--out", str(tmp_path / "a")]) == 0
    assert main([*common, "--out", str(tmp_path / "b")]) == 0
    report = (tmp_path / "a" / "report.md").read_text()
    assert "# Evaluation: mine" in report and "| metric | system | bm25 |" in report
    data = json.loads((tmp_path / "a" / "results.json").read_text())
    assert {q["system"] for q in data["questions"]} == {"system", "bm25"}
    capsys.readouterr()
    assert main(["--compare", str(tmp_path / "a" / "results.json"),
                 str(tmp_path / "b" / "results.json")]) == 0
    assert "No question changed." in capsys.readouterr().out  # the engine is deterministic


def test_cli_errors_exit_2(gold: Path, tmp_path: Path) -> None:
    assert main(["--suite", "nosuch"]) == 2
    assert main(["--suite", str(gold), "--embedder", "hash"]) == 2  # no --home / --articles
    assert main(["--suite", str(gold), "--articles", str(CORPUS), "--systems", "gpt9"]) == 2
    assert main([]) == 2
    assert main(["--compare", str(tmp_path / "x.json"), str(tmp_path / "y.json")]) == 2


def test_langchain_baseline_retrieves_and_never_refuses(tmp_path: Path) -> None:
    from eval.baselines import LangChainBaseline

    articles = suites.parse_articles(suites.discover([CORPUS])[0])
    base = LangChainBaseline(articles, tmp_path / "lc", k=3)
    ans = base.ask("Who signed the Gazprom gas deal in Beijing?")
    gazprom = next(a.id for a in articles if a.title == "Russia raises gas exports to China")
    assert ans.passages[0].chunk.article_id == gazprom
    assert "Alexei Miller" in ans.text and not ans.refused and not ans.citations
    assert len(ans.passages) == 3 and ans.timings["total"] > 0
    # the marker that lets a later run reuse the collection instead of re-embedding it
    assert (tmp_path / "lc" / "READY").read_text() == str(base.chunks)
    assert base.chunks >= len(articles)


def test_reader_variants_run_side_by_side(gold: Path, tmp_path: Path) -> None:
    # "sentence" = the reader's sentence without a short span; same retrieval as "system"
    res = run_suite(gold, articles=(CORPUS,), embedder="hash", systems=("system", "sentence"),
                    cache_dir=tmp_path / "cache", progress=False)
    by = {(r.system, r.id): r for r in res.rows}
    for qid in ("q0", "q1", "q2"):
        span, sent = by[("system", qid)], by[("sentence", qid)]
        assert span.retrieved == sent.retrieved
        if not span.refused and not sent.refused:
            assert len(sent.prediction) > len(span.prediction)  # a whole sentence, not a span
    assert (res.summary("sentence")["em"] or 0) <= (res.summary("system")["em"] or 0)
    with pytest.raises(Exception, match="unknown systems"):
        run_suite(gold, articles=(CORPUS,), embedder="hash", systems=("nope",),
                  cache_dir=tmp_path / "cache", progress=False)

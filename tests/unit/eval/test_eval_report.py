"""eval scoring, results round trip, the Markdown report, plots and --compare (no engine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.compare import compare, render_comparison
from eval.report import render_markdown, write_report
from eval.results import SuiteResult
from eval.scoring import error_row, score_answer
from eval.suites import GoldItem
from qa.types import Answer, Chunk, Citation, ScoredChunk

BODY = ("Gazprom increased gas exports to China by 12 percent in February. "
        "The deal was signed in Beijing by chief executive Alexei Miller.")
OTHER = "Storm Barbara brought winds of 90 mph to northern Scotland."
TEXTS = {"a1": BODY, "a2": OTHER}


def _chunk(aid: str, text: str, start: int = 0) -> Chunk:
    return Chunk(id=f"{aid}-c{start}", article_id=aid, position=0, text=text, start=start,
                 end=start + len(text))


def _cite(aid: str, quote: str, start: int | None = None) -> Citation:
    s = TEXTS[aid].find(quote) if start is None else start
    return Citation(article_id=aid, title="t", source="TASS", published=None, url="",
                    chunk_id=f"{aid}-c0", quote=quote, start=s, end=s + len(quote))


def _answer(text: str, short: str = "", refused: bool = False,
            ranking: tuple[str, ...] = ("a2", "a1"), cites: tuple[Citation, ...] = (),
            total: float = 0.2) -> Answer:
    passages = tuple(ScoredChunk(_chunk(a, TEXTS[a]), score=1.0 - n / 10)
                     for n, a in enumerate(ranking))
    return Answer(question="q", text=text, short_answer=short, refused=refused,
                  passages=passages, citations=cites, timings={"total": total})


WHO = GoldItem(id="who", question="Who signed the deal?", answers=("Alexei Miller",),
               article_ids=("a1",), type="passage")
TRAP = GoldItem(id="trap", question="What did Gazprom say about Mars?", answerable=False,
                type="unanswerable")


def test_score_answer_hand_checked() -> None:
    signed = _cite("a1", "The deal was signed in Beijing by chief executive Alexei Miller.")
    exports = _cite("a1", "Gazprom increased gas exports to China by 12 percent in February.")
    shifted = _cite("a1", "Gazprom increased", start=3)  # offsets do not match the quote
    ans = _answer("Alexei Miller signed it [1].", short="Alexei Miller",
                  cites=(signed, exports, shifted))
    row = score_answer(WHO, ans, "system", wall_seconds=9.0, article_text=TEXTS.get)
    m = row.metrics
    assert row.retrieved == ("a2", "a1")
    assert m["recall@1"] == 0.0 and m["recall@3"] == 1.0 and m["mrr"] == 0.5
    assert m["em"] == 1.0 and m["f1"] == 1.0 and m["contains"] == 1.0 and m["correct"] == 1.0
    # every citation's chunk is the gold article's body, which names Miller
    assert m["cite_precision"] == 1.0
    assert m["cite_validity"] == pytest.approx(2 / 3, abs=1e-4)  # rows keep 4 decimals
    assert row.latency == 0.2  # Answer.timings["total"], not the wall time


def test_correct_is_judged_on_the_answer_not_on_its_quote() -> None:
    # the quoted sentence names Miller, but the answer given is Beijing: wrong
    quoted = _answer("Beijing [1]. From 't': 'The deal was signed in Beijing by chief executive Alexei Miller.'",
                     short="Beijing")
    row = score_answer(WHO, quoted, "system", 0.1)
    assert row.metrics["contains"] == 1.0 and row.metrics["correct"] == 0.0
    # a figure given without the unit the gold states is the figure asked for
    acres = GoldItem(id="acres", question="How many acres burned?", answers=("62 acres",), type="passage")
    assert score_answer(acres, _answer("62 [1].", short="62"), "system", 0.1).metrics["correct"] == 1.0
    assert score_answer(acres, _answer("6 [1]. From: '62 acres'", short="6"), "system", 0.1).metrics["correct"] == 0.0
    # an answer without a short answer (a plan's yes/no) is judged on its text
    yes = GoldItem(id="yes", question="Did Miller sign?", answers=("Yes",), type="claim")
    assert score_answer(yes, _answer("Yes. BBC says so [1]."), "system", 0.1).metrics["correct"] == 1.0


def test_refusals_and_errors_are_scored() -> None:
    refused = _answer("The articles do not say. Related: Alexei Miller signed.", refused=True)
    row = score_answer(WHO, refused, "system", 0.1)
    assert row.prediction == "" and row.metrics["f1"] == 0.0
    assert row.metrics["contains"] == 0.0 and row.metrics["correct"] == 0.0  # no credit
    right = score_answer(TRAP, _answer("No.", refused=True), "system", 0.1)
    assert right.metrics["correct"] == 1.0 and right.metrics["em"] is None
    assert right.metrics["recall@5"] is None  # no gold article
    wrong = score_answer(TRAP, _answer("Gazprom increased exports."), "system", 0.1)
    assert wrong.metrics["correct"] == 0.0
    err = error_row(WHO, "system", RuntimeError("boom"), 0.3)
    assert err.error == "RuntimeError: boom" and err.metrics["correct"] == 0.0
    assert err.metrics["recall@5"] == 0.0


def _result(answers: dict[str, dict[str, Answer]]) -> SuiteResult:
    rows = [score_answer(item, answers[sys_][item.id], sys_, 0.1, TEXTS.get)
            for sys_ in answers for item in (WHO, TRAP)]
    return SuiteResult(suite="toy", description="two questions", systems=list(answers),
                       rows=rows, config={"settings": {"top_k": 6}},
                       corpus={"articles": 2, "chunks": 2}, seconds={"total": 1.0},
                       created="2026-01-01T00:00:00")


RUN_A = {
    "system": {"who": _answer("Gazprom increased exports.", ranking=("a1",)),
               "trap": _answer("The articles do not say.", refused=True)},
    "bm25": {"who": _answer("Alexei Miller.", short="Alexei Miller"),
             "trap": _answer("Storm.", ranking=("a2",))},
}
RUN_B = {
    "system": {"who": _answer("Alexei Miller signed.", short="Alexei Miller", ranking=("a1",)),
               "trap": _answer("Gazprom said nothing of Mars.")},
    "bm25": RUN_A["bm25"],
}


def test_summary_and_json_round_trip(tmp_path: Path) -> None:
    res = _result(RUN_A)
    s = res.summary("system")
    assert s["n"] == 2 and s["correct"] == 0.5 and s["recall@1"] == 1.0
    assert s["refusal_precision"] == 1.0 and s["refusal_recall"] == 1.0
    assert s["false_refusal"] == 0.0
    assert res.summary("bm25", "passage")["em"] == 1.0
    path = res.save(tmp_path / "results.json")
    data = json.loads(path.read_text())
    assert data["summary"]["system"]["by_type"]["unanswerable"]["correct"] == 1.0
    assert len(data["questions"]) == 4
    back = SuiteResult.load(path)
    assert [(r.system, r.id, r.text, r.prediction, r.refused) for r in back.rows] == [
        (r.system, r.id, r.text, r.prediction, r.refused) for r in res.rows]
    assert back.summary("system") == s  # rows are rounded when scored: reloading is exact


def test_report_has_tables_plots_and_failures(tmp_path: Path) -> None:
    res = _result(RUN_A)
    report = write_report(res, tmp_path / "out")
    text = report.read_text()
    assert "| metric | system | bm25 |" in text
    assert "| correct (answered or rightly refused) | 50.0 | 50.0 |" in text
    assert "### unanswerable" in text and "### passage" in text
    assert "Who signed the deal?" in text  # system's wrong answer is listed
    for png in ("per_type.png", "recall_at_k.png", "latency.png"):
        assert (tmp_path / "out" / png).read_bytes()[:4] == b"\x89PNG"
        assert f"({png})" in text
    assert (tmp_path / "out" / "results.json").exists()
    assert render_markdown(res).count("## Per question type") == 1


def test_a_test_split_report_lists_no_single_failure() -> None:
    import dataclasses

    res = dataclasses.replace(_result(RUN_A), suite="news-test")
    text = render_markdown(res)
    assert "Who signed the deal?" not in text  # the wrong answer is counted, not shown
    assert "1 of `system`'s answers are wrong" in text and "This is a test split" in text


def test_compare_finds_fixed_and_broken() -> None:
    comp = compare(_result(RUN_A), _result(RUN_B))
    assert [(c.system, c.id) for c in comp.fixed] == [("system", "who")]
    assert [(c.system, c.id) for c in comp.broken] == [("system", "trap")]
    assert comp.fixed[0].deltas["em"] == 1.0
    assert not [c for c in comp.changed if c.system == "bm25"]  # bm25 did not change
    text = render_comparison(comp)
    assert "## system: 1 fixed, 1 broken" in text and "## bm25: 0 fixed, 0 broken" in text
    assert "Alexei Miller" in text
    assert "No question changed." in render_comparison(compare(_result(RUN_A), _result(RUN_A)))


def test_collection_listing_and_range_gold() -> None:
    titles = ["Brexit bill passes", "May triggers Article 50"]
    listing = GoldItem(id="c1", question="List the BBC articles with Brexit in the title.",
                       answers=tuple(titles), type="listing",
                       extra={"gold": {"count": 2, "titles": titles}})
    one = score_answer(listing, _answer("2 articles: 1. Brexit bill passes (BBC)"), "system", 0.1)
    assert one.metrics["contains"] == 0.0 and one.metrics["list_recall"] == 0.5
    both = score_answer(listing, _answer("1. Brexit bill passes 2. May triggers Article 50"),
                        "system", 0.1)
    assert both.metrics["contains"] == 1.0 and both.metrics["list_recall"] == 1.0
    many = [f"Story number {n}" for n in range(12)]
    big = GoldItem(id="c2", question="List them.", answers=tuple(many), type="listing",
                   extra={"gold": {"count": 12, "titles": many}})
    counted = score_answer(big, _answer("12 articles; the first: Story number 0"), "system", 0.1)
    assert counted.metrics["contains"] == 1.0 and counted.metrics["list_recall"] == pytest.approx(1 / 12, abs=1e-4)
    span = GoldItem(id="c3", question="What period?", answers=("2016-04-19", "2017-03-30"),
                    type="range", extra={"gold": {"date_from": "2016-04-19",
                                                  "date_to": "2017-03-30"}})
    half = score_answer(span, _answer("From 19 April 2016."), "system", 0.1)
    full = score_answer(span, _answer("From 19 April 2016 to 30 March 2017."), "system", 0.1)
    assert half.metrics["contains"] == 0.0 and full.metrics["contains"] == 1.0


def test_zero_count_collection_question_accepts_a_refusal() -> None:
    reuters = GoldItem(id="c41", question="How many Reuters articles are there?",
                       answers=("0", "none"), type="impossible",
                       extra={"gold": {"count": 0, "reason": "unknown_source"}})
    declined = _answer("The collection has no articles from Reuters.", refused=True)
    assert score_answer(reuters, declined, "system", 0.1).metrics["correct"] == 1.0
    counted = _answer("There are 0 Reuters articles.")
    assert score_answer(reuters, counted, "system", 0.1).metrics["correct"] == 1.0
    wrong = _answer("There are 12 Reuters articles.")
    assert score_answer(reuters, wrong, "system", 0.1).metrics["correct"] == 0.0
    # neither a required nor a false refusal in the refusal statistics
    res = SuiteResult(suite="t", description="", systems=["system"], rows=[
        score_answer(reuters, declined, "system", 0.1),
        score_answer(WHO, _answer("Alexei Miller."), "system", 0.1)])
    summary = res.summary("system")
    assert summary["refused"] == 0.5 and summary["correct"] == 1.0
    assert summary["false_refusal"] == 0.0 and summary["refusal_precision"] is None

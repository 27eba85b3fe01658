"""eval/metrics.py on toy cases whose values were computed by hand."""

from __future__ import annotations

import math

import pytest

from eval import metrics as M


def test_normalize_answer_follows_squad() -> None:
    assert M.normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert M.normalize_answer("an apple, a pear") == "apple pear"
    # ASCII punctuation disappears (hyphens join, as in the official script); curly quotes
    # are their ASCII twins; other Unicode punctuation separates words
    assert M.normalize_answer("“Bankman-Fried”") == "bankmanfried"
    assert M.normalize_answer("Kazakhstan’s") == M.normalize_answer("Kazakhstan's")
    assert M.normalize_answer("Maidstone—towns…") == "maidstone towns"
    assert M.normalize_answer("") == ""


def test_exact_match_takes_the_best_gold() -> None:
    golds = ["RNA interference pathway", "RNA interference"]
    assert M.exact_match("the RNA interference", golds) == 1.0
    assert M.exact_match("RNA", ["RNA interference"]) == 0.0
    assert M.exact_match("anything", []) is None


def test_token_f1_hand_computed() -> None:
    # pred tokens: rna, interference (2); gold: rna, interference, pathway (3); common 2
    # precision 2/2, recall 2/3 -> F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    assert M.token_f1("RNA interference", ["RNA interference pathway"]) == pytest.approx(0.8)
    # best over golds: "x y" vs ["y z", "x y"] -> 1.0
    assert M.token_f1("x y", ["y z", "x y"]) == pytest.approx(1.0)
    # pred "a b c d" vs gold "c d e": common 2, P=2/4, R=2/3 -> F1 = 2*(1/2)(2/3)/(1/2+2/3) = 4/7
    assert M.token_f1("b c d f", ["c d e"]) == pytest.approx(4 / 7)
    assert M.token_f1("nothing shared", ["other words"]) == 0.0
    # an empty prediction scores 0 against a non-empty gold, 1 against an all-article gold
    assert M.token_f1("", ["Hollywood"]) == 0.0
    assert M.token_f1("", ["the"]) == 1.0
    assert M.token_f1("x", []) is None


def test_token_f1_counts_repeated_tokens_once_each() -> None:
    # pred: paris paris (2), gold: paris (1): common = min(2, 1) = 1, P = 1/2, R = 1 -> 2/3
    assert M.token_f1("Paris Paris", ["Paris"]) == pytest.approx(2 / 3)


def test_contains_gold_on_word_boundaries() -> None:
    text = "The tablet, priced at 329 dollars, goes on sale next week in the United States."
    assert M.contains_gold(text, ["329 dollars"]) is True
    assert M.contains_gold(text, ["United States"]) is True
    assert M.contains_gold(text, ["29 dollars"]) is False  # not a word boundary
    assert M.contains_gold(text, ["Canada", "next week"]) is True
    assert M.contains_gold(text, []) is None
    assert M.contains_gold("in the Netherlands.[citation needed]", ["the Netherlands."]) is True
    assert M.contains_gold("Sam Bankman-Fried said", ["Bankman-Fried"]) is True
    assert M.contains_gold("0.5 percent", ["5 percent"]) is False  # a decimal point is no boundary
    assert M.contains_gold("rose 2.2 percent.", ["2.2 percent"]) is True


def test_contains_gold_yes_no_must_lead() -> None:
    assert M.contains_gold("Yes, both articles say so.", ["yes"]) is True
    assert M.contains_gold("There is no sign of it.", ["No"]) is False
    assert M.contains_gold("We do not know, and yes it is hard", ["yes"]) is False
    assert M.contains_gold("No.", ["no"]) is True


def test_dedupe_keeps_rank_order() -> None:
    assert M.dedupe(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_recall_at_k() -> None:
    ranked = ["x", "g1", "y", "g2"]
    assert M.recall_at_k(ranked, ["g1"], 1) == 0.0
    assert M.recall_at_k(ranked, ["g1"], 2) == 1.0
    assert M.recall_at_k(ranked, ["g1", "g2"], 3) == 0.5
    assert M.recall_at_k(ranked, ["g1", "g2"], 10) == 1.0
    assert M.recall_at_k(ranked, ["g1", "g2", "g3"], 10) == pytest.approx(2 / 3)
    assert M.recall_at_k(ranked, [], 5) is None


def test_reciprocal_rank() -> None:
    assert M.reciprocal_rank(["a", "b", "g"], ["g"]) == pytest.approx(1 / 3)
    assert M.reciprocal_rank(["g2", "g"], ["g", "g2"]) == 1.0
    assert M.reciprocal_rank(["a", "b"], ["g"]) == 0.0
    assert M.reciprocal_rank(["a"], []) is None


def test_ndcg_hand_computed() -> None:
    # one gold at rank 2: DCG = 1/log2(3), IDCG = 1/log2(2) = 1
    assert M.ndcg_at_k(["a", "g"], ["g"]) == pytest.approx(1 / math.log2(3))
    # golds at ranks 1 and 3 of two: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3)
    ideal = 1 + 1 / math.log2(3)
    assert M.ndcg_at_k(["g1", "x", "g2"], ["g1", "g2"]) == pytest.approx(1.5 / ideal)
    assert M.ndcg_at_k(["g"], ["g"]) == 1.0
    # past k it does not count
    assert M.ndcg_at_k(["x"] * 10 + ["g"], ["g"], k=10) == 0.0
    assert M.ndcg_at_k(["x"], []) is None


def test_refusal_scores() -> None:
    refused = [True, True, False, False, True]
    answerable = [False, True, False, True, False]
    # refused & unanswerable: items 0 and 4 -> 2; refused 3; unanswerable 3 (0, 2, 4)
    precision, recall = M.refusal_scores(refused, answerable)
    assert precision == pytest.approx(2 / 3)
    assert recall == pytest.approx(2 / 3)
    assert M.refusal_scores([False, False], [True, False]) == (None, 0.0)
    assert M.refusal_scores([True], [True]) == (0.0, None)


def test_citation_precision_uses_quote_or_chunk() -> None:
    cited = [
        ("Gazprom raised exports by 12 percent.", ""),  # quote holds the answer
        ("The deal was signed in Beijing.", "Exports rose 12 percent. The deal was signed."),
        ("Unrelated sentence.", "Nothing here either."),
        ("Still unrelated.", ""),
    ]
    assert M.citation_precision(cited, ["12 percent"]) == pytest.approx(2 / 4)
    assert M.citation_precision([], ["x"]) is None
    assert M.citation_precision(cited, []) is None


def test_mean_share_percentile() -> None:
    assert M.mean([1.0, None, 0.0, True]) == pytest.approx(2 / 3)
    assert M.mean([None, None]) is None
    assert M.share([True, False, False, True]) == 0.5
    assert M.share([]) is None
    vals = [4.0, 1.0, 3.0, 2.0]  # sorted 1 2 3 4
    assert M.percentile(vals, 50) == pytest.approx(2.5)
    # p95: position 0.95 * 3 = 2.85 -> 3 + 0.85 * (4 - 3)
    assert M.percentile(vals, 95) == pytest.approx(3.85)
    assert M.percentile([7.0], 95) == 7.0
    assert M.percentile([], 50) is None


def test_dates_match_in_any_common_spelling() -> None:
    assert M.date_variants("2017-02-09") == [
        "9 february 2017", "9 feb 2017", "february 9 2017", "feb 9 2017", "2017-02-09"]
    assert M.date_variants("November 30") == ["30 november", "30 nov", "november 30", "nov 30"]
    assert M.date_variants("2017-03") == ["march 2017", "mar 2017", "2017-03"]
    assert M.date_variants("12 apples") == [] and M.date_variants("Velayati") == []
    text = "The article was published on February 9, 2017 by TASS."
    assert M.contains_gold(text, ["2017-02-09"]) is True
    assert M.contains_gold(text, ["9 February 2017"]) is True
    assert M.contains_gold(text, ["2017-02-19"]) is False
    assert M.contains_gold("Published 2017-02-09.", ["9 February 2017"]) is True


def test_thousands_separators_do_not_matter() -> None:
    assert M.contains_gold("The index holds 3,782 articles.", ["3782"]) is True
    assert M.contains_gold("The index holds 3782 articles.", ["3,782"]) is True
    assert M.exact_match("3,782", ["3782"]) == 1.0
    assert M.contains_gold("It cost 4.5 million euros.", ["4.5 million euros"]) is True
    assert M.contains_gold("It cost 4 million euros.", ["4.5 million euros"]) is False


def test_contains_all_needs_every_group() -> None:
    text = "The articles run from 19 April 2016 to 30 March 2017."
    assert M.contains_all(text, [["2016-04-19"], ["2017-03-30"]]) is True
    assert M.contains_all(text, [["2016-04-19"], ["2017-03-31"]]) is False
    assert M.contains_all(text, []) is None

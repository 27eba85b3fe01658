"""The claim judge's reply format: YES / NO with the number of a sentence it was shown, or NOT
STATED; anything else is no verdict (the rules' verdict stands)."""

from __future__ import annotations

import pytest

from qa.llm.judge import judge_grammar, parse_verdict


@pytest.mark.parametrize(("reply", "want"), [
    ("YES 2", ("supports", 1)),
    ("NO 1", ("contradicts", 0)),
    ("no (sentence 3)", ("contradicts", 2)),
    ("NOT STATED", ("not stated", -1)),
    ("YES 4", None),  # a sentence it was not shown
    ("YES", None),  # no sentence: no quote, no verdict
    ("Yes, it does.", None),
    ("Nobody knows 2", None),
    ("", None),
])
def test_a_verdict_must_name_a_sentence_it_was_shown(reply: str, want: tuple[str, int] | None) -> None:
    assert parse_verdict(reply, 3) == want


def test_the_grammar_allows_only_the_labels_and_the_shown_sentence_numbers() -> None:
    g = judge_grammar(3)
    assert g.startswith('root ::= "NOT STATED" | ("YES" | "NO") " " num')
    assert 'num ::= "1" | "2" | "3"\n' in g
    assert '"4"' not in g

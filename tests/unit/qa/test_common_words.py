"""Common words of a collection (``KeywordSearch.common``) tell an institution's name from a person's
or a place's that the entity recogniser read as an organisation (``TypedAsk.institution``)."""

from __future__ import annotations

import pytest

from qa.answer.pick import TypedAsk
from qa.retrieval import lexical
from qa.retrieval.lexical import KeywordSearch


class _Catalog:
    def generation(self) -> int:
        return 1


def _search(monkeypatch: pytest.MonkeyPatch, chunks: int, df: dict[str, int]) -> KeywordSearch:
    monkeypatch.setattr(lexical.keywords, "documents", lambda catalog: chunks)
    monkeypatch.setattr(lexical.keywords, "document_frequency", lambda catalog, term: df.get(term, 0))
    return KeywordSearch(_Catalog())  # type: ignore[arg-type]


def test_a_word_in_more_than_the_share_of_chunks_is_common(monkeypatch: pytest.MonkeyPatch) -> None:
    common = _search(monkeypatch, 16_000, {"mission": 260, "nation": 850, "arnstein": 1, "dublin": 170}).common()
    assert common("mission") and common("nation")  # 1.6% and 5.3% of the chunks
    assert not common("arnstein") and not common("dublin")  # 1.1%: under the share
    assert not common("neverseen")


def test_a_small_collection_has_no_common_words(monkeypatch: pytest.MonkeyPatch) -> None:
    common = _search(monkeypatch, 300, {"mission": 15, "the": 290}).common()
    assert not common("mission")  # 5% of the chunks, but 15 chunks say little
    assert common("the")


def _ask(kind: str, heads: list[str], common: set[str]) -> TypedAsk:
    return TypedAsk(kind, set(), False, "", False, [], heads, set(), common=lambda t: t in common)


def test_an_organisation_name_with_a_common_word_is_no_place_or_named_person() -> None:
    common = {"mission", "service", "secret"}
    assert _ask("PLACE", [], common).institution("UN Assistance Mission")
    assert not _ask("PLACE", [], common).institution("Arnstein")
    assert _ask("PERSON", ["lawyer"], common).institution("Secret Service")
    assert not _ask("PERSON", [], common).institution("Secret Service")  # a bare "who" may be an organisation
    assert not _ask("PLACE", [], set()).institution("Secret Service")
    assert not TypedAsk("PLACE", set(), False, "", False, [], [], set()).institution("Secret Service")

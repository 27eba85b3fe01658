"""Score one ``Answer`` against one ``GoldItem``: the per-question metrics of a result row."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from eval import metrics as M
from eval.results import QuestionResult
from eval.suites import GoldItem
from qa.question.types import SOURCE_ALIASES
from qa.types import Answer

ArticleText = Callable[[str], "str | None"]  #: article id -> body text (None if unknown)
MAX_TEXT = 300  #: answer text kept per row in results.json (metrics use all of it)
LIST_SHOWN = 10  #: a listing answer must show every title up to this many
#: outlets of the demo corpus and their other names (compositional gold names outlets)
OUTLET_NAMES: dict[str, tuple[str, ...]] = SOURCE_ALIASES | {"ABC News": ("ABC",), "Reuters": (), "Xinhua": ()}


def prediction_of(answer: Answer) -> str:
    """What EM / F1 score: the short answer if there is one, else the text; "" on refusal."""
    if answer.refused:
        return ""
    return answer.short_answer.strip() or answer.text


def score_answer(
    item: GoldItem,
    answer: Answer,
    system: str,
    wall_seconds: float,
    article_text: ArticleText | None = None,
) -> QuestionResult:
    """Every per-question metric for ``answer``; ``article_text`` checks citation quotes."""
    ranked = M.dedupe(p.chunk.article_id for p in answer.passages)
    gold = item.article_ids
    metrics: dict[str, float | None] = {}
    for k in M.RECALL_KS:
        metrics[f"recall@{k}"] = M.recall_at_k(ranked, gold, k)
    metrics["mrr"] = M.reciprocal_rank(ranked, gold)
    metrics[f"ndcg@{M.NDCG_K}"] = M.ndcg_at_k(ranked, gold, M.NDCG_K)

    golds = item.answers if item.answerable else ()
    prediction = prediction_of(answer)
    metrics["em"] = M.exact_match(prediction, golds)
    metrics["f1"] = M.token_f1(prediction, golds)
    contains = M.contains_gold(answer.text, golds)
    structured = _collection_check(item, answer.text)
    across = _compositional_check(item, answer.text)
    if across is not None:
        contains = across
    if structured is not None:
        contains, metrics["list_recall"] = structured
    nothing_to_find = _zero_gold(item)
    if contains is not None and answer.refused and not nothing_to_find:
        contains = False  # a refusal that quotes a related passage has not answered
    metrics["contains"] = None if contains is None else float(contains)
    said = contains
    if golds and not answer.refused and answer.short_answer.strip() and structured is None and across is None:
        said = says_gold(answer.short_answer, golds)
    if not item.answerable:
        metrics["correct"] = float(answer.refused)
    elif nothing_to_find:
        # "how many Reuters articles?" -> 0: saying so, or declining because there are
        # none ("the collection has no articles from Reuters"), are both right
        metrics["correct"] = float(answer.refused or bool(said))
    else:
        metrics["correct"] = None if said is None else float(said)

    chunk_text = {p.chunk.id: p.chunk.text for p in answer.passages}
    cited = [(c.quote, chunk_text.get(c.chunk_id, "")) for c in answer.citations]
    metrics["cite_precision"] = M.citation_precision(cited, golds) if not answer.refused else None
    if article_text is not None and answer.citations:
        valid = []
        for c in answer.citations:
            body = article_text(c.article_id)
            valid.append(body is not None and bool(c.quote) and body[c.start : c.end] == c.quote)
        metrics["cite_validity"] = M.share(valid)
    else:
        metrics["cite_validity"] = None

    total = answer.timings.get("total") if answer.timings else None
    return QuestionResult(
        system=system,
        id=item.id,
        type=item.type,
        question=item.question,
        answers=item.answers,
        gold_articles=gold,
        answerable=item.answerable,
        prediction=prediction[:MAX_TEXT],
        text=answer.text[:MAX_TEXT],
        refused=answer.refused,
        kind=answer.kind,
        retrieved=tuple(ranked[: max(M.RECALL_KS)]),
        citations=len(answer.citations),
        # rounded here, not on saving, so a reloaded results.json summarises identically
        latency=round(float(total) if total is not None else wall_seconds, 4),
        first_token=_first_token(answer),
        metrics={k: None if v is None else round(v, 4) for k, v in metrics.items()},
        may_refuse=nothing_to_find,
    )


def says_gold(short: str, golds: Sequence[str]) -> bool:
    """Whether the answer itself (not the passage it quotes) gives a gold answer.

    The gold occurs in the short answer, or the short answer is a figure that the gold
    states with its unit ("62" for "62 acres"): the same numbers, on word boundaries.
    "Tet Kale Party [1]. From ...: '... hand-picked by Michel Martelly ...'" quotes the
    gold but answers something else, and is wrong.
    """
    if M.contains_gold(short, golds):
        return True
    figures = _figures(short)
    if not figures:
        return False
    said = " " + M.normalize_answer(short, split_on_punct=True) + " "
    for gold in golds:
        g = " " + M.normalize_answer(gold, split_on_punct=True) + " "
        if _figures(gold) == figures and said in g:
            return True
    return False


def _figures(text: str) -> list[str]:
    return re.findall(r"\d+(?:[.,]\d+)*", text)


def _first_token(answer: Answer) -> float | None:
    """Seconds from the question to the first generated token (generative answers only): the
    whole ask minus the part of the generation that came after the first token."""
    t = answer.timings or {}
    if t.get("first_token") is None or t["first_token"] < 0 or t.get("total") is None:
        return None  # not generated, or no token came
    return round(max(0.0, t["total"] - (t.get("generate", t["first_token"]) - t["first_token"])), 4)


def _zero_gold(item: GoldItem) -> bool:
    """A collection question whose true answer is "none" (gold count 0)."""
    gold = item.extra.get("gold")
    return isinstance(gold, dict) and gold.get("count") == 0


def _collection_check(item: GoldItem, text: str) -> tuple[bool, float | None] | None:
    """Collection gold with structure (``gold`` of news_collection_gold.jsonl), else None.

    listing: every gold title must be in the answer when there are at most LIST_SHOWN of them,
    else the count must be stated (nobody reads 59 titles); ``list_recall`` is the share of
    titles shown either way. range: both ends of the date range must be there.
    """
    gold = item.extra.get("gold")
    if not isinstance(gold, dict) or not item.answerable:
        return None
    titles = [t for t in gold.get("titles") or () if t.strip()]
    if item.type == "listing" and titles:
        shown = [bool(M.contains_gold(text, [t])) for t in titles]
        recall = M.share(shown)
        if len(titles) <= LIST_SHOWN:
            return all(shown), recall
        count = int(gold.get("count") or len(titles))
        return bool(M.contains_gold(text, [str(count)])), recall
    if item.type == "range" and gold.get("date_from") and gold.get("date_to"):
        return bool(M.contains_all(text, [[gold["date_from"]], [gold["date_to"]]])), None
    return None


def _outlets_named(text: str) -> list[tuple[int, str]]:
    """(position, outlet) for every outlet of the demo corpus named in ``text``, in order."""
    low = " " + M.normalize_answer(text, split_on_punct=True) + " "
    found: dict[str, int] = {}
    for outlet, aliases in OUTLET_NAMES.items():
        for alias in (outlet, *aliases):
            pos = low.find(" " + M.normalize_answer(alias, split_on_punct=True) + " ")
            if pos >= 0:
                found[outlet] = min(found.get(outlet, pos), pos)
    return sorted((pos, outlet) for outlet, pos in found.items())


def _canonical(name: str) -> str | None:
    got = _outlets_named(name)
    return got[0][1] if got else None


def _compositional_check(item: GoldItem, text: str) -> bool | None:
    """Gold of compositional.jsonl with an ``answer_type`` that plain containment misjudges.

    outlet ("which reported first, A or B?"): the first outlet the answer names is the gold
    one (both are named in a good answer). outlets ("which outlets covered X?"): exactly the
    gold outlets are named. count: the number is there. yesno is matched on the first word by
    ``contains_gold``; names, places and numbers by containment.
    """
    kind = item.extra.get("answer_type")
    if not item.answerable or kind not in ("outlet", "outlets"):
        return None
    named = _outlets_named(text)
    gold = {c for c in map(_canonical, item.answers) if c}
    if kind == "outlet":
        return bool(named) and named[0][1] in gold
    return {o for _, o in named} == gold


def error_row(
    item: GoldItem, system: str, error: BaseException, wall_seconds: float
) -> QuestionResult:
    """A row for a question whose ask() raised: scored as an empty answer, shown in the report."""
    row = score_answer(item, Answer(question=item.question, text=""), system, wall_seconds)
    row.kind = "error"
    row.error = f"{type(error).__name__}: {error}"[:500]
    return row

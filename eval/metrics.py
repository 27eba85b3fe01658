"""Accuracy metrics: retrieval ranks, SQuAD answer scores, refusals, citations, latency.

Pure functions over plain values (strings, id lists, booleans), so each one can be checked on
toy cases by hand (tests/unit/eval/test_eval_metrics.py). ``None`` means "does not apply to this
question" (e.g. retrieval recall for a question without a gold article) and is left out of
averages rather than counted as zero.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

RECALL_KS = (1, 3, 5, 10)  #: the k of recall@k in reports
NDCG_K = 10
YES_NO = frozenset({"yes", "no"})

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCT = frozenset(string.punctuation)
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"'})


# ---------------------------------------------------------------------------- answers

def normalize_answer(text: str, split_on_punct: bool = False) -> str:
    """SQuAD normalisation: lower case, no punctuation, no a/an/the, single spaces.

    ASCII punctuation is deleted as in the official script ("Bankman-Fried" -> "bankmanfried");
    curly quotes count as their ASCII twins; other Unicode punctuation (em dashes, ellipses),
    which the official script keeps, separates words: "Maidstone—towns" -> "maidstone towns".
    ``split_on_punct`` makes every punctuation mark a separator (for substring checks, where
    "Netherlands.[citation needed]" must still contain "Netherlands").
    """
    drop = " " if split_on_punct else ""
    text = unicodedata.normalize("NFKC", text or "").lower().translate(_QUOTES)
    text = _THOUSANDS.sub("", text)  # 3,782 -> 3782 whichever way commas are treated
    if split_on_punct:  # a decimal point is no word boundary: "0.5 percent" does not contain "5 percent"
        text = _DECIMAL.sub("point", text)
    text = "".join(
        drop if ch in _ASCII_PUNCT else " " if unicodedata.category(ch).startswith("P") else ch
        for ch in text
    )
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, golds: Sequence[str]) -> float | None:
    """1.0 if the normalised prediction equals a normalised gold answer (None without golds)."""
    if not golds:
        return None
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in golds))


def token_f1(prediction: str, golds: Sequence[str]) -> float | None:
    """SQuAD token F1, the best over the gold answers (None without golds)."""
    if not golds:
        return None
    pred = normalize_answer(prediction).split()
    best = 0.0
    for gold in golds:
        ref = normalize_answer(gold).split()
        if not pred or not ref:
            best = max(best, float(pred == ref))
            continue
        common = sum((Counter(pred) & Counter(ref)).values())
        if common == 0:
            continue
        precision, recall = common / len(pred), common / len(ref)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_gold(text: str, golds: Sequence[str]) -> bool | None:
    """Whether a normalised gold answer occurs in the normalised text, on word boundaries.

    Here every punctuation mark separates words (in text and gold alike), so a gold answer is
    found next to a footnote mark or inside a hyphenated phrase.
    Word boundaries keep "no" from matching inside "not". A yes/no gold is matched only
    against the first word of the text: a yes/no answer that says "yes" somewhere in the
    middle of a quoted passage has not answered the question.
    """
    if not golds:
        return None
    words = normalize_answer(text, split_on_punct=True).split()
    padded = " " + " ".join(words) + " "
    for gold in golds:
        for variant in (gold, *date_variants(gold)):
            g = normalize_answer(variant, split_on_punct=True)
            if not g:
                continue
            if g in YES_NO:
                if words and words[0] == g:
                    return True
            elif " " + g + " " in padded:
                return True
    return False


def contains_all(text: str, groups: Sequence[Sequence[str]]) -> bool | None:
    """Whether every group has a variant in the text (e.g. both ends of a date range)."""
    if not groups:
        return None
    return all(contains_gold(text, g) for g in groups)


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
_MONTH_NO = {m: n for n, m in enumerate(_MONTHS, 1)} | {m[:3]: n for n, m in enumerate(_MONTHS, 1)}
_MONTH_NO["sept"] = 9
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_DMY = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?(?:,?\s+(\d{4}))?$")
_MDY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")


def date_variants(gold: str) -> list[str]:
    """Other ways of writing a date gold answer: 2017-02-09 = 9 February 2017 = February 9,
    2017 = Feb 9 2017 (a month alone: 2017-03 = March 2017). [] if ``gold`` is not a date."""
    g = " ".join(gold.strip().lower().split())
    year = month = day = None
    if m := _ISO.match(g):
        year, month, day = int(m[1]), int(m[2]), int(m[3]) if m[3] else None
    elif (m := _DMY.match(g)) and m[2] in _MONTH_NO:
        day, month, year = int(m[1]), _MONTH_NO[m[2]], int(m[3]) if m[3] else None
    elif (m := _MDY.match(g)) and m[1] in _MONTH_NO:
        month, day, year = _MONTH_NO[m[1]], int(m[2]), int(m[3]) if m[3] else None
    if month is None or not 1 <= month <= 12:
        return []
    names = (_MONTHS[month - 1], _MONTHS[month - 1][:3])
    y = f" {year}" if year else ""
    if day is None:
        return [f"{n}{y}" for n in names] + ([f"{year}-{month:02d}"] if year else [])
    out = [f"{day} {n}{y}" for n in names] + [f"{n} {day}{y}" for n in names]
    if year:
        out.append(f"{year}-{month:02d}-{day:02d}")
    return out


# ---------------------------------------------------------------------------- retrieval

def dedupe(ids: Iterable[str]) -> list[str]:
    """Ids in first-seen order, repeats dropped (passages of one article -> one entry)."""
    seen: set[str] = set()
    out: list[str] = []
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def recall_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float | None:
    """Share of the gold articles found among the first ``k`` ranked ids (None without gold)."""
    gold_set = set(gold)
    if not gold_set:
        return None
    return len(gold_set.intersection(ranked[:k])) / len(gold_set)


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str]) -> float | None:
    """1 / rank of the first gold article (0 when none was retrieved; None without gold)."""
    gold_set = set(gold)
    if not gold_set:
        return None
    for rank, art in enumerate(ranked, start=1):
        if art in gold_set:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gold: Iterable[str], k: int = NDCG_K) -> float | None:
    """Binary-relevance nDCG@k: DCG of the ranking over DCG of all gold articles first."""
    gold_set = set(gold)
    if not gold_set:
        return None
    dcg = sum(1.0 / math.log2(i + 2) for i, art in enumerate(ranked[:k]) if art in gold_set)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold_set), k)))
    return dcg / ideal


# ---------------------------------------------------------------------------- refusals

def refusal_scores(
    refused: Sequence[bool], answerable: Sequence[bool]
) -> tuple[float | None, float | None]:
    """(precision, recall) of refusals, unanswerable questions being the positives.

    Precision: of the refused questions, the share that were unanswerable (None if nothing
    was refused). Recall: of the unanswerable questions, the share refused (None if none).
    """
    hits = sum(1 for r, a in zip(refused, answerable, strict=True) if r and not a)
    n_refused = sum(1 for r in refused if r)
    n_unanswerable = sum(1 for a in answerable if not a)
    precision = hits / n_refused if n_refused else None
    recall = hits / n_unanswerable if n_unanswerable else None
    return precision, recall


# ---------------------------------------------------------------------------- citations

def citation_precision(
    cited_texts: Sequence[tuple[str, str]], golds: Sequence[str]
) -> float | None:
    """Share of citations whose quote, or the chunk it was taken from, holds a gold answer.

    ``cited_texts`` holds one ``(quote, chunk_text)`` pair per citation (chunk text may be "").
    None when there are no citations or no gold answers.
    """
    if not cited_texts or not golds:
        return None
    good = sum(
        1 for quote, chunk in cited_texts
        if contains_gold(quote, golds) or (chunk and contains_gold(chunk, golds))
    )
    return good / len(cited_texts)


def share(flags: Sequence[bool]) -> float | None:
    """Mean of booleans (e.g. citations that are verbatim in their article); None if empty."""
    return sum(flags) / len(flags) if flags else None


# ---------------------------------------------------------------------------- aggregation

def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that apply (None skipped); None when none applies."""
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default; None if empty."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)

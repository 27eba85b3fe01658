"""Compare one figure as two outlets report it: "do A and B give the same death toll?", "which
outlet put the evacuation figure higher, A or B?".

The figure's noun phrase becomes a plain question ("What was the death toll for ...?"), the
single-article reader answers it once per outlet (the outlet as a filter), and the two typed
answers are compared as values: numbers with their scale (``2,000``, ``2 million``, ``nine``)
and units. Only two answers that both hold a number of the same unit (or both a month) are
compared; anything else is refused with both passages shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.lang.dates import MONTHS
from qa.lang.units import fold
from qa.plan.claims import NUMBER_WORDS

#: "230m" is metres as often as millions: only unambiguous scale words
SCALES = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "billion": 1e9, "bn": 1e9, "bln": 1e9, "trillion": 1e12}
WORDS = {w: float(n) for w, n in NUMBER_WORDS.items()} | {
    "thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0, "eighty": 80.0, "ninety": 90.0,
    "hundred": 100.0}
_NUM = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*-?\s*([a-z]+)?", re.I)
HIGHER = {"higher", "larger", "bigger", "greater", "more", "longer", "taller", "older"}
#: a currency sign before the number is the unit; after it, "m" and "bn" are scales
CURRENCY = {"$": "$", "€": "€", "£": "£"}
MONEY_SCALES = {"m": "million", "mn": "million", "b": "billion", "k": "thousand"}
LOWER = {"lower", "smaller", "fewer", "less", "shorter", "younger"}


@dataclass(frozen=True)
class Value:
    """A figure read from an answer span: a number with its unit word, or a month."""

    number: float | None = None
    unit: str = ""
    month: int = 0

    def same_kind(self, other: Value, counted: bool = False) -> bool:
        """Comparable: numbers with the same unit word (bare numbers only where the figure is a
        count: "the number of ...", "the death toll"), or two months."""
        if self.number is not None and other.number is not None:
            return self.unit == other.unit and (bool(self.unit) or counted)
        return bool(self.month and other.month)

    def equals(self, other: Value) -> bool:
        if self.number is not None and other.number is not None:
            return abs(self.number - other.number) <= 0.01 * max(abs(self.number), abs(other.number), 1e-9)
        return self.month == other.month


def value_of(span: str) -> Value | None:
    """The figure a short answer states, or None ("a number of people" states none). Money keeps
    its currency as the unit ("$38m" is 38 million dollars, not metres), "24%" its percent."""
    low = span.lower().replace("per cent", "percent")
    month = next((MONTHS[w] for w in re.findall(r"[a-z]+", low) if w in MONTHS), 0)
    if month:  # "March 2017", "3 March": the month is the figure, not the year or the day
        return Value(month=int(month))
    m = _NUM.search(low)
    if m:
        number = float(m.group(1).replace(",", ""))
        currency = CURRENCY.get(low[max(0, m.start() - 1):m.start()], "")
        unit = (m.group(2) or "").lower()
        if currency and unit in MONEY_SCALES:
            unit = MONEY_SCALES[unit]
        if unit in SCALES:
            number *= SCALES[unit]
            rest = low[m.end():].split()
            unit = rest[0] if rest else ""
        if low[m.end(1):m.end(1) + 1] == "%":
            unit = "percent"
        return Value(number=number, unit=currency or fold(unit))
    found = re.findall(r"[a-z]+", low)
    for i, w in enumerate(found):
        if w in WORDS:  # "nine women": the noun after a number word is its unit
            return Value(number=WORDS[w], unit=fold(found[i + 1]) if i + 1 < len(found) else "")
    return None


COUNTED = re.compile(r"\b(?:number|numbers|toll|count|tally|how many|ages?)\b", re.I)


def fact_question(topic: str) -> tuple[str, str]:
    """("What was the <figure>?", "same" | "higher" | "lower") from a compare form's topic."""
    words = topic.split()
    how = "same"
    kept = []
    for w in words:
        lw = w.lower().strip(",")
        if lw in HIGHER and how == "same":
            how = "higher"
            continue
        if lw in LOWER and how == "same":
            how = "lower"
            continue
        kept.append(w)
    phrase = " ".join(kept)
    phrase = re.sub(r"^(?:the same|a different|different|the|a|an)\s+", "", phrase, flags=re.I)
    phrase = re.sub(r"\s+(?:in their (?:reports?|coverage|articles?|stories)\b.*)$", "", phrase, flags=re.I)
    phrase = re.sub(r"\s+(?:higher|lower|larger|smaller)$", "", phrase, flags=re.I)
    return f"What was the {phrase}?", how

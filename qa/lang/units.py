"""Units of measure, in one table: the words a figure is measured in, each folded to one form
("kilometres", "km" -> "km"), and what each measures ("km" is a length; "pound" is money or a
weight). The reader keeps a unit with its number ("12 metres" for "how tall?"); a comparison
weighs two figures only in the same unit and, where the question names what it measures ("the
height of ..."), in that dimension.

>>> fold("Inches"), sorted(dimensions("pound"))
('inch', ['money', 'weight'])
"""

from __future__ import annotations

import re

#: each unit's written forms (the first is its folded form), by dimension
_UNITS: dict[str, tuple[str, ...]] = {
    "length": ("km kilometre kilometres kilometer kilometers", "m metre metres meter meters", "mile miles",
               "ft foot feet", "inch inches", "cm", "mm", "yard yards"),
    "area": ("square", "sq", "hectare hectares", "acre acres", "km2", "m2"),
    "weight": ("tonne tonnes", "ton tons", "kg kilogram kilograms", "lb lbs", "pound pounds", "gram grams"),
    "volume": ("litre litres liter liters", "gallon gallons", "barrel barrels"),
    "temperature": ("degree degrees",),
    "money": ("$", "€", "£", "dollar dollars", "euro euros", "pound pounds", "yuan", "rouble roubles",
              "ruble rubles", "rupee rupees", "yen"),
    "percent": ("% percent",),
    "time": ("year years year-old years-old", "month months", "week weeks", "day days", "hour hours",
             "minute minutes", "second seconds"),
    "floors": ("storey storeys story stories", "floor floors"),
}
_FOLDED = {form: forms.split()[0] for group in _UNITS.values() for forms in group for form in forms.split()}
_DIMENSIONS: dict[str, frozenset[str]] = {}
for _dimension, _group in _UNITS.items():
    for _forms in _group:
        _unit = _forms.split()[0]
        _DIMENSIONS[_unit] = _DIMENSIONS.get(_unit, frozenset()) | {_dimension}

#: every written form of a unit
UNIT_WORDS = frozenset(_FOLDED)
#: words after a number that say what was counted or its scale, and belong to the answer
COUNT_WORDS = frozenset("people times votes hundred thousand million billion trillion dozen".split())

#: the noun a question names a figure by, and the dimension the figure must have
ASKED = {
    "height": "length", "distance": "length", "length": "length", "depth": "length", "width": "length",
    "elevation": "length", "altitude": "length", "area": "area", "rate": "percent", "percentage": "percent",
    "valuation": "money", "price": "money", "cost": "money", "value": "money",
    "worth": "money", "fine": "money", "weight": "weight", "duration": "time", "deadline": "time",
}


def fold(word: str) -> str:
    """A unit word in its one form ("Miles" -> "mile", "per cent" -> "%"); other words lowercased,
    without a plural s ("women" stays, "tourists" -> "tourist")."""
    low = word.lower().replace("per cent", "percent")
    if low in _FOLDED:
        return _FOLDED[low]
    return low[:-2] if low.endswith(("ches", "shes", "xes")) else low.rstrip("s")


def dimensions(unit: str) -> frozenset[str]:
    """What a folded unit measures; empty for a count ("people") or no unit."""
    return _DIMENSIONS.get(unit, frozenset())


def asked_dimension(question: str) -> str:
    """The dimension of the figure a question asks for ("the height of the peak": length), or ""."""
    return next((ASKED[w] for w in re.findall(r"[a-z]+", question.lower()) if w in ASKED), "")

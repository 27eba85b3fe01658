"""The collection panel's charts (articles per outlet and per day) and its filter choices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.api import ArticleQA


def busy_days(
    counts: Sequence[tuple[str, int]], tail: float = 0.01
) -> tuple[list[tuple[str, int]], int]:
    """Per-day counts without the stray outer ``tail`` of articles on each side.

    A handful of articles far outside the main span (a 2022 article in a 2017 corpus) would
    squash the per-day chart into a spike; returns the kept days and how many articles were
    left out.
    """
    total = sum(n for _, n in counts)
    if not total:
        return [], 0
    cut = int(total * tail)
    lo, seen = 0, 0
    while lo < len(counts) and seen + counts[lo][1] <= cut:
        seen += counts[lo][1]
        lo += 1
    hi, seen_hi = len(counts), 0
    while hi > lo and seen_hi + counts[hi - 1][1] <= cut:
        seen_hi += counts[hi - 1][1]
        hi -= 1
    return list(counts[lo:hi]), seen + seen_hi


def chart_frames(bot: ArticleQA, stats: dict[str, Any]) -> tuple[Any, Any, str]:
    """Articles per source and per day (DataFrames for the charts) + the per-day caption."""
    import pandas as pd

    src = pd.DataFrame(
        [{"source": k, "articles": v} for k, v in (stats.get("sources") or {}).items()],
        columns=["source", "articles"],
    )
    kept, hidden = busy_days(bot.index.catalog.articles_per_day())
    days = pd.DataFrame(kept, columns=["day", "articles"])
    days["day"] = pd.to_datetime(days["day"], errors="coerce")
    caption = f"{hidden} article{'s' if hidden != 1 else ''} outside this span not shown" if (
        hidden) else ""
    return src, days.dropna(), caption


def replot_needed(old_key: str, new_key: str, change: float = 0.02) -> bool:
    """Redraw the charts when the outlets changed or the article count moved by > ``change``.

    Keys are ``"<articles>|<sources>"``; a background load then redraws every few percent, not
    on every refresh tick.
    """
    if not old_key:
        return True
    old_n, _, old_src = old_key.partition("|")
    new_n, _, new_src = new_key.partition("|")
    if old_src != new_src:
        return True
    a, b = int(old_n or 0), int(new_n or 0)
    return abs(b - a) > change * max(a, 1) or (a == 0) != (b == 0)


def outlet_choices(stats: dict[str, Any]) -> list[str]:
    """Outlet filter choices: named sources, most articles first."""
    return [s for s in (stats.get("sources") or {}) if s and s != "(unknown)"]


def author_choices(bot: ArticleQA, limit: int = 300) -> list[str]:
    """Author filter choices: the authors with the most articles first."""
    return bot.index.catalog.top_authors(limit)

"""The demo corpus as the collection gold sees it: rows read straight from the CSV (not through
the index), outlet names from the links, and small predicates to count them with."""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEFAULT_CSV = Path("/tmp/tm/cache/NewsArticles.csv")
DEFAULT_SAMPLE = HERE.parents[2] / "shared" / "data" / "articles" / "000_232d1c6b2ce43e6e.txt"
DEFAULT_OUT = HERE / "news_collection_gold.jsonl"
PASSAGE_GOLD = HERE / "news_gold.jsonl"

OUTLETS: dict[str, str] = {
    "aljazeera.com": "Al Jazeera",
    "tass.com": "TASS",
    "abcnews.go.com": "ABC News",
    "rte.ie": "RTE",
    "huffingtonpost.com": "HuffPost",
    "dw.com": "DW",
    "chinadaily.com.cn": "China Daily",
    "bbc.co.uk": "BBC",
    "cnn.com": "CNN",
}

RULE = (
    "article = CSV row with non-empty text; rows whose whitespace-normalised text repeats an "
    "earlier row's are duplicates and not counted; outlet from the URL domain; date = "
    "publish_date as Y/M/D; 'in the title' = case-insensitive substring of the title"
)

csv.field_size_limit(64 * 1024 * 1024)


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Item:
    """One counted article, as read straight from the data files."""

    where: str  #: "NewsArticles.csv:row N" (N = line of the record, header = 1) or the file name
    url: str  #: article_source_link ("" for the sample article)
    source: str  #: outlet name from the URL domain; "" when unknown
    published: dt.date | None  #: publish date
    title: str  #: whitespace-normalised title
    authors: tuple[str, ...] = ()  #: byline authors (CSV rows have none)
    first_paragraph: str = ""  #: sample article only: used for its id
    is_sample: bool = False  #: True for the shared sample article


@dataclass
class Corpus:
    """The counted articles plus what was dropped while reading."""

    news: list[Item]  #: CSV articles in file order (duplicates and empty rows removed)
    sample: Item | None  #: the shared sample article, if found
    rows: int = 0  #: CSV records read
    empty: list[str] = field(default_factory=list)  #: rows without text
    duplicates: list[tuple[str, str]] = field(default_factory=list)  #: (row, earlier row)
    undated: list[str] = field(default_factory=list)  #: rows whose date could not be read

    def items(self, include_sample: bool) -> list[Item]:
        """The articles a question is about."""
        return self.news + ([self.sample] if include_sample and self.sample else [])


_YMD = re.compile(r"(\d{4})\s*/\s*(\d{1,2})\s*/\s*(\d{1,2})")


def parse_ymd(value: str) -> dt.date | None:
    """``2017/3/15`` (also with stray quotes, spaces or a time after it) -> date."""
    m = _YMD.search(value.strip().strip("'\""))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def outlet(url: str) -> str:
    """Outlet name for a URL by its domain (subdomains included); "" if not one of the nine."""
    host = (urlparse(url.strip()).hostname or "").lower()
    for domain, name in OUTLETS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return ""


def squash(text: str) -> str:
    """Whitespace-normalised text."""
    return " ".join(text.split())


def read_csv(path: Path) -> Corpus:
    """Read NewsArticles.csv with the csv module and apply the counting rule."""
    corpus = Corpus(news=[], sample=None)
    seen: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for n, rec in enumerate(reader, start=2):
            corpus.rows += 1
            where = f"{path.name}:row {n}"
            text = (rec.get("text") or "").strip()
            if not text:
                corpus.empty.append(where)
                continue
            key = squash(text)
            if key in seen:
                corpus.duplicates.append((where, seen[key]))
                continue
            seen[key] = where
            published = parse_ymd(rec.get("publish_date") or "")
            if published is None:
                corpus.undated.append(where)
            url = (rec.get("article_source_link") or "").strip()
            corpus.news.append(
                Item(where, url, outlet(url), published, squash(rec.get("title") or ""))
            )
    return corpus


_BYLINE = re.compile(r"^BY\s+(.+?)\s+in\s+(.+)$")
_BYDATE = re.compile(r"^on\s+(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}


def read_sample(path: Path) -> Item | None:
    """The shared sample article: title, byline author, byline date, first body paragraph."""
    if not path.is_file():
        logger.warning("sample article %s not found: records that include it are skipped", path)
        return None
    lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
    body = [line for line in lines if line]
    # body[0] is the " date YYYY-MM-DD <menu>" header line, body[1] the title
    title = body[1]
    author, published, first = "", None, ""
    for i, line in enumerate(body):
        if m := _BYLINE.match(line):
            author = m[1].title()
        elif m := _BYDATE.match(line):
            published = dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
            first = body[i + 1]
            break
    return Item(path.name, "", "", published, squash(title), (author,), squash(first), True)


def project_id(item: Item) -> str:
    """The id the index gives this article (the project's id function; see module docstring)."""
    from ingest.parsers import make_id

    if item.is_sample:
        date = item.published.isoformat() if item.published else ""
        return make_id("", "", "", item.title, date, item.first_paragraph)
    return make_id("", item.source, item.url, item.title, "", "")


# ---------------------------------------------------------------------------- questions

Pred = Callable[[Item], bool]


def in_month(y: int, m: int) -> Pred:
    return lambda a: a.published is not None and (a.published.year, a.published.month) == (y, m)


def on_day(d: dt.date) -> Pred:
    return lambda a: a.published == d


def between(d1: dt.date, d2: dt.date) -> Pred:
    return lambda a: a.published is not None and d1 <= a.published <= d2


def in_year(y: int) -> Pred:
    return lambda a: a.published is not None and a.published.year == y


def by(source: str) -> Pred:
    return lambda a: a.source == source


def title_has(word: str) -> Pred:
    w = word.casefold()
    return lambda a: w in a.title.casefold()


def all_of(*preds: Pred) -> Pred:
    return lambda a: all(p(a) for p in preds)


def everything(a: Item) -> bool:
    return True


def listing(items: Iterable[Item]) -> dict[str, Any]:
    chosen = sorted(items, key=lambda a: (a.published or dt.date.min, a.where))
    return {
        "count": len(chosen),
        "ids": [project_id(a) for a in chosen],
        "titles": [a.title for a in chosen],
        "dates": [a.published.isoformat() if a.published else None for a in chosen],
        "sources": [a.source for a in chosen],
        "urls": [a.url for a in chosen],
    }


def ranked(counter: Counter[str]) -> list[list[Any]]:
    return [[k, v] for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def human(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"

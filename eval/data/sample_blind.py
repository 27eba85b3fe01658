"""Sample, by a fixed seed, the demo articles that blind question sets are written from.

The sample excludes every article an existing gold question uses (``news_gold.jsonl``), empty
articles and repeated (source, title) pairs, so a blind set never overlaps the tuned-on dev set.
It writes one text file per sampled article (id, outlet, date, title, body) for the writer, who
sees the articles and the question kinds only, never the system's answers.

    python eval/data/sample_blind.py NewsArticles.csv OUT_DIR --n 120 --seed 20261129 --skip 0
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from ingest.parsers import parse_file
from qa.types import Article

HERE = Path(__file__).parent


def used_ids() -> set[str]:
    """Article ids any existing news gold question names."""
    ids: set[str] = set()
    for line in (HERE / "news_gold.jsonl").read_text().splitlines():
        if line.strip():
            ids.update(json.loads(line).get("article_ids", []))
    return ids


def candidates(csv: Path, exclude: set[str]) -> list[Article]:
    seen: set[tuple[str, str]] = set()
    out: list[Article] = []
    for art in parse_file(csv):
        if not isinstance(art, Article) or not art.text.strip() or art.id in exclude:
            continue
        key = (art.source.lower(), art.title.lower())
        if key in seen:
            continue
        seen.add(key)
        if len(art.text.split()) >= 120:  # too short to hold several facts
            out.append(art)
    return sorted(out, key=lambda a: a.id)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--skip", type=int, default=0, help="skip this many sampled articles first")
    args = ap.parse_args()
    pool = candidates(args.csv, used_ids())
    rng = random.Random(args.seed)
    picked = rng.sample(pool, min(len(pool), args.skip + args.n))[args.skip:]
    args.out.mkdir(parents=True, exist_ok=True)
    for i, art in enumerate(picked):
        (args.out / f"{i:03d}_{art.id}.txt").write_text(
            f"article_id: {art.id}\noutlet: {art.source}\npublished: {art.published}\n"
            f"title: {art.title}\n\n{art.text}\n"
        )
    print(f"{len(pool)} candidates; wrote {len(picked)} articles to {args.out}")


if __name__ == "__main__":
    main()

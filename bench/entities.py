"""What the entity recogniser (qa/lang/nlp.py) costs a question: each question is asked twice in
one process, first with the recogniser off (the reader's pattern candidates), then on with an
empty entity cache, so both see the same machine load. Also the recogniser's load time and the
memory it adds.

    python -m bench.entities --home ~/.cache/article-qa/eval/index/news-minilm-<key>
    python -m bench.entities --home IDX --questions eval/data/news_blind_dev.jsonl eval/data/news_gold.jsonl

Questions: bench/questions.txt, or the "question" of each line of the given JSONL gold files.
Writes bench/results/entities.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import Machine, percentile, read_questions, rss_mb, save, setup_logging

logger = logging.getLogger(__name__)


def _questions(paths: list[Path]) -> list[str]:
    if not paths:
        return read_questions()
    out: list[str] = []
    for path in paths:
        out += [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    return out


def _ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(1000 * percentile(values, 50), 1), "p95_ms": round(1000 * percentile(values, 95), 1),
            "mean_ms": round(1000 * sum(values) / max(1, len(values)), 1)}


def run(home: Path, questions: list[str]) -> dict[str, Any]:
    from qa import ArticleQA
    from qa.lang import nlp

    real = nlp.entities
    bot = ArticleQA(home=home)
    nlp.entities = lambda texts: None  # type: ignore[assignment]
    bot.ask(questions[0])  # the embedder and the keyword index, before anything is timed
    rss_before = rss_mb()
    t = time.perf_counter()
    loaded = real(["warm up"]) is not None
    load_s = time.perf_counter() - t
    rss_after = rss_mb()
    spent_wall: list[float] = []
    spent_cpu: list[float] = []

    def timed(texts: Sequence[str]) -> list[tuple[nlp.Entity, ...]] | None:
        t0, c0 = time.perf_counter(), time.thread_time()
        out = real(texts)
        spent_wall[-1] += time.perf_counter() - t0
        spent_cpu[-1] += time.thread_time() - c0
        return out

    off: list[float] = []
    on: list[float] = []
    for q in questions:
        nlp.entities = lambda texts: None  # type: ignore[assignment]
        t = time.perf_counter()
        bot.ask(q)
        off.append(time.perf_counter() - t)
        nlp._seen.clear()
        spent_wall.append(0.0)
        spent_cpu.append(0.0)
        nlp.entities = timed  # type: ignore[assignment]
        t = time.perf_counter()
        bot.ask(q)
        on.append(time.perf_counter() - t)
    nlp.entities = real  # type: ignore[assignment]
    bot.close()
    return {
        "questions": len(questions), "model_loaded": loaded, "load_s": round(load_s, 2),
        "rss_mb": {"before": round(rss_before), "after_load": round(rss_after)},
        "answer_off": _ms(off), "answer_on": _ms(on), "added": _ms([b - a for a, b in zip(off, on, strict=True)]),
        "recogniser_wall": _ms(spent_wall), "recogniser_cpu": _ms(spent_cpu),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="an existing index (read only)")
    ap.add_argument("--questions", type=Path, nargs="*", default=[],
                    help="JSONL gold files (default: bench/questions.txt)")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    setup_logging()
    machine = Machine.describe()
    result = run(args.home.expanduser(), _questions(args.questions))
    print(json.dumps(result, indent=2))
    if not args.no_save:
        save("entities", result, machine)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

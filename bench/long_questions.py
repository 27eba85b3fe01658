"""Does parsing a question stay linear in its length? Pathological inputs (a date phrase repeated
thousands of times, zero-width spaces, a long run of capitalised words) are parsed at two sizes
in one run, n and 4n; the time ratio is reported against 4 (linear) and 16 (quadratic). This
replaces a timed assertion that used to sit in the unit tests.

    python -m bench.long_questions

Writes bench/results/long_questions.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time

from bench.common import Machine, save, setup_logging
from qa.question.parse import parse_question
from qa.question.types import Vocabulary

logger = logging.getLogger(__name__)

#: (name, repeated unit, repeats at the small size)
INPUTS = (("between", "between 1 and ", 500), ("dates", "15 March ", 750), ("zero-width", "\u200b", 7500),
          ("capitalised", "Ab Cd ", 1250))
GROWTH = 4


def _seconds(q: str, vocab: Vocabulary, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        parse_question(q, vocab)
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    setup_logging(args.verbose)
    machine = Machine.describe()
    vocab = Vocabulary(sources=("TASS",), authors=("Ana Lopez",), newest=dt.date(2020, 1, 1),
                       oldest=dt.date(2017, 1, 1))
    parse_question("warm up: who said it?", vocab)
    rows = {}
    for name, unit, n in INPUTS:
        small, big = _seconds(unit * n, vocab), _seconds(unit * (n * GROWTH), vocab)
        rows[name] = {"chars": [len(unit) * n, len(unit) * n * GROWTH], "seconds": [round(small, 4), round(big, 4)],
                      "ratio": round(big / small, 2) if small else None}
        logger.info("%-12s %7.3f s -> %7.3f s  (x%.1f for x%d the length)", name, small, big,
                    big / small if small else 0.0, GROWTH)
    save("long_questions", {"growth": GROWTH, "linear": GROWTH, "quadratic": GROWTH * GROWTH, "inputs": rows},
         machine)


if __name__ == "__main__":
    main()

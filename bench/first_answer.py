"""The first answer after a start against the next ones, with and without the warm-up the app does.

    python -m bench.first_answer --home IDX [--runs 3]

Each run is a fresh process that opens the index, optionally calls ``ArticleQA.warm_up()`` (timed
apart), then asks ten distinct questions of ``bench/questions.txt``; the figure is the first
answer's time over the median of the next nine (no answer cache: every question is distinct).
The first question is then asked again: first / again is the first-use cost alone, without the
difference between one question and the others.
Runs alternate cold / warm so load changes hit both.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import Machine, read_questions, save, setup_logging

CHILD = """
import json, sys, time
from qa import ArticleQA
bot = ArticleQA(home=sys.argv[1])
warm = {}
if sys.argv[2] == "warm":
    warm = bot.warm_up()
times = []
questions = json.loads(sys.argv[3])
for q in questions:
    t = time.perf_counter(); bot.ask(q); times.append(time.perf_counter() - t)
t = time.perf_counter(); bot.ask(questions[0]); again = time.perf_counter() - t  # no answer cache
print(json.dumps({"warm_up": warm, "times": times, "again": again}))
"""


def one_run(home: Path, mode: str, questions: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(home), mode, json.dumps(questions)], capture_output=True,
                         text=True, check=True, env={"HF_HUB_OFFLINE": "1", **__import__("os").environ})
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    times = res["times"]
    res["first_s"] = round(times[0], 3)
    res["next_median_s"] = round(statistics.median(times[1:]), 3)
    res["ratio"] = round(times[0] / statistics.median(times[1:]), 2)
    res["again_s"] = round(res["again"], 3)
    res["ratio_again"] = round(times[0] / res["again"], 2)  # the same question, after the other nine
    return res


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="an existing index")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--name", default="first-answer")
    args = ap.parse_args(argv)
    setup_logging(False)
    questions = read_questions()[:10]
    runs: dict[str, list[dict[str, Any]]] = {"cold": [], "warm": []}
    for _ in range(args.runs):
        for mode in ("cold", "warm"):
            runs[mode].append(one_run(args.home, mode, questions))
    result = {"home": str(args.home), "questions": len(questions), "runs": runs,
              "ratio_median": {m: statistics.median(r["ratio"] for r in rs) for m, rs in runs.items()}}
    save(args.name, result, machine=Machine.describe())
    for mode, rs in runs.items():
        print(f"{mode}: first / median of next 9 = {[r['ratio'] for r in rs]}, "
              f"first / same question again = {[r['ratio_again'] for r in rs]} "
              f"(first {[r['first_s'] for r in rs]} s; warm-up {[r['warm_up'] for r in rs]})")
    return result


if __name__ == "__main__":
    main()

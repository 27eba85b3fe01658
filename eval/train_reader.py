"""Fit the reader's sentence weights (``qa.answer.reader.SENTENCE_FEATURES``) on the dev sets:

    python -m eval.train_reader                 # writes qa/answer/data/reader.json
    python -m eval.train_reader --hold-out news-blind-dev2 --no-write   # fit without it, score it

Every answerable dev passage question is retrieved and read as the engine does; each candidate
sentence's features are kept with whether it holds a gold answer. The weights maximise the
softmax share of the answering sentences among each question's sentences (``fit``), starting
from and held near the hand-set weights, so that the scores stay on the scale the span scores
and the confidence model read. The output, the weights, is data; test splits are never read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from eval import suites as S
from eval.metrics import contains_gold
from eval.runner import RunConfig, default_cache_dir, load
from eval.train_confidence import DEV_SUITES, INDEX_OF, find_index
from qa import ArticleQA
from qa.answer.reader import HAND_WEIGHTS, SENTENCE_FEATURES, read
from qa.answer.turn import Turn
from qa.progress import TqdmProgress

logger = logging.getLogger(__name__)

OUT = Path(__file__).resolve().parents[1] / "qa" / "answer" / "data" / "reader.json"
FEATURES = (*SENTENCE_FEATURES, "bias")
#: the pull towards the hand-set weights, and the softmax's sharpness; on held-out dev suites
#: (fit without one, score it) 10 kept or gained a question or two where 1 and 0.1 lost some
PRIOR = 10.0
TEMPERATURE = 10.0


@dataclass(frozen=True)
class Question:
    suite: str
    id: str
    x: np.ndarray  #: one row of ``FEATURES`` per candidate sentence, in the reader's order
    gold: np.ndarray  #: the sentence holds a gold answer


def collect(suite_name: str, cache: Path, progress: bool = True) -> list[Question]:
    home = find_index(cache, INDEX_OF[suite_name])
    suite = load(RunConfig(suite=suite_name, home=home), cache)
    bot = ArticleQA(home=home)
    engine = bot.engine
    idf = engine._idf()
    out = []
    bar = TqdmProgress(suite_name, unit="q", enabled=progress)
    try:
        for n, item in enumerate(suite.items, start=1):
            bar(n, len(suite.items), item.id)
            if not item.answerable or not item.answers:
                continue
            turn = engine._parse(Turn(question=item.question, started=time.perf_counter()))
            if turn.plan is not None or turn.parsed.kind != "passage":
                continue
            turn = engine._step_retrieve(replace(turn, plan=None))
            readings = read(turn.parsed, list(turn.hits), idf, context=engine.retriever.neighbours)
            gold = np.array([bool(contains_gold(r.sentence, item.answers)) for r in readings])
            if not gold.any() or gold.all():
                continue  # nothing to rank: no sentence answers, or every one does
            x = np.array([[r.features.get(f, 1.0 if f == "bias" else 0.0) for f in FEATURES] for r in readings])
            out.append(Question(suite_name, item.id, x, gold))
    finally:
        bar.close()
        bot.close()
    return out


def top1(questions: Sequence[Question], w: np.ndarray) -> float:
    """Share of questions whose best-scored sentence holds a gold answer."""
    return float(np.mean([q.gold[int(np.argmax(q.x @ w))] for q in questions])) if questions else 0.0


def fit(questions: Sequence[Question], prior: float = PRIOR, temperature: float = TEMPERATURE) -> np.ndarray:
    """Weights that put the answering sentences first: the softmax over each question's sentences
    (scores times ``temperature``) puts the most mass on them, each question weighing the same
    within its suite and the suites the same, with a penalty ``prior`` * |w - hand-set|^2 that
    keeps the weights near the hand-set ones (they start there)."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    per_suite = {s: sum(q.suite == s for q in questions) for s in {q.suite for q in questions}}
    hand = np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for q in questions:
            s = temperature * (q.x @ w)
            every, right = logsumexp(s), logsumexp(s[q.gold])
            p = np.exp(s - every)
            p_right = np.where(q.gold, np.exp(s - right), 0.0)
            weight = 1.0 / per_suite[q.suite]
            total += weight * (every - right)
            grad += weight * temperature * ((p - p_right) @ q.x)
        d = w - hand
        return total + prior * float(d @ d), grad + 2 * prior * d

    return np.asarray(minimize(loss, hand.copy(), jac=True, method="L-BFGS-B").x)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suites", default=",".join(DEV_SUITES), help="dev suites to fit on")
    ap.add_argument("--hold-out", default="", help="a dev suite to leave out of the fit and score on")
    ap.add_argument("--cache", type=Path, default=None, help="eval cache with the indexes")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-write", action="store_true", help="fit and report, write nothing")
    ap.add_argument("--prior", type=float, default=PRIOR, help="pull towards the hand-set weights")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    names = [s for s in args.suites.split(",") if s]
    if any(S.is_test_suite(s) for s in [*names, args.hold_out]):
        raise SystemExit("the reader is fitted on dev suites only")
    cache = args.cache or default_cache_dir()
    data = {s: collect(s, cache) for s in names}
    train = [q for s in names if s != args.hold_out for q in data[s]]
    w = fit(train, prior=args.prior)
    hand = np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES])
    scores = {s: {"hand": round(top1(data[s], hand), 3), "fitted": round(top1(data[s], w), 3),
                  "questions": len(data[s])} for s in names}
    print(f"answering sentence ranked first (fitted on {len(train)} questions"
          f"{', ' + args.hold_out + ' held out' if args.hold_out else ''}):")
    for s, v in scores.items():
        print(f"  {s:18s} hand {v['hand']:.3f}  fitted {v['fitted']:.3f}  ({v['questions']} questions)")
    for f, v in sorted(zip(FEATURES, w, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {f:20s} {v:+.3f}   (hand {HAND_WEIGHTS.get(f, 0.0):+.3f})")
    if args.no_write:
        return 0
    info = {"fitted": dt.date.today().isoformat(), "suites": {s: len(data[s]) for s in names},
            "hold_out": args.hold_out, "prior": args.prior, "temperature": TEMPERATURE, "top1": scores,
            "refit": "python -m eval.train_reader"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"weights": dict(zip(FEATURES, map(float, w), strict=True)), "info": info},
                                   indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

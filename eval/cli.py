"""``article-qa eval``: run a suite against the public API and write the report."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import get_args

from eval.results import SuiteResult
from eval.runner import ALL_SYSTEMS, KNOWN_SYSTEMS, EvalError, RunConfig, run
from eval.suites import BUILTIN, SuiteError
from qa.settings import EmbedderName

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="article-qa eval",
        description="Accuracy evaluation: asks a gold question set through ArticleQA.ask, next "
        "to BM25-only, dense-only and plain-LangChain baselines, and writes report.md, "
        "results.json and plots.",
        epilog="Examples: article-qa eval --suite squad2 --limit 100; "
        "article-qa eval --suite news --home /tmp/idxnews; "
        "article-qa eval --suite mine.jsonl --home ~/.article-qa --systems system; "
        "article-qa eval --compare old/results.json new/results.json",
    )
    p.add_argument("--suite", help=f"{' | '.join(BUILTIN)} | path/to/gold.jsonl "
                   "(lines: {question, answers, article_ids?, answerable?, type?})")
    p.add_argument("--limit", type=int, help="ask only N questions (seeded sample, types kept)")
    p.add_argument("--corpus", help="squad2/multihop: full (default) | questions (only the "
                   "passages of the asked questions); news: news (default) | news100")
    p.add_argument("--answerer", choices=["extractive", "llm"], help="who writes the answer")
    p.add_argument("--mode", choices=["fast", "accurate"], help="reader mode")
    p.add_argument("--systems", default=",".join(ALL_SYSTEMS),
                   help=f"comma list of {', '.join(KNOWN_SYSTEMS)} (default: {','.join(ALL_SYSTEMS)}); "
                   "sentence = best sentence without a short span, accurate = LLM reader, "
                   "llm = generative answerer")
    p.add_argument("--home", type=Path, help="evaluate against this existing index as is "
                   "(nothing ingested; needed for custom suites without --articles)")
    p.add_argument("--articles", type=Path, nargs="+", default=[],
                   help="custom suite: article files / folders to build the index from")
    p.add_argument("--out", type=Path, help="report folder (default: eval/runs/<suite>-<time>)")
    p.add_argument("--cache", type=Path, help="corpus / index cache "
                   "(default: $ARTICLE_QA_EVAL_CACHE or ~/.cache/article-qa/eval)")
    p.add_argument("--no-cache", action="store_true", help="build everything in a temp folder")
    p.add_argument("--embedder", choices=list(get_args(EmbedderName)),
                   help="minilm = fp32 ONNX (default), minilm-torch = the same vectors on torch, "
                   "minilm-int8 = int8 ONNX, hash = fast fake (tests)")
    p.add_argument("--data-dir", type=Path, help="folder holding squad2/ and multihop_rag/ "
                   "(default: ../shared/data next to the repository)")
    p.add_argument("--demo-cache", type=Path, help="folder with NewsArticles.csv / News100.csv")
    p.add_argument("--seed", type=int, default=0, help="sampling seed for --limit")
    p.add_argument("-k", type=int, default=10, help="top-k of the LangChain baseline")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"),
                   help="show what changed between two results.json files, then exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.compare:
        return _compare(args.compare[0], args.compare[1], args.out)
    if not args.suite:
        print("article-qa eval: give --suite NAME|FILE.jsonl (or --compare A.json B.json)",
              file=sys.stderr)
        return 2
    home = args.home
    if home is None and args.suite not in BUILTIN and os.environ.get("ARTICLE_QA_HOME"):
        # a custom suite is asked against the user's index (`article-qa --home X eval ...`);
        # built-in suites build their own index unless --home is given after `eval`
        home = Path(os.environ["ARTICLE_QA_HOME"]).expanduser()
    config = RunConfig(
        suite=args.suite, limit=args.limit, corpus=args.corpus,
        systems=tuple(s.strip() for s in args.systems.split(",") if s.strip()),
        answerer=args.answerer, mode=args.mode, home=home,
        articles=tuple(args.articles), cache_dir=args.cache, use_cache=not args.no_cache,
        embedder=args.embedder, data_dir=args.data_dir, demo_cache=args.demo_cache,
        seed=args.seed, k=args.k, progress=not args.quiet,
    )
    try:
        result = run(config)
    except (EvalError, SuiteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from eval.report import write_report

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or Path("eval") / "runs" / f"{result.suite}-{stamp}"
    report = write_report(result, out, plots=not args.no_plots)
    _print_summary(result)
    print(f"report: {report}\nresults: {out / 'results.json'}")
    return 0


def _print_summary(result: SuiteResult) -> None:
    from eval.report import fmt

    keys = ("recall@5", "mrr", "f1", "contains", "correct", "refusal_recall", "latency_p50")
    print(f"{result.suite}: {len(result.rows_for(result.systems[0]))} questions, "
          f"{result.seconds.get('total', 0):.0f} s")
    print(f"{'system':<10}" + "".join(f"{k:>16}" for k in keys))
    for s in result.systems:
        summ = result.summary(s)
        print(f"{s:<10}" + "".join(f"{fmt(k, summ.get(k)):>16}" for k in keys))


def _compare(a: Path, b: Path, out: Path | None) -> int:
    from eval.compare import compare, render_comparison

    for p in (a, b):
        if not p.exists():
            print(f"error: {p} does not exist", file=sys.stderr)
            return 2
    text = render_comparison(compare(SuiteResult.load(a), SuiteResult.load(b)))
    print(text)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "compare.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

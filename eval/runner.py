"""Run a suite: build (or reuse) its index, ask every question of every system, score it.

Only the public API is used, the way a user would: ``ArticleQA(...).ingest(files)`` and
``ArticleQA.ask(question, retrieval=..., mode=..., answerer=...)``. The LangChain baseline
(eval/baselines.py) is asked the same questions over the same corpus files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval import suites as S
from eval.results import SYSTEM, QuestionResult, SuiteResult
from eval.scoring import error_row, score_answer
from qa import Answer, ArticleQA, Settings
from qa.progress import TqdmProgress

logger = logging.getLogger(__name__)

ALL_SYSTEMS = (SYSTEM, "bm25", "dense", "langchain")
#: ask() options of each system that is ArticleQA itself (langchain is the outside baseline)
SYSTEM_OPTIONS: dict[str, dict[str, str]] = {
    SYSTEM: {},
    "bm25": {"retrieval": "bm25"},
    "dense": {"retrieval": "dense"},
    "sentence": {"mode": "sentence"},  # the reader's best sentence, no short span
    "accurate": {"mode": "accurate"},  # the local LLM picks the span from the best sentences
    "llm": {"answerer": "llm"},  # generative answer over the retrieved passages
}
KNOWN_SYSTEMS = (*SYSTEM_OPTIONS, "langchain")


class EvalError(RuntimeError):
    """The evaluation cannot run (missing data, a system that fails on every question)."""


@dataclass(frozen=True)
class RunConfig:
    """Options of one evaluation run (the CLI flags)."""

    suite: str  #: squad2 | multihop | news | path/to/gold.jsonl
    limit: int | None = None  #: ask only this many questions (seeded sample)
    corpus: str | None = None  #: squad2/multihop: full | questions; news: news | news100
    systems: tuple[str, ...] = ALL_SYSTEMS
    answerer: str | None = None  #: extractive | llm (None: the settings' default)
    mode: str | None = None  #: fast | accurate
    home: Path | None = None  #: evaluate against this existing index; nothing is ingested
    articles: tuple[Path, ...] = ()  #: corpus files for a custom suite
    cache_dir: Path | None = None  #: where corpora / indexes are kept between runs
    use_cache: bool = True  #: False: everything in a temp dir, deleted afterwards
    embedder: str | None = None  #: minilm | minilm-int8 | hash (None: the settings' default)
    data_dir: Path | None = None  #: folder with squad2/ and multihop_rag/
    demo_cache: Path | None = None  #: folder with NewsArticles.csv / News100.csv
    seed: int = 0
    k: int = 10  #: top-k of the LangChain baseline
    progress: bool = True  #: tqdm bars on stderr

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else [str(p) for p in v]
                    if k == "articles" else list(v) if isinstance(v, tuple) else v)
                for k, v in dataclasses.asdict(self).items()}


def default_cache_dir() -> Path:
    env = os.environ.get("ARTICLE_QA_EVAL_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "article-qa" / "eval"


def run_suite(suite: str | Path, **options: Any) -> SuiteResult:
    """Evaluate ``suite`` (a name or a gold JSONL path); options are ``RunConfig`` fields."""
    return run(RunConfig(suite=str(suite), **options))


def load(config: RunConfig, work: Path) -> S.Suite:
    """The suite's questions and corpus files."""
    data = config.data_dir or S.SHARED_DATA
    if config.suite == "squad2":
        return S.load_squad2(data, work / "corpora", config.limit, config.corpus or "full",
                             config.seed)
    if config.suite in ("multihop", "multihop-dev", "multihop-test"):
        return S.load_multihop(data, work / "corpora", config.limit, config.corpus or "full",
                               config.seed, split=config.suite.partition("-")[2] or None)
    if config.suite in S.NEWS_GOLD:
        from ingest.demo import demo_csv

        variant = config.corpus or "news"
        cache = config.demo_cache or Settings.from_env().demo_cache or work / "demo"
        return S.load_news(demo_csv(variant, cache), config.limit, variant, config.seed,
                           gold=config.suite)
    path = Path(config.suite).expanduser()
    if path.suffix.lower() in (".jsonl", ".ndjson") and path.exists():
        if not config.home and not config.articles:
            raise EvalError("a custom suite needs --home (an existing index) or --articles")
        return S.load_custom(path, config.limit, config.seed, config.articles)
    raise EvalError(f"unknown suite {config.suite!r}: use {', '.join(S.BUILTIN)} or a .jsonl file")


def _index_key(suite: S.Suite, settings: Settings) -> str:
    """Corpus hash + embedder + chunking (settings and chunker source): same key, same index."""
    h = hashlib.sha256(suite.corpus_key.encode())
    h.update(f"{settings.embedder}:{settings.chunk_tokens}:{settings.chunk_overlap_sentences}".encode())
    for module in ("ingest.chunker", "ingest.parsers"):
        source = importlib.import_module(module).__file__
        if source:  # a package (ingest.parsers): all of its modules
            files = sorted(Path(source).parent.glob("*.py")) if source.endswith("__init__.py") else [Path(source)]
            for file in files:
                h.update(file.read_bytes())
    return f"{suite.corpus_name or suite.name}-{settings.embedder}-{h.hexdigest()[:12]}"


@contextmanager
def _bar(total: int, desc: str, enabled: bool) -> Iterator[Any]:
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="q", file=sys.stderr, disable=not enabled,
              dynamic_ncols=True) as bar:
        yield bar


def run(config: RunConfig) -> SuiteResult:
    """Run ``config`` and return the typed result (nothing is written; see eval.report)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    unknown = set(config.systems) - set(KNOWN_SYSTEMS)
    if unknown or not config.systems:
        raise EvalError(f"unknown systems {sorted(unknown)}; choose from {', '.join(KNOWN_SYSTEMS)}")
    t_start = time.perf_counter()
    seconds: dict[str, float] = {}
    notes: list[str] = []
    with ExitStack() as stack:
        if config.use_cache:
            work = config.cache_dir or default_cache_dir()
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aqa-eval-")))
        suite = load(config, work)
        if not suite.items:
            raise EvalError(f"suite {suite.name} has no questions")
        settings = Settings.from_env(home=config.home or work, embedder=config.embedder)
        ingested = config.home is None
        if ingested:
            settings = settings.replace(home=work / "index" / _index_key(suite, settings))
        bot = ArticleQA(settings=settings)
        stack.callback(bot.close)
        rep = None
        if ingested:
            t0 = time.perf_counter()
            bar = TqdmProgress("ingest", enabled=config.progress)
            try:
                rep = bot.ingest(list(suite.corpus_files), progress=bar)
            finally:
                bar.close()
            seconds["ingest"] = time.perf_counter() - t0
            logger.info("eval ingest into %s: %s", settings.home, rep.summary())
            for where, reason in rep.skipped[:5]:
                notes.append(f"ingest skipped {where}: {reason}")
        stats = bot.stats()
        corpus: dict[str, Any] = {
            "home": str(settings.home), "ingested": ingested, "files": [str(f) for f in
                                                                      suite.corpus_files],
            "key": suite.corpus_key if suite.corpus_files else "",
            "articles": stats.get("articles"), "chunks": stats.get("chunks"),
            "embedder": settings.embedder,
            "added": len(rep.added) if rep is not None else 0,
        }
        gold_ids = sorted({a for it in suite.items for a in it.article_ids})
        missing = set(gold_ids) - set(bot.index.catalog.articles(gold_ids))
        if missing:
            notes.append(f"{len(missing)} of {len(gold_ids)} gold articles are not in the index "
                         f"{settings.home}: questions about them cannot be answered")
        texts: dict[str, str | None] = {}

        def article_text(aid: str) -> str | None:
            if aid not in texts:
                art = bot.index.catalog.article(aid)
                texts[aid] = art.text if art is not None else None
            return texts[aid]

        rows: list[QuestionResult] = []
        for system in config.systems:
            ask = _asker(system, bot, suite, config, work, notes, seconds)
            if ask is None:
                continue
            t0 = time.perf_counter()
            rows += _ask_all(system, ask, suite, article_text, config.progress)
            seconds[system] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - t_start
    systems = [s for s in config.systems if any(r.system == s for r in rows)]
    return SuiteResult(
        suite=suite.name, description=suite.description, systems=systems, rows=rows,
        config={**config.to_dict(), "settings": _settings_dict(settings)},
        corpus=corpus, seconds={k: round(v, 2) for k, v in seconds.items()},
        created=dt.datetime.now().astimezone().isoformat(timespec="seconds"), notes=notes,
    )


def _settings_dict(settings: Settings) -> dict[str, Any]:
    keep = ("embedder", "chunk_tokens", "chunk_overlap_sentences", "top_k", "candidates",
            "rrf_k", "refuse_below", "answerer")
    return {k: getattr(settings, k) for k in keep if hasattr(settings, k)}


def _asker(
    system: str, bot: ArticleQA, suite: S.Suite, config: RunConfig, work: Path,
    notes: list[str], seconds: dict[str, float],
) -> Callable[[str], Answer] | None:
    """A question -> Answer function for ``system`` (None if it cannot run here)."""
    if system == "langchain":
        if not suite.corpus_files:
            notes.append("langchain baseline skipped: no corpus files (pass --articles)")
            return None
        from eval.baselines import LangChainBaseline

        key = f"{suite.corpus_name or suite.name}-{suite.corpus_key}" if config.use_cache else "run"
        persist = work / "langchain" / key
        persist.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        bar = TqdmProgress("langchain index", enabled=config.progress)
        try:
            baseline = LangChainBaseline(
                S.parse_articles(suite.corpus_files), persist, k=config.k, progress=bar)
        finally:
            bar.close()
        seconds["langchain_index"] = time.perf_counter() - t0
        return baseline.ask
    wanted = (("mode", config.mode), ("answerer", config.answerer))
    options: dict[str, Any] = {k: v for k, v in wanted if v}
    options.update(SYSTEM_OPTIONS[system])

    def ask(question: str) -> Answer:
        return bot.ask(question, **options)

    return ask


def _ask_all(
    system: str, ask: Callable[[str], Answer], suite: S.Suite,
    article_text: Callable[[str], str | None], progress: bool,
) -> list[QuestionResult]:
    # One unscored warm-up ask loads models and caches, so latency percentiles are steady-state;
    # if it fails, the system cannot answer anything and the run stops with the reason.
    try:
        ask(suite.items[0].question)
    except Exception as exc:
        raise EvalError(f"{system}: ask() fails: {type(exc).__name__}: {exc}") from exc
    rows = []
    with _bar(len(suite.items), f"{suite.name} [{system}]", progress) as bar:
        for item in suite.items:
            t0 = time.perf_counter()
            try:
                answer = ask(item.question)
            except Exception as exc:
                logger.warning("%s: %r failed: %s", system, item.question[:80], exc)
                rows.append(error_row(item, system, exc, time.perf_counter() - t0))
            else:
                rows.append(score_answer(item, answer, system, time.perf_counter() - t0,
                                         article_text))
            bar.update(1)
    return rows

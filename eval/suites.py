"""Gold sets and the corpora they are asked against.

Built-in suites: ``squad2`` and ``multihop`` (from ``../shared/data``), ``news`` (the demo news
corpus + the shared sample article, gold sets in ``eval/data``), and any user JSONL file.
Corpora are written as JSONL article exports and parsed with the same parser the index uses,
so gold article ids are exactly the ids the index gives those articles.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.parsers import Skip, discover, parse_file
from qa.types import Article

logger = logging.getLogger(__name__)

BUILTIN = ("squad2", "multihop", "multihop-dev", "multihop-test", "news", "news-test", "news-blind-dev",
           "news-blind-dev2", "news-blind-dev3", "compositional", "compositional-test")
SPLIT_SEED = 19  #: the seed of the MultiHop-RAG dev / test halves (fixed: the test half is frozen)
#: gold sets over the demo news corpus: the tuned-on dev set, and sets written blind
NEWS_GOLD = {
    "news": ("news_gold.jsonl", "news_collection_gold.jsonl"),  # dev: rules were tuned on it
    "news-test": ("news_blind_test.jsonl",),  # frozen blind test split: look at aggregates only
    "news-blind-dev": ("news_blind_dev.jsonl",),  # written the same way: tune on it freely
    "news-blind-dev2": ("news_blind_dev2.jsonl",),  # a second blind dev set, more near misses
    "news-blind-dev3": ("news_blind_dev3.jsonl",),  # a third, its first run recorded before any tuning
    # questions across articles, written blind; one file, split by its records' "split" field
    "compositional": ("compositional.jsonl#dev",),
    "compositional-test": ("compositional.jsonl#test",),  # frozen: aggregates only
}
EVAL_DIR = Path(__file__).resolve().parent
DATA_DIR = EVAL_DIR / "data"  #: gold sets shipped with the package
SHARED_DATA = EVAL_DIR.parent.parent / "shared" / "data"  #: ../shared/data next to the repo


def is_test_suite(name: str) -> bool:
    """Test splits (``news-test``, ``*-test``): report aggregates only, never tune or fit on them."""
    return name == "test" or name.endswith("-test") or "-test-" in name


class SuiteError(ValueError):
    """A suite that cannot be loaded; the message says what is missing."""


@dataclass(frozen=True)
class GoldItem:
    """One evaluation question with what counts as a right answer."""

    id: str
    question: str
    answers: tuple[str, ...] = ()  #: acceptable answers (any one counts); () if unanswerable
    article_ids: tuple[str, ...] = ()  #: articles holding the answer (retrieval gold)
    answerable: bool = True  #: False: the right behaviour is a refusal
    type: str = "default"  #: question type, for per-type tables
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Suite:
    """Questions plus the article files that make their corpus."""

    name: str
    items: tuple[GoldItem, ...]
    corpus_files: tuple[Path, ...] = ()  #: files to ingest (empty: use the given --home as is)
    description: str = ""
    corpus_name: str = ""  #: suites over the same corpus share its cached index (default: name)

    @property
    def corpus_key(self) -> str:
        """Hash of the corpus files' bytes: an index built from them can be reused."""
        h = hashlib.sha256()
        for f in sorted(self.corpus_files, key=lambda p: p.name):
            h.update(f.name.encode())
            h.update(f.read_bytes())
        return h.hexdigest()[:16]

    @property
    def types(self) -> list[str]:
        return sorted({i.type for i in self.items})


def select(items: Sequence[GoldItem], limit: int | None, seed: int = 0) -> list[GoldItem]:
    """``limit`` items drawn with a seeded shuffle (type mix kept), in their original order."""
    if limit is None or limit >= len(items):
        return list(items)
    keep = set(random.Random(seed).sample(range(len(items)), max(limit, 0)))
    return [it for n, it in enumerate(items) if n in keep]


def parse_articles(files: Iterable[Path]) -> list[Article]:
    """The articles the index would get from ``files`` (skipped records dropped)."""
    out: list[Article] = []
    for f in files:
        for item in parse_file(f):
            if isinstance(item, Skip):
                logger.debug("corpus: skipped %s: %s", item.where, item.reason)
            else:
                out.append(item)
    return out


def write_jsonl(records: Sequence[dict[str, Any]], work_dir: Path, stem: str) -> Path:
    """Write records to ``work_dir/<stem>-<content hash>.jsonl`` (kept if already there)."""
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / f"{stem}-{digest}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def _read_json(path: Path) -> Any:
    if not path.exists():
        raise SuiteError(f"{path} is missing (the suite needs ../shared/data or --data-dir)")
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- squad2

def load_squad2(
    data_dir: Path, work_dir: Path, limit: int | None = None, corpus: str = "full", seed: int = 0
) -> Suite:
    """SQuAD 2.0: open retrieval over all distinct passages; impossible questions to refuse.

    ``corpus="questions"`` keeps only the passages of the selected questions (the CI slice).
    Passage numbers follow first appearance in the full file, so ids do not depend on it.
    """
    queries = _read_json(data_dir / "squad2" / "queries.json")["queries"]
    truth = _read_json(data_dir / "squad2" / "ground_truth.json")
    number: dict[str, int] = {}
    for q in queries:
        number.setdefault(q["context"], len(number) + 1)
    chosen = select(
        [GoldItem(id=q["id"], question=q["question"], extra={"context": q["context"]})
         for q in queries],
        limit, seed,
    )
    if corpus == "questions":
        wanted = {it.extra["context"] for it in chosen}
        contexts = [c for c in number if c in wanted]
    elif corpus == "full":
        contexts = list(number)
    else:
        raise SuiteError(f"squad2 corpus must be 'full' or 'questions', not {corpus!r}")
    records = [{"title": f"SQuAD passage {number[c]}", "text": c} for c in contexts]
    path = write_jsonl(records, work_dir, f"squad2-{corpus}")
    ids_by_title = {a.title: a.id for a in parse_articles([path])}
    items = []
    for it in chosen:
        gold = truth[it.id]
        impossible = bool(gold.get("is_impossible"))
        items.append(GoldItem(
            id=it.id,
            question=it.question,
            answers=() if impossible else tuple(dict.fromkeys(gold.get("answers") or ())),
            article_ids=(ids_by_title[f"SQuAD passage {number[it.extra['context']]}"],),
            answerable=not impossible,
            type="no_answer" if impossible else "has_answer",
        ))
    return Suite(
        "squad2", tuple(items), (path,),
        f"SQuAD 2.0 dev sample: {len(items)} questions over {len(records)} passages "
        "(open retrieval; unanswerable questions must be refused)",
    )


# ---------------------------------------------------------------------------- multihop

def split_half(items: Sequence[GoldItem], half: str, seed: int = SPLIT_SEED) -> list[GoldItem]:
    """The ``dev`` or ``test`` half of ``items``, drawn by ``seed`` within each question type
    (an odd count gives test the extra one), in their original order."""
    if half not in ("dev", "test"):
        raise SuiteError(f"a split is 'dev' or 'test', not {half!r}")
    test: set[str] = set()
    for kind in sorted({it.type for it in items}):
        ids = sorted(it.id for it in items if it.type == kind)
        random.Random(f"{seed}:{kind}").shuffle(ids)
        test.update(ids[: (len(ids) + 1) // 2])
    return [it for it in items if (it.id in test) == (half == "test")]


def load_multihop(
    data_dir: Path, work_dir: Path, limit: int | None = None, corpus: str = "full", seed: int = 0,
    split: str | None = None,
) -> Suite:
    """MultiHop-RAG: one article per evidence URL (its facts as the body); null queries refused.
    ``split``: only the ``dev`` or the frozen ``test`` half (``split_half``); the corpus is the
    same either way."""
    raw = _read_json(data_dir / "multihop_rag" / "queries.json")
    queries = raw["queries"] if isinstance(raw, dict) else raw
    truth = _read_json(data_dir / "multihop_rag" / "ground_truth.json")
    every = [GoldItem(id=str(q["id"]), question=q["question"], type=q.get("question_type", "default"))
             for q in queries]
    chosen = select(split_half(every, split) if split else every, limit, seed)
    chosen_ids = {it.id for it in chosen}
    by_url: dict[str, dict[str, Any]] = {}
    for qid, gold in truth.items():
        for ev in gold.get("evidence_list") or ():
            rec = by_url.setdefault(ev["url"], {
                "title": ev.get("title", ""), "source": ev.get("source", ""),
                "author": ev.get("author", ""), "published_at": ev.get("published_at", ""),
                "category": ev.get("category", ""), "url": ev["url"], "facts": [], "q": set(),
            })
            if ev.get("fact") and ev["fact"] not in rec["facts"]:
                rec["facts"].append(ev["fact"])
            rec["q"].add(str(qid))
    if corpus == "questions":
        urls = [u for u, r in by_url.items() if r["q"] & chosen_ids]
    elif corpus == "full":
        urls = list(by_url)
    else:
        raise SuiteError(f"multihop corpus must be 'full' or 'questions', not {corpus!r}")
    records = []
    for u in urls:
        r = by_url[u]
        records.append({k: v for k, v in r.items() if k not in ("facts", "q")}
                       | {"text": "\n\n".join(r["facts"])})
    path = write_jsonl(records, work_dir, f"multihop-{corpus}")
    ids_by_url = {a.url: a.id for a in parse_articles([path])}
    items = []
    for it in chosen:
        gold = truth[it.id]
        answerable = it.type != "null_query"
        evidence_urls = dict.fromkeys(ev["url"] for ev in gold.get("evidence_list") or ())
        items.append(GoldItem(
            id=it.id,
            question=it.question,
            answers=(str(gold["answer"]),) if answerable and gold.get("answer") else (),
            article_ids=tuple(ids_by_url[u] for u in evidence_urls if u in ids_by_url),
            answerable=answerable,
            type=it.type,
        ))
    return Suite(
        f"multihop-{split}" if split else "multihop", tuple(items), (path,),
        f"MultiHop-RAG sample{f' ({split} half)' if split else ''}: {len(items)} questions over "
        f"{len(records)} articles built from the gold evidence facts (null queries must be refused)",
        corpus_name="multihop",
    )


# ---------------------------------------------------------------------------- news

def read_gold_jsonl(path: Path, default_type: str = "default") -> list[GoldItem]:
    """A gold JSONL: {question, answers, article_ids?, answerable?, type?, id?, gold?} a line."""
    if not path.exists():
        raise SuiteError(f"gold file {path} is missing")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            question = str(rec["question"]).strip()
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SuiteError(f"{path}:{n}: not a gold record ({exc})") from exc
        answers = rec.get("answers", rec.get("answer", ()))
        answers = (answers,) if isinstance(answers, str) else tuple(str(a) for a in answers or ())
        ids = rec.get("article_ids") or ()
        ids = (ids,) if isinstance(ids, str) else tuple(str(i) for i in ids)
        answerable = rec.get("answerable")
        extra = {k: v for k, v in rec.items() if k not in (
            "id", "question", "answers", "answer", "article_ids", "answerable", "type")}
        items.append(GoldItem(
            id=str(rec.get("id", f"{path.stem}:{n}")),
            question=question,
            answers=answers,
            article_ids=ids,
            answerable=bool(answers or ids) if answerable is None else bool(answerable),
            type=str(rec.get("type") or default_type),
            extra=extra,
        ))
    return items


def load_news(
    demo_csv: Path, limit: int | None = None, corpus: str = "news", seed: int = 0,
    gold_dir: Path = DATA_DIR, shared_articles: Path = SHARED_DATA / "articles",
    gold: str = "news",
) -> Suite:
    """The demo news corpus (plus the shared sample article) with one of its gold sets.

    ``demo_csv`` is NewsArticles.csv (``corpus="news"``) or News100.csv (``"news100"``: only
    the passage questions whose gold articles are among those 100 are kept; collection counts
    are over the full corpus, so collection questions are dropped). ``gold`` names the set
    (``NEWS_GOLD``): ``news`` (dev), ``news-test`` (blind, frozen), ``news-blind-dev`` or
    ``news-blind-dev2`` or ``news-blind-dev3``.
    """
    if gold not in NEWS_GOLD:
        raise SuiteError(f"unknown news gold set {gold!r}; choose one of {', '.join(NEWS_GOLD)}")
    first, *more = NEWS_GOLD[gold]
    first, _, split = first.partition("#")
    items = read_gold_jsonl(gold_dir / first)
    if split:
        items = [it for it in items if it.extra.get("split") == split]
    for name in more:
        if (gold_dir / name).exists():
            items += read_gold_jsonl(gold_dir / name, default_type="collection")
    files = [demo_csv]
    if corpus == "news" and shared_articles.is_dir():
        files += sorted(shared_articles.glob("*.txt"))
    if corpus == "news100":
        ids = {a.id for a in parse_articles([demo_csv])}
        items = [it for it in items if "gold" not in it.extra and (
            (it.article_ids and set(it.article_ids) <= ids) or not it.answerable)]
    elif corpus != "news":
        raise SuiteError(f"news corpus must be 'news' or 'news100', not {corpus!r}")
    items = select(items, limit, seed)
    return Suite(
        gold if corpus == "news" else f"{gold}-{corpus}", tuple(items), tuple(files),
        f"Demo news corpus ({demo_csv.name}"
        + (" + the shared sample article" if len(files) > 1 else "")
        + f"): {len(items)} hand-checked questions",
        corpus_name=corpus,  # every gold set over the same corpus shares one index
    )


def load_custom(
    path: Path, limit: int | None = None, seed: int = 0, articles: Sequence[Path] = ()
) -> Suite:
    """A user's gold JSONL, asked against their index (``--home``) or ``articles`` files."""
    items = select(read_gold_jsonl(path), limit, seed)
    files, skips = discover(articles)
    missing = [s for s in skips if s.reason == "no such file or folder"]
    if missing:
        raise SuiteError("; ".join(f"{s.where}: {s.reason}" for s in missing))
    return Suite(path.stem, tuple(items), tuple(files), f"{path}: {len(items)} questions")

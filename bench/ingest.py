"""Ingest speed and memory: article-qa (its embedders) vs a plain LangChain pipeline.

    python -m bench.ingest --corpus news100 [--rounds 2] [--systems langchain,minilm,minilm-int8]
    python -m bench.ingest --corpus news100 --rounds 3 --systems langchain,minilm,minilm-torch
    python -m bench.ingest --corpus news --rounds 1          # full demo corpus, ~25 min a system

Every system runs in its own fresh process (so ``ru_maxrss`` is its own peak memory) into a
new temporary home, one after the other; with several rounds the order rotates. Ratios are
against the LangChain baseline of the same round:

* baseline: our CSV parser (same articles) -> ``RecursiveCharacterTextSplitter(1000, 200)`` ->
  ``HuggingFaceEmbeddings`` (the same packaged all-MiniLM-L6-v2) -> ``Chroma.from_documents``.
* ours: ``ArticleQA(settings=Settings.from_env(home=tmp, embedder=...)).ingest(...)``, then the
  same ingest again (unchanged corpus) to time the re-ingest. ``minilm`` is the default (fp32
  ONNX), ``minilm-torch`` the same model on torch, ``minilm-int8`` the int8 ONNX model; the
  ONNX models are built (cached) before any timing.

``--keep DIR`` keeps each system's home as ``DIR/<system>`` (e.g. to evaluate or query the
int8 index afterwards); ``--no-baseline-reingest`` skips the baseline's second run, which
re-embeds everything by construction. Results are saved after every run (``"complete":
false`` until the last), so a long run that is cut short still leaves its finished systems.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS,
    Machine,
    demo_cache,
    demo_path,
    dir_mb,
    emit,
    load,
    peak_rss_mb,
    rss_mb,
    run_child,
    save,
    setup_logging,
)

logger = logging.getLogger(__name__)

SYSTEMS = ("langchain", "minilm", "minilm-int8", "minilm-torch")


# ---------------------------------------------------------------------- children
def child_ours(csv: Path, home: Path, embedder: str, reingest: bool) -> dict[str, Any]:
    from qa import ArticleQA, Settings

    t0 = time.perf_counter()
    bot = ArticleQA(settings=Settings.from_env(home=home, embedder=embedder,
                                               demo_cache=demo_cache()))
    emb = bot.index.embedder  # load the model now, so it is timed apart from the ingest
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()
    t1 = time.perf_counter()
    rep = bot.ingest([csv])
    ingest_s = time.perf_counter() - t1
    out: dict[str, Any] = {
        "system": f"article-qa ({embedder})",
        "embedder": emb.name,
        "load_s": load_s,
        "ingest_s": ingest_s,
        "articles_in": len(rep.added) + len(rep.duplicates) + len(rep.unchanged),
        "articles_indexed": len(rep.added),
        "duplicates": len(rep.duplicates),
        "skipped": len(rep.skipped),
        "chunks": rep.chunks_added,
        "rss_after_load_mb": rss_loaded,
        "rss_after_ingest_mb": rss_mb(),
    }
    if reingest:
        t2 = time.perf_counter()
        rep2 = bot.ingest([csv])
        out["reingest_s"] = time.perf_counter() - t2
        out["reingest_embedded_chunks"] = rep2.chunks_added
        out["reingest_unchanged"] = len(rep2.unchanged)
    out["vectors"] = bot.index.store.count()
    bot.close()
    out["peak_rss_mb"] = peak_rss_mb()
    out["index_mb"] = dir_mb(home)
    return out


def child_langchain(csv: Path, home: Path, reingest: bool) -> dict[str, Any]:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from qa.embed.base import packaged_model_path

    t0 = time.perf_counter()
    emb = HuggingFaceEmbeddings(
        model_name=str(packaged_model_path()),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()

    def run(directory: Path) -> tuple[int, int, float, Any]:
        from ingest.parsers import Skip, parse_file

        t = time.perf_counter()
        docs = [
            Document(
                page_content=f"{a.title}\n\n{a.text}" if a.title else a.text,
                metadata={"source": a.source, "title": a.title, "url": a.url,
                          "date": a.published.isoformat() if a.published else ""},
            )
            for a in parse_file(csv)
            if not isinstance(a, Skip)
        ]
        splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
        db = Chroma.from_documents(
            splits, emb, persist_directory=str(directory), collection_name="articles",
            collection_metadata={"hnsw:space": "cosine"},
        )
        return len(docs), len(splits), time.perf_counter() - t, db

    n_docs, n_chunks, ingest_s, db = run(home)
    out: dict[str, Any] = {
        "system": "LangChain baseline",
        "embedder": "all-MiniLM-L6-v2 (HuggingFaceEmbeddings)",
        "load_s": load_s,
        "ingest_s": ingest_s,
        "articles_in": n_docs,
        "articles_indexed": n_docs,
        "duplicates": 0,
        "skipped": 0,
        "chunks": n_chunks,
        "rss_after_load_mb": rss_loaded,
        "rss_after_ingest_mb": rss_mb(),
    }
    if reingest:
        # the plain pipeline has no record of what it stored: it embeds and adds everything again
        _, n2, reingest_s, db = run(home)
        out["reingest_s"] = reingest_s
        out["reingest_embedded_chunks"] = n2
    out["vectors"] = db._collection.count()
    out["peak_rss_mb"] = peak_rss_mb()
    out["index_mb"] = dir_mb(home)
    return out


# ---------------------------------------------------------------------- parent
ONNX_PRECISION = {"minilm": "fp32", "minilm-int8": "int8"}  #: embedders with a built model


def ensure_models_built(embedders: list[str]) -> None:
    """Build the cached ONNX models these embedders use before any timing (a one-off)."""
    from qa.embed.onnx_minilm import ensure_model

    for precision in sorted({ONNX_PRECISION[e] for e in embedders if e in ONNX_PRECISION}):
        t = time.perf_counter()
        path = ensure_model(precision)
        logger.info("%s model ready at %s (%.1f s)", precision, path, time.perf_counter() - t)


def run_rounds(csv: Path, systems: list[str], rounds: int, reingest: bool,
               child_args: list[str] | None = None, keep: Path | None = None,
               no_reingest: frozenset[str] = frozenset(),
               on_row: Callable[[list[dict[str, Any]]], None] | None = None,
               ) -> list[dict[str, Any]]:
    """Each round runs every system once (rotating the order); returns one row per run.

    ``keep``: keep the last round's home of each system as ``keep/<system>`` (must not exist
    yet). ``no_reingest``: systems whose unchanged re-ingest is skipped. ``on_row`` is called
    with the rows so far after every run (to save partial results).
    """
    rows: list[dict[str, Any]] = []
    for r in range(rounds):
        order = systems[r % len(systems):] + systems[: r % len(systems)]
        for system in order:
            with tempfile.TemporaryDirectory(prefix=f"bench-{system}-") as tmp:
                home = Path(tmp) / "home"
                args = ["--child", system, "--csv", str(csv), "--home", str(home)]
                if reingest and system not in no_reingest:
                    args.append("--reingest")
                logger.info("round %d: %s", r + 1, system)
                load_before = os.getloadavg()
                res = run_child("bench.ingest", args + (child_args or []))
                res["load_before"], res["load_after"] = load_before, os.getloadavg()
                res["started"] = time.strftime("%Y-%m-%d %H:%M:%S",
                                               time.localtime(time.time() - res["wall_seconds"]))
                if keep is not None and r == rounds - 1:
                    dest = keep / system
                    shutil.copytree(home, dest)
                    res["kept_home"] = str(dest)
                    logger.info("  kept the index at %s", dest)
            res["round"] = r + 1
            res["key"] = system
            rows.append(res)
            logger.info("  %s: %d articles, %d chunks in %.1f s (peak %.0f MB)", system,
                        res["articles_in"], res["chunks"], res["ingest_s"], res["peak_rss_mb"])
            if on_row is not None:
                on_row(rows)
    return rows


def summarise(rows: list[dict[str, Any]], baseline: str = "langchain") -> list[dict[str, Any]]:
    """Per system: medians over rounds, and ratios vs the baseline of the same round."""
    base_by_round = {r["round"]: r for r in rows if r["key"] == baseline}
    out = []
    for key in dict.fromkeys(r["key"] for r in rows):
        mine = [r for r in rows if r["key"] == key]
        med = {f: statistics.median(r[f] for r in mine)
               for f in ("load_s", "ingest_s", "peak_rss_mb", "rss_after_load_mb", "index_mb")}
        s: dict[str, Any] = {
            "key": key,
            "system": mine[0]["system"],
            "runs": len(mine),
            "articles_in": mine[0]["articles_in"],
            "articles_indexed": mine[0]["articles_indexed"],
            "chunks": mine[0]["chunks"],
            **{k: round(v, 2) for k, v in med.items()},
            "articles_per_s": round(mine[0]["articles_in"] / med["ingest_s"], 2),
            "chunks_per_s": round(mine[0]["chunks"] / med["ingest_s"], 2),
        }
        if all("reingest_s" in r for r in mine):
            s["reingest_s"] = round(statistics.median(r["reingest_s"] for r in mine), 2)
            s["reingest_fraction"] = round(
                statistics.median(r["reingest_s"] / r["ingest_s"] for r in mine), 3)
            s["reingest_embedded_chunks"] = mine[0].get("reingest_embedded_chunks")
        ratios = [base_by_round[r["round"]]["ingest_s"] / r["ingest_s"]
                  for r in mine if r["round"] in base_by_round]
        if ratios:
            s["speed_vs_baseline"] = round(statistics.median(ratios), 2)
            s["speed_vs_baseline_each_round"] = [round(x, 2) for x in ratios]
        out.append(s)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", default="news100", help="news100 | news | a CSV path")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-reingest", action="store_true", help="skip the unchanged re-ingest")
    ap.add_argument("--name", default="", help="result name (default ingest-<corpus>)")
    ap.add_argument("--keep", type=Path, help="keep each system's index as DIR/<system>")
    ap.add_argument("--append", action="store_true",
                    help="add these systems' runs to the saved result of the same name (its "
                         "runs of other systems are kept; ratios then span two invocations)")
    ap.add_argument("--no-baseline-reingest", action="store_true",
                    help="skip the LangChain baseline's re-ingest (it re-embeds everything)")
    ap.add_argument("--child", choices=[*SYSTEMS, "hash"], help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    ap.add_argument("--reingest", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    setup_logging(args.verbose)
    machine = Machine.describe()

    if args.child:
        csv, home = Path(args.csv), Path(args.home)
        if args.child == "langchain":
            emit(child_langchain(csv, home, args.reingest))
        else:
            emit(child_ours(csv, home, args.child, args.reingest))
        return None

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    ensure_models_built(systems)
    csv = demo_path(args.corpus)
    name = args.name or f"ingest-{Path(args.corpus).stem}"
    baseline = systems[0] if "langchain" not in systems else "langchain"
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        taken = [s for s in systems if (args.keep / s).exists()]
        if taken:
            ap.error(f"--keep: {', '.join(str(args.keep / s) for s in taken)} already exist(s)")
    skip = frozenset({"langchain"} if args.no_baseline_reingest else set())

    earlier: list[dict[str, Any]] = []
    earlier_meta: list[dict[str, Any]] = []
    if args.append:
        prev = load(name)
        if prev is None:
            ap.error(f"--append: no saved result {name!r} in {RESULTS}")
        elif prev.get("corpus") != args.corpus:
            ap.error(f"--append: {name!r} is for corpus {prev.get('corpus')!r}, not {args.corpus!r}")
        else:
            earlier = [r for r in prev["runs"] if r["key"] not in systems]
            kept = {r["key"] for r in earlier}
            earlier_meta = [*(e for e in prev.get("earlier_invocations", [])
                              if set(e["systems"]) & kept),
                            {"when": prev["when"], "machine": prev["machine"],
                             "load_after": prev.get("load_after"),
                             "systems": sorted({r["key"] for r in earlier})}]
            baseline = "langchain" if any(
                r["key"] == "langchain" for r in earlier) or "langchain" in systems else baseline

    def result_for(rows: list[dict[str, Any]], complete: bool) -> dict[str, Any]:
        every = sorted(earlier + rows, key=lambda r: r["key"] != baseline)  # baseline first
        out = {"corpus": args.corpus, "rounds": args.rounds,
               "systems": list(dict.fromkeys(r["key"] for r in every)) if earlier else systems,
               "complete": complete, "runs": every, "summary": summarise(every, baseline)}
        if earlier_meta:
            out["earlier_invocations"] = earlier_meta
        return out

    def save_partial(rows: list[dict[str, Any]]) -> None:
        save(name, result_for(rows, complete=False), machine=machine)

    rows = run_rounds(csv, systems, args.rounds, not args.no_reingest, keep=args.keep,
                      no_reingest=skip, on_row=save_partial)
    result = result_for(rows, complete=True)
    save(name, result, machine=machine)
    for s in result["summary"]:
        print(f"{s['system']:30s} {s['articles_per_s']:7.2f} art/s {s['chunks_per_s']:7.1f} chunks/s"
              f"  x{s.get('speed_vs_baseline', 1):.2f}  peak {s['peak_rss_mb']:.0f} MB"
              f"  re-ingest {s.get('reingest_fraction', '-')}")
    return result


if __name__ == "__main__":
    main()

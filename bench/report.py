"""Fill the generated tables of BENCHMARKS.md from bench/results/*.json.

    python -m bench.report

Only the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` markers is
replaced; the prose around them is hand-written.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, RESULTS, load

BENCHMARKS = BENCH_DIR.parent / "BENCHMARKS.md"


def _table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def machine_block(res: dict[str, Any]) -> str:
    m = res["machine"]
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    load_before = "/".join(f"{x:.1f}" for x in m["load_before"])
    load_after = "/".join(f"{x:.1f}" for x in res.get("load_after", []))
    return (f"{m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}; {pk}. "
            f"Run {res['when']}; load average (1/5/15 min) {load_before} before, "
            f"{load_after} after.")


def embed_block(res: dict[str, Any]) -> str:
    agree = res["agreement"]
    def ratio(s: dict[str, Any]) -> str:
        each = s.get("ratio_vs_torch_each_round") or []
        spread = f" ({min(each):.2f}-{max(each):.2f})" if len(each) > 1 else ""
        return f"{s['ratio_vs_torch']:.2f}x{spread}"

    rows = [
        [name, s["chunks_per_s"], ratio(s),
         agree.get(name, {}).get("cos_mean", "1 (reference)"), agree.get(name, {}).get("cos_min", ""),
         s.get("one_query_p50_ms", ""), s.get("one_query_p95_ms", ""), s.get("batch_vs_alone_cos_min", "")]
        for name, s in res["speed"].items()
    ]
    r = res["retrieval"]
    return "\n".join([
        machine_block(res), "",
        f"{res['speed_chunks']} real chunks of the news corpus, batch {res['batch_size']}, "
        "timed in interleaved rounds; ratios against torch in the same run.", "",
        _table(["variant", "chunks/s", "vs torch (range over rounds)", "cosine vs fp32 (mean)", "(min)",
                "one query p50 ms", "p95 ms", "in a batch vs alone (min cosine)"], rows), "",
        f"Retrieval agreement, int8 vs torch fp32, brute-force cosine top-5 over {r['chunks']} "
        f"chunks for {r['queries']} article-title queries: top-5 overlap "
        f"**{r['top5_overlap_mean']:.1%}**, same top-1 {r['top1_same']:.0%}, fp32's top-1 inside "
        f"int8's top-5 {r['fp32_top1_in_int8_top5']:.0%}; chunk cosine mean {r['chunk_cos_mean']}, "
        f"min {r['chunk_cos_min']}; query cosine mean {r['query_cos_mean']}.",
    ])


def ingest_block(res: dict[str, Any]) -> str:
    rows = []
    for s in res["summary"]:
        reing = (f"{s['reingest_s']:.1f} s ({s['reingest_fraction']:.1%}; "
                 f"{s['reingest_embedded_chunks']} chunks re-embedded)" if "reingest_s" in s else "-")
        rows.append([
            s["system"], s["articles_in"], s["chunks"], s["load_s"], s["ingest_s"],
            s["articles_per_s"], s["chunks_per_s"],
            (f"{s['speed_vs_baseline']:.2f}x" if "speed_vs_baseline" in s else "-")
            + (f" ({', '.join(map(str, s['speed_vs_baseline_each_round']))})"
               if len(s.get("speed_vs_baseline_each_round", [])) > 1 else ""),
            f"{s['peak_rss_mb']:.0f}", reing, f"{s['index_mb']:.1f}",
        ])
    notes = []
    if res.get("complete") is False:
        notes.append("**Incomplete run** (cut short): only the systems below finished.")
    timed = all(r.get("load_before") and r.get("started") for r in res["runs"])
    if res.get("earlier_invocations") and not timed:
        inv = "; ".join(f"{', '.join(e['systems'])} at {e['when']} (load "
                        + "/".join(f"{x:.1f}" for x in e["machine"]["load_before"]) + " before, "
                        + "/".join(f"{x:.1f}" for x in e.get("load_after") or []) + " after)"
                        for e in res["earlier_invocations"])
        notes.append(f"Systems measured in separate invocations (`--append`): {inv}; the rest in "
                     "the run above.")
    per_run = [f"{r['system']} started {r['started']}, load "
               + "/".join(f"{x:.1f}" for x in r["load_before"]) + " -> "
               + "/".join(f"{x:.1f}" for x in r["load_after"])
               for r in res["runs"] if r.get("load_before") and r.get("started")]
    if per_run:
        notes.append(("Systems measured in separate invocations (`--append`). " if
                      res.get("earlier_invocations") else "")
                     + "Per run (start, load average before -> after): " + "; ".join(per_run) + ".")
    if any("reingest_s" not in s for s in res["summary"]):
        notes.append("`-` under re-ingest: not run for that system (`--no-baseline-reingest`: "
                     "the plain pipeline re-embeds everything by construction).")
    return "\n".join([
        machine_block(res), "", *(n + "\n" for n in notes),
        f"Corpus `{res['corpus']}`, {res['rounds']} round(s), medians; each run in its own process.",
        "",
        _table(["system", "articles", "chunks", "open + model load s", "ingest s", "articles/s",
                "chunks/s", "ingest speed vs LangChain (per round)", "peak RSS MB",
                "re-ingest unchanged", "index MB"], rows),
    ])


def query_block(res: dict[str, Any]) -> str:
    rows = []
    parts = [("first pass", "first_pass"), ("1 thread", "single"),
             (f"{res['threads']} clients", "concurrent")]
    for label, key in parts:
        if key not in res:
            continue
        part = res[key]
        for g in ("passage", "catalog", "chitchat", "all"):
            v = part["latency"].get(g)
            if v:
                rows.append([label, g, v["n"], v["p50_ms"], v["p95_ms"], v["mean_ms"],
                             part.get("qps", "") if g == "all" else ""])
    return "\n".join([
        machine_block(res), "",
        f"{res['articles']} articles, {res['chunks']} chunks, embedder `{res['embedder']}`, "
        f"{res['questions']} questions x {res['repeat']} passes. Cold first question (model load "
        f"+ lexical index build) {res['cold_first_question_s']:.1f} s. RSS after warm-up "
        f"{res['rss_ready_mb']:.0f} MB, at the end {res['rss_end_mb']:.0f} MB "
        f"(peak {res['peak_rss_mb']:.0f} MB).", "",
        _table(["phase", "questions", "n", "p50 ms", "p95 ms", "mean ms", "questions/s"], rows),
    ])


def growth_block(res: dict[str, Any]) -> str:
    pts = res["points"]
    qkey = f"qps_{res['threads']}_threads"
    rows = [[f"{p['factor']}x", p["articles"], p["chunks"], p["chunks_per_s"],
             f"{p['ingest_peak_rss_mb']:.0f}", p["index_mb"], p["cold_first_question_s"],
             p["passage_p50_ms"], p["passage_p95_ms"], p["catalog_p50_ms"], p["qps_1_thread"],
             p.get(qkey), f"{p['query_rss_mb']:.0f}"] for p in pts]
    ex = res.get("extrapolated_1M") or {}
    lines = [
        machine_block(res), "",
        f"Base `{res['base']}`, embedder `{res['embedder']}`; copies are synthetic (re-dated, "
        "re-titled, marked in title and source).", "",
        _table(["size", "articles", "chunks", "ingest chunks/s", "ingest peak RSS MB", "index MB",
                "cold 1st question s", "passage p50 ms", "passage p95 ms", "catalog p50 ms",
                "q/s (1 thread)", f"q/s ({res['threads']} threads)", "query RSS MB"], rows),
    ]
    if ex:
        lines += [
            "",
            "**Extrapolated, not measured** (straight lines through the points above, this "
            f"machine, one process): {ex['articles']:,} articles ~ {ex['chunks']:,} chunks; "
            f"ingest ~{ex['ingest_hours_on_this_machine']:,} h on 2 cores; index ~{ex['index_gb']} GB "
            f"on disk; query-process RSS ~{ex.get('query_rss_mb', 0) / 1024:.1f} GB "
            f"(+{ex.get('query_rss_mb_per_1k_articles', 0):.1f} MB per 1,000 articles); passage "
            f"p50 ~{ex.get('passage_p50_ms', 0) / 1000:.1f} s "
            f"(+{ex.get('passage_p50_ms_per_1k_articles', 0):.2f} ms per 1,000 articles), "
            f"catalog p50 ~{ex.get('catalog_p50_ms', 0) / 1000:.1f} s; first question after a "
            f"start (builds the in-memory keyword index) ~{ex.get('cold_first_question_s', 0) / 60:.0f} min.",
        ]
    return "\n".join(lines)


def compare_block(res: dict[str, Any]) -> str:
    summ = res["summary"]
    base = next(iter(summ.values()))
    rows = [[e, v["passage_p50_ms"], v["passage_p95_ms"], v["catalog_p50_ms"], v["qps_1_thread"],
             f"{v['qps_1_thread'] / base['qps_1_thread']:.2f}x" if base["qps_1_thread"] else "",
             v.get(f"qps_{res['threads']}_threads"), v["cold_first_question_s"], f"{v['rss_mb']:.0f}"]
            for e, v in summ.items()]
    return "\n".join([
        machine_block(res), "",
        f"Corpus `{res['corpus']}`, one index per embedder, {res['rounds']} rotating rounds "
        "(a fresh process each), medians.", "",
        _table(["embedder", "passage p50 ms", "passage p95 ms", "catalog p50 ms", "q/s (1 thread)",
                "vs first", f"q/s ({res['threads']} threads)", "cold 1st question s", "RSS MB"], rows),
    ])


BLOCKS: dict[str, Callable[[dict[str, Any]], str]] = {
    "embed": embed_block,
    "ingest-news100": ingest_block,
    "ingest-news100-default": ingest_block,
    "ingest-NewsArticles": ingest_block,
    "ingest-news": ingest_block,
    "query-news100-minilm": query_block,
    "query-news100-minilm-int8": query_block,
    "query-idxnews": query_block,
    "query-idxnews-int8": query_block,
    "query-compare-news100": compare_block,
    "growth-news100": growth_block,
    "growth-News100": growth_block,
}


def render(text: str) -> str:
    """Replace every marked block whose result file exists."""
    for name, fn in BLOCKS.items():
        res = load(name)
        if res is None:
            continue
        start, end = f"<!-- bench:{name} -->\n", f"\n<!-- /bench:{name} -->"
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        replacement = start + fn(res) + end
        text = pattern.sub(lambda _m, r=replacement: r, text)  # type: ignore[misc]
    return text


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--file", type=Path, default=BENCHMARKS)
    args = ap.parse_args(argv)
    args.file.write_text(render(args.file.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {args.file} from {RESULTS}")


if __name__ == "__main__":
    main()

"""Embedder speed and agreement: torch fp32 MiniLM vs the fp32 and int8 ONNX paths, one run.

    python -m bench.embed [--speed-chunks 500] [--chunks 2000] [--queries 100]

Speed: every variant embeds the same real chunks of the demo news corpus, in interleaved
rounds (A B C ... A B C ...) so load changes on a shared machine hit all variants alike;
ratios are against torch in the same run. Agreement: cosine int8 vs fp32 per chunk, and top-5
overlap of brute-force cosine retrieval for article-title queries over the chunks.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass, field

import numpy as np

from bench.common import Machine, demo_path, save, setup_logging
from qa.embed.base import Embedder
from qa.embed.onnx_minilm import Int8MiniLMEmbedder

logger = logging.getLogger(__name__)


@dataclass
class Variant:
    name: str
    embedder: Embedder
    seconds: float = 0.0
    rounds: list[float] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)


class BatchedOnnx:
    """The int8 session fed padded, length-sorted batches: the recipe per-text runs replaced.

    Dynamic int8 takes one activation scale per input tensor, so here a text's vector depends on
    the texts (and the padding) batched with it: the control for batch-independence and speed.
    """

    def __init__(self, inner: Int8MiniLMEmbedder) -> None:
        self.inner = inner
        self.name = "onnx-int8-batched (old)"
        self.dim = 384

    def embed(self, texts: list[str]) -> np.ndarray:
        inner = self.inner
        ids = [e.ids for e in inner._tok.encode_batch(texts)]
        order = np.argsort([-len(x) for x in ids], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(order), inner.batch_size):
            rows = order[i : i + inner.batch_size]
            out[rows] = self._run([ids[r] for r in rows])
        return out

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, x in enumerate(batch):
            input_ids[row, : len(x)] = x
            mask[row, : len(x)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = self.inner._session.run(None, feeds)[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def corpus_chunks(n_chunks: int, n_queries: int) -> tuple[list[str], list[str]]:
    """The first ``n_chunks`` chunk texts of the news corpus, and titles of later articles."""
    from ingest.chunker import chunk_article
    from ingest.parsers import Skip, parse_file
    from qa.embed.base import token_counter

    count = token_counter().count_many
    texts: list[str] = []
    queries: list[str] = []
    for art in parse_file(demo_path("news")):
        if isinstance(art, Skip):
            continue
        if len(texts) < n_chunks:
            texts.extend(c.embed_text for c in chunk_article(art, count))
        elif art.title and len(art.title.split()) >= 4:
            queries.append(art.title)
            if len(queries) >= n_queries:
                break
    return texts[:n_chunks], queries


def build_variants(batch_size: int) -> list[Variant]:
    from qa.embed.minilm import MiniLMEmbedder
    from qa.embed.onnx_minilm import OnnxMiniLMEmbedder

    # the default cache; each model is built once if missing
    int8 = Int8MiniLMEmbedder(batch_size=batch_size)
    int8_w1 = Int8MiniLMEmbedder(batch_size=batch_size, threads=1, onnx_path=int8.path)
    fp32_onnx = OnnxMiniLMEmbedder(batch_size=batch_size)
    batched = Int8MiniLMEmbedder(batch_size=batch_size, threads=1, onnx_path=int8.path)
    _two_threads(batched)
    return [
        Variant("torch-fp32", MiniLMEmbedder(batch_size=batch_size)),
        Variant("onnx-fp32", fp32_onnx),
        Variant("onnx-int8", int8),
        Variant("onnx-int8-1-worker", int8_w1),
        Variant("onnx-int8-batched (old)", BatchedOnnx(batched)),
    ]


def _two_threads(emb: Int8MiniLMEmbedder) -> None:
    """Give the old batched recipe its own session with onnxruntime's default threading."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    emb._session = ort.InferenceSession(str(emb.path), opts, providers=["CPUExecutionProvider"])


def batch_consistency(variants: list[Variant], texts: list[str]) -> dict[str, float]:
    """Min cosine between each text embedded inside a batch and the same text embedded alone."""
    out = {}
    for v in variants:
        batch = v.embedder.embed(texts)
        alone = np.vstack([v.embedder.embed([t]) for t in texts])
        out[v.name] = round(float((batch * alone).sum(axis=1).min()), 5)
    return out


def time_variants(variants: list[Variant], texts: list[str], rounds: int) -> None:
    for v in variants:  # warm-up: first calls allocate
        v.embedder.embed(texts[:32])
    slices = np.array_split(np.arange(len(texts)), rounds)
    for r, rows in enumerate(slices):
        part = [texts[i] for i in rows]
        order = variants[r % len(variants):] + variants[: r % len(variants)]
        for v in order:
            t = time.perf_counter()
            v.vectors.append(v.embedder.embed(part))
            v.rounds.append(time.perf_counter() - t)
            v.seconds += v.rounds[-1]
        logger.info("round %d/%d done", r + 1, len(slices))


def time_single_queries(variants: list[Variant], queries: list[str]) -> dict[str, tuple[float, float]]:
    """Latency of embedding one short query (what a question costs), interleaved per query."""
    from bench.common import percentile

    times: dict[str, list[float]] = {v.name: [] for v in variants}
    for i, q in enumerate(queries):
        for v in variants[i % len(variants):] + variants[: i % len(variants)]:
            t = time.perf_counter()
            v.embedder.embed([q])
            times[v.name].append(time.perf_counter() - t)
    return {name: (round(percentile(ts, 50) * 1000, 1), round(percentile(ts, 95) * 1000, 1))
            for name, ts in times.items()}


def top_k(queries: np.ndarray, docs: np.ndarray, k: int) -> np.ndarray:
    sims = queries @ docs.T
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--speed-chunks", type=int, default=500)
    ap.add_argument("--chunks", type=int, default=2000, help="chunks for retrieval agreement")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--name", default="embed")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    setup_logging(args.verbose)
    machine = Machine.describe()

    texts, queries = corpus_chunks(max(args.chunks, args.speed_chunks), args.queries)
    # the timed set is spread over the corpus so its length mix is the corpus's
    step = max(1, len(texts) // args.speed_chunks)
    speed_rows = list(range(0, len(texts), step))[: args.speed_chunks]
    speed_texts = [texts[i] for i in speed_rows]
    variants = build_variants(args.batch_size)
    time_variants(variants, speed_texts, args.rounds)
    single = time_single_queries(variants, queries)
    consistency = batch_consistency(variants, speed_texts[:64])
    base = variants[0]
    speed = {
        v.name: {
            "chunks_per_s": round(len(speed_texts) / v.seconds, 2),
            "seconds": round(v.seconds, 2),
            "ratio_vs_torch": round(base.seconds / v.seconds, 2),
            "ratio_vs_torch_each_round": [
                round(b / x, 2) for b, x in zip(base.rounds, v.rounds, strict=True)],
            "one_query_p50_ms": single[v.name][0],
            "one_query_p95_ms": single[v.name][1],
            "batch_vs_alone_cos_min": consistency[v.name],
        }
        for v in variants
    }
    fp32 = np.vstack(base.vectors)
    agreement = {}
    for v in variants[1:]:
        cos = (np.vstack(v.vectors) * fp32).sum(axis=1)
        agreement[v.name] = {"cos_mean": round(float(cos.mean()), 4),
                             "cos_min": round(float(cos.min()), 4)}

    # retrieval agreement over all chunks: reuse the timed vectors, embed the rest untimed
    torch_emb, int8_emb = variants[0].embedder, variants[2].embedder
    timed_rows = set(speed_rows)
    rest = [i for i in range(len(texts)) if i not in timed_rows]
    logger.info("embedding %d more chunks + %d queries with both models", len(rest), len(queries))
    docs = {}
    for name, emb, timed in (("fp32", torch_emb, fp32), ("int8", int8_emb, np.vstack(variants[2].vectors))):
        full = np.zeros((len(texts), 384), dtype=np.float32)
        full[speed_rows] = timed
        if rest:
            full[rest] = emb.embed([texts[i] for i in rest])
        docs[name] = full
    q32, q8 = torch_emb.embed(queries), int8_emb.embed(queries)
    a, b = top_k(q32, docs["fp32"], 5), top_k(q8, docs["int8"], 5)
    overlap = [len(set(x) & set(y)) / 5 for x, y in zip(a, b, strict=True)]
    all_cos = (docs["fp32"] * docs["int8"]).sum(axis=1)
    retrieval = {
        "chunks": len(texts),
        "queries": len(queries),
        "top5_overlap_mean": round(float(np.mean(overlap)), 3),
        "top1_same": round(float(np.mean(a[:, 0] == b[:, 0])), 3),
        "fp32_top1_in_int8_top5": round(float(np.mean([x[0] in y for x, y in zip(a, b, strict=True)])), 3),
        "chunk_cos_mean": round(float(all_cos.mean()), 4),
        "chunk_cos_min": round(float(all_cos.min()), 4),
        "query_cos_mean": round(float((q32 * q8).sum(axis=1).mean()), 4),
    }
    result = {"speed_chunks": len(speed_texts), "batch_size": args.batch_size,
              "speed": speed, "agreement": agreement, "retrieval": retrieval}
    save(args.name, result, machine=machine)
    for name, s in speed.items():
        print(f"{name:22s} {s['chunks_per_s']:7.1f} chunks/s  x{s['ratio_vs_torch']:.2f} vs torch"
              + (f"  cos mean {agreement[name]['cos_mean']} min {agreement[name]['cos_min']}"
                 if name in agreement else ""))
    print("retrieval agreement:", retrieval)
    return result


if __name__ == "__main__":
    main()

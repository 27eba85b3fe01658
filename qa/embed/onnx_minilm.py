"""all-MiniLM-L6-v2 as an ONNX model run with onnxruntime (no torch at query time): fp32 (the
default ``minilm`` embedder) and int8 (``minilm-int8``).

The model is built locally from the packaged fp32 weights on first use - export with
``torch.onnx`` (TorchScript exporter), fuse the BERT graph with onnxruntime's transformer
optimizer, and for int8 quantise the weights per channel - and cached as a ``.onnx`` file named
by a fingerprint of the source weights and the recipe, built under a file lock so processes
starting together build it once. Nothing is downloaded. Building needs torch, transformers and
``onnx``; running the cached model needs only onnxruntime and tokenizers.

Each text runs through the model alone (no padding), with texts spread over a small pool of
one-thread sessions: faster here than padded batches on two threads, and a text's vector does
not depend on what it is embedded with.

* fp32: the same vectors as the sentence-transformers (torch) model to float rounding (cosine
  >= 0.9999998, max abs difference 2e-7 over 1,200 news chunks) at 2.4-2.7x its speed, so it
  records the same embedder identity as ``MiniLMEmbedder`` and reads the same indexes.
* int8: dynamic int8 quantisation takes its activation scales from the whole input tensor, so
  a text batched with others (and their padding) got another vector than alone (cosine 0.964
  on a VNNI CPU); per-text runs give every text its own scales. Vectors agree with fp32 at
  cosine >= 0.989 (see BENCHMARKS.md), so it records its own identity: indexes built with one
  must be queried with the same one (``Index`` checks the recorded name and ``VECTORS``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from qa.embed.base import DIM, MODEL_MAX_TOKENS, packaged_model_path
from qa.lang.nlp import TORCH_IMPORT

logger = logging.getLogger(__name__)

#: how each model is built; part of its cache key (bump to rebuild)
RECIPES = {
    "fp32": "export-eager-opset17+bert-fusion:v1",
    "int8": "export-eager-opset17+bert-fusion+dynamic-int8-per-channel:v1",
}
#: how int8 vectors are computed from the model; part of the index's embedder record, so an
#: index built with other vectors under the same name is re-embedded, not mixed
VECTORS = "per-text-scales-v2"
HIDDEN, HEADS = 384, 12


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/article-qa/models`` (``~/.cache/...``), read when called."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "article-qa" / "models"


def fingerprint(model_dir: Path, precision: str = "int8") -> str:
    """Short digest of the source weights, config and recipe: the cache key."""
    h = hashlib.sha256(RECIPES[precision].encode())
    for name in ("config.json", "model.safetensors"):
        with open(model_dir / name, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (several app workers may start at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_model(
    precision: str = "int8", model_dir: Path | None = None, cache_dir: Path | None = None
) -> Path:
    """Path of the cached ``fp32`` or ``int8`` model, building it (once, ~20 s) when missing."""
    model_dir = model_dir or packaged_model_path()
    cache_dir = cache_dir or default_cache_dir()
    out = cache_dir / f"all-MiniLM-L6-v2-{precision}-{fingerprint(model_dir, precision)}.onnx"
    if out.exists():
        return out
    with _file_lock(cache_dir / ".build.lock"):
        if out.exists():  # another process built it while we waited
            return out
        logger.info("building the %s ONNX model of all-MiniLM-L6-v2 into %s (once, ~20 s: "
                    "export, fuse%s)", precision, out, ", quantise" if precision == "int8" else "")
        t = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
            part = build_model(model_dir, Path(tmp), quantize=precision == "int8")
            os.replace(part, out)
        logger.info("built %s in %.1f s", out.name, time.perf_counter() - t)
    return out


def build_model(model_dir: Path, workdir: Path, quantize: bool = True) -> Path:
    """Export -> fuse -> quantise inside ``workdir``; returns the model path.

    ``quantize=False`` stops after the fusion (the fp32 model).
    """
    fp32 = workdir / "fp32.onnx"
    _export_fp32(model_dir, fp32)
    fused = workdir / "fused.onnx"
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        with _quiet_root_logger():  # the optimizer logs each fusion at INFO on module loggers
            opt = optimize_model(
                str(fp32), model_type="bert", num_heads=HEADS, hidden_size=HIDDEN, opt_level=1
            )
            opt.save_model_to_file(str(fused))
    except Exception as exc:  # the fusion is a speed-up only; the plain graph is correct
        logger.warning("BERT graph fusion failed (%s); using the plain export", exc)
        fused = fp32
    if not quantize:
        return fused
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8 = workdir / "int8.onnx"
    with _quiet_root_logger():  # the quantiser logs one INFO line per tensor on the root logger
        quantize_dynamic(
            str(fused),
            str(int8),
            weight_type=QuantType.QInt8,
            per_channel=True,  # per-tensor scales: cosine ~0.95 vs fp32; per-channel: ~0.993
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    return int8


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        root.setLevel(level)


def _export_fp32(model_dir: Path, out: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    with TORCH_IMPORT:  # not while the entity recogniser loads with torch hidden
        import torch
        from transformers import AutoModel

    # eager attention exports as plain ops that the BERT optimizer fuses into Attention
    bert = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    ).eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = tuple(torch.ones(2, 16, dtype=torch.long) for _ in names)
    axes = {n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHidden(bert),
            dummy,
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2, fp32, through onnxruntime; thread-safe (no lock around inference).

    Its vectors are the sentence-transformers model's to float rounding (measured: cosine >=
    0.9999998, max abs difference 2e-7), so it records the same identity as ``MiniLMEmbedder``
    (``all-MiniLM-L6-v2:384``) and reads and extends the indexes that one built.

    Every text is run alone (batch of one, no padding), so its vector does not depend on the
    texts embedded with it. ``workers`` texts run at a time, each on one thread. Vectors are
    mean-pooled over the tokens and L2-normalised, like the sentence-transformers model.
    """

    name = "all-MiniLM-L6-v2"
    version = ""
    dim = DIM
    precision = "fp32"

    def __init__(
        self,
        batch_size: int = 32,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        threads: int = 0,
        onnx_path: Path | None = None,
    ) -> None:
        """``threads``: texts run in parallel (0: one per available CPU); ``batch_size`` is
        the number of texts tokenised and handed to the pool at a time."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = model_dir or packaged_model_path()
        self.batch_size = max(1, batch_size)
        self.path = onnx_path or ensure_model(self.precision, model_dir, cache_dir)
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.enable_truncation(MODEL_MAX_TOKENS)
        tok.no_padding()
        self._tok = tok
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # parallelism comes from running texts side by side
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(self.path), opts, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.workers = threads or max(1, len(os.sched_getaffinity(0)))
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=f"embed-{self.precision}")
        logger.debug("loaded %s from %s (%d workers)", self.name, self.path, self.workers)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            ids = [e.ids for e in self._tok.encode_batch(list(texts[i : i + self.batch_size]))]
            if len(ids) == 1:  # a question: no hand-off to the pool
                out[i] = self._run(ids[0])
                continue
            for row, vec in enumerate(self._pool.map(self._run, ids)):
                out[i + row] = vec
        return out

    def _run(self, ids: list[int]) -> np.ndarray:
        """The vector of one tokenised text: mean of its token states, L2-normalised."""
        input_ids = np.asarray([ids], dtype=np.int64)
        feeds = {
            "input_ids": input_ids,
            "attention_mask": np.ones_like(input_ids),
            "token_type_ids": np.zeros_like(input_ids),
        }
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        pooled = hidden[0].mean(axis=0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


class Int8MiniLMEmbedder(OnnxMiniLMEmbedder):
    """all-MiniLM-L6-v2 quantised to int8 (``minilm-int8``): 1.8x the fp32 ONNX speed here,
    vectors at cosine ~0.99 from fp32, so it records its own identity.

    Run per text like the fp32 model, which here also gives every text its own activation
    scales (measured: 163 texts/s on two workers against 91 for one text at a time on two
    threads).
    """

    name = "all-MiniLM-L6-v2-int8"
    version = VECTORS
    precision = "int8"

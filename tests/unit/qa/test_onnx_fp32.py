"""The default embedder (``minilm``): all-MiniLM-L6-v2 in fp32 on onnxruntime, built locally
from the packaged weights. Its vectors are the torch model's to float rounding, which is why it
records the same identity and reads indexes the torch model built."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from qa.embed.base import embedder_record
from qa.embed.minilm import MiniLMEmbedder
from qa.embed.onnx_minilm import OnnxMiniLMEmbedder, ensure_model
from qa.settings import Settings
from qa.store.index import EMBEDDER_RECORDS

TEXTS = [
    "The president met the prime minister in Berlin to discuss trade.",
    "Heavy snow closed schools across the north of the country on Tuesday.",
    "Oil prices rose after OPEC agreed to cut production.",
    "Short.",
    "What did Tokayev say about trade with China?",
    "Gazprom's exports to Europe fell 12% in 2017, the company said on Monday, citing lower "
    "demand from Germany and Italy and a mild winter; analysts at Sberbank CIB expect a rebound.",
    "Parliament passed the budget after a long night of debate, with the opposition walking out "
    "in protest over cuts to health spending and pensions in rural regions. " * 6,  # > 256 pieces
    "Ünïcödé, emoji 🙂 and  odd   spacing\ttoo.",
]

#: Measured worst case on these texts (torch sentence-transformers vs this embedder): AMD EPYC
#: with AVX-512 (torch's AVX512 kernels): 1 - cosine 6.0e-8, max abs difference 2.0e-7; the
#: same code under ``qemu-x86_64 -cpu Haswell`` (torch reports AVX2; no AVX-512 for either
#: library): 0.0 / 1.7e-7. Over 1,200 news chunks on the EPYC: 1.2e-7 / 2.1e-7. The bounds are
#: ~10x looser than the worst of those, so other CPUs' rounding passes.
MAX_ABS_DIFF = 2e-6
MIN_COSINE = 1 - 1e-6


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx(cache: Path) -> OnnxMiniLMEmbedder:
    """Builds the fp32 model once for this module (export + fuse, ~5-20 s)."""
    return OnnxMiniLMEmbedder(cache_dir=cache)


def test_vectors_equal_the_torch_models(onnx: OnnxMiniLMEmbedder) -> None:
    a, b = onnx.embed(TEXTS), MiniLMEmbedder().embed(TEXTS)
    assert a.shape == (len(TEXTS), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float(np.abs(a - b).max()) <= MAX_ABS_DIFF
    assert float((a * b).sum(axis=1).min()) >= MIN_COSINE


def test_same_identity_as_the_torch_model(onnx: OnnxMiniLMEmbedder) -> None:
    """An index built with torch MiniLM is read and extended by the ONNX one, and back."""
    assert embedder_record(onnx) == embedder_record(MiniLMEmbedder()) == "all-MiniLM-L6-v2:384"
    assert EMBEDDER_RECORDS["minilm"] == EMBEDDER_RECORDS["minilm-torch"] == embedder_record(onnx)
    assert Settings.from_env(env={}).embedder == "minilm"  # the default


def test_a_text_gets_the_same_vector_alone_and_in_a_batch(onnx: OnnxMiniLMEmbedder) -> None:
    batch = onnx.embed(TEXTS)
    alone = np.vstack([onnx.embed([t]) for t in TEXTS])
    assert np.array_equal(batch, alone)  # each text runs alone either way: no padding
    assert np.array_equal(onnx.embed(TEXTS[::-1])[::-1], batch)  # the caller's order is kept


def test_empty_and_truncation(onnx: OnnxMiniLMEmbedder) -> None:
    assert onnx.embed([]).shape == (0, 384)
    long = " ".join(["The committee reviewed the annual report in detail."] * 60)  # >256 pieces
    a, b = onnx.embed([long]), onnx.embed([long + " Volcanoes and penguins."])
    assert np.array_equal(a, b)  # only the first 256 word-pieces are seen


def test_concurrent_callers_get_their_own_vectors(onnx: OnnxMiniLMEmbedder) -> None:
    texts = [f"{t} ({i})" for i in range(3) for t in TEXTS[:6]]
    expected = {t: onnx.embed([t])[0] for t in texts}
    got: dict[str, np.ndarray] = {}
    barrier = threading.Barrier(6)

    def work(part: list[str]) -> None:
        barrier.wait()
        for t in part:
            got[t] = onnx.embed([t])[0]
        onnx.embed(part)  # a batch through the pool at the same time

    threads = [threading.Thread(target=work, args=(texts[i::6],)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert set(got) == set(texts)
    assert all(np.array_equal(got[t], expected[t]) for t in texts)


def test_the_model_is_built_once_and_cached(
    onnx: OnnxMiniLMEmbedder, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    built = onnx.path
    assert built.parent == cache and built.name.startswith("all-MiniLM-L6-v2-fp32-")
    mtime = built.stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="qa.embed.onnx_minilm"):
        assert ensure_model("fp32", cache_dir=cache) == built
    assert built.stat().st_mtime_ns == mtime and "building" not in caplog.text
    assert list(cache.glob("*.onnx")) == [built]  # no leftovers from the build


def test_registry_falls_back_to_torch_when_the_onnx_model_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    import qa.embed.onnx_minilm
    from qa.embed import registry

    def no_export(*args: object, **kw: object) -> None:
        raise RuntimeError("torch.onnx is not available")

    monkeypatch.setattr(qa.embed.onnx_minilm, "_export_fp32", no_export)
    monkeypatch.setattr(registry, "_shared", {})
    with caplog.at_level(logging.WARNING, logger="qa.embed.registry"):
        emb = registry.get_embedder("minilm", batch_size=5, cache_dir=tmp_path / "models")
    assert isinstance(emb, MiniLMEmbedder)
    assert "torch.onnx is not available" in caplog.text and "torch model instead" in caplog.text
    assert list((tmp_path / "models").glob("*.onnx")) == []
    assert registry.get_embedder("minilm-torch", batch_size=5) is not emb  # its own instance

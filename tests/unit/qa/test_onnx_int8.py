"""The int8 ONNX MiniLM (``minilm-int8``): built locally from the packaged weights, close to fp32,
thread-safe."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from qa.embed.base import packaged_model_path
from qa.embed.minilm import MiniLMEmbedder
from qa.embed.onnx_minilm import Int8MiniLMEmbedder, default_cache_dir, fingerprint
from qa.embed.registry import get_embedder

SENTENCES = [
    "The president met the prime minister in Berlin to discuss trade.",
    "Heavy snow closed schools across the north of the country on Tuesday.",
    "Oil prices rose after OPEC agreed to cut production.",
    "Scientists found water ice near the moon's south pole.",
    "The striker scored twice as the club won the cup final 3-1.",
    "Short.",
    "Parliament passed the budget after a long night of debate, with the opposition "
    "walking out in protest over cuts to health spending and pensions in rural regions.",
]


@pytest.fixture(scope="session")
def xdg_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg")


@pytest.fixture(scope="session")
def int8(xdg_cache: Path) -> Int8MiniLMEmbedder:
    """Builds the int8 model once per test session (export + fuse + quantise, ~20 s)."""
    return Int8MiniLMEmbedder(cache_dir=xdg_cache / "article-qa" / "models")


@pytest.fixture(scope="session")
def fp32() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_vectors_agree_with_the_fp32_model(int8: Int8MiniLMEmbedder, fp32: MiniLMEmbedder) -> None:
    a, b = int8.embed(SENTENCES), fp32.embed(SENTENCES)
    assert a.shape == (len(SENTENCES), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    cos = (a * b).sum(axis=1)
    # The bound the index needs on every CPU. Measured minima (these 7 sentences / 47 texts
    # with 40 news chunks): AMD EPYC with AVX-512 VNNI 0.9893 / 0.9878; the same code under
    # qemu-x86_64 -cpu Haswell (AVX2 kernels, no VNNI) 0.9851 / 0.9843. onnxruntime's int8
    # kernels differ by CPU (AVX2 vs VNNI vectors agree at 0.981), so 0.98 is the bound both
    # hold. The 0.978 that failed on an Intel VNNI box came from batch-dependent scales.
    assert cos.min() >= 0.98, cos


def test_semantic_ordering(int8: Int8MiniLMEmbedder) -> None:
    q, near, far = int8.embed(
        ["What did OPEC decide about oil output?", SENTENCES[2], SENTENCES[4]]
    )
    assert q @ near > q @ far + 0.2
    # each sentence is its own nearest neighbour among paraphrase-free distinct topics
    v = int8.embed(SENTENCES[:5])
    sims = v @ v.T
    np.fill_diagonal(sims, -1)
    assert sims.max() < 0.6


def test_a_text_gets_the_same_vector_whatever_its_batch(int8: Int8MiniLMEmbedder) -> None:
    first = int8.embed(SENTENCES)
    assert np.array_equal(first, int8.embed(SENTENCES))
    # rows come back in the caller's order
    reversed_batch = int8.embed(SENTENCES[::-1])[::-1]
    assert ((first * reversed_batch).sum(axis=1) >= 0.999).all()
    # each text runs alone, with its own activation scales: alone, in a batch of seven, or
    # beside a long text, it gets the same vector. Measured 0.9999999 on an AMD EPYC with
    # AVX-512 VNNI and on the same code under qemu -cpu Haswell (AVX2, no VNNI); the batched
    # dynamic-int8 model this replaced gave 0.964 there.
    singles = np.vstack([int8.embed([s]) for s in SENTENCES])
    assert ((first * singles).sum(axis=1) >= 0.999).all()
    padded = int8.embed([SENTENCES[5], " ".join(SENTENCES)])[0]
    assert float(padded @ singles[5]) >= 0.999


def test_embedder_record_names_the_vectors_version(int8: Int8MiniLMEmbedder) -> None:
    from qa.embed.base import embedder_record
    from qa.embed.fake import HashEmbedder
    from qa.store.index import EMBEDDER_RECORDS

    assert embedder_record(int8) == EMBEDDER_RECORDS["minilm-int8"]
    assert embedder_record(int8) != "all-MiniLM-L6-v2-int8:384"  # the batch-dependent vectors
    assert embedder_record(HashEmbedder()) == EMBEDDER_RECORDS["hash"]


def test_empty_and_truncation(int8: Int8MiniLMEmbedder) -> None:
    assert int8.embed([]).shape == (0, 384)
    long = " ".join(["The committee reviewed the annual report in detail."] * 60)  # >256 pieces
    longer = long + " Completely different words about volcanoes and penguins."
    a, b = int8.embed([long]), int8.embed([longer])
    assert np.allclose(a, b, atol=1e-6)  # only the first 256 word-pieces are seen


def test_thread_safe_concurrent_queries(int8: Int8MiniLMEmbedder) -> None:
    texts = [f"{s} (variant {i})" for i in range(4) for s in SENTENCES]
    expected = {t: int8.embed([t])[0] for t in texts}
    got: dict[str, np.ndarray] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(part: list[str]) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                for t in part:
                    got[t] = int8.embed([t])[0]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(texts[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert set(got) == set(texts)
    for t in texts:
        assert np.allclose(got[t], expected[t], atol=1e-5), t


def test_model_is_cached_and_registered(
    int8: Int8MiniLMEmbedder, xdg_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = int8.path
    mtime = built.stat().st_mtime_ns
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg_cache))
    assert built.parent == default_cache_dir()
    emb = get_embedder("minilm-int8", batch_size=7)  # finds the cached file, builds nothing
    assert isinstance(emb, Int8MiniLMEmbedder)
    assert emb.name == "all-MiniLM-L6-v2-int8" and emb.dim == 384
    assert emb.path == built and built.stat().st_mtime_ns == mtime
    assert list(built.parent.glob("*.onnx")) == [built]  # no leftovers from the build
    # the int8 cache key did not change when the fp32 recipe was added beside it
    assert built.name == f"all-MiniLM-L6-v2-int8-{fingerprint(packaged_model_path())}.onnx"
    assert np.allclose(emb.embed(SENTENCES[:2]), int8.embed(SENTENCES[:2]), atol=1e-5)

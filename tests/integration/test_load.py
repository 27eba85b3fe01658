"""A small bounded load test of the served app (``bench/load.py``): 4 clients x 5 questions.

The real app runs in a child process on a loopback port over a hash-embedder index of the
fixture corpus; while the clients ask, two files are uploaded through ``/add_files``. Every
answer must equal the single-client answer, with no errors, and the uploads must land.
The full run (more clients, the real model) is ``python -m bench.load``.
"""

from __future__ import annotations

from pathlib import Path

from bench.load import run_load


def test_concurrent_clients_get_the_single_client_answers_during_uploads(tmp_path: Path) -> None:
    r = run_load(clients=4, questions=5, uploads=2, embedder="hash", concurrency=2,
                 workdir=tmp_path)
    assert r["errors"] == 0, r["error_samples"]
    assert r["answered"] == r["requests"] == 20
    assert r["mismatches"] == 0, r["mismatch_samples"]
    assert r["uploads_ingested"] == 2 and r["index_consistent_after"]
    assert 0 < r["latency_s"]["p50"] <= r["latency_s"]["p95"] <= r["latency_s"]["max"]
    assert r["server_peak_rss_mb"] > 50  # the child's memory was really sampled

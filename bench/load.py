"""Bounded load test of the served app on loopback: errors, correctness, latency, memory.

    python -m bench.load                                  # 8 clients x 10 questions, hash embedder
    python -m bench.load --clients 16 --questions 20 --embedder minilm --uploads 4

It builds a small index (tests/data/corpus) in a temporary home, starts the real app
(``app.py``) in a child process on a free loopback port, and asks every question once from a
single client to record the reference answers. Then ``--clients`` clients (threads, each its
own ``gradio_client.Client``) ask ``--questions`` questions each through the ``/ask`` API
while another client uploads ``--uploads`` files of unrelated articles through ``/add_files``.
Every answer must equal the single-client answer (text, refusal, cited articles and quotes);
the uploads may only add articles, so an answer may also equal the single-client answer asked
again after all the uploads. It stops by itself and writes ``bench/results/load.json``: errors
(must be 0), mismatches (must be 0), p50 / p95 / max latency, questions per second and the
server's peak RSS (sampled from /proc).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import RESULTS, Machine, percentile

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus"
#: questions over tests/data/corpus whose answers are known (passages, metadata, counts)
QUESTIONS = (
    "By how much did Gazprom increase gas exports to China?",
    "Who met Rex Tillerson in Bonn?",
    "how many TASS articles were published on 15 March 2017?",
    "What forced evacuations in Chile?",
    "How much does the cheaper iPad cost?",
    "What did Lavrov and Tillerson discuss?",
    "How many people left their homes because of the wildfire near Valparaiso?",
    "Which articles are from Reuters?",
)
WORDS = ("harbour council ferry timetable bakery festival library volunteers repaint bridge "
         "orchard tram museum marathon choir kayak regatta lighthouse market mural").split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_tree_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, from /proc (0 when unavailable)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def key(answer: dict[str, Any]) -> str:
    """What must not change under load: the answer, refusal, and every citation."""
    cites = [(c["article_id"], c["start"], c["end"], c["quote"]) for c in answer["citations"]]
    return json.dumps([answer["text"], answer["refused"], cites])


def unrelated_file(folder: Path, i: int, rng: random.Random) -> Path:
    """A markdown article about none of the benchmark questions' topics."""
    body = " ".join(" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "."
                    for _ in range(8))
    path = folder / f"local-news-{i}.md"
    path.write_text(f"---\ntitle: Local notes {i}\ndate: 2017-04-{1 + i % 28:02d}\n"
                    f"source: Town Crier\n---\n{body}\n", encoding="utf-8")
    return path


class Server:
    """``app.py`` in a child process over ``home``."""

    def __init__(self, home: Path, embedder: str, concurrency: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False", "ARTICLE_QA_EMBEDDER": embedder,
               "ARTICLE_QA_NO_DEMO": "1", "PYTHONPATH": str(ROOT)}
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--home", str(home), "--port", str(self.port),
             "--host", "127.0.0.1", "--concurrency", str(concurrency), "--no-demo"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            cwd=str(ROOT),
        )
        self.logfile = log

    def wait_ready(self, timeout: float = 180.0) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited ({self.proc.returncode}): "
                                   f"{self.logfile.read_text()[-2000:]}")
            try:
                with opener.open(self.url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the app did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self.log.close()


def client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def run_load(
    clients: int = 8, questions: int = 10, uploads: int = 2, embedder: str = "hash",
    concurrency: int = 2, seed: int = 1, workdir: Path | None = None,
) -> dict[str, Any]:
    """The whole benchmark; returns the results (also the questions that went wrong)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="aqa-load-", dir=workdir))
    home = tmp / "home"
    try:
        from qa import ArticleQA, Settings

        t0 = time.perf_counter()
        bot = ArticleQA(settings=Settings.from_env(home=home, embedder=embedder))
        built = bot.ingest([CORPUS])
        bot.close()
        build_s = time.perf_counter() - t0
        server = Server(home, embedder, concurrency, tmp / "app.log")
        try:
            server.wait_ready()
            single = client(server.url)
            reference = {q: key(single.predict(q, api_name="/ask")) for q in QUESTIONS}

            plan = [[rng.choice(QUESTIONS) for _ in range(questions)] for _ in range(clients)]
            latencies: list[float] = []
            errors: list[str] = []
            answers: list[tuple[str, str]] = []
            lock = threading.Lock()
            peak = {"rss": rss_tree_mb(server.proc.pid)}
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(0.2):
                    peak["rss"] = max(peak["rss"], rss_tree_mb(server.proc.pid))

            def ask_all(qs: list[str]) -> None:
                try:
                    c = client(server.url)
                except Exception as exc:  # counted, not raised: the report shows it
                    with lock:
                        errors.extend([f"connect: {exc}"] * len(qs))
                    return
                for q in qs:
                    t = time.perf_counter()
                    try:
                        got = key(c.predict(q, api_name="/ask"))
                    except Exception as exc:
                        with lock:
                            errors.append(f"{q}: {type(exc).__name__}: {exc}")
                        continue
                    with lock:
                        latencies.append(time.perf_counter() - t)
                        answers.append((q, got))

            upload_reports: list[str] = []

            def upload_all() -> None:
                from gradio_client import handle_file

                c = client(server.url)
                folder = tmp / "uploads-src"
                folder.mkdir()
                for i in range(uploads):
                    time.sleep(0.2)
                    path = unrelated_file(folder, i, rng)
                    try:
                        upload_reports.append(
                            str(c.predict([handle_file(str(path))], api_name="/add_files")))
                    except Exception as exc:
                        with lock:
                            errors.append(f"upload {path.name}: {type(exc).__name__}: {exc}")

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t_load = time.perf_counter()
            with ThreadPoolExecutor(clients + 1) as pool:
                futures = [pool.submit(ask_all, qs) for qs in plan]
                up = pool.submit(upload_all)
                for f in [*futures, up]:
                    f.result()
            wall = time.perf_counter() - t_load
            stop.set()
            sampler.join()
            after = {q: key(single.predict(q, api_name="/ask")) for q in QUESTIONS}
            mismatches = [q for q, got in answers if got not in (reference[q], after[q])]
        finally:
            server.stop()
        bot = ArticleQA(settings=Settings.from_env(home=home, embedder=embedder))
        try:
            from qa.store.doctor import check

            articles_after = bot.stats()["articles"]
            consistent_after = check(bot.index) == []
        finally:
            bot.close()
        result = {
            "benchmark": "load",
            "machine": Machine.describe().__dict__,
            "embedder": embedder,
            "articles": len(built.added),
            "clients": clients,
            "questions_per_client": questions,
            "server_concurrency": concurrency,
            "requests": clients * questions,
            "answered": len(answers),
            "errors": len(errors),
            "error_samples": errors[:5],
            "mismatches": len(mismatches),
            "mismatch_samples": mismatches[:5],
            "changed_by_uploads": sum(reference[q] != after[q] for q in QUESTIONS),
            "uploads": uploads,
            "articles_after": articles_after,
            "uploads_ingested": articles_after - len(built.added),
            "index_consistent_after": consistent_after,
            "latency_s": {
                "p50": round(percentile(latencies, 50), 3) if latencies else None,
                "p95": round(percentile(latencies, 95), 3) if latencies else None,
                "max": round(max(latencies), 3) if latencies else None,
            },
            "questions_per_s": round(len(answers) / wall, 2) if wall else None,
            "wall_s": round(wall, 1),
            "index_build_s": round(build_s, 1),
            "server_peak_rss_mb": round(peak["rss"], 1),
        }
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--questions", type=int, default=10, help="questions per client")
    p.add_argument("--uploads", type=int, default=2, help="files uploaded during the questions")
    p.add_argument("--embedder", default="hash", choices=["hash", "minilm", "minilm-torch", "minilm-int8"])
    p.add_argument("--concurrency", type=int, default=2, help="the app's --concurrency")
    p.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "gradio_client", "chromadb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    result = run_load(args.clients, args.questions, args.uploads, args.embedder, args.concurrency)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    return 0 if result["errors"] == 0 and result["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

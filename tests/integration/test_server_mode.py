"""Client/server mode: a real ``chroma run`` server, the app as its client (``chroma_url``)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qa import ArticleQA, Settings
from qa.citations import verify
from qa.store.doctor import check
from qa.store.vectors import ChromaStore, StoreError
from tests.conftest import CORPUS, free_port

CHROMA = Path(sys.executable).parent / "chroma"  #: the CLI installed with chromadb
GAZPROM_Q = "By how much did Gazprom increase gas exports to China?"


@dataclass
class ChromaServer:
    url: str
    path: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def start_server(where: Path, timeout: float = 60.0, port: int = 0) -> ChromaServer:
    """``chroma run`` on ``port`` (0: a free one) over ``where/server-data``; the log is appended to,
    so a server restarted on the same data keeps one log."""
    if not CHROMA.exists():
        pytest.skip(f"the chroma CLI is not installed next to {sys.executable}")
    port = port or free_port()
    log = where / "chroma-server.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(where / "server-data"),
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    server = ChromaServer(f"http://127.0.0.1:{port}", where / "server-data", proc, log)
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chroma run exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            with no_proxy.open(server.url + "/api/v2/heartbeat", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    server.stop()
    pytest.fail(f"chroma run did not answer its heartbeat in {timeout:.0f} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    s = start_server(tmp_path_factory.mktemp("chroma-server"))
    yield s
    s.stop()


def client_bot(home: Path, url: str, collection: str) -> ArticleQA:
    return ArticleQA(settings=Settings.from_env(
        home=home, embedder="hash", chroma_url=url, collection=collection))


def test_ingest_stats_doctor_and_ask_through_the_server(server: ChromaServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    bot = client_bot(home, server.url, "single")
    try:
        report = bot.ingest([CORPUS])
        assert report.ok and report.added and report.chunks_added > 0
        stats = bot.stats()
        assert stats["store"] == server.url
        assert stats["vectors"] == stats["chunks"] == report.chunks_added
        assert not (home / "chroma").exists()  # no embedded store was created locally
        assert (server.path / "chroma.sqlite3").exists()  # the vectors live on the server
        # a separate client sees exactly the catalog's chunks on the server
        assert ChromaStore(url=server.url, collection="single").all_ids() == bot.index.catalog.chunk_ids()
        assert check(bot.index) == []

        again = bot.ingest([CORPUS])
        assert again.chunks_added == 0 and sorted(again.unchanged) == sorted(report.added)
        assert bot.stats()["vectors"] == stats["vectors"]

        ans = bot.ask(GAZPROM_Q)
        assert ans.passages, "retrieval through the server found nothing"
        assert "Gazprom" in ans.passages[0].chunk.text
        assert not ans.refused and "12 percent" in ans.text
        assert ans.citations
        for c in ans.citations:
            assert verify(c, bot.index.catalog.article(c.article_id))
    finally:
        bot.close()


def test_two_workers_share_one_server_and_catalog(
    server: ChromaServer, tmp_path: Path, corpus_dir: Path
) -> None:
    """Two app workers (same home, same server): one ingests, the other answers from it."""
    home = tmp_path / "home"
    a, b = client_bot(home, server.url, "shared"), client_bot(home, server.url, "shared")
    try:
        a.ingest([corpus_dir / "export.csv"])
        assert b.stats()["articles"] == a.stats()["articles"] > 0
        first = b.ask(GAZPROM_Q)
        assert "Gazprom" in first.passages[0].chunk.text

        (corpus_dir / "harbour.txt").write_text(
            "Cork harbour dredging begins\n\nDredgers began deepening the channel of Cork "
            "harbour on Monday so that larger container ships can dock at Ringaskiddy.\n",
            encoding="utf-8",
        )
        a.ingest([corpus_dir / "harbour.txt"])
        assert b.stats()["vectors"] == a.stats()["vectors"] == a.stats()["chunks"]
        later = b.ask("When did dredging of the Cork harbour channel begin at Ringaskiddy?")
        assert later.passages and "Ringaskiddy" in later.passages[0].chunk.text
        assert check(b.index) == []
    finally:
        a.close()
        b.close()


def test_no_server_at_the_url_is_a_clear_store_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(StoreError) as err:
        client_bot(tmp_path / "home", url, "articles")
    msg = str(err.value)
    assert url in msg and "chroma run" in msg


def test_server_going_away_is_a_clear_store_error(tmp_path: Path) -> None:
    srv = start_server(tmp_path)
    bot = client_bot(tmp_path / "home", srv.url, "articles")
    try:
        bot.ingest([CORPUS / "export.csv"])
        srv.stop()
        with pytest.raises(StoreError, match=r"chroma run|server"):
            bot.stats()
        with pytest.raises(StoreError, match=r"chroma run|server"):
            bot.ask(GAZPROM_Q)
    finally:
        srv.stop()
        bot.close()



WORKER = r'''
import json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from qa import ArticleQA
bot = ArticleQA()  # everything from ARTICLE_QA_* (home, chroma_url, collection, embedder)
bot.warm_up()
print("READY", flush=True)
for line in sys.stdin:
    a = bot.ask(line.strip())
    print(json.dumps({"text": a.text, "refused": a.refused, "cited": [c.article_id for c in a.citations],
                      "passages": [p.chunk.id for p in a.passages]}), flush=True)
'''


class Worker:
    """An app worker in its own process: questions in on stdin, answers out as JSON lines."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER], env=env, text=True, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=open(log, "w"))  # noqa: SIM115
        assert self.readline() == "READY"

    def readline(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"the worker died: {self.log.read_text()[-2000:]}"
        return line.strip()

    def ask(self, question: str) -> dict[str, object]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(question + "\n")
        self.proc.stdin.flush()
        import json

        answer: dict[str, object] = json.loads(self.readline())
        return answer

    def stop(self) -> str:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)
        return self.log.read_text()


def test_two_worker_processes_and_an_ingest_process_share_the_server_and_catalog(
    server: ChromaServer, tmp_path: Path, corpus_dir: Path
) -> None:
    """Two app workers and an ingest process (three processes) on one ``chroma run`` and one
    catalog: the workers answer alike, see what the ingest process adds without a restart, and
    never build an index (the keyword index is in the catalog, the vectors on the server)."""
    import os

    env = {**os.environ, "ARTICLE_QA_HOME": str(tmp_path / "home"), "ARTICLE_QA_CHROMA_URL": server.url,
           "ARTICLE_QA_COLLECTION": "processes", "ARTICLE_QA_EMBEDDER": "hash", "HF_HUB_OFFLINE": "1"}

    def ingest(path: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(path), "-q"], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]

    ingest(corpus_dir / "export.csv")
    workers = [Worker(env, tmp_path / f"worker{i}.log") for i in (1, 2)]
    try:
        one, two = (w.ask(GAZPROM_Q) for w in workers)
        assert one == two and not one["refused"] and "12 percent" in str(one["text"])
        (corpus_dir / "harbour.txt").write_text(
            "Cork harbour dredging begins\n\nDredgers began deepening the channel of Cork "
            "harbour on Monday so that larger container ships can dock at Ringaskiddy.\n",
            encoding="utf-8",
        )
        ingest(corpus_dir / "harbour.txt")  # while both workers are running
        question = "Where can larger container ships dock once the Cork harbour channel is deepened?"
        one, two = (w.ask(question) for w in workers)
        assert one == two and not one["refused"] and "Ringaskiddy" in str(one["text"])
    finally:
        logs = [w.stop() for w in workers]
    for log in logs:
        assert "keyword index" not in log and "lexical index" not in log, log[-2000:]

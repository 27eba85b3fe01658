"""SIGKILL during ingest, at random points, then restart until done: nothing lost, nothing doubled.

Each run is a real child process (``DRIVER`` below) over a real on-disk index (SQLite catalog +
embedded Chroma). The child first reports the index exactly as the kill left it (``STATE``),
then repairs it and runs the doctor (``DOCTOR``), then ingests, printing ``DONE n total`` after
every committed write group. The parent kills it with SIGKILL after a random number of groups
plus a random part of the time a group takes (so kills land in parsing, embedding, the Chroma
write and the catalog commit alike), restarts it, and checks after every kill:

* every catalog chunk has its vector in Chroma, and every vector without a catalog chunk
  belongs to an article still marked ``pending`` (which the restart removes);
* no two vectors for the same (article, position): no duplicates;
* articles that were ready stay ready, and every group the child reported done is there;
* after the restart's repair, ``article-qa doctor`` finds nothing.

At the end the index must equal a clean, uninterrupted ingest: same articles, same chunk ids,
same texts and the same vectors. Fast CI version: 5 kills. ``-m slow``: >= 50 kills with the
hash embedder over 300 articles (initial ingest and an update of a third of them), and a handful
with the real MiniLM model. Figures are written to ``test-artifacts/kill-*.json``.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa import ArticleQA, Settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

DRIVER = r'''
import json, sys
from ingest import pipeline
from qa import ArticleQA, Settings
from qa.store.doctor import check

home, embedder, group, *paths = sys.argv[1:]
pipeline.GROUP_CHUNKS = int(group)
# the keyword index as the kill left it (opening the index below would fill in missing terms)
from pathlib import Path
from qa.store import keywords
from qa.store.catalog import Catalog
raw = Catalog(Path(home) / "catalog.sqlite3")
keyword_problems = keywords.check(raw)
raw.close()
bot = ArticleQA(settings=Settings.from_env(home=home, embedder=embedder))
idx, cat = bot.index, bot.index.catalog
got = idx.store.collection.get(include=["metadatas"])
state = {
    "ready": {r[0]: r[1] for r in cat.query("SELECT id, content_hash FROM articles WHERE state='ready'")},
    "pending": cat.pending_ids(),
    "catalog_chunks": {r[0]: r[1] for r in cat.query("SELECT id, article_id FROM chunks")},
    "store_ids": list(got["ids"]),
    "store_meta": [[m["article_id"], m["position"]] for m in got["metadatas"]],
    "bad_counts": len(cat.query(
        "SELECT a.id FROM articles a LEFT JOIN chunks c ON c.article_id = a.id "
        "WHERE a.state='ready' GROUP BY a.id HAVING COUNT(c.id) != a.n_chunks")),
    "keyword_problems": keyword_problems,
}
print("STATE " + json.dumps(state), flush=True)
repaired = idx.remove_pending()
print("DOCTOR " + json.dumps({"repaired": len(repaired), "problems": check(idx)}), flush=True)
print("GO", flush=True)
write = pipeline._write

def reporting_write(index, group, updated, report):
    write(index, group, updated, report)  # returns once the group is committed
    print("DONE " + json.dumps([[a.id, a.content_hash] for a, _ in group]), flush=True)

pipeline._write = reporting_write
rep = bot.ingest(paths)
print("REPORT " + json.dumps({"added": len(rep.added), "updated": len(rep.updated),
                              "unchanged": len(rep.unchanged), "repaired": len(rep.repaired)}),
      flush=True)
bot.close()
'''

WORDS = (
    "minister government said talks trade china russia europe market oil gas prices rose fell "
    "percent billion million company shares investors bank central rate inflation election vote "
    "party leader president parliament court ruling police city residents storm flood fire "
    "rescue hospital patients doctors study researchers university climate emissions energy "
    "wind solar coal plant workers union strike factory exports imports tariffs deal agreement "
    "summit meeting week month year monday tuesday wednesday thursday friday officials report "
    "statement spokesman according sources data growth economy budget tax spending debt bonds "
    "football club season match coach players fans stadium league title film festival award "
    "director actor music album tour museum exhibition artist children schools teachers pupils"
).split()
SOURCES = ("TASS", "Reuters", "BBC", "Al Jazeera", "CNN", "Xinhua")


def synthetic_corpus(
    path: Path, n: int, seed: int = 7, edit: set[int] | None = None, tag: str = "revised"
) -> Path:
    """``n`` distinct news-like articles as one JSONL file (``edit``: articles with a changed body)."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            paras = []
            for _ in range(rng.randint(2, 9)):
                sents = []
                for _ in range(rng.randint(2, 5)):
                    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
                    sents.append(" ".join(words).capitalize() + ".")
                paras.append(" ".join(sents))
            paras[0] = f"Story {i} opens here. " + paras[0]
            if edit and i in edit:
                paras.append(f"Update: story {i} was {tag} with a new closing paragraph.")
            rec = {
                "id": f"s{i}", "title": f"Story {i}: {' '.join(rng.sample(WORDS, 5))}",
                "body": "\n\n".join(paras), "source": SOURCES[i % len(SOURCES)],
                "date": f"2017-{1 + i % 12:02d}-{1 + i % 28:02d}",
            }
            out.write(json.dumps(rec) + "\n")
    return path


@dataclass
class KillStats:
    """What one kill campaign did (written to test-artifacts/)."""

    embedder: str
    articles: int
    runs: int = 0
    kills: int = 0
    kills_after_a_commit: int = 0  #: killed after >= 1 reported group (the rest died before one)
    repaired_articles: int = 0  #: pending articles the restarts removed and redid
    max_pending_seen: int = 0
    orphan_vectors_seen: int = 0  #: vectors of pending articles found after kills (then repaired)
    duplicates: int = 0
    lost: int = 0
    doctor_problems_after_repair: int = 0
    seconds: float = 0.0
    phases: list[str] = field(default_factory=list)


class Child:
    """One driver run; stdout lines go to a queue as they come."""

    def __init__(self, driver: Path, home: Path, embedder: str, group: int, corpus: Path,
                 log: Path) -> None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
               "PYTHONPATH": str(ROOT)}
        self.log = log
        self.err = open(log, "ab")  # noqa: SIM115 - closed in finish()
        self.proc = subprocess.Popen(
            [sys.executable, str(driver), str(home), embedder, str(group), str(corpus)],
            stdout=subprocess.PIPE, stderr=self.err, stdin=subprocess.DEVNULL, text=True,
            env=env, cwd=str(ROOT),
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, timeout: float = 180.0) -> str | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            alive = self.proc.poll() is None
            self.proc.kill()
            pytest.fail(f"driver silent for {timeout:.0f} s (alive: {alive}); last lines "
                        f"{[x[:80] for x in self.seen[-3:]]}; stderr: {self.log.read_text()[-3000:]}")
        if line is not None:
            self.seen.append(line)
        return line

    def until(self, prefix: str) -> str | None:
        while (line := self.next_line()) is not None:
            if line.startswith(prefix):
                return line
        return None

    def finish(self) -> int:
        """Wait for the exit, then take what it printed (not waiting on the pipe's EOF)."""
        try:
            rc = self.proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"driver did not exit in 300 s; last lines {[x[:80] for x in self.seen[-3:]]}")
        while True:
            try:
                line = self.lines.get(timeout=3)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
        self.err.close()
        return rc


def check_state(
    state: dict[str, Any], prev_ready: set[str], promised: dict[str, str], stats: KillStats
) -> set[str]:
    """The invariants that must hold right after any kill (before the restart repairs)."""
    ready_hash: dict[str, str] = state["ready"]
    ready, pending = set(ready_hash), set(state["pending"])
    cat_chunks: dict[str, str] = state["catalog_chunks"]
    store = dict(zip(state["store_ids"], map(tuple, state["store_meta"]), strict=True))
    assert len(store) == len(state["store_ids"]), "the same chunk id twice in Chroma"
    positions = list(store.values())
    dups = len(positions) - len(set(positions))
    stats.duplicates += dups
    assert dups == 0, f"{dups} duplicate (article, position) vectors in Chroma"
    assert not ready & pending
    missing = set(cat_chunks) - set(store)
    assert not missing, f"{len(missing)} catalog chunk(s) without a vector after a kill"
    assert set(cat_chunks.values()) <= ready, "chunk rows of an article that is not ready"
    orphans = {cid: meta for cid, meta in store.items() if cid not in cat_chunks}
    assert all(meta[0] in pending for meta in orphans.values()), (
        "vectors without a catalog chunk that belong to no pending article (repair cannot see them)"
    )
    assert state["bad_counts"] == 0, "a ready article whose chunk rows disagree with its count"
    assert state["keyword_problems"] == [], "the keyword index disagrees with the chunk rows after a kill"
    # an article being updated is pending until its new version is in: the restart redoes it
    lost = len(prev_ready - ready - pending)
    unkept = [i for i, h in promised.items() if ready_hash.get(i) != h]
    stats.lost += lost + len(unkept)
    assert lost == 0, f"{lost} article(s) that were ready are gone"
    assert not unkept, f"{len(unkept)} article(s) reported done are not ready with that content"
    stats.max_pending_seen = max(stats.max_pending_seen, len(pending))
    stats.orphan_vectors_seen += len(orphans)
    return ready


def kill_campaign(
    tmp: Path, home: Path, corpus: Path, embedder: str, stats: KillStats, rng: random.Random,
    kills: int, group: int, max_groups_before_kill: int = 3, max_jitter: float = 1.0,
) -> dict[str, Any]:
    """Run + SIGKILL + restart until ``kills`` kills are done and one run completes.

    A kill lands a random number of committed groups (up to ``max_groups_before_kill``) into a
    run, plus a random delay of up to ``max_jitter`` times the time one group takes, as measured
    in this campaign. The delay is scaled by the measured pace, not fixed in seconds: with a
    fixed delay a fast CPU finished the whole ingest before its planned kills (CI saw 3 of 5
    kills with 0.25 s, where a group of 16 chunks takes ~33 ms with the hash embedder here),
    and a slow one would only ever be killed early in a group.
    """
    driver = tmp / "driver.py"
    driver.write_text(DRIVER)
    log = tmp / "driver-stderr.log"
    prev_ready: set[str] = set()
    promised: dict[str, str] = {}  #: article id -> content hash, as reported committed
    killed_here = 0
    paces: list[float] = []  #: seconds between consecutive group commits seen so far
    for _ in range(kills + 50):
        child = Child(driver, home, embedder, group, corpus, log)
        stats.runs += 1
        line = child.until("STATE ")
        assert line is not None, f"driver died before STATE: {log.read_text()[-3000:]}"
        prev_ready = check_state(json.loads(line[6:]), prev_ready, promised, stats)
        line = child.until("DOCTOR ")
        assert line is not None, f"driver died in repair: {log.read_text()[-3000:]}"
        doctor = json.loads(line[7:])
        stats.repaired_articles += doctor["repaired"]
        stats.doctor_problems_after_repair += len(doctor["problems"])
        assert doctor["problems"] == [], doctor
        assert child.until("GO") == "GO"
        if killed_here < kills:
            target = rng.randint(0, max_groups_before_kill)
            # the pace is unknown until two commits were seen: the first run waits for them
            target = target if paces else max(target, 2)
            groups, last = 0, None
            while groups < target and (line := child.next_line()) is not None:
                if line.startswith("DONE "):
                    groups += 1
                    now = time.monotonic()
                    if last is not None:
                        paces.append(now - last)
                    last = now
            pace = sorted(paces)[len(paces) // 2] if paces else 0.0
            time.sleep(rng.uniform(0.0, max_jitter * pace))
            if child.proc.poll() is None:
                child.proc.send_signal(signal.SIGKILL)
                child.proc.wait(timeout=30)
        rc = child.finish()
        committed = [json.loads(x[5:]) for x in child.seen if x.startswith("DONE ")]
        for group_ids in committed:
            promised.update(dict(group_ids))
        report = next((json.loads(x[7:]) for x in child.seen if x.startswith("REPORT ")), None)
        if rc == -signal.SIGKILL and report is None:
            stats.kills += 1
            killed_here += 1
            stats.kills_after_a_commit += bool(committed)
            continue
        assert rc in (0, -signal.SIGKILL), f"driver failed ({rc}): {log.read_text()[-3000:]}"
        assert report is not None
        return report  # complete (if it outran a planned kill, the caller's count shows it)
    pytest.fail(f"no complete run after {stats.runs} runs")


def final_check(home: Path, reference: ArticleQA, embedder: str, stats: KillStats) -> None:
    """The killed-and-resumed index equals a clean ingest, vector for vector."""
    bot = ArticleQA(settings=Settings.from_env(home=home, embedder=embedder))
    try:
        from qa.store.doctor import check

        assert check(bot.index) == []
        ref_cat, cat = reference.index.catalog, bot.index.catalog
        ready = "SELECT id, content_hash, n_chunks FROM articles WHERE state='ready' ORDER BY id"
        assert [tuple(r) for r in cat.query(ready)] == [tuple(r) for r in ref_cat.query(ready)]
        rows = 'SELECT id, article_id, position, start, "end", text FROM chunks ORDER BY id'
        assert [tuple(r) for r in cat.query(rows)] == [tuple(r) for r in ref_cat.query(rows)]
        ids = sorted(cat.chunk_ids())
        assert bot.index.store.all_ids() == set(ids) and bot.index.store.count() == len(ids)
        got, want = bot.index.store.vectors(ids), reference.index.store.vectors(ids)
        worst = max(float(np.abs(got[i] - want[i]).max()) for i in ids)
        assert worst < 1e-4, f"a vector differs from the clean ingest by {worst}"
        assert cat.counts()["pending"] == 0
    finally:
        bot.close()


def reference_bot(tmp: Path, corpus: Path, embedder: str) -> ArticleQA:
    ref = ArticleQA(settings=Settings.from_env(home=tmp / "reference", embedder=embedder))
    rep = ref.ingest([corpus])
    assert rep.added and not rep.skipped
    return ref


def save(stats: KillStats, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"kill-{name}.json").write_text(json.dumps(asdict(stats), indent=2))
    print(f"\nkill campaign {name}: {json.dumps(asdict(stats))}")


def one_campaign(tmp_path: Path, corpus: Path, stats: KillStats, rng: random.Random, name: str,
                 **kill: Any) -> KillStats:
    """A first ingest of ``corpus``, SIGKILLed as ``kill`` says and run to completion; then the
    index must equal a clean ingest. Saves the figures as ``name``."""
    t0 = time.monotonic()
    report = kill_campaign(tmp_path, tmp_path / "home", corpus, stats.embedder, stats, rng, **kill)
    assert report["added"] + report["unchanged"] == stats.articles
    ref = reference_bot(tmp_path, corpus, stats.embedder)
    try:
        final_check(tmp_path / "home", ref, stats.embedder, stats)
    finally:
        ref.close()
    stats.seconds = round(time.monotonic() - t0, 1)
    stats.phases = ["initial ingest"]
    save(stats, name)
    return stats


# ============================================================================ tests
def test_sigkill_during_ingest_five_times(tmp_path: Path) -> None:
    """CI: 5 kills over 120 articles in small write groups, then the index equals a clean run."""
    corpus = synthetic_corpus(tmp_path / "news.jsonl", 120)
    stats = one_campaign(tmp_path, corpus, KillStats(embedder="hash", articles=120), random.Random(1), "fast",
                         kills=5, group=16, max_groups_before_kill=1, max_jitter=1.0)
    assert stats.kills == 5 and stats.lost == 0 and stats.duplicates == 0


@pytest.mark.slow
def test_sigkill_during_ingest_fifty_plus_times(tmp_path: Path) -> None:
    """>= 50 kills over 300 articles, in rounds that alternate a first ingest into a fresh
    index with an update of a third of the articles (re-embedded in place: the old vectors
    must go, the new ones must all arrive); each round ends equal to a clean ingest."""
    t0 = time.monotonic()
    n = 300
    rng = random.Random(20240610)
    stats = KillStats(embedder="hash", articles=n)
    rounds = 0
    while stats.kills < 50:
        rounds += 1
        work = tmp_path / f"round{rounds}"
        work.mkdir()
        if rounds % 2:  # a first ingest into a fresh index
            home = work / "home"
            corpus = synthetic_corpus(work / "news.jsonl", n)
            what = "initial ingest"
        else:  # an update of a third of the articles of the previous round's index
            edited = set(range(rounds % 3, n, 3))
            corpus = synthetic_corpus(work / "news.jsonl", n, edit=edited, tag=f"revised {rounds}")
            what = f"update of {len(edited)} articles"
        before = stats.kills
        report = kill_campaign(work, home, corpus, "hash", stats, rng, kills=12, group=16,
                               max_groups_before_kill=2, max_jitter=1.0)
        assert report["added"] + report["updated"] + report["unchanged"] == n
        ref = reference_bot(work, corpus, "hash")
        try:
            final_check(home, ref, "hash", stats)
        finally:
            ref.close()
        stats.phases.append(f"{what}: {stats.kills - before} kills")
    stats.seconds = round(time.monotonic() - t0, 1)
    save(stats, "slow-hash")
    assert stats.kills >= 50 and stats.lost == 0 and stats.duplicates == 0


@pytest.mark.slow
@pytest.mark.ci_slow
def test_sigkill_during_ingest_with_the_real_model(tmp_path: Path) -> None:
    """A handful of kills with the real MiniLM embedder (kills land mostly in embedding)."""
    corpus = synthetic_corpus(tmp_path / "news.jsonl", 60, seed=11)
    stats = one_campaign(tmp_path, corpus, KillStats(embedder="minilm", articles=60), random.Random(5),
                         "slow-minilm", kills=6, group=8, max_groups_before_kill=1, max_jitter=1.0)
    assert stats.kills >= 6 and stats.lost == 0 and stats.duplicates == 0

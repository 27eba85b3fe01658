"""While an ingest is running, collection answers say the counts are not final (and how far the
load is); a mark left by a killed ingest does not count."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from qa import ArticleQA, Settings
from tests.conftest import CORPUS


def test_collection_answers_carry_the_loading_notice_while_an_ingest_runs(tmp_path: Path) -> None:
    bot = ArticleQA(settings=Settings.from_env(env={}, home=tmp_path / "home", embedder="hash"))
    bot.ingest([CORPUS / "export.csv"])
    have = bot.stats()["articles"]
    seen: list[tuple[str, str]] = []

    def progress(done: int, total: int, what: str) -> None:  # mid-load: ask as a user of the app would
        seen.append((what, bot.ask("How many articles are there?").text))

    bot.ingest([CORPUS], progress=progress)
    assert {what.split()[0] for what, _ in seen} == {"parsing", "embedding"}
    assert all("still loading" in text for _, text in seen), seen
    final = bot.stats()["articles"]  # the last call comes when every article is written
    assert f"still loading: {final:,} articles so far" in seen[-1][1] or f"of {final:,} articles" in seen[-1][1]
    after = bot.ask("How many articles are there?")
    assert "still loading" not in after.text and bot.stats()["articles"] > have
    bot.close()


def test_a_mark_left_by_a_killed_ingest_is_ignored(tmp_path: Path) -> None:
    bot = ArticleQA(settings=Settings.from_env(env={}, home=tmp_path / "home", embedder="hash"))
    bot.ingest([CORPUS / "export.csv"])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    mark = {"expected": 999, "pid": int(dead.stdout), "host": socket.gethostname(), "started": 0}
    bot.index.catalog.set_meta("loading", json.dumps(mark))
    assert bot.index.loading_status() is None
    assert "still loading" not in bot.ask("How many articles are there?").text
    with bot.index.loading(999):  # a live one (this process) counts
        assert bot.index.loading_status() == (bot.stats()["articles"], 999)
        assert "still loading" in bot.ask("How many articles are there?").text
    assert bot.index.loading_status() is None
    bot.close()

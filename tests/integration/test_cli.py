"""The ``article-qa`` command, run as a user would (subprocess, fake embedder for speed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARTICLE_QA_HOME": str(home), "ARTICLE_QA_EMBEDDER": "hash",
           "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_help_lists_every_command(tmp_path: Path) -> None:
    out = run(tmp_path, "--help")
    assert out.returncode == 0
    for cmd in ("ingest", "ask", "stats", "serve", "eval", "doctor", "models"):
        assert cmd in out.stdout


def test_ingest_ask_stats_doctor(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ing = run(home, "ingest", "-q", str(CORPUS))
    assert ing.returncode == 0, ing.stderr
    assert "added 9" in ing.stdout
    assert "broken.txt: binary file" in ing.stderr  # bad files are named with the reason
    again = run(home, "ingest", "-q", str(CORPUS))
    assert "added 0" in again.stdout and "unchanged 9" in again.stdout

    st = json.loads(run(home, "stats", "--json").stdout)
    assert st["articles"] == 9 and st["vectors"] == st["chunks"]

    ask = run(home, "ask", "--json", "how many TASS articles were published on 15 March 2017?")
    ans = json.loads(ask.stdout)
    assert ans["kind"] == "collection" and ans["short_answer"] == "2"

    text = run(home, "ask", "Who met Rex Tillerson in Bonn?")
    assert "Sources:" in text.stdout and "[1]" in text.stdout

    doc = run(home, "doctor")
    assert doc.returncode == 0 and "consistent" in doc.stdout


def test_nothing_ingestible_exits_non_zero(tmp_path: Path) -> None:
    out = run(tmp_path / "h", "ingest", "-q", str(CORPUS / "broken.txt"))
    assert out.returncode == 1
    assert "skipped" in out.stderr


def test_pass_through_commands_get_their_options_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import eval.cli
    from qa import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(eval.cli, "main", lambda rest: seen.append(list(rest)) or 0)
    assert cli.main(["-v", "eval", "--suite", "news", "--home", "/idx", "--limit", "3"]) == 0
    assert seen == [["--suite", "news", "--home", "/idx", "--limit", "3"]]
    # a question that happens to be a command name is still a question
    assert cli._command_position(["ask", "eval"], {"eval", "serve"}) is None


def test_shared_options_work_before_or_after_the_command(tmp_path: Path) -> None:
    after, before = tmp_path / "after", tmp_path / "before"
    env = {**os.environ, "ARTICLE_QA_EMBEDDER": "hash", "HF_HUB_OFFLINE": "1"}
    env.pop("ARTICLE_QA_HOME", None)
    for args in (["ingest", "--home", str(after), "-q", str(CORPUS / "plain.txt")],
                 ["--home", str(before), "ingest", "-q", str(CORPUS / "plain.txt")],
                 ["stats", "--home", str(after), "-v", "--json"]):
        out = subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, env=env,
                             timeout=300, check=False)
        assert out.returncode == 0, (args, out.stderr)
    assert json.loads(out.stdout)["articles"] == 1
    assert (before / "catalog.sqlite3").exists()


def test_commands_other_packages_register_are_listed_not_imported() -> None:
    from qa import cli

    registered = cli.registered_commands()
    assert {"serve", "eval"} <= set(registered)
    assert registered["serve"].value == "app:main" and registered["eval"].value == "eval.cli:main"
    helps = cli.build_parser(registered).format_help()
    assert "start the chat app" in helps and "accuracy evaluation" in helps

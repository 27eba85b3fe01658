"""Shared fixtures: offline environment, tiny corpora, bots with the fake or real embedder."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_ARTICLES = SHARED / "data" / "articles"


IN_CI = os.environ.get("CI", "").lower() == "true"  #: CI must not skip what it claims to test


def require(ok: bool, reason: str) -> None:
    """Skip when something a test needs is missing, except under ``CI=true``, where it fails:
    a user who cloned the repository may lack ``../shared`` or a browser; CI always has them."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required here, not skipped)", pytrace=False)
    pytest.skip(reason)


def requires_shared(path: Path) -> pytest.MarkDecorator:
    """A mark for tests that read ``path`` under ../shared: skipped without it, failed in CI."""
    # under CI a missing file is not skipped: the test fails on it
    return pytest.mark.skipif(not (path.exists() or IN_CI),
                              reason=f"{path} is not here (../shared beside the repository)")


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture corpus (good and broken files)."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture
def shared_sample() -> Path:
    files = sorted(SHARED_ARTICLES.glob("*.txt")) if SHARED_ARTICLES.is_dir() else []
    require(bool(files), "../shared/data/articles is not here")
    return files[0]


@pytest.fixture
def fake_bot(tmp_path: Path):
    """ArticleQA with the deterministic hash embedder (fast; the model is beside the point)."""
    from qa import ArticleQA, Settings

    bot = ArticleQA(settings=Settings.from_env(home=tmp_path / "home", embedder="hash"))
    yield bot
    bot.close()


@pytest.fixture(scope="session")
def real_bot(tmp_path_factory: pytest.TempPathFactory):
    """ArticleQA with the real packaged MiniLM over the fixture corpus (built once)."""
    from qa import ArticleQA

    home = tmp_path_factory.mktemp("real-home")
    bot = ArticleQA(home=home)
    bot.ingest([CORPUS])
    yield bot
    bot.close()


TIERS = ("unit", "integration", "browser")  #: tests/<tier>/...: each test is marked with its folder's tier


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test with its tier (``-m unit``, ``-m integration``, ``-m browser``; ``slow`` is
    marked by hand on the full-corpus and real-LLM runs)."""
    root = Path(__file__).resolve().parent
    for item in items:
        try:
            tier = Path(str(item.path)).resolve().relative_to(root).parts[0]
        except ValueError:
            continue
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))

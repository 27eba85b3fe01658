"""The Gradio app: the launcher, the background jobs, the panel's catalog queries, and the served
app over gradio_client (the pure helpers are in test_ui_render.py).

The served tests start the real app in this process on a free loopback port, over a small
index of tests/data/corpus built with the real packaged MiniLM model, and call it the way an
API user would (``gradio_client``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import app
from qa.types import IngestReport
from tests.conftest import CORPUS, free_port
from ui.jobs import DemoLoader, IngestGate
from ui.layout import AppConfig, build_app, launch


# ============================================================================ fixtures / helpers
@contextlib.contextmanager
def running_app(
    bot: Any, upload_dir: Path, auth: tuple[str, str] | None = None, max_file_bytes: int | None = None
) -> Iterator[str]:
    """Serve the real app for ``bot`` on a free loopback port; yields its URL."""
    config = AppConfig(upload_dir=upload_dir, refresh_seconds=30, concurrency=2)
    if max_file_bytes is not None:
        config = dataclasses.replace(config, max_file_bytes=max_file_bytes)
    demo = build_app(bot, config)
    port = free_port()
    launch(demo, "127.0.0.1", port, auth, config, block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def client(url: str, **kw: Any) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False, **kw)


def chat(c: Any, question: str, sources: list[str] | None = None) -> str:
    """Ask through the UI's chat endpoint; returns the last assistant message (HTML)."""
    messages, box = c.predict(
        question, [], None, None, sources or [], [], "fast", "extractive", "hybrid",
        api_name="/chat",
    )
    assert box == ""
    assert messages[-2]["role"] == "user"
    last = messages[-1]
    assert last["role"] == "assistant"
    content = last["content"]
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Path]]:
    """(url, bot, upload dir) of the app over a fresh MiniLM index of the fixture corpus."""
    from qa import ArticleQA

    home = tmp_path_factory.mktemp("app-home")
    bot = ArticleQA(home=home)
    bot.ingest([CORPUS])
    with running_app(bot, home / "uploads") as url:
        yield url, bot, home / "uploads"
    bot.close()


# ============================================================================ launcher
def test_auth_and_host_helpers() -> None:
    assert app.parse_auth(None) is None and app.parse_auth("") is None
    assert app.parse_auth("alice:pa:ss") == ("alice", "pa:ss")
    for bad in ("alice", ":pw", "alice:"):
        with pytest.raises(ValueError):
            app.parse_auth(bad)
    assert app.is_loopback("127.0.0.1") and app.is_loopback("localhost")
    assert app.is_loopback("::1") and app.is_loopback("[::1]")
    assert not app.is_loopback("0.0.0.0") and not app.is_loopback("192.168.1.5")
    assert app.parse_size("25mb") == 25 * 1024 * 1024 and app.parse_size("1024") == 1024


def test_main_refuses_a_public_host_without_auth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARTICLE_QA_AUTH", raising=False)
    home = tmp_path / "home"
    rc = app.main(["--host", "0.0.0.0", "--no-demo", "--home", str(home)])
    assert rc == 2
    assert "refusing to serve on 0.0.0.0 without a password" in capsys.readouterr().err
    assert not home.exists()  # refused before opening (or creating) the index
    assert app.main(["--auth", "nopassword", "--no-demo", "--home", str(home)]) == 2
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


# ============================================================================ ingest scheduling
def test_gate_lets_an_upload_run_at_the_background_pause_point() -> None:
    gate = IngestGate()
    order: list[str] = []
    in_background = threading.Event()
    release_background = threading.Event()

    def background() -> None:
        with gate.background():
            order.append("bg-group-1")
            in_background.set()
            release_background.wait(5)
            gate.pause_point()  # a waiting upload runs here
            order.append("bg-group-2")

    def upload() -> None:
        with gate.foreground():
            order.append("upload")

    bg = threading.Thread(target=background)
    bg.start()
    assert in_background.wait(5)
    up = threading.Thread(target=upload)
    up.start()
    time.sleep(0.2)
    assert order == ["bg-group-1"]  # the upload waits while the group is being written
    release_background.set()
    bg.join(5)
    up.join(5)
    assert order == ["bg-group-1", "upload", "bg-group-2"]


def test_demo_loader_seeds_an_empty_index_once(
    fake_bot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """news100 + shared articles at first start, the full corpus in the background, once.

    The demo CSVs are swapped for fixture files (the download is beside the point here).
    """
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "house.txt").write_text((CORPUS / "house_sample.txt").read_text())
    demos = {"news100": CORPUS / "export.csv", "news": CORPUS / "feed.jsonl"}
    calls: list[str] = []

    def fake_ingest_demo(name: str, progress: Any = None) -> IngestReport:
        calls.append(name)
        return fake_bot.ingest([demos[name]], progress=progress)

    monkeypatch.setattr(fake_bot, "ingest_demo", fake_ingest_demo)
    loader = DemoLoader(fake_bot, IngestGate(), shared_dir=shared)
    assert loader.load_first() is True
    assert calls == ["news100"]
    n_first = fake_bot.stats()["articles"]
    assert n_first == 5  # 4 CSV rows with text + the shared house article
    thread = loader.start_background()
    thread.join(60)
    st = loader.status()
    assert st.stage == "done", st
    assert calls == ["news100", "news"]
    assert fake_bot.stats()["articles"] == n_first + 2
    assert loader.load_first() is False  # finished: a restart does nothing
    assert calls == ["news100", "news"]


def test_demo_loader_leaves_an_existing_collection_alone(fake_bot: Any) -> None:
    fake_bot.ingest([CORPUS / "notes.md"])
    loader = DemoLoader(fake_bot, IngestGate(), shared_dir=None)
    assert loader.load_first() is False
    assert fake_bot.stats()["articles"] == 1


def test_panel_queries_count_ready_articles_per_day_and_author(fake_bot: Any) -> None:
    from ui.charts import author_choices, chart_frames

    fake_bot.ingest([CORPUS])
    catalog = fake_bot.index.catalog
    per_day = catalog.articles_per_day()
    assert per_day == sorted(per_day) and all(n > 0 for _, n in per_day)
    assert sum(n for _, n in per_day) <= fake_bot.stats()["articles"]
    assert dict(per_day)["2017-03-15"] == 3  # the busiest day of the fixture corpus
    authors = author_choices(fake_bot)
    assert authors == catalog.top_authors(300) and "Ana Lopez" in authors
    assert catalog.top_authors(1) == authors[:1]
    src, days, caption = chart_frames(fake_bot, fake_bot.stats())
    assert list(src.columns) == ["source", "articles"] and list(days.columns) == ["day", "articles"]
    assert int(days["articles"].sum()) + int(caption.split()[0] if caption else 0) == sum(
        n for _, n in per_day)


# ============================================================================ served app
def test_chat_answers_with_citations(served: tuple[str, Any, Path]) -> None:
    url, _, _ = served
    out = chat(client(url), "who met Tillerson?")
    assert "Sergei Lavrov" in out
    assert 'class="aqa-card"' in out and "Lavrov meets Tillerson in Bonn" in out
    assert "<mark>Russian Foreign Minister Sergei Lavrov met US Secretary of State" in out
    assert "aqa-refused" not in out


def test_chat_endpoint_needs_only_the_message(served: tuple[str, Any, Path]) -> None:
    """Filters and modes are optional for API clients, the dates included."""
    url, _, _ = served
    params = client(url).view_api(return_format="dict", print_info=False)["named_endpoints"]["/chat"]["parameters"]
    assert [p["parameter_name"] for p in params if not p["parameter_has_default"]] == ["message"]
    messages, box = client(url).predict("who met Tillerson?", api_name="/chat")
    assert box == ""  # the text box is cleared
    assert "Sergei Lavrov" in str(messages[-1]["content"])


def test_chat_refuses_what_the_articles_do_not_say(served: tuple[str, Any, Path]) -> None:
    url, _, _ = served
    out = chat(client(url), "Who won the 2018 FIFA World Cup final?")
    assert "aqa-refused" in out and 'class="aqa-card"' not in out


def test_follow_up_uses_the_session_history(served: tuple[str, Any, Path]) -> None:
    url, _, _ = served
    c = client(url)
    chat(c, "who met Tillerson?")
    out = chat(c, "when was it published?")  # only answerable from the previous turn
    assert "15 March 2017" in out and "Lavrov meets Tillerson in Bonn" in out
    fresh = chat(client(url), "when was it published?")  # another session has no history
    assert "Lavrov meets Tillerson in Bonn" not in fresh


def test_outlet_filter_is_applied(served: tuple[str, Any, Path]) -> None:
    url, _, _ = served
    out = chat(client(url), "who met Tillerson?", sources=["BBC"])
    assert "aqa-refused" in out  # the one article about it is from TASS
    assert "Lavrov meets Tillerson in Bonn" not in out
    assert "filters: BBC" in out


def test_structured_api_returns_verified_citations(served: tuple[str, Any, Path]) -> None:
    url, bot, _ = served
    d = client(url).predict("who met Tillerson?", None, None, "fast", "extractive",
                            api_name="/ask")
    assert not d["refused"] and d["citations"]
    for cit in d["citations"]:
        art = bot.index.catalog.article(cit["article_id"])
        assert art.text[cit["start"] : cit["end"]] == cit["quote"]
    only_bbc = client(url).predict("who met Tillerson?", None, {"sources": ["BBC"]}, "fast",
                                   "extractive", api_name="/ask")
    assert only_bbc["refused"] and only_bbc["filters"]["sources"] == ["BBC"]


def test_upload_then_ask_about_it(served: tuple[str, Any, Path], tmp_path: Path) -> None:
    from gradio_client import handle_file

    url, _, upload_dir = served
    doc = tmp_path / "lighthouse news.md"
    doc.write_text(
        "---\ntitle: Ballycotton lighthouse repainted\ndate: 2017-03-22\n"
        "source: Cork Examiner\nauthor: Niamh Walsh\n---\n"
        "Volunteers repainted the Ballycotton lighthouse bright purple on Saturday. "
        "Fourteen volunteers used 300 litres of paint, the harbour master said.\n"
    )
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01 not text")
    c = client(url)
    report = c.predict([handle_file(str(doc)), handle_file(str(binary))], api_name="/add_files")
    assert "**1 article added or updated.**" in report
    assert "- **lighthouse news.md**: 1 added" in report
    assert "- **binary.txt**: 1 skipped" in report and "the file: binary file" in report
    stored = sorted(p.name.split("-", 1)[1] for p in upload_dir.iterdir())
    assert stored == ["binary.txt", "lighthouse news.md"]
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(Exception, match="Invalid file type"):
        c.predict([handle_file(str(pdf))], api_name="/add_files")
    assert len(list(upload_dir.iterdir())) == 2
    out = chat(c, "What colour was the Ballycotton lighthouse painted?")
    assert "purple" in out and "Ballycotton lighthouse repainted" in out
    again = c.predict([handle_file(str(doc))], api_name="/add_files")
    assert "1 already in the collection" in again


def test_concurrent_clients_get_their_own_answers(served: tuple[str, Any, Path]) -> None:
    url, _, _ = served
    cases = [
        ("who met Tillerson?", "Lavrov meets Tillerson in Bonn"),
        ("How many TASS articles were published on 15 March 2017?", "2 articles"),
        ("What did Storm Barbara bring to northern Scotland?", "Storm hits northern Scotland"),
        ("How much will the new library cost?", "Local council approves new library"),
    ]
    clients = [client(url) for _ in cases]
    with ThreadPoolExecutor(len(cases)) as pool:
        outs = list(pool.map(lambda ca: chat(ca[0], ca[1][0]), zip(clients, cases, strict=True)))
    titles = [e for _, e in cases if "articles" not in e]
    for (question, expected), out in zip(cases, outs, strict=True):
        assert expected in out, (question, out[:300])
        if expected in titles:  # a passage answer cites its own article, not another's
            assert not any(t in out for t in titles if t != expected), (question, out[:300])


def test_auth_is_required_when_configured(served: tuple[str, Any, Path], tmp_path: Path) -> None:
    _, bot, _ = served
    with running_app(bot, tmp_path / "uploads", auth=("alice", "s3cret")) as url:
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do; it must not answer
            client(url).predict("who met Tillerson?", None, None, "fast", "extractive",
                                api_name="/ask")
        with pytest.raises(Exception):  # noqa: B017
            client(url, auth=("alice", "wrong")).predict("hi", api_name="/ask")
        d = client(url, auth=("alice", "s3cret")).predict(
            "who met Tillerson?", None, None, "fast", "extractive", api_name="/ask")
        assert d["citations"]

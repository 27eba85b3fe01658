"""The Gradio app: pure rendering / validation helpers, and the served app over gradio_client.

The served tests start the real app in this process on a free loopback port, over a small
index of tests/data/corpus built with the real packaged MiniLM model, and call it the way an
API user would (``gradio_client``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import app
from qa.types import Answer, Chunk, Citation, IngestReport, ScoredChunk

from .conftest import CORPUS, free_port

# ============================================================================ fixtures / helpers
LAVROV_BODY = (
    "Russian Foreign Minister Sergei Lavrov met US Secretary of State Rex Tillerson in Bonn. "
    "The two discussed Syria and Ukraine for ninety minutes."
)


def _chunk(text: str = LAVROV_BODY, start: int = 0, **kw: Any) -> Chunk:
    fields: dict[str, Any] = {
        "id": "c1", "article_id": "a1", "position": 0, "text": text, "start": start,
        "end": start + len(text), "title": "Lavrov meets Tillerson in Bonn", "source": "TASS",
        "published": dt.date(2017, 3, 15), "url": "http://tass.com/politics/1002",
    }
    fields.update(kw)
    return Chunk(**fields)


def _citation(quote: str, start: int, **kw: Any) -> Citation:
    fields: dict[str, Any] = {
        "article_id": "a1", "title": "Lavrov meets Tillerson in Bonn", "source": "TASS",
        "published": dt.date(2017, 3, 15), "url": "http://tass.com/politics/1002",
        "chunk_id": "c1", "quote": quote, "start": start, "end": start + len(quote),
    }
    fields.update(kw)
    return Citation(**fields)


@contextlib.contextmanager
def running_app(
    bot: Any, upload_dir: Path, auth: tuple[str, str] | None = None, max_file_bytes: int | None = None
) -> Iterator[str]:
    """Serve the real app for ``bot`` on a free loopback port; yields its URL."""
    config = app.AppConfig(upload_dir=upload_dir, refresh_seconds=30, concurrency=2)
    if max_file_bytes is not None:
        config = dataclasses.replace(config, max_file_bytes=max_file_bytes)
    demo = app.build_app(bot, config)
    port = free_port()
    app.launch(demo, "127.0.0.1", port, auth, config, block=False, quiet=True)
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


# ============================================================================ pure helpers
def test_answer_text_markers_become_badges_and_text_is_escaped() -> None:
    out = app.answer_text_html("Lavrov [1]. Also <b>bold</b> [2, 1] and [7].", 2)
    assert '<sup class="aqa-ref" title="source 1">1</sup>' in out
    assert out.count('class="aqa-ref"') == 3  # [1] and [2, 1]; [7] points past the list
    assert "[7]" in out
    assert "<b>" not in out and "&lt;b&gt;bold&lt;/b&gt;" in out


def test_answer_without_markers_gets_badges_at_the_end() -> None:
    out = app.answer_text_html("There are 2 articles.\n\nSecond paragraph.", 2)
    assert out.startswith("<p>There are 2 articles.</p><p>Second paragraph.")
    assert out.endswith('title="source 2">2</sup></p>')
    assert "aqa-ref" not in app.answer_text_html("Hello!", 0)


def test_highlight_uses_offsets_inside_the_chunk() -> None:
    body = "Intro sentence. " + LAVROV_BODY
    quote = "The two discussed Syria and Ukraine for ninety minutes."
    start = body.index(quote)
    # chunk starts 16 characters into the article: offsets are article offsets
    out = app.highlight_quote(body[16:], 16, quote, start, start + len(quote))
    assert f"<mark>{quote}</mark>" in out
    assert out.startswith("Russian Foreign Minister")  # context before the quote is shown


def test_highlight_falls_back_to_search_then_to_the_quote_alone() -> None:
    quote = "The two discussed Syria"
    out = app.highlight_quote(LAVROV_BODY, 0, quote, 999, 999 + len(quote))  # stale offsets
    assert "<mark>The two discussed Syria</mark> and Ukraine" in out
    assert app.highlight_quote("unrelated text", 0, "a <quote>", 0, 9) == (
        "<mark>a &lt;quote&gt;</mark>"
    )


def test_highlight_trims_long_context_on_word_boundaries() -> None:
    words = " ".join(f"w{i}" for i in range(400))
    text = f"{words} TARGET SENTENCE. {words}"
    s = text.index("TARGET")
    out = app.highlight_quote(text, 0, "TARGET SENTENCE.", s, s + 16, context=50)
    assert out.startswith("… w") and out.endswith(" …")
    assert "<mark>TARGET SENTENCE.</mark>" in out
    assert len(out) < 200
    before = out.split("<mark>")[0].removeprefix("… ").strip()
    after = out.split("</mark>")[1].removesuffix(" …").strip()
    assert words.endswith(" " + before)  # cut on a word boundary, never mid-word
    assert words.startswith(after + " ")


def test_two_quotes_in_one_passage_are_highlighted_together_with_numbers() -> None:
    q1 = "Russian Foreign Minister Sergei Lavrov met US Secretary of State Rex Tillerson in Bonn."
    q2 = "The two discussed Syria and Ukraine for ninety minutes."
    s2 = LAVROV_BODY.index(q2)
    out = app.highlight_quotes(LAVROV_BODY, 0, [(q2, s2, s2 + len(q2)), (q1, 0, len(q1))],
                               labels=[2, 1])
    assert out == (
        f'<mark>{q1}</mark><sup class="aqa-ref" title="source 1">1</sup>'
        f'<mark>{q2}</mark><sup class="aqa-ref" title="source 2">2</sup>'
    )


def test_citations_of_one_article_share_a_card() -> None:
    q1 = "Russian Foreign Minister Sergei Lavrov met US Secretary of State Rex Tillerson in Bonn."
    q2 = "The two discussed Syria and Ukraine for ninety minutes."
    s2 = LAVROV_BODY.index(q2)
    other = _citation("Storm Barbara hit.", 0, article_id="a2", chunk_id="c9", title="Storm",
                      source="BBC", url="")
    ans = Answer(question="q", text="Lavrov [1] talked [2]; storm [3].",
                 citations=(_citation(q1, 0), _citation(q2, s2), other),
                 passages=(ScoredChunk(_chunk(), 0.9),))
    out = app.render_answer(ans)
    assert out.count('class="aqa-card"') == 2
    assert "Sources (2 articles)" in out
    first_card = out.split('class="aqa-card"')[1]
    assert '<span class="aqa-num">1</span><span class="aqa-num">2</span>' in first_card
    assert first_card.count("<blockquote") == 1  # same passage: one block, two highlights
    assert first_card.count("<mark>") == 2
    assert "<mark>Storm Barbara hit.</mark>" in out  # no passage for it: the quote alone


def test_render_answer_has_cards_with_metadata_and_highlight() -> None:
    quote = "Russian Foreign Minister Sergei Lavrov met US Secretary of State Rex Tillerson in Bonn."
    ans = Answer(
        question="who met Tillerson?",
        text="Sergei Lavrov [1].",
        citations=(_citation(quote, 0),),
        short_answer="Sergei Lavrov",
        passages=(ScoredChunk(_chunk(), 0.9, dense=0.61),),
        timings={"total": 0.123},
        rewritten_question="who met Rex Tillerson?",
        filters={"sources": ["TASS"], "date_from": "2017-03-01"},
    )
    html_out = app.render_answer(ans, {"mode": "accurate"})
    assert 'class="aqa-card"' in html_out
    assert '<span class="aqa-num">1</span>' in html_out
    assert 'href="http://tass.com/politics/1002"' in html_out
    assert "Lavrov meets Tillerson in Bonn" in html_out
    assert '<span class="aqa-outlet">TASS</span>' in html_out
    assert "15 March 2017" in html_out
    assert f"<mark>{quote}</mark> The two discussed" in html_out
    assert "0.12 s" in html_out and "accurate" in html_out
    assert "understood as “who met Rex Tillerson?”" in html_out
    assert "filters: 2017-03-01 – …; TASS" in html_out
    assert "aqa-refus" not in html_out
    assert "\n\n" not in html_out  # one HTML block: markdown must not split it


def test_render_refusal_looks_different_and_lists_related_passages() -> None:
    ans = Answer(
        question="who won the 2018 World Cup?",
        text="I could not find the answer in the articles.",
        refused=True,
        passages=(
            ScoredChunk(_chunk(), 0.4, dense=0.31),
            ScoredChunk(_chunk("Storm Barbara hit Scotland.", id="c2", title="Storm",
                               source="BBC", url="javascript:alert(1)", article_id="a2"),
                        0.3, dense=0.2),
            ScoredChunk(_chunk("The two discussed Syria.", id="c3"), 0.2, dense=0.1),
        ),
    )
    out = app.render_answer(ans)
    assert "aqa-refused" in out and "Not found in the articles" in out
    assert "Closest related passages" in out
    assert out.count('class="aqa-card aqa-related"') == 2  # one per article
    assert "similarity 0.31" in out
    assert "javascript:" not in out  # unsafe links are never rendered as links
    assert "aqa-num" not in out  # related passages are not presented as sources


def test_catalog_citation_without_passage_shows_the_quote() -> None:
    c = _citation("Gazprom increased gas exports.", 0, chunk_id="", url="")
    ans = Answer(question="q", text="There are 2 articles.", citations=(c,), kind="collection")
    out = app.render_answer(ans)
    assert "<mark>Gazprom increased gas exports.</mark>" in out
    assert "counted in the catalog" in out
    assert "<a " not in out.split("aqa-card-title")[1].split("</div>")[0]  # no url: no link


def test_build_filters() -> None:
    assert app.build_filters(None, "", [], None) is None
    assert app.build_filters("2017-03-01", "15 March 2017", ["TASS", ""], [" Ana Lopez "]) == {
        "date_from": "2017-03-01", "date_to": "2017-03-15", "sources": ["TASS"],
        "authors": ["Ana Lopez"],
    }
    with pytest.raises(ValueError, match="cannot read"):
        app.build_filters("next tuesday", None, None, None)
    with pytest.raises(ValueError, match="reversed"):
        app.build_filters("2017-03-15", "2017-03-01", None, None)


def test_engine_history_keeps_plain_recent_turns() -> None:
    assert app.engine_history([]) is None
    turns = [{"role": "user", "content": f"q{i}"} for i in range(20)]
    turns.append({"role": "system", "content": "x"})
    out = app.engine_history(turns)
    assert out is not None and len(out) == app.HISTORY_MESSAGES
    assert out[-1] == {"role": "user", "content": "q19"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.md", "notes.md"),
        ("My Export (2).CSV", "My Export _2_.csv"),
        ("feed.jsonl", "feed.jsonl"),
    ],
)
def test_safe_upload_name_accepts(name: str, expected: str) -> None:
    assert app.safe_upload_name(name) == expected


@pytest.mark.parametrize(
    "name", ["../etc/passwd.txt", "a/b.txt", "a\\b.txt", "..", ".hidden.txt", "x..txt",
             "evil.pdf", "noext", "", "nul\x00.txt"],
)
def test_safe_upload_name_refuses(name: str) -> None:
    with pytest.raises(ValueError):
        app.safe_upload_name(name)


def test_store_upload_copies_content_addressed_and_refuses_bad_files(tmp_path: Path) -> None:
    src_dir = tmp_path / "gradio-tmp"
    src_dir.mkdir()
    src = src_dir / "notes.md"
    src.write_text("title: x\n\nbody")
    dest_dir = tmp_path / "home" / "uploads"
    dest = app.store_upload(src, dest_dir, max_bytes=1000)
    assert dest.parent == dest_dir and dest.name.endswith("-notes.md")
    assert dest.read_text() == "title: x\n\nbody"
    assert app.store_upload(src, dest_dir, max_bytes=1000) == dest  # same content, same file
    link = src_dir / "link.md"
    link.symlink_to(src)
    with pytest.raises(ValueError, match="regular file"):
        app.store_upload(link, dest_dir, max_bytes=1000)
    with pytest.raises(ValueError, match="too large"):
        app.store_upload(src, dest_dir, max_bytes=5)
    with pytest.raises(ValueError, match="unsupported"):
        app.store_upload(src.rename(src_dir / "notes.exe"), dest_dir, max_bytes=1000)
    assert sorted(p.name for p in dest_dir.iterdir()) == [dest.name]


def test_render_upload_report() -> None:
    rep = IngestReport(added=["a1", "a2"], unchanged=["a3"],
                       skipped=[("/h/uploads/ab-x.csv:row 6", "empty text")])
    out = app.render_upload_report([
        app.FileReport(name="x.csv", stored="/h/uploads/ab-x.csv", report=rep),
        app.FileReport(name="y.pdf", error="unsupported type .pdf"),
        app.FileReport(name="z.md", stored="/h/uploads/cd-z.md",
                       report=IngestReport(duplicates=[("/h/uploads/cd-z.md", "a1")]),
                       duplicate_titles=["Storm hits"]),
    ])
    assert out.startswith("**2 articles added or updated.**")
    assert "- **x.csv**: 2 added, 1 already in the collection, 1 skipped" in out
    assert "    - row 6: empty text" in out
    assert "- **y.pdf**: refused, unsupported type .pdf" in out
    assert "- **z.md**: 1 duplicate" in out and "same text as “Storm hits”" in out


def test_render_stats_shows_counts_and_background_progress() -> None:
    stats = {"articles": 1234, "chunks": 5678, "sources": {"TASS": 1000, "BBC": 234},
             "date_from": "2016-12-01", "date_to": "2017-03-31", "skipped": 3,
             "duplicates": 0, "pending": 0}
    loading = app.LoadStatus(stage="loading", corpus="news", done=50, total=200, what="embedding")
    out = app.render_stats(stats, loading)
    assert ">1,234<" in out and ">5,678<" in out and ">2<" in out
    assert "1 December 2016 – 31 March 2017" in out
    assert "3 records skipped" in out
    assert "50 / 200 new articles embedded" in out and "width:25.0%" in out
    parsing = app.LoadStatus(stage="loading", corpus="news", done=0, total=1,
                             what="parsing NewsArticles.csv")
    assert "background: parsing NewsArticles.csv" in app.render_stats(stats, parsing)
    failed = app.render_stats(stats, app.LoadStatus(stage="failed", error="no <network>"))
    assert "Demo corpus not loaded: no &lt;network&gt;" in failed
    assert "aqa-bar" not in app.render_stats({**stats, "date_from": None})


def test_busy_days_drops_stray_dates_only() -> None:
    counts = [("2016-04-19", 1)] + [(f"2017-01-{d:02d}", 50) for d in range(1, 21)] + [
        ("2022-01-25", 1)]
    kept, hidden = app.busy_days(counts)
    assert hidden == 2 and kept == counts[1:-1]
    few = [("2017-01-01", 1), ("2022-01-01", 1)]
    assert app.busy_days(few) == (few, 0)  # small collections are shown whole
    assert app.busy_days([]) == ([], 0)


def test_replot_only_on_real_change() -> None:
    assert app.replot_needed("", "5|TASS")
    assert not app.replot_needed("1000|TASS,BBC", "1015|TASS,BBC")
    assert app.replot_needed("1000|TASS,BBC", "1030|TASS,BBC")
    assert app.replot_needed("1000|TASS", "1001|TASS,BBC")
    assert app.replot_needed("0|", "1|")
    assert app.replot_needed("10|TASS", "11|TASS")  # small collections: every article counts


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
    gate = app.IngestGate()
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
    loader = app.DemoLoader(fake_bot, app.IngestGate(), shared_dir=shared)
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
    loader = app.DemoLoader(fake_bot, app.IngestGate(), shared_dir=None)
    assert loader.load_first() is False
    assert fake_bot.stats()["articles"] == 1


# ============================================================================ served app
def test_chat_answers_with_citations(served: tuple[str, Any, Path]) -> None:
    url, _, _ = served
    out = chat(client(url), "who met Tillerson?")
    assert "Sergei Lavrov" in out
    assert 'class="aqa-card"' in out and "Lavrov meets Tillerson in Bonn" in out
    assert "<mark>Russian Foreign Minister Sergei Lavrov met US Secretary of State" in out
    assert "aqa-refused" not in out


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

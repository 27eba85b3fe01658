"""The UI's pure helpers: answer, card and panel HTML (escaped by the templates), chat filters and
history, upload names and storage, the upload report, the chart helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from qa.types import Answer, Chunk, Citation, IngestReport, ScoredChunk
from ui.charts import busy_days, replot_needed
from ui.chat import HISTORY_MESSAGES, build_filters, engine_history
from ui.jobs import LoadStatus
from ui.render import (
    answer_text_html,
    highlight_quote,
    highlight_quotes,
    render_answer,
    render_error,
    render_partial,
    render_stats,
    source_cards,
)
from ui.uploads import FileReport, render_upload_report, safe_upload_name, store_upload

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


def test_answer_text_markers_become_badges_and_text_is_escaped() -> None:
    out = answer_text_html("Lavrov [1]. Also <b>bold</b> [2, 1] and [7].", 2)
    assert '<sup class="aqa-ref" title="source 1">1</sup>' in out
    assert out.count('class="aqa-ref"') == 3  # [1] and [2, 1]; [7] points past the list
    assert "[7]" in out
    assert "<b>" not in out and "&lt;b&gt;bold&lt;/b&gt;" in out


def test_answer_without_markers_gets_badges_at_the_end() -> None:
    out = answer_text_html("There are 2 articles.\n\nSecond paragraph.", 2)
    assert out.startswith("<p>There are 2 articles.</p><p>Second paragraph.")
    assert out.endswith('title="source 2">2</sup></p>')
    assert "aqa-ref" not in answer_text_html("Hello!", 0)


def test_highlight_uses_offsets_inside_the_chunk() -> None:
    body = "Intro sentence. " + LAVROV_BODY
    quote = "The two discussed Syria and Ukraine for ninety minutes."
    start = body.index(quote)
    # chunk starts 16 characters into the article: offsets are article offsets
    out = highlight_quote(body[16:], 16, quote, start, start + len(quote))
    assert f"<mark>{quote}</mark>" in out
    assert out.startswith("Russian Foreign Minister")  # context before the quote is shown


def test_highlight_falls_back_to_search_then_to_the_quote_alone() -> None:
    quote = "The two discussed Syria"
    out = highlight_quote(LAVROV_BODY, 0, quote, 999, 999 + len(quote))  # stale offsets
    assert "<mark>The two discussed Syria</mark> and Ukraine" in out
    assert highlight_quote("unrelated text", 0, "a <quote>", 0, 9) == (
        "<mark>a &lt;quote&gt;</mark>"
    )


def test_highlight_trims_long_context_on_word_boundaries() -> None:
    words = " ".join(f"w{i}" for i in range(400))
    text = f"{words} TARGET SENTENCE. {words}"
    s = text.index("TARGET")
    out = highlight_quote(text, 0, "TARGET SENTENCE.", s, s + 16, context=50)
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
    out = highlight_quotes(LAVROV_BODY, 0, [(q2, s2, s2 + len(q2)), (q1, 0, len(q1))],
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
    out = render_answer(ans)
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
    html_out = render_answer(ans, {"mode": "accurate"})
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
    out = render_answer(ans)
    assert "aqa-refused" in out and "Not found in the articles" in out
    assert "Closest related passages" in out
    assert out.count('class="aqa-card aqa-related"') == 2  # one per article
    assert "similarity 0.31" in out
    assert "javascript:" not in out  # unsafe links are never rendered as links
    assert "aqa-num" not in out  # related passages are not presented as sources


def test_catalog_citation_without_passage_shows_the_quote() -> None:
    c = _citation("Gazprom increased gas exports.", 0, chunk_id="", url="")
    ans = Answer(question="q", text="There are 2 articles.", citations=(c,), kind="collection")
    out = render_answer(ans)
    assert "<mark>Gazprom increased gas exports.</mark>" in out
    assert "counted in the catalog" in out
    assert "<a " not in out.split("aqa-card-title")[1].split("</div>")[0]  # no url: no link


def test_user_text_is_escaped_by_the_templates() -> None:
    hostile = '<img src=x onerror="alert(1)"> & \'quoted\''
    for out in (render_error(hostile), render_partial(hostile), answer_text_html(hostile, 0),
                highlight_quote(hostile, 0, hostile, 0, len(hostile))):
        assert "<img" not in out and "&lt;img src=x onerror=" in out and "&amp;" in out
        assert '"alert(1)"' not in out and "'quoted'" not in out
    assert render_partial("a < b") == "a &lt; b ▌"
    assert render_error("x") == '<div class="aqa-msg aqa-error"><b>Something went wrong.</b> x</div>'
    c = _citation("q", 0, title=hostile, source=hostile, url='http://x.example/"><script>')
    out = source_cards([c], [])
    assert "<script" not in out and "<img" not in out
    assert 'href="http://x.example/&#34;&gt;&lt;script&gt;"' in out


def test_build_filters() -> None:
    assert build_filters(None, "", [], None) is None
    assert build_filters("2017-03-01", "15 March 2017", ["TASS", ""], [" Ana Lopez "]) == {
        "date_from": "2017-03-01", "date_to": "2017-03-15", "sources": ["TASS"],
        "authors": ["Ana Lopez"],
    }
    with pytest.raises(ValueError, match="cannot read"):
        build_filters("next tuesday", None, None, None)
    with pytest.raises(ValueError, match="reversed"):
        build_filters("2017-03-15", "2017-03-01", None, None)


def test_engine_history_keeps_plain_recent_turns() -> None:
    assert engine_history([]) is None
    turns = [{"role": "user", "content": f"q{i}"} for i in range(20)]
    turns.append({"role": "system", "content": "x"})
    out = engine_history(turns)
    assert out is not None and len(out) == HISTORY_MESSAGES
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
    assert safe_upload_name(name) == expected


@pytest.mark.parametrize(
    "name", ["../etc/passwd.txt", "a/b.txt", "a\\b.txt", "..", ".hidden.txt", "x..txt",
             "evil.pdf", "noext", "", "nul\x00.txt"],
)
def test_safe_upload_name_refuses(name: str) -> None:
    with pytest.raises(ValueError):
        safe_upload_name(name)


def test_store_upload_copies_content_addressed_and_refuses_bad_files(tmp_path: Path) -> None:
    src_dir = tmp_path / "gradio-tmp"
    src_dir.mkdir()
    src = src_dir / "notes.md"
    src.write_text("title: x\n\nbody")
    dest_dir = tmp_path / "home" / "uploads"
    dest = store_upload(src, dest_dir, max_bytes=1000)
    assert dest.parent == dest_dir and dest.name.endswith("-notes.md")
    assert dest.read_text() == "title: x\n\nbody"
    assert store_upload(src, dest_dir, max_bytes=1000) == dest  # same content, same file
    link = src_dir / "link.md"
    link.symlink_to(src)
    with pytest.raises(ValueError, match="regular file"):
        store_upload(link, dest_dir, max_bytes=1000)
    with pytest.raises(ValueError, match="too large"):
        store_upload(src, dest_dir, max_bytes=5)
    with pytest.raises(ValueError, match="unsupported"):
        store_upload(src.rename(src_dir / "notes.exe"), dest_dir, max_bytes=1000)
    assert sorted(p.name for p in dest_dir.iterdir()) == [dest.name]


def test_render_upload_report() -> None:
    rep = IngestReport(added=["a1", "a2"], unchanged=["a3"],
                       skipped=[("/h/uploads/ab-x.csv:row 6", "empty text")])
    out = render_upload_report([
        FileReport(name="x.csv", stored="/h/uploads/ab-x.csv", report=rep),
        FileReport(name="y.pdf", error="unsupported type .pdf"),
        FileReport(name="z.md", stored="/h/uploads/cd-z.md",
                       report=IngestReport(duplicates=[("/h/uploads/cd-z.md", "a1")]),
                       duplicate_titles=["Storm hits"]),
    ])
    assert out.startswith("**2 articles added or updated.**")
    assert "- **x.csv**: 2 added, 1 already in the collection, 1 skipped" in out
    assert "    - row 6: empty text" in out
    assert "- **y.pdf**: refused, unsupported type .pdf" in out
    assert "- **z.md**: 1 duplicate" in out and "same text as “Storm hits”" in out
    fixed = render_upload_report([FileReport(name="q.csv", report=IngestReport(added=["a"], repaired_quotes=3))])
    assert "- **q.csv**: 1 added, 3 apostrophes restored (written as \")" in fixed


def test_render_stats_shows_counts_and_background_progress() -> None:
    stats = {"articles": 1234, "chunks": 5678, "sources": {"TASS": 1000, "BBC": 234},
             "date_from": "2016-12-01", "date_to": "2017-03-31", "skipped": 3,
             "duplicates": 0, "pending": 0}
    loading = LoadStatus(stage="loading", corpus="news", done=50, total=200, what="embedding")
    out = render_stats(stats, loading)
    assert ">1,234<" in out and ">5,678<" in out and ">2<" in out
    assert "1 December 2016 – 31 March 2017" in out
    assert "3 records skipped" in out
    assert "50 / 200 new articles embedded" in out and "width:25.0%" in out
    parsing = LoadStatus(stage="loading", corpus="news", done=0, total=1,
                             what="parsing NewsArticles.csv")
    assert "background: parsing NewsArticles.csv" in render_stats(stats, parsing)
    failed = render_stats(stats, LoadStatus(stage="failed", error="no <network>"))
    assert "Demo corpus not loaded: no &lt;network&gt;" in failed
    assert "aqa-bar" not in render_stats({**stats, "date_from": None})


def test_busy_days_drops_stray_dates_only() -> None:
    counts = [("2016-04-19", 1)] + [(f"2017-01-{d:02d}", 50) for d in range(1, 21)] + [
        ("2022-01-25", 1)]
    kept, hidden = busy_days(counts)
    assert hidden == 2 and kept == counts[1:-1]
    few = [("2017-01-01", 1), ("2022-01-01", 1)]
    assert busy_days(few) == (few, 0)  # small collections are shown whole
    assert busy_days([]) == ([], 0)


def test_replot_only_on_real_change() -> None:
    assert replot_needed("", "5|TASS")
    assert not replot_needed("1000|TASS,BBC", "1015|TASS,BBC")
    assert replot_needed("1000|TASS,BBC", "1030|TASS,BBC")
    assert replot_needed("1000|TASS", "1001|TASS,BBC")
    assert replot_needed("0|", "1|")
    assert replot_needed("10|TASS", "11|TASS")  # small collections: every article counts


def test_a_planned_answer_shows_how_it_was_answered_and_others_do_not() -> None:
    plan = {"plan": {"form": "order_yesno", "outlets": ["BBC", "CNN"], "topic": "the <storm>", "later": False},
            "steps": [{"tool": "coverage", "args": {}, "result": "2 article(s) about it", "article_ids": []}]}
    html = render_answer(Answer(question="q", text="Yes. BBC first [1].", kind="plan", plan=plan))
    assert "How I answered" in html and "order yesno" in html and "coverage: 2 article(s) about it" in html
    assert "&lt;storm&gt;" in html and "<storm>" not in html  # escaped like all answer text
    assert "How I answered" not in render_answer(Answer(question="q", text="An answer."))

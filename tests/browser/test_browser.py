"""The chat in a real browser: Debian's chromium driven headless by Playwright.

Never downloads a browser (no ``playwright install``): skips when /usr/bin/chromium is absent.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, require
from tests.integration.test_app import running_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    require(CHROMIUM.exists(), "no /usr/bin/chromium (apt-get install -y chromium); browser tests skipped")
    try:
        from playwright import sync_api
    except ImportError:  # pragma: no cover - a developer without the dev extra
        require(False, "playwright is not installed (pip install -e '.[dev]')")
        raise
    from qa import ArticleQA

    home = tmp_path_factory.mktemp("browser-home")
    bot = ArticleQA(home=home)
    bot.ingest([CORPUS])
    with running_app(bot, home / "uploads") as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        page.goto(url)
        page.wait_for_selector("#aqa-input textarea", timeout=60_000)
        yield page, url
        browser.close()
        assert outside == [], f"the page tried to reach other hosts: {outside[:5]}"
    bot.close()


def ask(page: Any, question: str) -> Any:
    n = page.locator(".aqa-msg").count()
    page.fill("#aqa-input textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('.aqa-msg').length > {n}", timeout=120_000
    )
    return page.locator(".aqa-msg").last


def test_question_gets_an_answer_with_a_source_card(page_url: tuple[Any, str]) -> None:
    page, _ = page_url
    msg = ask(page, "who met Tillerson?")
    assert "Sergei Lavrov" in msg.inner_text()
    card = msg.locator(".aqa-card").first
    assert "Lavrov meets Tillerson in Bonn" in card.inner_text()
    assert "TASS" in card.locator(".aqa-meta").inner_text()
    assert "15 March 2017" in card.locator(".aqa-meta").inner_text()
    assert card.locator("mark").inner_text().startswith("Russian Foreign Minister Sergei Lavrov")
    assert card.locator("a").first.get_attribute("href") == "http://tass.com/politics/1002"
    assert msg.locator(".aqa-ref").count() >= 1  # numbered inline citation
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-answer.png"))


def test_refusal_is_shown_differently(page_url: tuple[Any, str]) -> None:
    page, _ = page_url
    msg = ask(page, "Who won the 2018 FIFA World Cup final?")
    assert msg.locator(".aqa-refusal").count() == 1
    assert msg.locator(".aqa-card:not(.aqa-related)").count() == 0
    page.screenshot(path=str(ARTIFACTS / "browser-refusal.png"))


def test_panel_shows_the_collection_and_ingests_an_upload(
    page_url: tuple[Any, str], tmp_path: Path
) -> None:
    page, _ = page_url
    stats = page.locator("#aqa-stats")
    stats.wait_for(timeout=30_000)
    # the panel fills in after the page loads (a progress timer shows first)
    page.wait_for_function(r"/\d\s*articles/.test(document.querySelector('#aqa-stats').innerText)",
                           timeout=30_000)
    m = re.search(r"([\d,]+)\s*articles", stats.inner_text())
    assert m, stats.inner_text()
    before = int(m[1].replace(",", ""))
    assert before >= 8
    doc = tmp_path / "lighthouse.md"
    doc.write_text("---\ntitle: Ballycotton lighthouse repainted\ndate: 2017-03-22\n"
                   "source: Cork Examiner\n---\nVolunteers repainted the Ballycotton "
                   "lighthouse bright purple on Saturday.\n")
    page.get_by_text("Add articles").click()
    page.locator("#aqa-upload input[type=file]").set_input_files(str(doc))
    report = page.locator("#aqa-upload-report")
    report.locator("li").first.wait_for(timeout=60_000)
    assert "lighthouse.md: 1 added" in report.inner_text()
    page.wait_for_function(
        f"document.querySelector('#aqa-stats').innerText.includes('{before + 1}')",
        timeout=30_000,
    )
    page.locator("#aqa-panel").screenshot(path=str(ARTIFACTS / "browser-panel.png"))


def test_a_users_message_shows_as_the_plain_text_typed(page_url: tuple[Any, str]) -> None:
    page, _ = page_url
    typed = "<img src=x onerror=alert(1)> **md** <b>bold</b> [link](http://x.example) who met Tillerson?"
    ask(page, typed)
    bubble = page.locator('[data-testid="user"]').last
    content = bubble.locator(".message-content")
    assert content.inner_text().strip() == typed
    for tag in ("img", "b", "strong", "a"):
        assert content.locator(tag).count() == 0, tag


def test_an_over_long_message_gets_a_short_notice_not_a_flood(page_url: tuple[Any, str]) -> None:
    page, _ = page_url
    long = "what did the minister say about the budget? " * 60  # 2,700 characters
    ask(page, long)
    bubble = page.locator('[data-testid="user"]').last.locator(".message-content")
    assert len(bubble.inner_text()) < 400
    last = page.locator(".aqa-msg").last
    assert "characters long" in last.inner_text()
    assert last.locator(".aqa-refusal").count() == 0  # not under "Not found in the articles"
    assert page.input_value("#aqa-input textarea").startswith("what did the minister")  # kept to shorten


AXE = Path(os.environ.get("AXE_CORE_JS") or Path(__file__).resolve().parents[2] / ".venv" / "axe" / "node_modules"
           / "axe-core" / "axe.min.js")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    require(AXE.exists(), f"axe-core is not installed at {AXE} (make test installs it with npm)")
    # the settled page: while a panel loads, Gradio shows it at 20% opacity (".pending"), which
    # no text passes contrast at (seen once on a busy CI box, on the collection notes)
    page.wait_for_function("!document.querySelector('.pending')", timeout=60_000)
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: tags})", WCAG_AA)
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_the_page_meets_wcag_aa_before_and_after_an_answer(page_url: tuple[Any, str]) -> None:
    page, url = page_url
    page.goto(url)
    page.wait_for_selector("#aqa-input textarea", timeout=60_000)
    page.wait_for_function("document.querySelector('#aqa-from .calendar')?.getAttribute('aria-label')")
    assert axe_violations(page) == []
    assert page.get_attribute("#aqa-input textarea", "aria-label") == "Your question about the articles"
    assert page.get_attribute("#aqa-from .calendar", "aria-label") == "Choose the start date"
    assert page.get_attribute("#aqa-to input", "aria-label").startswith("Articles to")
    ask(page, "who met Tillerson?")
    assert axe_violations(page) == []


def test_a_question_typed_while_an_answer_is_pending_is_not_lost(page_url: tuple[Any, str]) -> None:
    """Both questions are answered, in the order sent, though the second is typed into the box
    (Playwright: within milliseconds) before the page has even sent the first."""
    page, _ = page_url
    n = page.locator('[data-testid="user"]').count()
    page.fill("#aqa-input textarea", "who met Tillerson?")
    page.keyboard.press("Enter")
    page.fill("#aqa-input textarea", "How much did the new rail link to Aktau cost?")  # at once, before the answer
    page.keyboard.press("Enter")
    answered = ("(n) => { const b = [...document.querySelectorAll('[data-testid=\"bot\"]')].map(e => e.innerText);"
                " return document.querySelectorAll('[data-testid=\"user\"]').length >= n + 2 && b.length >= 2"
                " && b[b.length - 1].includes('240 million') && b[b.length - 2].includes('Lavrov'); }")
    with contextlib.suppress(Exception):  # if not, the messages below say which question went missing
        page.wait_for_function(answered, arg=n, timeout=60_000)
    users = [u.inner_text().strip() for u in page.locator('[data-testid="user"] .message-content').all()]
    assert users[n:] == ["who met Tillerson?", "How much did the new rail link to Aktau cost?"], users
    assert page.evaluate(answered, n)


def test_enter_on_an_empty_box_does_not_take_the_place_of_the_next_question(page_url: tuple[Any, str]) -> None:
    page, _ = page_url
    n = page.locator('[data-testid="user"]').count()
    page.fill("#aqa-input textarea", "")
    page.keyboard.press("Enter")  # nothing to send
    page.fill("#aqa-input textarea", "How much did the new rail link to Aktau cost?")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(n) => { const b = [...document.querySelectorAll('[data-testid=\"bot\"]')].map(e => e.innerText);"
        " return b.length && b[b.length - 1].includes('240 million') &&"
        " document.querySelectorAll('[data-testid=\"user\"]').length > n; }", arg=n, timeout=60_000)
    users = [u.inner_text().strip() for u in page.locator('[data-testid="user"] .message-content').all()]
    assert users[n:] == ["How much did the new rail link to Aktau cost?"], users


def test_typing_while_an_answer_is_pending_is_kept(page_url: tuple[Any, str]) -> None:
    page, _ = page_url
    n = page.locator(".aqa-msg").count()
    page.fill("#aqa-input textarea", "who met Tillerson?")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#aqa-input textarea').value === ''", timeout=10_000)
    page.fill("#aqa-input textarea", "and when was it")  # a draft, not sent
    page.wait_for_function(f"document.querySelectorAll('.aqa-msg').length > {n}", timeout=120_000)
    page.wait_for_timeout(500)
    assert page.input_value("#aqa-input textarea") == "and when was it"
    page.fill("#aqa-input textarea", "")


def test_a_three_turn_conversation_with_follow_ups(page_url: tuple[Any, str]) -> None:
    page, url = page_url
    page.goto(url)  # a new session
    page.wait_for_selector("#aqa-input textarea", timeout=60_000)
    assert "Sergei Lavrov" in ask(page, "Who met Rex Tillerson in Bonn?").inner_text()
    when = ask(page, "when was that published?").inner_text()
    assert "15 March 2017" in when and "could not find" not in when
    outlet = ask(page, "and which outlet was it?").inner_text()
    assert "TASS" in outlet and "Which article do you mean" not in outlet


def test_a_long_answer_is_shown_from_its_first_line(page_url: tuple[Any, str]) -> None:
    """An answer taller than the chat is scrolled to its first line, not to the end of its source
    cards; a short one stays scrolled to the bottom (the chat's own autoscroll)."""
    page, url = page_url
    page.goto(url)
    page.wait_for_selector("#aqa-input textarea", timeout=60_000)
    page.set_viewport_size({"width": 1400, "height": 700})
    try:
        ask(page, "Who met Rex Tillerson in Bonn?")
        msg = ask(page, "List all the articles in the collection")
        page.wait_for_timeout(1500)  # any late scrolling is over
        log = page.locator('#aqa-chat [role="log"]')
        box, top = log.bounding_box(), msg.bounding_box()
        assert box and top and top["height"] > box["height"], "the listing should be taller than the chat"
        assert box["y"] - 2 <= top["y"] <= box["y"] + 40, (top, box)  # its first line is in view
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser-long-answer.png"))
        short = ask(page, "Who met Rex Tillerson in Bonn?")
        page.wait_for_timeout(1500)
        sb = short.bounding_box()
        box = log.bounding_box()
        assert sb and box and sb["y"] + sb["height"] <= box["y"] + box["height"] + 2  # all of it in view
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def test_the_per_day_note_is_shown_whole(page_url: tuple[Any, str], tmp_path: Path) -> None:
    """Articles far outside the main span are left out of the per-day chart; the note that says
    so is a line of its own under the chart, and the whole of it is in view (it was cut off as
    the plot's caption). Runs last: its 152 uploaded articles stay in the shared index."""
    page, url = page_url
    rows = ["title,text,publish_date,article_source_link"]
    rows += [f'Harbour festival {i},"Festival story {i}: boats and music at the harbour.",2017-03-10,'
             f"https://example.org/festival/{i}" for i in range(150)]
    rows += ['Old ferry timetable,"The ferry ran twice a day that winter.",1999-01-05,https://example.org/old/1',
             'Old harbour map,"A map of the harbour as it was.",1999-02-07,https://example.org/old/2']
    csv = tmp_path / "festival.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.goto(url)
    page.wait_for_selector("#aqa-input textarea", timeout=60_000)
    page.get_by_text("Add articles").click()
    page.locator("#aqa-upload input[type=file]").set_input_files(str(csv))
    page.locator("#aqa-upload-report li").first.wait_for(timeout=180_000)
    assert "festival.csv: 152 added" in page.locator("#aqa-upload-report").inner_text()
    page.get_by_role("tab", name="Per day").click()
    note = page.locator("#aqa-day-note .aqa-day-note")
    note.wait_for(timeout=60_000)
    assert re.fullmatch(r"\d+ articles? outside this span not shown", note.inner_text().strip())
    box = note.bounding_box()
    panel = page.locator("#aqa-panel").bounding_box()
    assert box and panel and box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"] + 1
    assert note.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")
    page.locator("#aqa-panel").screenshot(path=str(ARTIFACTS / "browser-per-day-note.png"))

"""The app in a real headless Chromium (Debian's), as a user clicks through it.

Screenshots of each step are saved to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from tests.conftest import BLINKEN, ROOT, SEEDS, serving_app

ARTIFACTS = ROOT / "test-artifacts"
expect.set_options(timeout=120_000)  # the first answer loads the model on a 2-core machine
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with serving_app(tmp_path_factory.mktemp("e2e") / "data", SEEDS) as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed: apt-get install chromium chromium-driver"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(120_000)
        page.goto(app_url)
        yield page
        browser.close()


def settled(page: Page) -> None:
    """Wait until the app's script has stopped running (what is typed while it runs can be
    drawn over)."""
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0)


def enter(page: Page, label: str, text: str, shown: Locator, tries: int = 3) -> None:
    """Type `text` into the text box `label` and press Enter until `shown` appears. In CI
    a name typed just as a run of the script ended was once drawn over by it (the box came
    back empty and nothing was searched); a person types it again, and so does this."""
    box = page.get_by_label(label)
    for attempt in range(tries):
        settled(page)
        box.fill(text)
        box.press("Enter")
        try:
            expect(shown).to_be_visible(timeout=30_000)
            return
        except AssertionError:
            if attempt == tries - 1 or box.input_value() == text:  # kept: only slow
                expect(shown).to_be_visible()
                return


def view(page: Page, name: str, landmark: Locator) -> None:
    """Open a view from the sidebar and wait for `landmark`, an element that view draws
    last. Each test opens the one it needs, so one that fails midway does not leave the
    next on the wrong page."""
    settled(page)
    page.get_by_test_id("stSidebar").get_by_role("radiogroup", name="View").get_by_text(
        name, exact=True
    ).click()
    expect(landmark).to_be_visible()
    settled(page)


def chat_view(page: Page) -> None:
    view(page, "Chat", page.locator("[data-testid=stChatInput] textarea"))


def click_first_row(page: Page, table: Locator) -> None:
    """Select a table's first row. The grid is drawn on a canvas, so this clicks where the
    row's selection box is, measured once the app has stopped redrawing (a table replaced
    by a new run has no box for a moment)."""
    settled(page)
    expect(table).to_be_visible()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 52)


def ask(page: Page, question: str) -> None:
    before = page.get_by_test_id("stChatMessage").count()
    box = page.locator("[data-testid=stChatInput] textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(before + 2)
    expect(page.get_by_text("Searching the archive")).to_have_count(0)


def test_blinken_citation_highlights_the_sentence(page: Page):
    chat_view(page)
    expect(page.locator("[data-testid=stChatInput] textarea")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "01-start.png")
    # nothing of our code shows on the page (a bare expression in app.py once did)
    expect(page.get_by_text("rag.index.embeddings")).to_have_count(0)
    ask(page, "what did Blinken say about a summit?")
    answer = page.get_by_test_id("stChatMessage").last
    answer.locator("summary", has_text="[1] Putin Says Russia").click()
    citation = answer.get_by_test_id("stExpander").filter(has_text="[1] Putin Says Russia")
    highlighted = citation.locator("strong").first
    expect(highlighted).to_contain_text(BLINKEN)
    assert highlighted.inner_text().strip().endswith("between Biden and Putin for now.")
    page.screenshot(path=ARTIFACTS / "02-blinken-citation.png", full_page=True)


def test_uploaded_article_answers_a_new_question(page: Page, tmp_path: Path):
    article = tmp_path / "lighthouse.txt"
    article.write_text(
        "Harbour lighthouse to be restored\n20240305\nhttps://news.test/lighthouse\n"
        "The town council of Merrowby voted to restore the old harbour lighthouse.\n"
        "Restoration will cost 2.4 million pounds and finish in 2026, the council said.\n",
        encoding="utf-8",
    )
    chat_view(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("10MB per file")).to_be_visible()  # RAG_MAX_FILE_MB, not 50
    sidebar.locator("input[type=file]").set_input_files(str(article))
    page.get_by_role("button", name="Add to archive").click()
    expect(page.get_by_text("lighthouse.txt: added")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "03-uploaded.png")
    ask(page, "How much will the Merrowby lighthouse restoration cost?")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer.get_by_text("[1] Harbour lighthouse to be restored").first).to_be_visible()
    expect(answer).to_contain_text("2.4 million pounds")
    page.screenshot(path=ARTIFACTS / "04-answer-from-upload.png", full_page=True)


def test_deleting_the_uploaded_article_removes_it_from_answers(page: Page):
    sidebar = page.get_by_test_id("stSidebar")
    view(page, "Archive", page.get_by_test_id("stDataFrame").first)
    expect(page.get_by_role("heading", name="Archive").first).to_be_visible()
    # a word of the body only
    enter(page, "Search the full text", "restoration", page.get_by_text("1 article mentions"))
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_contain_text("Harbour lighthouse")
    click_first_row(page, table)
    expect(page.get_by_role("heading", name="Harbour lighthouse to be restored")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "05-archive-reader.png")
    page.get_by_text("Yes, delete “Harbour lighthouse to be restored”").click()
    page.get_by_role("button", name="Delete document").click()
    expect(page.get_by_text("Deleted “Harbour lighthouse to be restored”")).to_be_visible()
    expect(sidebar.get_by_text("1 document in the archive")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "05-deleted.png")
    chat_view(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(4)  # the chat so far is kept
    ask(page, "How much will the Merrowby lighthouse restoration cost?")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("does not answer")
    expect(answer.get_by_text("Harbour lighthouse to be restored")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "06-gone-after-delete.png", full_page=True)


def test_several_sessions_asking_at_once_each_get_their_answer(page: Page, app_url: str):
    context = page.context
    questions = {
        "what did Blinken say about a summit?": "[1] Putin Says Russia",
        "What did Karen Donfried say about talks with Moscow?": "[1] Putin Says Russia",
        "Who won the 1998 Tour de France?": "does not answer",
    }
    pages = [context.browser.new_page() for _ in questions]
    for tab in pages:
        tab.set_default_timeout(240_000)
        tab.goto(app_url)
        expect(tab.locator("[data-testid=stChatInput] textarea")).to_be_visible(timeout=240_000)
    for tab, question in zip(pages, questions):  # all asked before any answer arrives
        box = tab.locator("[data-testid=stChatInput] textarea")
        box.fill(question)
        box.press("Enter")
    for i, (tab, expected) in enumerate(zip(pages, questions.values())):
        answer = tab.get_by_test_id("stChatMessage").nth(1)
        expect(answer).to_contain_text(expected, timeout=240_000)
        tab.screenshot(path=ARTIFACTS / f"07-session-{i}.png", full_page=True)
        tab.close()


def test_a_timeline_entry_opens_to_its_highlighted_sentence(page: Page):
    chat_view(page)
    ask(page, "Timeline of Russia and Ukraine")
    expect(page.get_by_text("Building the timeline")).to_have_count(0)
    reply = page.get_by_test_id("stChatMessage").last
    expect(reply.get_by_test_id("stVegaLiteChart")).to_have_count(1)  # coverage over time
    first = reply.locator("li").first.inner_text().strip()  # “quote” [n]
    quote, n = first.rsplit(" [", 1)
    quote, n = quote.strip("“”"), n.rstrip("]")
    reply.locator("summary", has_text=f"[{n}] ").first.click()
    source = reply.get_by_test_id("stExpander").filter(has_text=f"[{n}] ").first
    marked = [s.strip() for s in source.locator("strong").all_inner_texts()]
    assert quote in marked, (quote, marked)
    page.screenshot(path=ARTIFACTS / "08-timeline-citation.png", full_page=True)


def test_who_said_what_finds_a_speaker_and_opens_the_article_at_the_quote(page: Page, app_url):
    view(page, "Who said what", page.get_by_test_id("stDataFrame"))  # its last element
    enter(page, "Speaker", "Blinken", page.get_by_text("by Antony Blinken, newest first"))
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)  # quotes per month
    quote = page.get_by_text("Antony Blinken (said)").first
    expect(quote).to_contain_text("I think we have to see")
    page.screenshot(path=ARTIFACTS / "09-who-said-what.png", full_page=True)
    # the innermost block holding the quote is its own box (Blinken's "ruled out" is another)
    box = page.get_by_test_id("stVerticalBlock").filter(has_text="I think we have to see").last
    link = box.get_by_role("link", name="open at the quote")
    page.goto(app_url + link.get_attribute("href"))  # as the link opens it, in a new tab
    expect(page.get_by_text("Who is quoted here")).to_be_visible()
    expect(page.locator("strong", has_text="I think we have to see").first).to_be_visible()
    expect(page.locator("strong", has_text="Blinken").first).to_be_visible()  # the speaker
    page.screenshot(path=ARTIFACTS / "10-quote-in-article.png", full_page=True)

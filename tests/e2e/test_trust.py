"""What a researcher can trust in the browser: a hostile article stays text, a citation
opens at its sentence, the layout holds at 800 px. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import serving_app, write_article
from tests.e2e.test_browser import ARTIFACTS, CHROMIUM_FLAGS, ask, chat_view, enter, view

SOURCE = "https://news.test/zorvath-bridge"
TITLE = "**Suddenly** the [bridge](javascript:alert(1)) <b>reopened</b>"
FILLER = "The county published its traffic counts for the district, week by week, as before."


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The app on an archive of one article written to attack the page."""
    root = tmp_path_factory.mktemp("trust")
    write_article(
        root / "seeds",
        "bridge.txt",
        TITLE,
        "20240305",
        SOURCE,
        "The Zorvath bridge reopened on Monday after repairs, officials said. Details at "
        "https://evil.test/login and click here to verify your account.",
        "Read [the full report](https://evil.test/report) or visit www.evil.test/now, mail "
        "help@evil.test, _really_ *now* <a href='https://evil.test/a'>here</a> "
        "<img src=x onerror=alert(1)> <script>alert(2)</script>.",
        *[f"{FILLER} Week {i}." for i in range(60)],
        "Engineers expect the Zorvath bridge to carry 40,000 vehicles a day by the summer.",
    )
    with serving_app(root / "data", root / "seeds") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed: apt-get install chromium chromium-driver"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def open_page(browser, url: str, width: int = 1366) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(120_000)
    page.goto(url)
    expect(page.locator("[data-testid=stChatInput] textarea")).to_be_visible()
    return page


def first_source(page: Page, answer):
    """The expander of citation [1] (others may mention "[1]" inside)."""
    summary = page.locator("summary", has_text="[1]")
    return answer.get_by_test_id("stExpander").filter(has=summary).first


def open_whole_article(page: Page, answer):
    """Open citation [1] and its whole article (the article's first filler paragraph shows)."""
    citation = first_source(page, answer)
    citation.locator("summary").click()
    switch = citation.locator("input[type=checkbox]").first
    expect(switch).to_be_attached()
    # a click that lands while the page is still rerunning can be lost: click until it is on
    for _ in range(5):
        if switch.is_checked():
            break
        citation.get_by_text("Show the whole article").click()
        page.wait_for_timeout(1000)
    expect(switch).to_be_checked()
    expect(citation).to_contain_text("Week 0.")
    return citation


def test_a_hostile_article_never_becomes_links_or_formatting(browser, hostile_app: str):
    page = open_page(browser, hostile_app)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")
    ask(page, "When did the Zorvath bridge reopen?")
    answer = page.get_by_test_id("stChatMessage").last
    open_whole_article(page, answer)
    view(page, "Archive", page.get_by_test_id("stDataFrame").first)
    enter(page, "Search the full text", "Zorvath", page.get_by_text("1 article mentions"))
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("**Suddenly**")
    page.screenshot(path=ARTIFACTS / "11-hostile-archive.png", full_page=True)
    chat_view(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    # the chat's messages stand before its rerun has drawn their sources: wait for a link
    expect(page.locator(f"a[href^='{SOURCE}']").first).to_be_attached()
    page.screenshot(path=ARTIFACTS / "10-hostile-answer.png", full_page=True)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => [e.href, e.rel])")
    off_site = [(h, rel) for h, rel in hrefs if not h.startswith(hostile_app)]
    assert off_site, "the source link is shown"
    for href, rel in off_site:
        assert href.startswith(SOURCE), f"a link the page did not build: {href}"
        assert "noopener" in rel and "noreferrer" in rel
    assert not any("evil.test" in h or h.startswith("javascript:") for h, _ in hrefs)
    styled = page.eval_on_selector_all(
        "strong, em, b, i, del", "els => els.map(e => e.textContent.trim())"
    )
    for word in ("Suddenly", "really", "now", "reopened", "bridge"):
        assert word not in styled, f"the document's own markup made '{word}' styled"
    assert page.locator("img[src='x'], script:has-text('alert(2)')").count() == 0
    assert page.get_by_text("**Suddenly**").count() > 0  # shown as the text it is
    page.close()


def test_the_whole_article_opens_at_the_cited_sentence(browser, hostile_app: str):
    page = open_page(browser, hostile_app)
    ask(page, "How many vehicles will the Zorvath bridge carry?")
    answer = page.get_by_test_id("stChatMessage").last
    citation = open_whole_article(page, answer)  # 60 paragraphs stand above the sentence
    cited = citation.locator("strong", has_text="40,000 vehicles").last
    expect(cited).to_be_in_viewport()  # scrolled there: it stands below 60 paragraphs
    page.screenshot(path=ARTIFACTS / "12-jump-to-sentence.png")
    page.close()


def test_at_800_px_the_answer_and_its_sources_fit(browser, hostile_app: str):
    page = open_page(browser, hostile_app, width=800)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")  # folded away for the answer
    ask(page, "When did the Zorvath bridge reopen?")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("reopened on Monday")
    for element in (answer, first_source(page, answer)):
        box = element.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 800
        assert box["width"] > 550  # the sidebar no longer takes 300 of the 800 px
    page.screenshot(path=ARTIFACTS / "13-narrow.png", full_page=True)
    page.close()

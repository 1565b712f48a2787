from __future__ import annotations

import datetime as dt
import re

from rag.answer.types import Answer, Asked, Citation
from rag.render import (
    WORD_JOINER,
    asked_caption,
    escape_markdown,
    highlight,
    parse_share,
    reach,
    reported_line,
    safe_url,
    share_query,
    snippet,
    text_fragment_url,
)
from rag.types import DocInfo, Filters, Span


def test_hostile_text_cannot_become_markup():
    evil = "![x](https://evil.test/p.png) <img src=x onerror=alert(1)> [7] $x$ :red[boo] **b**"
    out = escape_markdown(evil)
    # every character that could start markup is backslash-escaped
    assert not re.search(r"(?<!\\)[!\[\]()<>:$*]", out)
    assert out.replace("\\", "").replace(WORD_JOINER, "") == evil  # nothing lost, only escaped


def test_bare_urls_and_addresses_are_broken_before_an_autolink_can_form():
    text = "See https://evil.test/login, http://a.test, www.evil.test/x or help@evil.test."
    out = escape_markdown(text).replace("\\", "")
    for start in ("https://", "http://", "www.", "@evil"):
        assert start not in out  # a word joiner now stands inside each
    assert out.replace(WORD_JOINER, "") == text


def test_highlight_marks_exactly_the_quoted_sentence():
    text = "First one. Blinken ruled it out. Last."
    out = highlight(text, 100, [Span(111, 132)])
    assert ":orange-background[**Blinken ruled it out\\.**]" in out
    assert out.startswith("First one\\. ")


def test_only_plain_http_links_are_linked():
    assert safe_url("https://www.tasnimnews.com/en/news/1") is not None
    for bad in ("javascript:alert(1)", "https://x.test/a) [y](z", "data:text/html,hi", ""):
        assert safe_url(bad) is None


def test_a_share_link_asks_the_same_question_under_the_same_options():
    asked = Asked(
        "what did Blinken say & why?",
        dt.date(2022, 1, 1),
        Filters(dt.date(2021, 12, 1), None, ("cnn.com", "bbc.co.uk")),
        offline=True,
    )
    query = share_query(asked)
    params: dict[str, list[str]] = {}
    from urllib.parse import parse_qsl

    for name, value in parse_qsl(query[1:]):
        params.setdefault(name, []).append(value)
    assert parse_share(params) == asked
    assert parse_share({"q": ["  "]}) is None
    broken = parse_share({"q": ["x"], "as_of": ["not a date"]})
    assert broken == Asked("x")  # a bad date is dropped, not an error


def test_the_caption_says_what_an_answer_was_answered_under():
    asked = Asked("q", dt.date(2022, 1, 1), Filters(None, dt.date(2021, 12, 31), ("cnn.com",)))
    caption = asked_caption(asked, dt.date(2026, 12, 1))
    assert caption == (
        "Answered as of 1 January 2022 · published the first article – 31 December 2021"
        " · sites: cnn.com"
    )
    assert asked_caption(Asked("q"), dt.date(2026, 12, 1)).endswith("· any site")


def test_an_answer_says_how_far_back_its_sources_reach():
    def answer(*dates: str) -> Answer:
        cited = [Citation(i, f"d{i}", "T", d, "", f"{i}.txt", f"d{i}:0", "P", 0, "P", 0, 1)
                 for i, d in enumerate(dates, start=1)]  # fmt: skip
        return Answer("q", "…", False, citations=tuple(cited))

    asked = dt.date(2022, 6, 19)
    assert reach(answer("2022-06-16", "2022-06-12"), asked) == (
        "Sources published 12–16 June 2022, 3–7 days before 19 June 2022"
    )
    assert reach(answer("2022-06-18"), asked).endswith(", 1 day before 19 June 2022")
    assert reach(answer("2022-06-19"), asked).endswith("the day it was asked as of")
    assert reach(answer(), asked) == ""


def test_text_fragment_links_point_into_http_sources_only():
    quote = "Blinken ruled out an in-person meeting between Biden and Putin for now, US-based"
    url = text_fragment_url("https://news.test/a#top", quote)
    assert url == (
        "https://news.test/a#:~:text=Blinken%20ruled%20out%20an%20in%2Dperson,"
        "and%20Putin%20for%20now%2C%20US%2Dbased"
    )
    assert text_fragment_url("https://news.test/a", "Short quote.").endswith("text=Short%20quote.")
    assert text_fragment_url("javascript:alert(1)", quote) is None


def test_a_snippet_shows_the_matched_word_starting_at_a_word():
    text = " ".join(f"word{i}" for i in range(100)) + " the Griner verdict came " + "x " * 100
    piece = snippet(text, "Griner", width=120)
    assert "Griner" in piece and piece.startswith("…word")


def test_a_story_reported_twice_by_one_outlet_says_two_articles_not_one_outlet_alone():
    def report(n: int, site: str) -> DocInfo:
        return DocInfo(f"d{n}", "t", f"2022-10-2{n}", f"https://{site}/{n}", site, 1, "")

    same = reported_line((report(3, "cnn.com"), report(7, "cnn.com")))
    assert same == (
        "Also reported in 2 articles by 1 outlet: "
        "cnn.com (23 October 2022), cnn.com (27 October 2022)"
    )
    two = reported_line((report(3, "cnn.com"), report(7, "bbc.co.uk")))
    assert two.startswith("Also reported by 2 outlets: cnn.com (23 October 2022)")

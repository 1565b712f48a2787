from __future__ import annotations

import re

from rag.render import escape_markdown, highlight, safe_url
from rag.types import Span


def test_hostile_text_cannot_become_markup():
    evil = "![x](https://evil.test/p.png) <img src=x onerror=alert(1)> [7] $x$ :red[boo] **b**"
    out = escape_markdown(evil)
    # every character that could start markup is backslash-escaped
    assert not re.search(r"(?<!\\)[!\[\]()<>:$*]", out)
    assert out.replace("\\", "") == evil  # nothing lost, only escaped


def test_highlight_marks_exactly_the_quoted_sentence():
    text = "First one. Blinken ruled it out. Last."
    out = highlight(text, 100, [Span(111, 132)])
    assert ":orange-background[**Blinken ruled it out\\.**]" in out
    assert out.startswith("First one\\. ")


def test_only_plain_http_links_are_linked():
    assert safe_url("https://www.tasnimnews.com/en/news/1") is not None
    for bad in ("javascript:alert(1)", "https://x.test/a) [y](z", "data:text/html,hi", ""):
        assert safe_url(bad) is None

"""The documentation site as a newcomer reads it: built with `mkdocs build`, served over
HTTP, opened in Debian's headless Chromium. Every page of the navigation opens with its
title, and no code block or diagram has to be scrolled sideways at a laptop's width.
Screenshots of the pages land in test-artifacts/docs-*.png."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading

import pytest
import yaml
from playwright.sync_api import sync_playwright

from tests.conftest import ROOT
from tests.e2e.test_browser import ARTIFACTS, CHROMIUM_FLAGS


def nav_pages(nav) -> list[str]:
    """The .md paths of mkdocs.yml's nav, in order."""
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += nav_pages(value) if isinstance(value, list) else [value]
    return pages


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(site)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_every_page_opens_and_nothing_has_to_be_scrolled_sideways(site_url):
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    pages = nav_pages(config["nav"])
    ARTIFACTS.mkdir(exist_ok=True)
    wide = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        for md in pages:
            path = md.removesuffix(".md").removesuffix("index")
            path = path + "/" if path and not path.endswith("/") else path
            reply = page.goto(f"{site_url}/{path}")
            assert reply and reply.ok, md
            assert page.locator("article h1").count() == 1, md
            name = path.strip("/").replace("/", "-") or "index"
            page.screenshot(path=ARTIFACTS / f"docs-{name}.png")
            overflowing = page.evaluate(
                "[...document.querySelectorAll('article pre > code')]"
                ".filter(c => c.scrollWidth > c.clientWidth + 2)"
                ".map(c => c.textContent.split('\\n')[0].slice(0, 60))"
            )
            wide += [(md, first_line) for first_line in overflowing]
        browser.close()
    assert len(pages) >= 15
    assert not wide, wide

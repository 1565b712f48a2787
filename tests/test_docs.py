"""The README and the documentation site: short README, links that resolve, generated
references in step with the code, and a site that builds with no warning, offline."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def test_the_readme_is_short_and_its_links_resolve():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    assert targets, "the README links into the docs"
    missing = [t for t in targets if not t.startswith("http") and not (ROOT / t).exists()]
    assert missing == []


def test_the_generated_references_match_the_code():
    done = subprocess.run([sys.executable, "docs/generate.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    cli = (ROOT / "docs/reference/cli.md").read_text()
    for command in ("ingest", "feeds add", "feeds update", "jobs", "ask", "serve", "eval"):
        assert f"## `python -m rag {command}`" in cli


def test_the_site_builds_strictly(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d",
                           str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    python_api = (tmp_path / "site/reference/python/index.html").read_text()
    assert "ingest_stream" in python_api  # the reference is read from the code
    assert (tmp_path / "site/guide/feeds/index.html").exists()

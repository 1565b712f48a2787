"""`python -m rag feeds …`, `ingest URL` and `jobs` as a user runs them (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def rag(data, *args: str, **env: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(data), *args]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | env
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, env=environ)


def test_following_polling_and_listing_feeds(tmp_path, site):
    data = tmp_path / "data"
    refused = rag(data, "feeds", "add", f"{site.base}/feed.rss")
    assert (
        refused.returncode == 1
        and "loopback" in refused.stderr
        and "Traceback" not in refused.stderr
    )
    allow = {"RAG_FETCH_ALLOW_PRIVATE": "true", "RAG_FETCH_DELAY": "0"}
    added = rag(data, "feeds", "add", f"{site.base}/feed.rss", "--name", "Valdora", **allow)
    assert added.returncode == 0 and "following feed 1: Valdora" in added.stdout
    polled = rag(data, "feeds", "update", **allow)
    assert polled.returncode == 0, polled.stderr
    assert (
        "Valdora: ok" in polled.stdout
        and "2 added, 0 updated, 0 unchanged, 0 skipped" in polled.stdout
    )
    assert "no feed is due" in rag(data, "feeds", "update", **allow).stdout
    again = rag(data, "feeds", "update", "--all", **allow)
    assert "Valdora: unchanged" in again.stdout  # the feed answered 304
    [feed] = json.loads(rag(data, "feeds", "list", "--json").stdout)["feeds"]
    assert (feed["name"], feed["status"], feed["url"]) == (
        "Valdora",
        "unchanged",
        f"{site.base}/feed.rss",
    )
    page = rag(data, "ingest", f"{site.base}/news/rail.html", **allow)
    assert "1 added" in page.stdout
    jobs = json.loads(rag(data, "jobs", "--json").stdout)["jobs"]
    assert [j["kind"] for j in jobs] == ["urls", "feeds", "feeds"]
    assert "no feed 'nope'" in rag(data, "feeds", "remove", "nope").stderr
    assert "no longer following Valdora" in rag(data, "feeds", "remove", "1").stdout
    docs = json.loads(rag(data, "docs", "--json").stdout)["documents"]
    assert len(docs) == 3

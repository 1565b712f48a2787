"""Pages by URL, feeds and jobs through a real `python -m rag serve`, against a real local
news site; server-side request forgery refused."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.conftest import serving_api
from tests.sources.site import Site

EDITOR, READER = "editor-token-0001", "reader-token-0001"
TOKENS = json.dumps({READER: "reader", EDITOR: "editor"})


@pytest.fixture(scope="module")
def site():
    served = Site()
    served.news()
    yield served
    served.close()


def test_urls_to_internal_machines_are_refused_and_never_fetched(tmp_path, site):
    with serving_api(tmp_path / "data") as api:
        urls = [
            f"{site.base}/news/harbour.html",
            "http://169.254.169.254/latest/meta-data/",
            "file:///etc/passwd",
            "http://[::1]:22/",
            "gopher://127.0.0.1:25/",
        ]
        got = httpx.post(f"{api}/api/documents", json={"urls": urls}, timeout=60)
        results = got.json()["results"]
        assert got.status_code == 200 and [r["status"] for r in results] == ["skipped"] * 5
        reasons = [r["reason"] for r in results]
        assert "loopback" in reasons[0] and "link-local" in reasons[1]
        assert "not 'file:'" in reasons[2] and "loopback" in reasons[3]
        assert "not 'gopher:'" in reasons[4]
        follow = httpx.post(f"{api}/api/feeds", json={"url": f"{site.base}/feed.rss"})
        assert follow.status_code == 422 and "loopback" in follow.json()["error"]["message"]
        assert site.hits == {}
        assert httpx.get(f"{api}/api/documents").json()["documents"] == []
        jobs = httpx.get(f"{api}/api/jobs").json()["jobs"]
        assert jobs[0]["kind"] == "urls" and jobs[0]["counts"] == {"skipped": 5}


def test_bad_url_requests_get_a_clear_json_error(tmp_path):
    with serving_api(tmp_path / "data") as api:

        def error(response: httpx.Response, status: int) -> str:
            assert response.status_code == status, response.text
            return response.json()["error"]["message"]

        assert "urls" in error(httpx.post(f"{api}/api/documents", json={"urls": []}), 400)
        assert "urls" in error(httpx.post(f"{api}/api/documents", json={"urls": "x"}), 400)
        assert "20 URLs" in error(
            httpx.post(f"{api}/api/documents", json={"urls": ["http://a.test/"] * 21}), 413
        )
        plain = httpx.post(
            f"{api}/api/documents", content=b"x", headers={"Content-Type": "text/plain"}
        )
        assert "multipart" in error(plain, 415)
        far_too_many = [("files", (f"{i}.txt", b"x")) for i in range(30)]
        assert "20 files" in error(httpx.post(f"{api}/api/documents", files=far_too_many), 413)
        no_files = httpx.post(f"{api}/api/documents", files={"other": ("a.txt", b"x")})
        assert "'files'" in error(no_files, 400)
        assert "no feed" in error(httpx.delete(f"{api}/api/feeds/99"), 404)
        assert "no feed" in error(httpx.post(f"{api}/api/feeds/update", json={"feed": 7}), 404)


def test_feeds_pages_and_jobs_through_the_api_with_tokens(tmp_path, site):
    env = {"RAG_API_TOKENS": TOKENS, "RAG_FETCH_ALLOW_PRIVATE": "true", "RAG_FETCH_DELAY": "0"}
    with serving_api(tmp_path / "data", **env) as api:
        editor = {"Authorization": f"Bearer {EDITOR}"}
        reader = {"Authorization": f"Bearer {READER}"}
        feed = {"url": f"{site.base}/feed.rss", "name": "Valdora Times"}
        assert httpx.post(f"{api}/api/feeds", json=feed, headers=reader).status_code == 403
        made = httpx.post(f"{api}/api/feeds", json=feed, headers=editor).json()["feed"]
        again = httpx.post(f"{api}/api/feeds", json=feed, headers=editor)
        assert again.status_code == 409 and "already" in again.json()["error"]["message"]
        polled = httpx.post(f"{api}/api/feeds/update", json={}, headers=editor, timeout=120)
        results = polled.json()["polled"][feed["url"]]
        assert sorted(r["status"] for r in results) == ["added", "added"]
        page = httpx.post(
            f"{api}/api/documents",
            json={"urls": [f"{site.base}/news/rail.html"]},
            headers=editor,
            timeout=120,
        ).json()["results"]
        assert (
            page[0]["status"] == "added" and page[0]["title"] == "Regional rail strike called off"
        )
        listed = httpx.get(f"{api}/api/feeds", headers=reader).json()["feeds"]
        assert listed[0]["name"] == "Valdora Times" and listed[0]["new"] == 2
        jobs = httpx.get(f"{api}/api/jobs", headers=reader).json()["jobs"]
        assert [j["kind"] for j in jobs[:2]] == ["urls", "feeds"]
        assert jobs[1]["label"] == "Valdora Times" and jobs[1]["counts"] == {"added": 2}
        answer = httpx.post(
            f"{api}/api/ask",
            json={"question": "How many books does the new library hold?"},
            headers=reader,
            timeout=60,
        ).json()
        assert "400,000" in answer["citations"][0]["quote"]
        gone = httpx.delete(f"{api}/api/feeds/{made['id']}", headers=editor)
        assert gone.json() == {"removed": made["id"]}
        assert len(httpx.get(f"{api}/api/documents", headers=reader).json()["documents"]) == 3


def test_the_server_polls_due_feeds_in_the_background(tmp_path, site):
    env = {
        "RAG_FETCH_ALLOW_PRIVATE": "true",
        "RAG_FETCH_DELAY": "0",
        "RAG_FEED_INTERVAL_MIN": "0.02",
    }  # due again 1.2 s after each poll
    with serving_api(tmp_path / "data", **env) as api:
        httpx.post(f"{api}/api/feeds", json={"url": f"{site.base}/feed.atom"})

        def feed_jobs(wanted: int) -> list[dict]:
            deadline = time.monotonic() + 120  # generous: only a broken poller waits this long
            while time.monotonic() < deadline:
                jobs = httpx.get(f"{api}/api/jobs").json()["jobs"]
                done = [j for j in jobs if j["kind"] == "feeds" and j["status"] == "done"]
                if len(done) >= wanted:
                    return done
                time.sleep(0.3)
            raise AssertionError(f"fewer than {wanted} polls in 120 s: {jobs}")

        assert feed_jobs(1)[-1]["counts"] == {"added": 1}
        docs = httpx.get(f"{api}/api/documents").json()["documents"]
        assert [d["title"] for d in docs] == ["Regional rail strike called off"]
        later = feed_jobs(2)[0]
        assert later["counts"] == {"unchanged": 1}  # polled again, the page answered 304

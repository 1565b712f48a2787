"""The fetcher against a real local HTTP server: what it refuses, and the web going wrong."""

from __future__ import annotations

import ipaddress
import threading
import time

import pytest

from rag.sources.fetch import USER_AGENT, Fetcher, FetchError, refused


def fetcher(**kw) -> Fetcher:
    return Fetcher(
        **({"allow_private": True, "timeout": 2.0, "delay": 0.0, "max_bytes": 100_000} | kw)
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "only http:// and https://"),
        ("ftp://example.com/x", "only http:// and https://"),
        ("http://127.0.0.1:9/x", "loopback"),
        ("http://localhost:9/x", "loopback"),
        ("http://[::1]:9/x", "loopback"),
        ("http://[::ffff:127.0.0.1]:9/x", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.1.2.3/", "private-network"),
        ("http://192.168.0.1/", "private-network"),
        ("http:///nohost", "names no host"),
    ],
)
def test_refused_without_the_users_permission_and_says_why(url, why):
    with pytest.raises(FetchError, match=why):
        fetcher(allow_private=False).get(url)


def test_every_redirect_hop_is_checked(site, monkeypatch):
    # The test server is on loopback: let loopback pass, and see the redirect to the cloud
    # metadata address refused before anything connects to it.
    import rag.sources.fetch as fetch

    checked = []

    def loopback_allowed(address):
        checked.append(str(address))
        return "" if address.is_loopback else refused(address)

    monkeypatch.setattr(fetch, "refused", loopback_allowed)
    site.page("/go", b"", status=302, Location="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FetchError, match="link-local"):
        fetcher(allow_private=False).get(site.base + "/go")
    assert checked == ["127.0.0.1", "169.254.169.254"]


def test_public_addresses_pass():
    assert refused(ipaddress.ip_address("93.184.216.34")) == ""
    assert refused(ipaddress.ip_address("2606:4700::1111")) == ""
    assert "not a public" in refused(ipaddress.ip_address("100.64.0.1"))  # carrier NAT


def test_conditional_get_and_what_the_server_is_told(site):
    got = fetcher().get(site.base + "/news/harbour.html")
    assert got.status == 200 and b"harbour bridge" in got.body and got.etag == '"harbour-1"'
    again = fetcher().get(site.base + "/news/harbour.html", etag=got.etag)
    assert again.status == 304 and again.body == b""


def test_redirects_are_followed_and_a_loop_is_cut(site):
    site.page("/old", b"", status=301, Location="/news/harbour.html")
    assert fetcher().get(site.base + "/old").url == site.base + "/news/harbour.html"
    site.page("/loop-a", b"", status=302, Location="/loop-b")
    site.page("/loop-b", b"", status=302, Location="/loop-a")
    with pytest.raises(FetchError, match="redirects"):
        fetcher().get(site.base + "/loop-a")
    assert site.hits["/loop-a"] + site.hits["/loop-b"] == 6  # the first try and 5 redirects


def test_slow_oversized_and_missing_pages_fail_with_a_reason(site):
    site.slow_s = 3.0
    site.page("/slow.html", b"<p>late</p>")
    with pytest.raises(FetchError, match="within 0.5 s|longer than 0.5 s"):
        fetcher(timeout=0.5).get(site.base + "/slow.html")
    site.page("/big.html", b"x" * 200_000)
    with pytest.raises(FetchError, match="over the 0.1 MB limit"):
        fetcher().get(site.base + "/big.html")
    with pytest.raises(FetchError, match="404"):
        fetcher().get(site.base + "/nowhere")


def test_one_request_at_a_time_per_host_with_a_pause(site):
    arrivals: list[float] = []
    handler = site.server.RequestHandlerClass
    original = handler.do_GET

    def timed(self):
        arrivals.append(time.monotonic())
        original(self)

    handler.do_GET = timed
    polite = fetcher(delay=0.3)
    threads = [
        threading.Thread(target=polite.get, args=(site.base + "/feed.rss",)) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    arrivals.sort()
    assert len(arrivals) == 3
    assert all(b - a >= 0.29 for a, b in zip(arrivals, arrivals[1:]))


def test_the_user_agent_names_the_project(site):
    seen = []
    handler = site.server.RequestHandlerClass
    original = handler.do_GET

    def spy(self):
        seen.append(self.headers.get("User-Agent"))
        original(self)

    handler.do_GET = spy
    fetcher().get(site.base + "/feed.rss")
    assert seen == [USER_AGENT] and "news-archive" in USER_AGENT

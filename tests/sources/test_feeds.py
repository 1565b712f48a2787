"""Following feeds over a real local HTTP server, into a real archive (model, Chroma)."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.settings import Settings
from tests.conftest import open_archive
from tests.sources.site import TOPICS, article_html, rss


@pytest.fixture
def archive(tmp_path, embedder):
    settings = Settings(
        data_dir=tmp_path / "data",
        seed_dir=None,
        fetch_allow_private=True,
        fetch_delay=0,
        fetch_timeout=1.0,
        max_file_mb=0.05,
    )
    return open_archive(settings, embedder)


def by_title(archive) -> dict:
    return {d.title: d for d in archive.documents()}


def test_rss_and_atom_items_become_dated_linked_articles(archive, site):
    archive.sources.follow(site.base + "/feed.rss", "Valdora Times")
    archive.sources.follow(site.base + "/feed.atom")
    polled = archive.sources.update()
    assert sorted(r.status for results in polled.values() for r in results) == ["added"] * 3
    docs = by_title(archive)
    assert set(docs) == {title for title, _, _ in TOPICS.values()}
    rail = docs["Regional rail strike called off"]
    assert rail.date == "2024-03-03" and rail.url == site.base + "/news/rail.html"
    text = archive.document(rail.doc_id)[1]
    assert "6 percent" in text and "Copyright" not in text and "Home" not in text
    answer = archive.ask("By how much were rail wages raised?")
    assert answer.citations and answer.citations[0].doc_id == rail.doc_id
    feeds = {f.name: f for f in archive.sources.feeds.list()}
    assert (feeds["Valdora Times"].status, feeds["Valdora Times"].new) == ("ok", 2)
    assert feeds["Valdora Times"].next_due > feeds["Valdora Times"].last_fetched
    assert archive.sources.update() == {}  # nothing is due before the interval


def test_an_unchanged_feed_costs_one_request(archive, site):
    feed = archive.sources.follow(site.base + "/feed.rss")
    archive.sources.update([feed])
    before = dict(site.hits)
    assert archive.sources.update([feed]) == {feed.url: []}
    assert {p: n - before.get(p, 0) for p, n in site.hits.items() if n != before.get(p, 0)} == {
        "/feed.rss": 1
    }
    assert archive.sources.feeds.find(feed.url).status == "unchanged"


def test_a_page_that_changed_between_polls_is_a_new_version(archive, site):
    site.page("/feed.rss", rss(site.base, ["harbour"]), "application/rss+xml")  # no ETag
    feed = archive.sources.follow(site.base + "/feed.rss")
    [first] = archive.sources.update([feed])[feed.url]
    [same] = archive.sources.update([feed])[feed.url]
    assert (first.status, same.status) == ("added", "unchanged")
    correction = "Correction: the repairs cost 33 million euros, not 31 million."
    site.page(
        "/news/harbour.html", article_html("harbour", site.base, correction), etag='"harbour-2"'
    )
    [changed] = archive.sources.update([feed])[feed.url]
    assert changed.status == "updated" and changed.doc_id == first.doc_id
    assert len(archive.documents()) == 1
    assert correction in archive.document(first.doc_id)[1]


def test_items_whose_pages_fail_keep_the_feeds_summary_and_say_why(archive, site):
    site.slow_s = 3.0
    site.page("/slow.html", article_html("rail", site.base))
    site.page("/big.html", b"<p>" + b"word " * 30_000 + b"</p>")
    site.page("/loop-a", b"", status=302, Location="/loop-b")
    site.page("/loop-b", b"", status=302, Location="/loop-a")
    items = "".join(
        f"<item><title>Item {name}</title><link>{site.base}/{name}</link>"
        f"<description>Summary of {name}: the council met on Tuesday.</description>"
        "<pubDate>Mon, 04 Mar 2024 09:00:00 GMT</pubDate></item>"
        for name in ("slow.html", "big.html", "loop-a", "gone.html")
    )
    site.page("/odd.rss", rss(site.base, ["library"], items), "application/rss+xml")
    feed = archive.sources.follow(site.base + "/odd.rss")
    results = {r.path.rsplit("/", 1)[1]: r for r in archive.sources.update([feed])[feed.url]}
    assert results["library.html"].status == "added" and not results["library.html"].reason
    reasons = {
        name: results[name].reason for name in ("slow.html", "big.html", "loop-a", "gone.html")
    }
    assert all(results[n].status == "added" for n in reasons)
    assert "1 s" in reasons["slow.html"] and "limit" in reasons["big.html"]
    assert "redirects" in reasons["loop-a"] and "404" in reasons["gone.html"]
    assert all("summary kept instead" in why for why in reasons.values())
    slow = by_title(archive)["Item slow.html"]
    assert slow.date == "2024-03-04"
    assert archive.document(slow.doc_id)[1] == "Summary of slow.html: the council met on Tuesday."


def test_a_broken_feed_fails_with_a_reason_and_the_others_still_come_in(archive, site):
    site.page("/broken.rss", b"<<< this is not XML at all", "application/rss+xml")
    broken = archive.sources.follow(site.base + "/broken.rss")
    good = archive.sources.follow(site.base + "/feed.atom")
    polled = archive.sources.update()
    assert [r.status for r in polled[good.url]] == ["added"]
    assert [r.status for r in polled[broken.url]] == ["skipped"]
    found = archive.sources.feeds.find(broken.url)
    assert found.status == "failed" and "not well-formed" in found.reason
    jobs = {j.label: j for j in archive.sources.jobs.recent()}
    assert jobs[broken.url].items[0].reason == found.reason
    assert jobs[good.url].counts == {"added": 1} and jobs[good.url].status == "done"


def test_refused_addresses_are_never_fetched_even_from_a_feed(tmp_path, embedder, site):
    settings = Settings(data_dir=tmp_path / "data", seed_dir=None, fetch_delay=0)
    archive = open_archive(settings, embedder)
    with pytest.raises(ValueError, match="loopback"):
        archive.sources.follow(site.base + "/feed.rss")
    results = archive.ingest_urls([site.base + "/news/harbour.html", "file:///etc/passwd"])
    assert [r.status for r in results] == ["skipped", "skipped"]
    assert "loopback" in results[0].reason and "file:" in results[1].reason
    assert site.hits == {} and archive.documents() == []


def test_removing_a_feed_keeps_its_articles(archive, site):
    feed = archive.sources.follow(site.base + "/feed.atom")
    archive.sources.update()
    archive.sources.feeds.remove(feed)
    assert archive.sources.feeds.list() == [] and len(archive.documents()) == 1
    with pytest.raises(ValueError, match="already follows"):
        archive.sources.follow(site.base + "/feed.rss")
        archive.sources.follow(site.base + "/feed.rss")


def test_the_archive_date_is_the_pages_when_it_has_one(archive, site):
    # the feed says 2024-03-04 for the item; the page itself says 2024-03-01
    item = (
        f"<item><title>Harbour</title><link>{site.base}/news/harbour.html</link>"
        "<pubDate>Mon, 04 Mar 2024 09:00:00 GMT</pubDate></item>"
    )
    site.page("/one.rss", rss(site.base, [], item), "application/rss+xml")
    archive.sources.update([archive.sources.follow(site.base + "/one.rss")])
    assert [d.date for d in archive.documents()] == [dt.date(2024, 3, 1).isoformat()]

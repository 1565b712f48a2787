"""A real local news site for the fetch and feed tests: article pages, RSS and Atom feeds,
and the ways the web goes wrong (304s, a redirect loop, a slow page, an oversized page, a
broken feed, a missing page). Served by a real HTTP server on a free port."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOPICS = {
    "harbour": (
        "Harbour bridge reopens after repairs",
        "2024-03-01",
        (
            "The harbour bridge in Valdora reopened on Friday after eight months of repairs, "
            "the city's transport office said.",
            "Engineers replaced 140 steel cables and resurfaced the whole deck, at a cost of "
            "31 million euros, according to the office.",
            "Commuters had faced detours of up to forty minutes while the bridge was closed, "
            "and ferry services ran twice as often as usual.",
        ),
    ),
    "library": (
        "New city library opens its doors",
        "2024-03-02",
        (
            "Valdora's new central library opened on Saturday with room for 400,000 books, "
            "the mayor said at the opening ceremony.",
            "The building, designed by a local architecture firm, took three years to build "
            "and has a rooftop reading garden.",
            "Librarians expect about 2,000 visitors a day in the first month, twice the number "
            "the old library received.",
        ),
    ),
    "rail": (
        "Regional rail strike called off",
        "2024-03-03",
        (
            "A strike planned by regional rail workers for Monday was called off late on Sunday "
            "after the union reached a pay deal with the operator.",
            "The agreement raises wages by 6 percent over two years, the union's leader told "
            "reporters outside the talks.",
            "Trains across the province will run to the normal timetable, the operator said.",
        ),
    ),
}


def article_html(slug: str, base: str, extra: str = "") -> bytes:
    title, date, paragraphs = TOPICS[slug]
    body = "".join(f"<p>{p}</p>" for p in (*paragraphs, *([extra] if extra else [])))
    return f"""<!doctype html><html><head><title>{title}</title>
<meta property="article:published_time" content="{date}T09:00:00Z">
<meta property="og:title" content="{title}">
<link rel="canonical" href="{base}/news/{slug}.html"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>{title}</h1>{body}</article>
<footer>Copyright Valdora Times</footer></body></html>""".encode()


def rss(base: str, slugs: list[str], extra_items: str = "") -> bytes:
    items = "".join(
        f"<item><title>{TOPICS[s][0]}</title><link>{base}/news/{s}.html</link>"
        f"<description>{TOPICS[s][2][0]}</description>"
        f"<pubDate>{_rfc(TOPICS[s][1])}</pubDate></item>"
        for s in slugs
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Valdora Times</title>'
        f"<link>{base}/</link><description>News</description>{items}{extra_items}"
        "</channel></rss>"
    ).encode()


def atom(base: str, slugs: list[str]) -> bytes:
    entries = "".join(
        f"<entry><title>{TOPICS[s][0]}</title><link href='{base}/news/{s}.html'/>"
        f"<id>{base}/news/{s}</id><updated>{TOPICS[s][1]}T09:00:00Z</updated>"
        f"<summary>{TOPICS[s][2][0]}</summary></entry>"
        for s in slugs
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Valdora Times</title><id>{base}/</id><updated>2024-03-03T09:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def _rfc(date: str) -> str:
    return format_datetime(datetime.fromisoformat(date + "T09:00:00").replace(tzinfo=UTC))


class Site:
    """routes: path -> (status, headers, body); a body with an ETag answers 304 when the
    client sends it back. `hits` counts requests per path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.hits: Counter[str] = Counter()
        self.slow_s = 0.0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.hits[self.path] += 1
                if self.path == "/slow.html":
                    time.sleep(site.slow_s)
                status, headers, body = site.routes.get(self.path, (404, {}, b"not found"))
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(
        self,
        path: str,
        body: bytes,
        kind: str = "text/html; charset=utf-8",
        etag: str = "",
        status: int = 200,
        **headers: str,
    ) -> None:
        found = {"Content-Type": kind, **headers} | ({"ETag": etag} if etag else {})
        self.routes[path] = (status, found, body)

    def news(self) -> None:
        """The three article pages and an RSS and an Atom feed of them."""
        for slug in TOPICS:
            self.page(f"/news/{slug}.html", article_html(slug, self.base), etag=f'"{slug}-1"')
        self.page(
            "/feed.rss",
            rss(self.base, ["harbour", "library"]),
            "application/rss+xml",
            etag='"rss-1"',
        )
        self.page("/feed.atom", atom(self.base, ["rail"]), "application/atom+xml")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

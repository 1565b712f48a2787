"""Fetching a web page or feed, safely and politely.

Safe: only http(s); every address a name resolves to, and every redirect's, must be a
public one unless the user allows private networks (RAG_FETCH_ALLOW_PRIVATE), and the
connection goes to the address that was checked (a name that resolves again to 127.0.0.1
cannot slip through); at most MAX_REDIRECTS redirects, a size limit on the decoded body and
a deadline on the whole fetch. Polite: one request at a time per host with a pause between
them, a User-Agent naming the project, and conditional GET (ETag / Last-Modified).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "news-archive-rag/0.1 (a news archive following its feeds; python-httpx)"
MAX_REDIRECTS = 5
_HOSTS: dict[str, tuple[threading.Lock, list[float]]] = {}  # host -> (lock, [last request])
_HOSTS_LOCK = threading.Lock()


class FetchError(Exception):
    """A page that was not fetched; the message says why, for the user."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body came from, after redirects
    status: int  # 200, or 304 (not modified since the ETag / date given)
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


class Fetcher:
    def __init__(self, allow_private: bool, timeout: float, delay: float, max_bytes: int) -> None:
        self.allow_private, self.timeout, self.delay = allow_private, timeout, delay
        self.max_bytes = max_bytes

    def get(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        """GET `url`, following redirects; FetchError with the reason if refused or failed."""
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            target, host, headers, extensions = self._route(url)
            headers |= {"If-None-Match": etag} if etag else {}
            headers |= {"If-Modified-Since": last_modified} if last_modified else {}
            with _polite(host, self.delay):
                answer = self._request(target, headers, extensions, deadline)
            if isinstance(answer, str):  # a redirect
                url = urljoin(url, answer)
                continue
            return Fetched(url, *answer)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)")

    def check(self, url: str) -> None:
        """FetchError if `url` would be refused (its address is checked again at each fetch)."""
        self._route(url)

    def _route(self, url: str) -> tuple[str, str, dict[str, str], dict]:
        """Where to connect for `url`: the checked address, with the name as the Host."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https"):
            raise FetchError(
                f"only http:// and https:// addresses are fetched, not '{parts.scheme}:'"
            )
        host = parts.hostname
        if not host:
            raise FetchError(f"'{url[:80]}' names no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, ValueError) as e:
            raise FetchError(f"cannot find the host {host} ({e})") from e
        addresses = sorted(
            {ipaddress.ip_address(info[4][0].split("%")[0]) for info in found},
            key=lambda a: (a.version, str(a)),  # IPv4 first, as most servers listen there
        )
        for address in addresses:
            refusal = refused(address)
            if refusal and not self.allow_private:
                raise FetchError(
                    f"{host} is {refusal} ({address}); fetching it is refused to keep the "
                    "server from reaching internal machines (RAG_FETCH_ALLOW_PRIVATE=true "
                    "allows it)"
                )
        address = addresses[0]
        ip = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{ip}:{parts.port}" if parts.port else ip
        target = parts._replace(netloc=netloc, fragment="").geturl()
        name = parts.netloc.rpartition("@")[2]  # never send credentials from the URL
        headers = {"Host": name, "User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return target, host, headers, extensions

    def _request(
        self, target: str, headers: dict[str, str], extensions: dict, deadline: float
    ) -> str | tuple:
        left = max(0.1, deadline - time.monotonic())
        try:
            with httpx.Client(timeout=min(self.timeout, left), follow_redirects=False) as client:
                request = client.build_request(
                    "GET", target, headers=headers, extensions=extensions
                )
                response = client.send(request, stream=True)
                try:
                    return self._read(response, deadline)
                finally:
                    response.close()
        except httpx.TimeoutException as e:
            raise FetchError(f"no answer within {self.timeout:g} s") from e
        except httpx.HTTPError as e:
            raise FetchError(f"the request failed ({type(e).__name__}: {str(e)[:80]})") from e

    def _read(self, response: httpx.Response, deadline: float) -> str | tuple:
        code = response.status_code
        if code in (301, 302, 303, 307, 308):
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"the server answered {code} without saying where to")
            return location
        etag = response.headers.get("ETag", "")
        modified = response.headers.get("Last-Modified", "")
        if code == 304:
            return 304, b"", "", etag, modified
        if code != 200:
            raise FetchError(f"the server answered {code} {response.reason_phrase}".strip())
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"the page is {int(declared) / 1e6:.1f} MB, over the {self._limit}")
        body = bytearray()
        for piece in response.iter_bytes():
            body += piece
            if len(body) > self.max_bytes:
                raise FetchError(f"the page is larger than the {self._limit}")
            if time.monotonic() > deadline:
                raise FetchError(f"the page took longer than {self.timeout:g} s to arrive")
        kind = response.headers.get("Content-Type", "")
        return 200, bytes(body), kind, etag, modified

    @property
    def _limit(self) -> str:
        return f"{self.max_bytes / 1e6:g} MB limit (RAG_MAX_FILE_MB)"


def refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why an address is not fetched from unless allowed: "" for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_private:
        return "a private-network address"
    if not address.is_global:
        return "not a public address"
    return ""


class _polite:
    """One request at a time to a host, `delay` seconds apart."""

    def __init__(self, host: str, delay: float) -> None:
        with _HOSTS_LOCK:
            self.lock, self.last = _HOSTS.setdefault(host.lower(), (threading.Lock(), [0.0]))
        self.delay = delay

    def __enter__(self) -> None:
        self.lock.acquire()
        wait = self.last[0] + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *exc: object) -> None:
        self.last[0] = time.monotonic()
        self.lock.release()

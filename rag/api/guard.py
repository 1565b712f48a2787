"""Who is asking, and how much: the checks every request to the API server passes first.

Tokens come from settings (`RAG_API_TOKENS`, token -> "reader" or "editor") and arrive as
`Authorization: Bearer TOKEN` (what the `openai` client and MCP clients send). Without
tokens the server listens on loopback only, and a request must then also name a loopback
host and come from no web page but a loopback one: a page on another site cannot reach it
through the user's browser (DNS rebinding, cross-site form posts). Bodies are limited before
anything reads them: uploads to api_max_files files of max_file_mb, others to api_max_body_kb.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.settings import Settings

READER, EDITOR = "reader", "editor"
# Readable without a token: the API's own description.
OPEN_PATHS = ("/docs", "/openapi.json", "/health")
UPLOAD_PATH = "/api/documents"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_problem(host: str, settings: Settings) -> str:
    """Why the server must not listen on `host`, or ""."""
    if settings.api_tokens or is_loopback(host):
        return ""
    return (
        f"refusing to listen on {host} without access tokens: anyone who can reach it could "
        "read and change the archive. Set RAG_API_TOKENS, e.g. "
        """RAG_API_TOKENS='{"a-long-secret": "reader", "another-secret": "editor"}', """
        "or listen on 127.0.0.1."
    )


def role_of(token: str, tokens: dict[str, str]) -> str:
    """The token's role, or "" for an unknown token; every configured token is compared,
    in constant time, so the time taken says nothing about which part matched."""
    found = ""
    for known, role in tokens.items():
        if hmac.compare_digest(token.encode(), known.encode()):
            found = role
    return found


def error_body(status: int, message: str, kind: str) -> dict:
    """Every error the server sends: OpenAI's shape, so its clients show the message."""
    return {"error": {"message": message, "type": kind, "code": status}}


class Guard:
    """ASGI middleware: limits, host and origin, token; the role goes to scope["state"]."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        s = self.settings
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        upload = scope["method"] == "POST" and scope["path"].rstrip("/") == UPLOAD_PATH
        limit = int(s.api_max_files * s.max_file_mb * 1e6) + 65536 if upload else None
        limit = limit or s.api_max_body_kb * 1024
        problem = self._refused(scope, headers)
        if problem is None and int(headers.get("content-length") or 0) > limit:
            problem = (413, f"the request body is over the limit of {_size(limit)}", "too_large")
        if problem:
            await _send_error(send, *problem)
            return
        scope.setdefault("state", {})["role"] = self._role(headers)
        await self.app(scope, _counted(receive, limit), send)

    def _refused(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, str] | None:
        tokens = self.settings.api_tokens
        if not tokens:
            host = urlsplit("//" + headers.get("host", "")).hostname or ""
            origin = headers.get("origin", "")
            if not is_loopback(host):
                return 403, f"this server answers only on loopback, not as '{host}'", "forbidden"
            if origin and not is_loopback(urlsplit(origin).hostname or ""):
                return 403, "requests from other web sites are refused", "forbidden"
            return None
        if scope["path"] in OPEN_PATHS:
            return None
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return 401, "an access token is needed: send 'Authorization: Bearer TOKEN'", "auth"
        if not role_of(token.strip(), tokens):
            return 401, "the access token is not valid", "auth"
        return None

    def _role(self, headers: dict[str, str]) -> str:
        tokens = self.settings.api_tokens
        if not tokens:
            return EDITOR  # loopback only: whoever runs it on this machine
        return role_of(headers.get("authorization", "").partition(" ")[2].strip(), tokens)


class TooLarge(Exception):
    """A body without a Content-Length that turned out over the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is over the limit of {_size(limit)}")


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise TooLarge(limit)
        return message

    return counted


def _size(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n // 1024} KB"


async def _send_error(send: Send, status: int, message: str, kind: str) -> None:
    body = json.dumps(error_body(status, message, kind)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

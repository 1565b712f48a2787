"""The HTTP server (`python -m rag serve`): REST verbs in the CLI's JSON shapes, an
OpenAI-compatible chat (rag/api/chat.py) and MCP over streamable HTTP (rag/api/mcp.py),
all over one Archive in the data directory the app and the CLI use.

Every error is JSON, `{"error": {"message", "type", "code"}}`; no traceback leaves it.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from rag.api.chat import chat_router
from rag.api.guard import Guard, TooLarge, error_body
from rag.api.mcp import build_mcp, mcp_routes
from rag.api.models import (
    COMMON,
    AskRequest,
    Day,
    SearchRequest,
    Site,
    TimelineRequest,
    editor,
    errors,
    reader,
)
from rag.api.sources import sources_router
from rag.pipeline import Archive, QuestionError
from rag.shapes import (
    answer_json,
    documents_json,
    quotes_json,
    search_json,
    speakers_json,
    stories_json,
)
from rag.sources.poller import Poller
from rag.timeline.render import timeline_json
from rag.types import Filters, StoreUnavailable

log = logging.getLogger(__name__)


def create_app(archive: Archive) -> FastAPI:
    """The server over `archive` (checks of who is asking and how much included)."""
    mcp = build_mcp(archive)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        poller = Poller(archive.sources, archive.settings.feed_poll_check_s)
        poller.start()
        try:
            async with mcp.session_manager.run():
                yield
        finally:
            poller.stop()

    app = FastAPI(
        title="News archive",
        summary="Cited answers, search and documents of a news archive",
        lifespan=lifespan,
    )
    app.add_api_route("/health", lambda: {"ok": True}, include_in_schema=False)
    _errors(app)
    app.include_router(chat_router(archive), dependencies=[Depends(reader)])
    app.include_router(_rest(archive))
    app.include_router(sources_router(archive))
    app.router.routes.extend(mcp_routes(mcp))
    app.add_middleware(Guard, settings=archive.settings)
    return app


def _rest(archive: Archive) -> APIRouter:
    api = APIRouter(prefix="/api", responses=COMMON)

    @api.post("/search", dependencies=[Depends(reader)])
    def search(body: SearchRequest) -> dict:
        """The passages nearest to a query (`search --json`)."""
        hits = archive.search(body.query, body.k, as_of=body.as_of, filters=body.filters(),
                              copies=body.all_copies)  # fmt: skip
        return search_json(body.query, hits)

    @api.post("/ask", dependencies=[Depends(reader)])
    def ask(body: AskRequest) -> dict:
        """A cited answer (`ask --json`); offline quotes unless an LLM is configured."""
        answer = archive.ask(body.question, as_of=body.as_of, filters=body.filters(),
                             offline=body.offline, closest=body.closest,
                             copies=body.all_copies)  # fmt: skip
        return answer_json(answer)

    @api.post("/timeline", dependencies=[Depends(reader)])
    def timeline(body: TimelineRequest) -> dict:
        """A story's dated events, each an exact cited quote (`timeline --json`)."""
        made = archive.timeline(body.query, as_of=body.as_of, dates=body.dates,
                                per_date=body.per_date, filters=body.filters())  # fmt: skip
        return timeline_json(made)

    @api.get("/documents", dependencies=[Depends(reader)])
    def documents() -> dict:
        """Every document's metadata (`docs --json`)."""
        return documents_json(archive.documents())

    @api.get("/stories", dependencies=[Depends(reader)])
    def stories(min: int = 1) -> dict:
        """The archive's stories: articles grouped by the event they report (`stories --json`)."""
        return stories_json(archive.stories(min))

    @api.get("/quotes", dependencies=[Depends(reader)])
    def quotes(
        speaker: str = "",
        about: str = "",
        as_of: Day | None = None,
        since: Day | None = None,
        until: Day | None = None,
        site: Annotated[list[Site] | None, Query(description="only from these sites")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict:
        """Who said what (`quotes --json`): a speaker's attributed quotes under any form of
        their name, newest first or closest to `about` first; every attribution without one."""
        filters = Filters.of(since, until, site or ())
        return quotes_json(archive.quotes(speaker, about, as_of, filters, limit))

    @api.get("/speakers", dependencies=[Depends(reader)])
    def speakers(limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> dict:
        """Who the archive quotes most, over which dates, on what (`speakers --json`)."""
        return speakers_json(archive.speakers(limit=limit))

    @api.get("/documents/{doc_id}", dependencies=[Depends(reader)], responses=errors(404))
    def document(doc_id: str) -> dict:
        """One document's metadata and its text, exactly as stored."""
        found = archive.document(doc_id)
        if found is None:
            raise HTTPException(404, f"no document with id {doc_id} (see GET /api/documents)")
        return {"document": asdict(found[0]), "text": found[1]}

    @api.delete("/documents/{doc_id}", dependencies=[Depends(editor)], responses=errors(404))
    def delete(doc_id: str) -> dict:
        """Remove a document and all its passages."""
        if not archive.delete(doc_id):
            raise HTTPException(404, f"no document with id {doc_id} (see GET /api/documents)")
        return {"deleted": doc_id}

    return api


def _errors(app: FastAPI) -> None:
    kinds = {400: "invalid_request_error", 401: "auth", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large",
             415: "unsupported_media_type", 422: "unprocessable", 503: "unavailable"}  # fmt: skip

    def reply(status: int, message: str, headers: dict | None = None) -> JSONResponse:
        kind = kinds.get(status, "error")
        return JSONResponse(error_body(status, message, kind), status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> JSONResponse:
        message = e.detail if isinstance(e.detail, str) else str(e.detail)
        if e.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
        headers = e.headers
        if e.status_code == 405:  # every route of this path, not only the first one matched
            allowed = ", ".join(_methods(request))
            message = f"{request.url.path} does not answer {request.method}, only {allowed}"
            headers = {"Allow": allowed}
        return reply(e.status_code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        problems = []
        for error in e.errors():
            if error.get("loc") == ("body",) and error.get("type") == "model_attributes_type":
                return reply(400, "the body must be a JSON object (Content-Type: application/json)")
            where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
            said = error.get("msg", "invalid")
            if error.get("type") == "string_pattern_mismatch" and "site" in where:
                said = f"{error.get('input')!r} is not a site: give a host name like apnews.com"
            problems.append(f"{where or 'body'}: {said}")
        return reply(400, "invalid request: " + "; ".join(problems))

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, e: QuestionError) -> JSONResponse:
        return reply(422, str(e))  # it fits the schema; its content cannot be asked

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, e: TooLarge) -> JSONResponse:
        return reply(413, str(e))

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, e: StoreUnavailable) -> JSONResponse:
        return reply(503, str(e))

    @app.exception_handler(Exception)
    async def crashed(request: Request, e: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return reply(500, f"the server failed on this request ({type(e).__name__}); see its log")


def _methods(request: Request) -> list[str]:
    """The methods the request's path answers (for a 405's Allow header): those with which
    some route matches it fully."""
    routes = request.app.router.routes
    return [method for method in ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
            if any(r.matches({**request.scope, "method": method})[0] == Match.FULL
                   for r in routes)]  # fmt: skip

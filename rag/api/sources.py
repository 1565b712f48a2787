"""The API's ways in: POST /api/documents (uploaded files, or {"urls": [...]} to fetch),
the feeds the archive follows, and GET /api/jobs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.api.models import COMMON, Flag, count, editor, errors, reader
from rag.pipeline import Archive


class UrlsRequest(BaseModel):
    urls: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        min_length=1, description="pages to fetch, each http:// or https://"
    )


class FeedRequest(BaseModel):
    url: str = Field(min_length=1, max_length=2000, description="an RSS or Atom feed")
    name: str = Field("", max_length=200, description="what to call it (default: its URL)")


class UpdateRequest(BaseModel):
    feed: count() | None = Field(None, description="only this feed (its id); default: those due")
    all: Flag = Field(False, description="every feed, due or not")


_BODIES = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "format": "binary"},
                        }
                    },
                }
            },
            "application/json": {"schema": UrlsRequest.model_json_schema()},
        },
    }
}


def sources_router(archive: Archive) -> APIRouter:
    api = APIRouter(prefix="/api", responses=COMMON)
    s = archive.settings

    @api.post(
        "/documents", dependencies=[Depends(editor)], openapi_extra=_BODIES, responses=errors(415)
    )
    async def add(request: Request) -> dict:
        """Add or update articles: uploaded files (.txt, .md, .html, .pdf, and exports:
        .jsonl, .csv, .json, .warc) or `{"urls": [...]}`, pages to fetch. Per file, record
        or page: added, updated, unchanged or skipped with the reason."""
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            try:
                urls = UrlsRequest.model_validate_json(await request.body()).urls
            except ValidationError as e:
                raise RequestValidationError(e.errors(include_url=False)) from e
            if len(urls) > s.api_max_files:
                raise HTTPException(413, f"at most {s.api_max_files} URLs per request")
            results = await run_in_threadpool(archive.ingest_urls, urls)
        elif kind.startswith("multipart/form-data"):
            try:  # one file over the limit is counted below; more stop the parser
                form = await request.form(max_files=s.api_max_files + 1)
            except StarletteHTTPException as e:  # what starlette's parser raises
                if "Too many" not in str(e.detail):
                    raise
                raise HTTPException(413, f"at most {s.api_max_files} files per request") from e
            files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
            if not files:
                raise HTTPException(400, "send the articles as multipart form field 'files'")
            if len(files) > s.api_max_files:
                raise HTTPException(413, f"at most {s.api_max_files} files per request")
            limit = archive.max_upload_bytes
            uploads = [(f.filename or "upload", await f.read(limit + 1)) for f in files]
            results = await run_in_threadpool(archive.ingest_uploads, uploads)
        else:
            raise HTTPException(
                415, 'send files as multipart/form-data or URLs as JSON {"urls": [...]}'
            )
        return {"results": [asdict(r) for r in results]}

    @api.get("/feeds", dependencies=[Depends(reader)])
    def feeds() -> dict:
        """The feeds the archive follows, with their last poll (`feeds list --json`)."""
        return {"feeds": [asdict(f) for f in archive.sources.feeds.list()]}

    @api.post("/feeds", dependencies=[Depends(editor)], responses=errors(409))
    def follow(body: FeedRequest) -> dict:
        """Follow a feed; it is polled with the others that are due."""
        try:
            feed = archive.sources.follow(body.url, body.name)
        except ValueError as e:
            raise HTTPException(409 if "already" in str(e) else 422, str(e)) from e
        return {"feed": asdict(feed)}

    @api.delete("/feeds/{feed_id:int}", dependencies=[Depends(editor)], responses=errors(404))
    def unfollow(feed_id: int) -> dict:
        """Stop following a feed; the articles it brought stay."""
        feed = archive.sources.feeds.find(str(feed_id))
        if feed is None:
            raise HTTPException(404, f"no feed with id {feed_id} (see GET /api/feeds)")
        archive.sources.feeds.remove(feed)
        return {"removed": feed_id}

    @api.post("/feeds/update", dependencies=[Depends(editor)], responses=errors(404, 409))
    def update(body: UpdateRequest) -> dict:
        """Poll feeds now and store what they bring; per feed, each item's outcome."""
        try:
            chosen = archive.sources.choose(str(body.feed or ""), body.all)
        except LookupError as e:
            raise HTTPException(404, f"no feed with id {body.feed} (see GET /api/feeds)") from e
        polled = archive.sources.update(chosen, wait=120) if chosen else {}
        if polled is None:
            raise HTTPException(409, "another process is polling the feeds; try again shortly")
        return {"polled": {url: [asdict(r) for r in results] for url, results in polled.items()}}

    @api.get("/jobs", dependencies=[Depends(reader)])
    def jobs(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
        """Recent feed polls, URL fetches, imports and uploads, newest first, with each
        item's outcome (`jobs --json`); a job whose process died is "interrupted"."""
        return {"jobs": [asdict(j) for j in archive.sources.jobs.recent(limit)]}

    return api

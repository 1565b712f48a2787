"""The API's request bodies (they are its OpenAPI schema) and the role checks routes declare."""

from __future__ import annotations

import datetime as dt

from fastapi import HTTPException, Request
from pydantic import BaseModel, Field

from rag.api.guard import EDITOR, READER
from rag.timeline.build import DATES_LIMIT, PER_DATE_LIMIT
from rag.types import Filters


class Options(BaseModel):
    """What the archive is searched under, as in the CLI's --as-of, --since, --until, --site."""

    as_of: dt.date | None = Field(None, description="leave out articles published after")
    since: dt.date | None = Field(None, description="only articles published on or after")
    until: dt.date | None = Field(None, description="only articles published on or before")
    sites: list[str] = Field(default_factory=list, description="only articles from these sites")
    all_copies: bool = Field(False, description="keep every near-copy of an article")

    def filters(self) -> Filters:
        return Filters.of(self.since, self.until, self.sites)


class SearchRequest(Options):
    query: str = Field(min_length=1)
    k: int | None = Field(None, gt=0, le=100, description="how many passages")


class AskRequest(Options):
    question: str
    offline: bool = Field(False, description="quote the archive even if an LLM is configured")
    closest: bool = Field(False, description="quote the closest reports even out of period")


class TimelineRequest(Options):
    query: str
    dates: int | None = Field(
        None, gt=0, le=DATES_LIMIT, description="how many dates (default: as needed)"
    )
    per_date: int | None = Field(
        None, gt=0, le=PER_DATE_LIMIT, description="sentences per date (default 2)"
    )


def role(request: Request) -> str:
    return request.scope.get("state", {}).get("role", "")


def reader(request: Request) -> None:
    if role(request) not in (READER, EDITOR):
        raise HTTPException(403, "this token may not read the archive")


def editor(request: Request) -> None:
    if role(request) != EDITOR:
        raise HTTPException(403, "only an editor's token may change the archive")

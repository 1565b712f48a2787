"""The API's request bodies and error replies (they are its OpenAPI schema) and the role
checks routes declare."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import HTTPException, Request
from pydantic import BaseModel, BeforeValidator, Field, StrictBool

from rag.api.guard import EDITOR, READER
from rag.timeline.build import DATES_LIMIT, PER_DATE_LIMIT
from rag.types import Filters

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: object) -> object:
    """Only YYYY-MM-DD is a date here (pydantic alone would take 0 or a timestamp)."""
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    if not isinstance(value, str | dt.date) or isinstance(value, dt.datetime):
        raise ValueError("a date is a string YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_day)]  # the API's dates, bodies and queries alike
# A site is a host name ending in a top-level domain of letters, in ASCII (punycode for
# other scripts): apnews.com, www.bbc.co.uk; not a URL, nor "true" or "1.5", which in a
# query string would otherwise read as a host
Site = Annotated[str, Field(pattern=r"^([A-Za-z0-9-]+\.)+[A-Za-z]{2,63}$", max_length=253)]
Flag = StrictBool  # true or false, not 1 or "yes"


def _count(value: object) -> object:
    """A JSON integer (5 or 5.0), never a string or true/false that pydantic would take."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a count is a JSON number")
    return value


def count(most: int | None = None) -> object:
    """The type of a count from 1 to `most`: 5 or 5.0, not "5" or true. (The bounds go
    before the validator, or pydantic writes them into the schema as keywords it does not
    know.)"""
    return Annotated[int, Field(ge=1, le=most), BeforeValidator(_count)]


class ErrorDetail(BaseModel):
    message: str = Field(description="what went wrong and what to do, for a person to read")
    type: str = Field(description="invalid_request_error, unprocessable, auth, forbidden, …")
    code: int = Field(description="the HTTP status")


class ErrorReply(BaseModel):
    """Every error the API sends: `{"error": {"message", "type", "code"}}`."""

    error: ErrorDetail


_WHY = {
    400: "the request does not fit this schema (a missing field, a wrong type, not JSON)",
    401: "no access token, or not a valid one (only when the server has tokens)",
    403: "the token's role may not do this, or the request came from another site",
    404: "no such document, feed or model",
    409: "it exists already, or another process is doing it",
    413: "the body, a file or a list is over the server's limit",
    415: "the body is neither multipart/form-data nor JSON",
    422: "the request fits the schema but cannot be used: an empty or too long question, "
    "a period that ends before it starts, an address that is not fetched",
    503: "the vector store cannot be reached",
}


def errors(*codes: int) -> dict:
    """OpenAPI `responses` for these error statuses, each in the ErrorReply shape."""
    return {code: {"model": ErrorReply, "description": _WHY[code]} for code in codes}


COMMON = errors(400, 401, 403, 413, 422, 503)


class Options(BaseModel):
    """What the archive is searched under, as in the CLI's --as-of, --since, --until, --site."""

    as_of: Day | None = Field(None, description="leave out articles published after")
    since: Day | None = Field(None, description="only articles published on or after")
    until: Day | None = Field(None, description="only articles published on or before")
    sites: list[Site] = Field(
        default_factory=list, description="only articles from these sites (host names)"
    )
    all_copies: Flag = Field(False, description="keep every near-copy of an article")

    def filters(self) -> Filters:
        return Filters.of(self.since, self.until, self.sites)


class SearchRequest(Options):
    query: str = Field(min_length=1)
    k: count(100) | None = Field(None, description="how many passages")


class AskRequest(Options):
    question: str = Field(min_length=1)
    offline: Flag = Field(False, description="quote the archive even if an LLM is configured")
    closest: Flag = Field(False, description="quote the closest reports even out of period")


class TimelineRequest(Options):
    query: str = Field(min_length=1)
    dates: count(DATES_LIMIT) | None = Field(
        None, description="how many dates (default: as needed)"
    )
    per_date: count(PER_DATE_LIMIT) | None = Field(
        None, description="sentences per date (default 2)"
    )


def role(request: Request) -> str:
    return request.scope.get("state", {}).get("role", "")


def reader(request: Request) -> None:
    if role(request) not in (READER, EDITOR):
        raise HTTPException(403, "this token may not read the archive")


def editor(request: Request) -> None:
    if role(request) != EDITOR:
        raise HTTPException(403, "only an editor's token may change the archive")

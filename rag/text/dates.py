"""Dates as people read them: "7 February 2021", "published 12–16 June 2022"."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


def day_number(date: str) -> int:
    """An ISO date as the archive stores it per chunk: YYYYMMDD, 0 when undated."""
    return int(date.replace("-", "") or 0)


@lru_cache(maxsize=8192)
def iso_day(number: int) -> str:
    """`day_number` back: YYYYMMDD -> an ISO date, "" when undated (0)."""
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}" if number else ""


def newest_first(date: str) -> int:
    """Sort key putting the newest ISO date first and undated last."""
    return -dt.date.fromisoformat(date).toordinal() if date else 1


def date_range(dates: list[str]) -> str:
    """When the sources were published, e.g. "published 12–16 June 2022"."""
    days = sorted(dt.date.fromisoformat(d) for d in dates if d)
    if not days:
        return "with no date"
    first, last = days[0], days[-1]
    if first == last:
        return f"published {last:%-d %B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"published {first.day}–{last:%-d %B %Y}"
    if first.year == last.year:
        return f"published {first:%-d %B} – {last:%-d %B %Y}"
    return f"published {first:%-d %B %Y} – {last:%-d %B %Y}"


def day(date: str) -> str:
    """A date as people write it, e.g. "7 February 2021", or "undated"."""
    return f"{dt.date.fromisoformat(date):%-d %B %Y}" if date else "undated"

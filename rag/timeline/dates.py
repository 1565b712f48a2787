"""When the things a sentence reports happened, relative to its article's publication date.

Pure and fast (regular expressions, no parser per sentence: a timeline reads thousands of
sentences at query time). "on Tuesday" is the latest Tuesday up to the publication day
(the next one after it when the sentence says "next" or "will"); "yesterday" the day
before; "on 12 January" / "January 12, 2009" / "2009-01-12" that day (without a year: the
one nearest the publication day); "last week", "last month", "in March" are periods (a
week, a month), which `When.day` does not reduce to a day. Month and weekday names count
only capitalized, so "may" and "march on" are not dates, and none inside a short
quotation (a title: the series "Wednesday", the film "Friday the 13th").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from rag.text.patterns import MONTH, WEEKDAY

_MONTHS = {m.lower()[:3]: i for i, m in enumerate(calendar.month_name) if m}
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:\s*,?\s*((?:19|20)\d\d))?"
_AHEAD = re.compile(r"\b(?:will|would|to be|is to|are to|plans? to|scheduled|due to|next)\b", re.I)
_PATTERNS = [
    ("iso", re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")),
    # "Monday, Sept. 26" is that date: the weekday naming it is part of it
    (
        "month_day",
        re.compile(rf"\b(?:{WEEKDAY},?\s+)?({MONTH})\.?\s+{_ORDINAL}\b(?!\s*(?:%|percent)){_YEAR}"),
    ),
    (
        "day_month",
        re.compile(rf"\b(?:{WEEKDAY},?\s+)?{_ORDINAL}\s+(?:of\s+)?({MONTH})\b\.?{_YEAR}"),
    ),
    (
        "month",
        re.compile(
            rf"\b(?:(?:in|since|during|by|until|of|last|this|next)\s+)({MONTH})\b"
            rf"(?:\s*,?\s*((?:19|20)\d\d))?"
        ),
    ),  # fmt: skip
    ("weekday", re.compile(rf"\b(?:(last|next|this)\s+)?({WEEKDAY})\b(?!-)")),
    (
        "relative",
        re.compile(
            r"\b(yesterday|today|tonight|tomorrow|last night|this morning|"
            r"this afternoon|this evening)\b",
            re.I,
        ),
    ),  # fmt: skip
    (
        "ago",
        re.compile(r"\b(\d+|one|two|three|four|five|six|seven|a)\s+(day|week)s?\s+ago\b", re.I),
    ),  # fmt: skip
    ("period", re.compile(r"\b(last|this|next)\s+(week|month|year)\b", re.I)),
]
# A quoted stretch of at most TITLE_WORDS words is a title or a name, not someone's words
# (as in rag/ingest/attribution.py). Straight single quotes are apostrophes too: not read.
_TITLE = re.compile(r"“([^“”\n]{1,60})”|\"([^\"\n]{1,60})\"|‘([^‘’\n]{1,60})’")
TITLE_WORDS = 3
_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_RELATIVE = {"yesterday": -1, "last night": -1, "tomorrow": 1}


@dataclass(frozen=True)
class When:
    """A time a sentence names: a day (start == end) or a period, and the words naming it."""

    start: dt.date
    end: dt.date
    phrase: str

    @property
    def day(self) -> dt.date | None:
        return self.start if self.start == self.end else None


def event_dates(sentence: str, published: dt.date) -> list[When]:
    """The times `sentence` names, in the order written, resolved against `published`."""
    found: list[tuple[int, When]] = []
    taken = [m.span() for m in _TITLE.finditer(sentence)
             if len(next(g for g in m.groups() if g).split()) <= TITLE_WORDS]  # fmt: skip
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(sentence):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # in a title, or part of a longer expression ("June 25, 2009")
            when = _resolve(kind, m, published, _ahead(sentence, m.start()))
            if when is not None:
                taken.append(m.span())
                found.append((m.start(), When(*when, m.group(0))))
    return [w for _, w in sorted(found, key=lambda x: x[0])]


def _ahead(sentence: str, at: int) -> bool:
    """True if the words just before position `at` speak of what is still to come."""
    return _AHEAD.search(sentence[max(0, at - 40) : at]) is not None


def _resolve(
    kind: str, m: re.Match, published: dt.date, ahead: bool
) -> tuple[dt.date, dt.date] | None:
    g = m.groups()
    if kind == "iso":
        day = _date(int(g[0]), int(g[1]), int(g[2]))
        return (day, day) if day else None
    if kind in ("month_day", "day_month"):
        month, number = (g[0], g[1]) if kind == "month_day" else (g[1], g[0])
        day = _nearest(_MONTHS[month.lower()[:3]], int(number), g[2], published)
        return (day, day) if day else None
    if kind == "month":
        month = _MONTHS[g[0].lower()[:3]]
        year = int(g[1]) if g[1] else published.year
        if not g[1] and not ahead and month > published.month:
            year -= 1  # "in March", said in January: the March before
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, 1), dt.date(year, month, last)
    if kind == "weekday":
        which, name = g[0], g[1]
        target = list(calendar.day_name).index(name)
        if which == "next" or (which is None and ahead):
            step = (target - published.weekday()) % 7 or 7
        else:
            step = -((published.weekday() - target) % 7 or (7 if which == "last" else 0))
        day = published + dt.timedelta(days=step)
        return day, day
    if kind == "relative":
        day = published + dt.timedelta(days=_RELATIVE.get(g[0].lower(), 0))
        return day, day
    if kind == "ago":
        count = int(g[0]) if g[0].isdigit() else _WORDS[g[0].lower()]
        days = count * (7 if g[1].lower() == "week" else 1)
        day = published - dt.timedelta(days=days)
        return (day, day) if g[1].lower() == "day" else (day - dt.timedelta(days=3), day)
    return _period(g[0].lower(), g[1].lower(), published)


def _period(which: str, unit: str, published: dt.date) -> tuple[dt.date, dt.date]:
    """ "last week" (Monday to Sunday), "this month", "next year"… around `published`."""
    shift = {"last": -1, "this": 0, "next": 1}[which]
    if unit == "week":
        monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=shift)
        return monday, monday + dt.timedelta(days=6)
    if unit == "month":
        index = published.year * 12 + published.month - 1 + shift
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return dt.date(year, month + 1, 1), dt.date(year, month + 1, last)
    year = published.year + shift
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _nearest(month: int, day: int, year: str | None, published: dt.date) -> dt.date | None:
    """That day of that month: in `year` if given, else in the year that puts it nearest
    the publication day (December 28, said on 3 January, is the December before)."""
    if year:
        return _date(int(year), month, day)
    options = [d for y in (-1, 0, 1) if (d := _date(published.year + y, month, day))]
    return min(options, key=lambda d: abs((d - published).days), default=None)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None

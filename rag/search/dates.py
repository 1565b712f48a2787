"""Time expressions in questions ("in June 2022", "last week", "yesterday") -> a date range.

Pure: everything is relative to the question's "as of" date. Phrases are found with a
pattern, then resolved by dateparser with RELATIVE_BASE set to that date. Month names count
only when capitalized, so "what may happen" is not read as May.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from dateparser.date import DateDataParser

from rag.text.patterns import MONTH, WEEKDAY

_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_PHRASE = re.compile(
    rf"""\b(?:
        (?i:yesterday|today|tonight|recently)
      | (?i:(?:over|in|during)\s+the\s+(?:last|past))\s+(?i:week|month|year)
      | (?i:this|last|past)\s+(?i:week|weekend|month|year)
      | {_NUMBER}\s+(?i:days?|weeks?|months?)\s+(?i:ago)
      | (?:{_ORDINAL}\s+(?:of\s+)?)?{MONTH}\.?(?:\s+{_ORDINAL}\b)?(?:,?\s+(?:19|20)\d{{2}})?
      | (?i:in|during|since|of|from|for)\s+(?:19|20)\d{{2}}
      | {WEEKDAY}
    )\b(?!-)""",
    re.VERBOSE,
)
# "Over the past year" and "recently" mean the days up to "as of", not a calendar period.
_ROLLING = re.compile(r"(?i:over|in|during)\s+the\s+(?:last|past)\s+(\w+)|(?i:recently)")
_ROLLING_DAYS = {"week": 7, "month": 31, "year": 366, None: 30}  # None: "recently"
# News reports an event on the day or within a few days after it.
REPORTING_LAG = dt.timedelta(days=3)
# ... but a forecast for a year or month ("expected to climb in 2023") is reported before it.
_FORECAST = re.compile(r"\b(?:expected|forecasts?|projected|predicted|predicts?|set to)\b", re.I)


# A question about a state at the time of asking ("which virus is spreading", "which product
# remains hard to find", "the current protests").
_PRESENT = re.compile(
    r"\b(?:still|currently|current|ongoing|remains?|continues?\s+to"
    r"|(?:is|are)\s+(?:\w+ly\s+)?(?!(?:some|no|any|every)thing\b)[a-z]+ing)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateRange:
    """Publication dates a question points at (inclusive, never after the as-of date)."""

    start: dt.date
    end: dt.date
    phrase: str

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def names_time(question: str) -> bool:
    """True if the question names a time ("last week", "in 2020", "on Monday")."""
    return _PHRASE.search(question) is not None


def names_present(question: str) -> bool:
    """True if the question asks about a state at the time of asking ("is spreading",
    "remains", "still", "the current protests")."""
    return _PRESENT.search(question) is not None


@lru_cache(maxsize=256)
def question_range(question: str, as_of: dt.date) -> DateRange | None:
    """The publication-date range named by the first time expression in `question`
    (remembered: search and the answer's scope check both ask). A forecast for a year or a
    month ("how high are gas prices expected to climb in 2023?") reaches back as long again:
    it is written before the period it is about."""
    for match in _PHRASE.finditer(question):
        phrase = match.group(0)
        rolling = _ROLLING.fullmatch(phrase)
        if rolling:
            days = _ROLLING_DAYS[rolling.group(1) and rolling.group(1).lower()]
            return DateRange(as_of - dt.timedelta(days=days), as_of, phrase)
        weekday = _weekday(phrase, as_of)
        if weekday is not None:  # the most recent one, today included
            return DateRange(weekday, min(weekday + REPORTING_LAG, as_of), phrase)
        text = re.sub(r"^(?i:in|during|since|of|from|for)\s+", "", phrase)
        parser = DateDataParser(
            languages=["en"],
            settings={
                "RELATIVE_BASE": dt.datetime.combine(as_of, dt.time()),
                "PREFER_DATES_FROM": "past",
            },
        )
        data = parser.get_date_data(text)
        if data is None or data.date_obj is None:
            continue
        start, end = _period(data.date_obj.date(), data.period or "day")
        before = question[: match.start()].rstrip().lower()
        if phrase.lower().startswith("since") or before.endswith("since"):
            end = as_of
        if start > as_of:
            return None  # a period after "as of": nothing published then can be searched
        if _FORECAST.search(question):  # the period before it, when forecasts are written
            start -= end - start + dt.timedelta(days=1)
        return DateRange(start, min(end + REPORTING_LAG, as_of), phrase)
    return None


def ranking_range(question: str, as_of: dt.date) -> DateRange | None:
    """The dates whose reports a question is answered from first: the period it names, or,
    for a question about how things stand when asked ("which product remains hard to
    find?"), the days "recently" means (a ranking only: such a question is never refused
    for want of a recent report, as one naming a period is)."""
    named = question_range(question, as_of)
    if named is None and names_present(question):
        return DateRange(as_of - dt.timedelta(days=_ROLLING_DAYS[None]), as_of, "now")
    return named


def _weekday(phrase: str, as_of: dt.date) -> dt.date | None:
    """The date of the most recent such weekday up to `as_of` (today counts), for "Monday"."""
    names = [calendar.day_name[i].lower() for i in range(7)]
    if phrase.lower() not in names:
        return None
    back = (as_of.weekday() - names.index(phrase.lower())) % 7
    return as_of - dt.timedelta(days=back)


def _period(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    if period == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if period == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    return day, day

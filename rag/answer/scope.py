"""Whether the archive can know the answer at all: the period a question names.

A question such as "which country's prime minister resigned this week?" asked as of a day
when no report of it existed yet must not be answered with older reports that only look
alike. If no sentence good enough to quote comes from an article published in the period
the question names or after it (or a few days before: "this week" asked on a Monday is about
the weekend's news too), the archive does not answer, and says why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from rag.answer.evidence import ScoredSentence
from rag.answer.named import read_text
from rag.answer.weights import DEFAULT, AnswerWeights
from rag.search.dates import DateRange, question_range, ranking_range
from rag.text.dates import day
from rag.text.patterns import YEAR, content_words, names_in
from rag.text.topic import Topic


@dataclass(frozen=True)
class OutOfScope:
    """Why the archive cannot answer: the prompt that says so, and what fills it in."""

    prompt: str  # "out_of_period", "not_reported" or "out_of_year"
    period: str  # e.g. "from 2 to 5 May 2022", or the year asked about
    terms: str  # the question's names, e.g. "Patriot Front"
    missing: str = ""  # "not_reported": what the period's reports never mention


def out_of_scope(
    question: str,
    as_of: dt.date,
    scored: list[ScoredSentence],
    weights: AnswerWeights = DEFAULT,
    topic: Topic | None = None,
) -> OutOfScope | None:
    """Why no quotable sentence can answer the question in the period it names, or None
    when one can (or the question names no period). An article published up to
    `weights.slack_days` before the period counts ("this week" asked on a Monday is about
    the weekend's news too), if what was read of it names what the question asks about:
    holds `weights.named` of the `topic`'s words by rarity (rag/answer/named.py; a report of the
    runoff holds "Truss" and "prime minister", not "became"; of the floods at Yellowstone,
    not "wildfire"). A sentence scoring `weights.sure_score` answers from any day."""
    quotable = [s for s in scored if s.score >= weights.min_score]
    future = sorted({int(y) for y in YEAR.findall(question) if int(y) > as_of.year})
    if future:  # "who won the 2030 World Cup?": only a report naming that year can say
        year = str(future[0])
        if not any(year in s.text or year in s.hit.title for s in quotable):
            return OutOfScope("out_of_year", year, key_terms(question))
        return None
    asked = question_range(question, as_of)
    if asked is None:
        return None
    slack = dt.timedelta(days=weights.slack_days)
    period = [s for s in quotable if _published_in(s.hit.date, asked, slack, as_of)]
    unnamed = None  # what was read of the period's reports, when none names what it asks
    if period and topic is not None and weights.named:
        docs = {s.hit.doc_id for s in period}
        read = read_text([s.hit for s in scored if s.hit.doc_id in docs])
        if all(topic.share(text) < weights.named for text in read.values()):
            period, unnamed = [], " ".join(read.values())
    if period or any(s.score >= weights.sure_score for s in quotable):
        return None
    terms = key_terms(question)
    lacking = _lacking(topic, unnamed, terms) if unnamed is not None and topic else ""
    if lacking:
        return OutOfScope("not_reported", _period(asked, slack), terms, lacking)
    return OutOfScope("out_of_period", _period(asked, slack), terms)


def _lacking(topic: Topic, read: str, terms: str) -> str:
    """The rarest words of the question that what was read of the period's reports lacks,
    its names left out ("attacked, violent, break"); "" when those reports lack the names
    too: then nothing of the period is on them at all."""
    names = content_words(terms)
    if names and not names & content_words(read):
        return ""
    missing = topic.missing(read, 8)
    return ", ".join(([w for w in missing if w not in names] or missing)[:3])


def period_first(
    question: str, as_of: dt.date, scored: list[ScoredSentence], weights: AnswerWeights = DEFAULT
) -> list[ScoredSentence]:
    """`scored` re-ranked so that an answer about the period the question names, or about
    how things stand (`ranking_range`), leads with that period's reports: a sentence of an
    article published outside it (as `in_period` reads it) ranks `weights.outside` lower,
    still there to be quoted after."""
    asked = ranking_range(question, as_of)
    if asked is None or not weights.outside:
        return scored
    slack = dt.timedelta(days=weights.slack_days)
    moved = [
        replace(
            s, rank=s.rank - weights.outside * (not _published_in(s.hit.date, asked, slack, as_of))
        )
        for s in scored
    ]
    return sorted(moved, key=lambda s: s.rank, reverse=True)


def key_terms(question: str) -> str:
    """The names the question asks about (its topic words when it names none)."""
    topic = [w for w in content_words(question) if len(w) > 3]
    names = [re.sub(r"['’]s$", "", name) for name in names_in(question)]  # "Pelosi's"
    found = names or sorted(topic, key=question.lower().find)[:4]
    return ", ".join(dict.fromkeys(found))


def in_period(question: str, as_of: dt.date, date: str, weights: AnswerWeights = DEFAULT) -> bool:
    """True if an article of `date` can report what happened in the period the question
    names (always, when it names none)."""
    asked = question_range(question, as_of)
    slack = dt.timedelta(days=weights.slack_days)
    return asked is None or _published_in(date, asked, slack, as_of)


def _published_in(date: str, asked: DateRange, slack: dt.timedelta, as_of: dt.date) -> bool:
    """True if an article of `date` can report what happened in the period: published in it
    (or `slack` before) or after it (a record "set in June" is reported in August)."""
    return bool(date) and asked.start - slack <= dt.date.fromisoformat(date) <= as_of


def _period(asked: DateRange, slack: dt.timedelta) -> str:
    start, end = asked.start - slack, asked.end
    if start.year != end.year:
        return f"from {day(start.isoformat())} to {day(end.isoformat())}"
    if start.month != end.month:
        return f"from {start:%-d %B} to {day(end.isoformat())}"
    return f"from {start.day} to {day(end.isoformat())}"

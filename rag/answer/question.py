"""What a question asks for, and the candidate answers a sentence holds. Pure functions.

A "which team won…" question wants a name the question does not already hold; "how many"
a number; "when" a date; "what did X say" a quoted statement. Candidates found in several
of the best sentences are more likely the answer (news repeats the fact it is about), so
the evidence scorer counts them across sentences (rag/answer/evidence.py).
"""

from __future__ import annotations

import re

from rag.search.dates import names_time
from rag.text.patterns import CALENDAR, MONTH, NAMES, NOT_NAMES, NUMBER, WEEKDAY, YEAR, is_stop_word

NAME, NUMBER_KIND, DATE, STATEMENT, OTHER = "name", "number", "date", "statement", "other"

_KINDS = (
    (
        NUMBER_KIND,
        r"\bhow (?:many|much|high|low|old|long|far|big|large|fast|often)\b"
        r"|\bwhat (?:percent|percentage|number|amount|age|share|proportion)\b|\bat what age\b",
    ),
    (DATE, r"\bwhen\b|\b(?:what|which) (?:day|date|year|month|time)\b"),
    (STATEMENT, r"\bwhat did\b.*\b(?:say|tell|write|post|tweet|call|warn|promise)\b"),
    (
        NAME,
        r"\b(?:who|whom|whose|which|where)\b|\bwhat\b.*\b(?:called|named)\b"
        r"|\bwhat (?:country|city|state|company|team|name|nation|organization|group)\b",
    ),
)
_AMOUNT = re.compile(
    rf"\$?(?:{NUMBER})(?:\s*(?:%|percent|million|billion|trillion|thousand))?", re.IGNORECASE
)
_DATES = re.compile(
    rf"\b(?:{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}\s+{MONTH}|{WEEKDAY}|"
    rf"(?:19|20)\d\d|{MONTH}|yesterday|today|last (?:week|month|year))\b"
)
_QUOTED = re.compile(r"[“\"][^”\"]{12,}[”\"]")


def question_kind(question: str) -> str:
    """What the question asks for: a name, number, date, statement, or other."""
    text = question.lower()
    for kind, pattern in _KINDS:
        if re.search(pattern, text):
            return kind
    return OTHER


def candidates(kind: str, question: str, sentence: str) -> set[str]:
    """The answers of the asked kind that `sentence` offers and the question does not name
    (lower-cased): single name words for names and other questions, amounts for numbers,
    dates for dates, nothing for statements (a quote is judged whole)."""
    asked = {w.lower().strip(".'’") for w in re.findall(r"[\w'’.&$%-]+", question)}
    found: set[str] = set()
    if kind in (NAME, OTHER):
        for match in NAMES.finditer(sentence):
            words = [w for w in match.group(0).split() if w not in NOT_NAMES]
            if match.start() == 0 and words and is_stop_word(words[0]):
                words = words[1:]  # a sentence's first word is capitalized anyway
            for word in words:
                word = word.lower().strip(".'’")
                if word not in asked and not CALENDAR.fullmatch(word.title()):
                    found.add(word)
    elif kind == NUMBER_KIND:
        for match in _AMOUNT.finditer(sentence):
            value = match.group(0).lower()
            if value not in asked and not YEAR.fullmatch(value):
                found.add(value)
    elif kind == DATE:
        found = {m.group(0).lower() for m in _DATES.finditer(sentence)} - asked
    return found


def is_statement(sentence: str) -> bool:
    """True if the sentence quotes someone's words (a quoted stretch of a dozen characters)."""
    return bool(_QUOTED.search(sentence))


def asks_latest(question: str) -> bool:
    """True for an open question that names no time ("what happened to X?", "is the port
    open?"): its answer is the latest development, then earlier context."""
    return question_kind(question) == OTHER and not names_time(question)

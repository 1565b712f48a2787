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
# What a "which X" / "who" / "where" question's answer is, in spaCy's entity labels, by the
# noun it asks about ("which wildly popular show" -> a work, "which airline" -> an
# organisation). A question whose noun is not here (which currency, which menu item) asks
# for no label.
_ASKS = {
    ("PERSON",): "who whom whose person official leader player quarterback actor actress star "
    "singer rapper director president senator governor candidate politician minister ceo "
    "founder billionaire judge",
    ("ORG",): "company companies airline firm retailer network bank team club school university "
    "college organization agency party brand automaker carmaker chain restaurant store "
    "newspaper league",
    ("GPE", "LOC"): "country countries nation state states city cities town capital region "
    "province county island",
    ("GPE", "LOC", "FAC"): "where",
    ("WORK_OF_ART",): "show series film movie book novel song album",
    ("EVENT",): "awards award event tournament festival championship summit competition race",
    ("PRODUCT",): "product device vehicle car phone",
    ("LAW",): "law bill act",
}
_LABELS = {word: labels for labels, words in _ASKS.items() for word in words.split()}
_ASKED_NOUN = re.compile(
    r"\b(?:who|whom|whose|where)\b"
    r"|\b(?:which|what)(?: of the(?: following)?)?((?:\s+[\w'’-]+){1,4})",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'’.&$%-]+")


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
    asked = words_of(question)
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


def words_of(question: str) -> set[str]:
    """The question's words, lower-cased, as candidates are compared with them."""
    return {w.lower().strip(".'’") for w in _WORD.findall(question)}


def answer_labels(question: str) -> frozenset[str]:
    """The entity labels (spaCy's) an answer to a "who", "where" or "which X" question has:
    the label of its asked noun, the first of up to four words after "which" or "what"
    that is in the table; none for other questions."""
    if question_kind(question) != NAME:
        return frozenset()
    for match in _ASKED_NOUN.finditer(question):
        words = (match.group(1) or match.group(0)).lower().split()
        for word in words:
            if word in _LABELS:
                return frozenset(_LABELS[word])
    return frozenset()


def is_question(sentence: str) -> bool:
    """True for a sentence that asks rather than tells ("So why don't New Jersey and Oregon
    let you pump your own gas?", "Who is Dina Boluarte? | CNN"): it ends in a question mark,
    before a headline's "| Outlet". A question in quotation marks is someone's words, and
    what they asked may be the answer (“Will the port reopen?”)."""
    return sentence.split(" | ")[0].rstrip().endswith("?")


def is_statement(sentence: str) -> bool:
    """True if the sentence quotes someone's words (a quoted stretch of a dozen characters)."""
    return bool(_QUOTED.search(sentence))


def asks_latest(question: str) -> bool:
    """True for an open question that names no time ("what happened to X?", "is the port
    open?"): its answer is the latest development, then earlier context."""
    return question_kind(question) == OTHER and not names_time(question)

"""The one set of word patterns that several stages share.

Names and numbers are what a news answer hinges on: the evidence scorer prefers sentences
that state one the question does not, the verifier checks that a claim's names and numbers
are in its passage, the reranker looks for the question's, and conflict detection compares
them across sources. Month and weekday names serve question dates and conflicts alike.
"""

from __future__ import annotations

import re

from bm25s.stopwords import STOPWORDS_EN

# January or Jan, June or Jun, Sept or Sep ... (add `\.?` for "Jan.")
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
# 7, 1,200, 3.5: digits with inner separators, never a trailing comma or full stop.
NUMBER = r"\d[\d,.]*\d|\d"
YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # a year of modern news
# A capitalized word of two or more characters: Blinken, U.S, AT&T, O'Neill, Jean-Luc.
NAME_WORD = r"[A-Z][\w'’.&-]*\w"
# Capitalized words that name nothing on their own: sentence openers, titles.
NOT_NAMES = frozenset(
    "I A An The This That These Those It Its He She They We You Our According In On At For "
    "From By As But And Or If When While After Before Also However Yes No Mr Mrs Ms Dr".split()
)
# A citation marker as answers write them: [3], [1, 2], [1; 4].
MARKER = re.compile(r"\[(\s*\d+(?:\s*[,;]\s*\d+)*\s*)\]")

# Words that carry no topic in a question; on top of bm25s's English stop words.
_QUESTION_WORDS = frozenset(
    "what who whom whose which when where why how did does do done say says said tell told "
    "about has have had were been being can could would should may might any some".split()
)
_STOP = frozenset(STOPWORDS_EN) | _QUESTION_WORDS
STOP_WORDS = _STOP  # lower-case
# Titles before a name ("Sen. Jeff Merkley", "Secretary Blinken"): lower-case, no dot.
TITLES = frozenset(
    "mr mrs ms dr sen rep gov gen sec pres prof rev secretary senator president governor "
    "representative minister chancellor mayor judge".split()
)
_TOKEN = re.compile(r"[a-z0-9]+")
# A run of capitalized words, allowing short joiners: Stade de France, Bank of America.
NAMES = re.compile(rf"{NAME_WORD}(?:\s+(?:of|de|du|la|the|and|&)?\s*{NAME_WORD})*")
CALENDAR = re.compile(rf"(?:{WEEKDAY}|{MONTH})\.?")


def content_words(text: str) -> set[str]:
    """Lower-cased words of `text` that carry topic (no stop or question words)."""
    return {w for w in _TOKEN.findall(text.lower()) if w not in _STOP and len(w) > 1}


def is_stop_word(word: str) -> bool:
    """True for words that carry no topic: "the", "what", "about"…"""
    return word.lower() in _STOP


def marker_numbers(group: str) -> list[int]:
    """The citation numbers in one marker's inside, e.g. "1, 2" -> [1, 2]."""
    return [int(n) for n in re.split(r"[,;]", group)]


def names_in(question: str) -> list[str]:
    """The names a question holds, e.g. ["Patriot Front"] (leading question and stop words
    and day or month names left out)."""
    names = []
    for match in NAMES.finditer(question):
        words = match.group(0).split()
        while words and (words[0] in NOT_NAMES or is_stop_word(words[0])):
            words = words[1:]
        words = [w for w in words if not CALENDAR.fullmatch(w)]
        if words:
            names.append(" ".join(words))
    return names

"""Answers to "what did X say (about Y)?", "how did X respond to Y?", "what was X's reaction
to Y?": X's own attributed words (rag/index/quotes.py) from the articles the search found on
the question lead, each labelled with who said it and how: only what the articles quote
them as saying (in quotation marks), never the reporter's paraphrase or another person's
words.
"""

from __future__ import annotations

import re

from langchain_core.prompts import PromptTemplate

from rag.answer.types import Answer, Citation, Claim
from rag.text.dates import day
from rag.text.patterns import content_words, names_in
from rag.types import Hit, Quote, site_of

_WHO = r"(?P<who>.+?)"
_ABOUT = r"(?:\s+(?:about|on|of|regarding|to|over)\s+(?P<about>.+?))?"
_FORMS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"^\s*what (?:did|does|has|have|had) {_WHO} (?:say|said|tell|told|write|wrote|"
        rf"tweet|tweeted|post|posted|warn|warned|claim|claimed)\b(?:\s+(?:reporters|"
        rf"journalists|the press))?{_ABOUT}\s*\??\s*$",
        rf"^\s*how (?:did|does|has|have) {_WHO} (?:respond|responded|react|reacted|reply|"
        rf"replied){_ABOUT}\s*\??\s*$",
        rf"^\s*what (?:was|is|were|are) {_WHO}[’']s? (?:reaction|response|reply|comment|"
        rf"message)s?{_ABOUT}\s*\??\s*$",
    )
)
MAX_SAID = 3  # quotes of the speaker an answer gives
_PRONOUNS = frozenset("he she they".split())


def asked_speaker(question: str) -> tuple[str, str] | None:
    """(who, about) when the question (its last sentence) asks what someone said: "What did
    Blinken say about a summit?" -> ("Blinken", "a summit"); "Biden made a declaration this
    week. What did he say?" -> ("Biden", ""): a pronoun is the first name said before it.
    None otherwise, or when it names nobody."""
    before, last = _last_sentence(question)
    for form in _FORMS:
        match = form.match(last)
        if match:
            who = match.group("who")
            names = names_in(before) if who.lower() in _PRONOUNS else names_in(who)[-1:]
            if names:
                return names[0], (match.group("about") or "").strip()
    return None


def is_about(quote: Quote, about: str) -> bool:
    """Whether the quote is about `about` (e.g. "a summit"): its headline, its paragraph or
    those beside it use at least half of the words naming it ("summits" for "summit").
    Anything is about nothing in particular."""
    want = {_stem(w) for w in content_words(about)}
    have = {_stem(w) for w in content_words(quote.context or quote.text)}
    return 2 * len(want & have) >= len(want)


def _stem(word: str) -> str:
    return (word[:-1] if len(word) > 3 and word.endswith("s") else word)[:6]


def _last_sentence(question: str) -> tuple[str, str]:
    """(what comes before, the last sentence) of a question."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", question.strip())
    return " ".join(parts[:-1]), parts[-1]


def said_answer(
    question: str,
    said: list[Quote],
    hits: list[Hit],
    prompts: dict[str, PromptTemplate],
    elsewhere: str = "",
) -> Answer:
    """The answer from the speaker's quotes `said`, best first: the first leads, labelled,
    the others follow dated; each cites its exact words. With `elsewhere` (what the question
    asked about) none of them is about it: the answer says so first, then lists them."""
    citations, lines = [], []
    numbers: dict[str, int] = {}
    for q in said[:MAX_SAID]:
        a, d = q.attribution, q.doc
        n = numbers.setdefault(d.doc_id, len(numbers) + 1)
        citations.append(Citation(n, d.doc_id, d.title, d.date, d.url, d.source, "", q.text,
                                  a.start, q.text, a.start, a.end, speaker=a.speaker,
                                  cue=a.cue or "said"))  # fmt: skip
        source = site_of(d.url) or d.title
        line = prompts["speaker_said"]
        lines.append(line.format(speaker=a.speaker, cue=a.cue or "said", quote=q.text, n=n,
                                 source=source, date=day(d.date)))  # fmt: skip
    text = lines[0]
    if elsewhere:
        quotes = "\n".join(f"- {line}" for line in lines)
        text = prompts["speaker_nothing_about"].format(speaker=citations[0].speaker,
                                                       about=elsewhere, quotes=quotes)  # fmt: skip
    elif len(lines) > 1:
        more = "\n".join(f"- {line}" for line in lines[1:])
        text += "\n\n" + prompts["offline_more"].format(quotes=more)
    claims = tuple(Claim(c.quote, (c.n,), 1.0, True) for c in citations)
    return Answer(question, text, False, tuple(citations), tuple(hits), claims)

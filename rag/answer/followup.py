"""Follow-up questions read in the light of the previous turn, without a language model.

"And what did Biden say about it?" after "What happened to Brittney Griner?" is searched as
"What did Biden say about Brittney Griner?": a pronoun is replaced by the names of the
previous question (when it named none, its topic words are added in brackets, as they
are for "and why?"); "what about Buffalo?" puts the new name in place of the previous
question's first. A question that stands alone is left as it is. The answer shows how
the question was read ("Interpreted as: …").
"""

from __future__ import annotations

import re

from rag.text.patterns import content_words, names_in

_OPENER = re.compile(r"^(?:and|but|also|so|then|ok|okay)\b[\s,]*", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^(?:what|how) about\s+(.+?)\s*\??$", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|they|them|he|him|she|her|his|its|their|this|that)\b(\s*\??)$|"
                      r"\b(it|they|them|he|him|she|his|its|their)\b", re.IGNORECASE)  # fmt: skip
_POSSESSIVE = {"his", "its", "their", "her"}


def standalone(question: str, history: list[tuple[str, str]]) -> str:
    """The question rewritten to stand alone, given earlier (question, answer) turns, whose
    questions are as they were searched."""
    if not history:
        return question
    previous = history[-1][0]
    names = names_in(previous)
    topic = " and ".join(names) or " ".join(
        sorted(content_words(previous), key=previous.lower().find)[:4]
    )
    opened = _OPENER.match(question)
    text = question[opened.end() :] if opened else question
    text = text[:1].upper() + text[1:]
    about = _WHAT_ABOUT.match(text)
    if about:  # "what about Buffalo?": the previous question, about something else
        if names:
            return previous.replace(names[0], about.group(1), 1)
        return f"{previous.rstrip(' ?')}: {about.group(1)}?"
    if not topic:
        return question
    pronoun = _PRONOUN.search(text)
    if pronoun and names:
        word = pronoun.group(1) or pronoun.group(3)
        name = f"{topic}’s" if word.lower() in _POSSESSIVE and not pronoun.group(2) else topic
        return text[: pronoun.start()] + name + (pronoun.group(2) or "") + text[pronoun.end() :]
    if pronoun or (opened and not names_in(text)):  # "and why?": the same subject
        return f"{text.rstrip(' ?')} ({topic})?"
    return question

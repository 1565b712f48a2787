"""One spaCy pass over an article at ingest: its named entities (people, organisations,
places, events, dates …, over the whole text) and its attributions (who said what, from the
paragraphs that hold speech: rag/ingest/attribution.py, which reuses these entities)."""

from __future__ import annotations

import re

from rag.ingest import attribution
from rag.text.patterns import TITLES
from rag.types import Attribution, Entity

# Kinds kept: names and dates. Amounts, ordinals and times are found by word patterns.
KINDS = frozenset("PERSON ORG GPE LOC NORP FAC EVENT PRODUCT WORK_OF_ART LAW DATE".split())
_WORD = re.compile(r"[^\W_]+(?:['’.&-][^\W_]+)*")


def read(text: str) -> tuple[list[Attribution], list[Entity]]:
    """The article's attributions and its entities, from one named-entity pass."""
    if not text.strip():
        return [], []
    named = attribution.entity_pass(text)
    return attribution.attributions(text, named), _entities(named)


def entities(text: str) -> list[Entity]:
    """The article's entities alone (for archives stored before they were found)."""
    return _entities(attribution.entity_pass(text)) if text.strip() else []


def normalised(name: str, label: str = "PERSON") -> str:
    """A name's form for comparing: lower-case words without a possessive, a leading "the"
    and (for people) titles: "Sen. Jeff Merkley's" -> "jeff merkley"."""
    name = re.sub(r"['’]s?$", "", name.strip())
    words = _WORD.findall(name.lower())
    if words[:1] == ["the"]:
        words = words[1:]
    if label == "PERSON":
        words = [w for w in words if w.rstrip(".") not in TITLES] or words
    return " ".join(words)


def _entities(named) -> list[Entity]:
    found = []
    for e in named.ents:
        key = normalised(e.text, e.label_)
        if e.label_ in KINDS and key and "\n" not in e.text:  # never across paragraphs
            found.append(Entity(e.start_char, e.end_char, e.label_, key))
    return found

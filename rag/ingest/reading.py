"""One spaCy pass over an article at ingest: its named entities (people, organisations,
places, events, dates …, over the whole text) and its attributions (who said what, from the
paragraphs that hold speech: rag/ingest/attribution.py, which reuses these entities)."""

from __future__ import annotations

from rag.index.entities import normalised
from rag.ingest import attribution
from rag.types import Attribution, Entity

# Kinds kept: names and dates. Amounts, ordinals and times are found by word patterns.
KINDS = frozenset("PERSON ORG GPE LOC NORP FAC EVENT PRODUCT WORK_OF_ART LAW DATE".split())


def read(text: str) -> tuple[list[Attribution], list[Entity]]:
    """The article's attributions and its entities, from one named-entity pass."""
    if not text.strip():
        return [], []
    named = attribution.entity_pass(text)
    return attribution.attributions(text, named), _entities(named)


def entities(text: str) -> list[Entity]:
    """The article's entities alone (for archives stored before they were found)."""
    return _entities(attribution.entity_pass(text)) if text.strip() else []


def _entities(named) -> list[Entity]:
    found = []
    for e in named.ents:
        key = normalised(e.text, e.label_)
        if e.label_ in KINDS and key and "\n" not in e.text:  # never across paragraphs
            found.append(Entity(e.start_char, e.end_char, e.label_, key))
    return found

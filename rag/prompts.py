"""Prompt and wording templates, loaded once from files in `prompts/`.

Each template declares its variables as {name}; a file whose variables differ from what
the code passes is reported at load time, not when a user first hits that path.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import PromptTemplate

# Template name -> the variables the code fills in.
EXPECTED: dict[str, set[str]] = {
    "offline_answer": {"lead", "source", "date"},
    "offline_more": {"quotes"},
    # what someone said (rag/answer/speakers.py): their words, as quoted
    "speaker_said": {"speaker", "cue", "quote", "n", "source", "date"},
    # nothing they said is about what the question names: what they said nearest in time
    "speaker_nothing_about": {"speaker", "about", "quotes"},
    "no_answer": {"question"},
    "out_of_period": {"period", "terms"},
    # the period's reports name the question's names, not what it asks happened
    "not_reported": {"period", "terms", "missing"},
    "out_of_year": {"period", "terms", "as_of"},
    "empty_archive": set(),
    "empty_question": set(),
    "question_too_long": {"limit"},
    "conflict": {"sides"},
    "conflict_newest": {"value", "citations", "date"},
    "conflict_earlier": {"value", "citations", "date"},
    "conflict_side": {"value", "citations", "date"},
    # the sides are versions of one article (near-copies): it was updated
    "conflict_updated": {"sides"},
    "conflict_updated_newest": {"value", "citations", "date"},
    "conflict_updated_earlier": {"value", "citations", "date"},
    "conflict_updated_side": {"value", "citations", "date"},
    # the LLM path
    "system": {"abstain"},
    "answer": {"today", "passages", "question"},
    "condense": {"history", "question"},
    "llm_abstain": set(),
    "dated_answer": {"date_range", "answer"},
    "llm_failed": {"backend", "reason"},
    "llm_unverified": {"backend", "unsupported", "total"},
    "unsupported_claim": set(),
}


class PromptError(ValueError):
    pass


@lru_cache(maxsize=8)
def load_prompts(folder: Path) -> dict[str, PromptTemplate]:
    """Read and check every expected template in `folder`."""
    prompts = {}
    for name, variables in EXPECTED.items():
        path = folder / f"{name}.txt"
        if not path.exists():
            raise PromptError(f"missing prompt file {path}; restore it from the repository")
        template = PromptTemplate.from_template(path.read_text(encoding="utf-8").strip())
        if set(template.input_variables) != variables:
            raise PromptError(
                f"{path} uses variables {sorted(template.input_variables)}, "
                f"expected {sorted(variables)}"
            )
        prompts[name] = template
    return prompts

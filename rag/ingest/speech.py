"""What counts as a cue of speech: the forms of a hand list of speech verbs ("said", "warns")
and the word forms learned from hand-annotated news (PolNeAR's training months,
rag/eval/cues.py -> cues.tsv) as cues in at least CUE_SHARE of their occurrences."""

from __future__ import annotations

import re
from pathlib import Path

SPEECH_VERBS = frozenset(
    "say tell add report claim argue note state explain write warn insist announce suggest "
    "acknowledge admit deny confirm declare recall predict promise vow pledge reply respond "
    "tweet post continue emphasize stress contend maintain assert testify conclude allege "
    "caution complain concede urge ask describe call learn reiterate quip joke boast show find "
    "accuse believe think hope agree criticize praise".split()
)
_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write",
              "thought": "think", "found": "find", "shown": "show", "spoke": "speak",
              "according": "according"}  # fmt: skip
# Verb forms PolNeAR's annotators mark as cues in at least CUE_SHARE of their occurrences
# in its training months (rag/eval/cues.py learned the table; the share is cross-validated).
CUE_SHARE = 0.4
TABLE = Path(__file__).parent / "cues.tsv"


def table(path: Path = TABLE) -> dict[str, tuple[int, int]]:
    """Form -> (times in an annotated cue, times in the articles), as learned."""
    rows = [line.split("\t") for line in path.read_text().splitlines()[1:] if line]
    return {w: (int(c), int(n)) for w, c, n in rows}


def forms(learned: dict[str, tuple[int, int]], share: float, least: int = 5) -> frozenset[str]:
    """The forms that are a cue in at least `share` of their occurrences, seen `least`
    times as one."""
    return frozenset(w for w, (c, n) in learned.items() if c >= least and c / n >= share)


LEARNED = forms(table(), CUE_SHARE)


def _paragraph_cue(learned: frozenset[str]) -> re.Pattern:
    """A paragraph worth parsing: a quotation mark or a cue's form."""
    forms = "|".join(sorted(SPEECH_VERBS | set(_IRREGULAR) | learned))
    return re.compile(r"[“”\"]|''|\b(?:according to|" + forms + r")", re.IGNORECASE)


_CUE = _paragraph_cue(LEARNED)


def learn(forms: frozenset[str]) -> None:
    """Take `forms` as the learned cues (rag/eval/cues.py cross-validates with it)."""
    global LEARNED, _CUE
    LEARNED, _CUE = forms, _paragraph_cue(forms)


def is_cue(word: str) -> bool:
    """A form of a speech verb, or a form learned as a cue."""
    return word in LEARNED or verb_lemma(word) in SPEECH_VERBS


def verb_lemma(word: str, verbs: frozenset[str] = SPEECH_VERBS) -> str:
    """The verb of `verbs` a word is a form of ("said" -> "say", "warning" -> "warn",
    "denies" -> "deny"), or the word itself."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, ends in (("ies", ("y",)), ("ied", ("y",)), ("ing", ("", "e")), ("ed", ("", "e")),
                         ("es", ("", "e")), ("s", ("",))):  # fmt: skip
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            for end in ends:
                if stem + end in verbs:
                    return stem + end
            if len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in verbs:
                return stem[:-1]  # "admitted" -> "admit"
    return word


def speech_only(text: str) -> str:
    """`text` with every paragraph blanked (same length) that holds neither a speech verb
    nor a quotation mark, unless the next one does."""
    paragraphs = text.split("\n")
    speech = [bool(_CUE.search(p)) for p in paragraphs]
    keep = [a or b for a, b in zip(speech, speech[1:] + [False])]
    return "\n".join(p if k else " " * len(p) for p, k in zip(paragraphs, keep))

"""Who said what, found at ingest with spaCy's English pipeline: speakers, cues and exact
offsets of direct quotes and reported speech."""

from __future__ import annotations

from rag.ingest.attribution import attributions

TEXT = "\n".join([
    "Secretary of State Antony Blinken met European ministers in Brussels on Tuesday.",
    "“We are not going to negotiate over the heads of our partners,” he said.",
    "Blinken said the summit would happen only if Moscow pulled its troops back.",
    "“There is no other path. None at all,” he told reporters.",
    "“The door to diplomacy stays open for now.”",
    "The talks stalled, according to two officials who attended the meeting.",
])  # fmt: skip


def _found():
    return {TEXT[a.start : a.end]: a for a in attributions(TEXT)}


def test_a_direct_quote_is_its_speakers_with_exact_offsets_and_a_pronoun_is_resolved():
    found = _found()
    quote = "“We are not going to negotiate over the heads of our partners"
    (a,) = [a for text, a in found.items() if text.startswith(quote)]
    assert a.speaker == "Antony Blinken" and a.cue == "said" and a.direct
    assert TEXT[a.speaker_start : a.speaker_end] == "he"


def test_reported_speech_names_the_speaker_at_their_fullest():
    found = _found()
    (a,) = [a for text, a in found.items() if "summit would happen" in text]
    assert a.speaker == "Antony Blinken" and not a.direct
    assert TEXT[a.speaker_start : a.speaker_end] == "Blinken"
    assert TEXT[a.start : a.end].endswith("pulled its troops back")


def test_a_quote_continued_in_the_next_paragraph_keeps_its_speaker():
    found = _found()
    (a,) = [a for text, a in found.items() if "door to diplomacy" in text]
    assert a.speaker == "Antony Blinken" and a.cue == "" and a.direct
    (told,) = [a for text, a in found.items() if "no other path" in text]
    assert told.cue == "told reporters" and told.speaker == "Antony Blinken"


def test_according_to_a_group_keeps_the_groups_words():
    found = _found()
    (a,) = [a for text, a in found.items() if "talks stalled" in text]
    assert a.cue == "according to" and "officials" in a.speaker


def test_words_inside_a_quote_are_not_a_new_speaker():
    text = "“I said we would win, and we did,” Mayor Ilse Brandt said on Friday."
    (a,) = attributions(text)
    assert a.speaker == "Ilse Brandt" and text[a.start : a.end].startswith("“I said we would win")


def test_text_without_attributions_gives_none():
    assert attributions("The harbour reopened on Monday after the storm.") == []
    assert attributions("") == []


def test_a_cue_learned_from_annotated_news_is_a_cue_and_says_what_it_governs():
    # "endorsed" is in no hand list: PolNeAR's annotators mark it as a cue (rag/ingest/cues.tsv)
    text = "Governor Ana Ruiz endorsed the plan to widen the harbour before the winter storms."
    (a,) = attributions(text)
    assert a.speaker == "Ana Ruiz" and a.cue == "endorsed" and not a.direct
    assert text[a.start : a.end] == "the plan to widen the harbour before the winter storms"


def test_a_cue_without_a_clause_keeps_the_words_around_its_quotation():
    text = "Blinken called the minister “a very capable partner” on Tuesday."
    (a,) = attributions(text)
    assert a.cue == "called" and a.direct
    assert text[a.start : a.end].startswith("the minister “a very capable partner”")


def test_a_quotation_closed_before_any_listed_verb_is_its_speakers():
    text = "\n".join([
        "The council met on Friday.",
        "“That is simply not true, and everyone here knows it,” Mayor Ilse Brandt shot back.",
        "“We were wrong not to confront him from the very beginning,” Ramos, 58, told AFP.",
    ])  # fmt: skip
    found = {text[a.start : a.end]: a for a in attributions(text)}
    (brandt,) = [a for quote, a in found.items() if "simply not true" in quote]
    assert brandt.speaker == "Ilse Brandt" and brandt.cue == "shot"
    (ramos,) = [a for quote, a in found.items() if "very beginning" in quote]
    assert ramos.speaker == "Ramos" and text[ramos.speaker_start : ramos.speaker_end] == "Ramos"


def test_a_speaker_is_named_at_their_fullest_however_far_back_the_article_named_them():
    text = "\n".join([
        "Senator Jeff Merkley of Oregon toured a shuttered lumber mill on Friday.",
        "The mill closed in March after eighty years.",
        "Hundreds of workers lost their jobs.",
        "Merkley said the state would help them retrain within a year.",
    ])  # fmt: skip
    (a,) = attributions(text)
    assert a.speaker == "Jeff Merkley"
    assert text[a.speaker_start : a.speaker_end] == "Merkley"


def test_a_cue_names_whom_it_was_told_so_an_answer_can_say_it():
    text = "“The pandemic is over,” President Biden told Scott Pelley of CBS on Sunday."
    (a,) = attributions(text)
    assert a.speaker == "Biden" and a.cue == "told Scott Pelley"  # "Biden told Scott Pelley: …"
    assert text[a.start : a.end] == "“The pandemic is over,”"

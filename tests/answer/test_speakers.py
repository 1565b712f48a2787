"""Which questions ask what someone said, and who."""

from __future__ import annotations

from rag.answer.speakers import asked_speaker


def test_questions_about_what_someone_said_name_the_speaker_and_the_topic():
    assert asked_speaker("What did Blinken say about a summit?") == ("Blinken", "a summit")
    assert asked_speaker("what did Antony Blinken tell reporters about the summit") == (
        "Antony Blinken",
        "the summit",
    )
    assert asked_speaker("How did Ryabkov respond to the summit plan?") == (
        "Ryabkov",
        "the summit plan",
    )
    assert asked_speaker("What was Merkel's reaction to the vote?") == ("Merkel", "the vote")


def test_a_pronoun_is_the_person_named_before_it():
    question = "Joe Biden made a firm declaration about the pandemic this week. What did he say?"
    assert asked_speaker(question) == ("Joe Biden", "")


def test_other_questions_ask_no_speaker():
    assert asked_speaker("Which team won the Stanley Cup?") is None
    assert asked_speaker("What did he say?") is None  # names nobody
    assert asked_speaker("What did the report find about the summit?") is None

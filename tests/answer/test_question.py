"""What a question asks for, and follow-ups read without a model: pure functions."""

from __future__ import annotations

import pytest

from rag.answer.followup import standalone
from rag.answer.question import (
    answer_labels,
    asks_latest,
    candidates,
    is_question,
    question_kind,
)
from rag.answer.scope import key_terms
from rag.text.patterns import names_in


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many people died in the Uvalde school shooting?", "number"),
        ("What percentage of voters backed the measure?", "number"),
        ("When was Griner arrested?", "date"),
        ("What did Biden say about the midterms?", "statement"),
        ("Which team won the 2022 Stanley Cup?", "name"),
        ("Where did the attack occur?", "name"),
        ("What is the new variant called?", "name"),
        ("What happened to Brittney Griner?", "other"),
    ],
)
def test_question_kind(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("Which wildly popular show was green lit for a new season?", {"WORK_OF_ART"}),
        ("At which prestigious awards show were Broadway's stars honoured?", {"EVENT"}),
        ("Which Ivy League school will eliminate student loans?", {"ORG"}),
        ("Which of the following US cities saw the biggest rent increase?", {"GPE", "LOC"}),
        ("Which high-ranking US official tested positive for Covid-19?", {"PERSON"}),
        ("Where did Godard revolutionize cinema?", {"GPE", "LOC", "FAC"}),
        ("Which currency plummeted to a record low?", set()),  # no label for the noun
        ("How many people died in the storm?", set()),  # not a name question
    ],
)
def test_a_name_question_asks_for_the_kind_of_name_its_noun_says(question, labels):
    assert answer_labels(question) == labels


def test_candidates_are_what_the_question_does_not_already_say():
    q = "Which team won the 2022 NHL Stanley Cup Finals?"
    found = candidates("name", q, "The Colorado Avalanche beat Tampa Bay in the Stanley Cup.")
    assert {"colorado", "avalanche", "tampa", "bay"} <= found
    assert not found & {"stanley", "cup", "the"}
    q = "How many people died in the flood?"
    assert candidates("number", q, "At least 37 people died in 2022, officials said.") == {"37"}
    assert "tuesday" in candidates("date", "When was she arrested?", "She was held on Tuesday.")


def test_open_questions_without_a_time_ask_for_the_latest():
    assert asks_latest("What happened to Brittney Griner?")
    assert not asks_latest("What happened to Brittney Griner last week?")
    assert not asks_latest("Who won the Stanley Cup?")


def test_names_and_key_terms():
    assert names_in("What did Patriot Front do in Boston last week?") == ["Patriot Front", "Boston"]
    assert names_in("Which Ivy League school cut loans on Monday?") == ["Ivy League"]
    assert (
        key_terms("Which country saw its prime minister resign?")
        == "country, prime, minister, resign"
    )


GRINER = [("What happened to Brittney Griner?", "Quotes …")]


@pytest.mark.parametrize(
    ("follow_up", "history", "expected"),
    [
        ("and what did Biden say about it?", GRINER, "What did Biden say about Brittney Griner?"),
        ("When was she arrested?", GRINER, "When was Brittney Griner arrested?"),
        ("How long is his sentence?", GRINER, "How long is Brittney Griner’s sentence?"),
        ("What about Paul Whelan?", GRINER, "What happened to Paul Whelan?"),
        ("and why?", GRINER, "Why (Brittney Griner)?"),
        (
            "What about Buffalo?",
            [("How many people died in the Uvalde school shooting?", "")],
            "How many people died in the Buffalo school shooting?",
        ),
        # questions that stand alone are left alone
        ("What did Blinken say about a summit?", GRINER, "What did Blinken say about a summit?"),
        ("and what did Biden say about it?", [], "and what did Biden say about it?"),
    ],
)
def test_follow_ups_are_rewritten_from_the_previous_turn(follow_up, history, expected):
    assert standalone(follow_up, history) == expected


def test_a_sentence_that_asks_is_told_from_one_that_tells():
    assert is_question("So why don't New Jersey and Oregon let you pump your own gas?")
    assert is_question("Who is Dina Boluarte, Peru's first female president? | CNN")
    assert not is_question("“Is the pandemic over?”")  # someone's words: what they asked
    assert not is_question("“Why would we?” the mayor asked, and the council agreed.")
    assert not is_question("What vehicles are being recalled this week? GMC, Hyundai among")

from __future__ import annotations

import datetime as dt

import pytest

from rag.search.dates import names_present, question_range

AS_OF = dt.date(2022, 6, 16)  # a Thursday
D = dt.date


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("What did the Fed decide in June 2022?", D(2022, 6, 1), D(2022, 6, 16)),
        ("Who resigned yesterday?", D(2022, 6, 15), D(2022, 6, 16)),
        ("What happened last week in Kyiv?", D(2022, 6, 6), D(2022, 6, 15)),
        ("Which bills passed this year?", D(2022, 1, 1), D(2022, 6, 16)),
        ("What was agreed in March?", D(2022, 3, 1), D(2022, 4, 3)),
        ("What was agreed on 12 June?", D(2022, 6, 12), D(2022, 6, 15)),
        ("What was agreed in December?", D(2021, 12, 1), D(2022, 1, 3)),  # the past one
        ("Who won the election in 2020?", D(2020, 1, 1), D(2021, 1, 3)),
        ("What has changed since May 2022?", D(2022, 5, 1), D(2022, 6, 16)),
        ("What happened three days ago?", D(2022, 6, 13), D(2022, 6, 16)),
        ("Who resigned on Monday?", D(2022, 6, 13), D(2022, 6, 16)),
        ("Who was unaccounted for early Thursday?", D(2022, 6, 16), D(2022, 6, 16)),  # today
        ("How many books were banned over the last year?", D(2021, 6, 15), D(2022, 6, 16)),
        ("Which show was recently renewed?", D(2022, 5, 17), D(2022, 6, 16)),
    ],
)
def test_time_expressions_become_ranges(question, start, end):
    found = question_range(question, AS_OF)
    assert found is not None
    assert (found.start, found.end) == (start, end)


def test_month_boundaries_and_year_turn():
    found = question_range("What happened last month?", dt.date(2022, 1, 5))
    assert (found.start, found.end) == (D(2021, 12, 1), D(2022, 1, 3))
    found = question_range("What happened last week?", dt.date(2022, 3, 2))
    assert found.start == D(2022, 2, 21)


@pytest.mark.parametrize(
    "question",
    [
        "What may happen to gas prices?",
        "Who is the prime minister?",
        "What did Blinken say?",
        "What did the FBI seize at Mar-a-Lago?",  # not March
        "Which city saw rents rise most compared to a year ago?",  # a comparison, no period
    ],
)
def test_no_time_expression(question):
    assert question_range(question, AS_OF) is None


def test_a_period_after_the_as_of_date_names_nothing_to_search():
    assert question_range("What happened in July 2022?", AS_OF) is None
    assert question_range("What will happen in 2023?", AS_OF) is None


def test_a_forecast_for_a_period_reaches_back_to_when_forecasts_are_written():
    as_of = dt.date(2023, 4, 28)
    forecast = question_range("How high are gas prices expected to climb in 2023?", as_of)
    assert forecast.start == dt.date(2022, 1, 1) and forecast.end == as_of
    reported = question_range("How high did gas prices climb in 2023?", as_of)
    assert reported.start == dt.date(2023, 1, 1)


@pytest.mark.parametrize(
    ("question", "present"),
    [
        ("Which virus is spreading at unusually high levels?", True),
        ("Which product remains difficult to find in many US stores?", True),
        ("How many people have been arrested during the current protests in Iran?", True),
        ("Is the ferry strike still going on?", True),
        ("Which team won the 2022 Stanley Cup Finals?", False),
        ("What is the name of the storm that hit Florida?", False),
        ("What is something the minister said about the summit?", False),
    ],
)
def test_a_question_about_how_things_stand_when_asked_is_told_from_one_about_an_event(
    question, present
):
    assert names_present(question) is present

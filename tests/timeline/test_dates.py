"""When sentences say things happened, relative to their article's publication day."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.timeline.dates import event_dates

D = dt.date
TUESDAY = D(2024, 1, 2)  # a Tuesday, in the first week of a year


def days(sentence: str, published: dt.date) -> list[tuple[dt.date, dt.date]]:
    return [(w.start, w.end) for w in event_dates(sentence, published)]


def day(sentence: str, published: dt.date) -> dt.date:
    (found,) = event_dates(sentence, published)
    assert found.day is not None, found
    return found.day


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The minister resigned on Friday.", D(2023, 12, 29)),  # back across the year end
        ("The minister resigned on Tuesday.", TUESDAY),  # the day itself
        ("The minister resigned last Tuesday.", D(2023, 12, 26)),
        ("The minister resigned on Sunday.", D(2023, 12, 31)),
        ("The talks resume next Friday.", D(2024, 1, 5)),  # after publication
        ("The council will vote on Friday.", D(2024, 1, 5)),
        ("Police said yesterday that two men were held.", D(2024, 1, 1)),
        ("Fighting resumed today.", TUESDAY),
        ("The rig exploded three days ago.", D(2023, 12, 30)),
    ],
)
def test_weekdays_and_relative_days(sentence, expected):
    assert day(sentence, TUESDAY) == expected


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        ("Jackson died on June 25, 2009, in Los Angeles.", D(2009, 7, 1), D(2009, 6, 25)),
        ("Jackson died on 25 June 2009.", D(2009, 7, 1), D(2009, 6, 25)),
        ("Jackson died on June 25 , 2009 , aged 50 .", D(2009, 7, 1), D(2009, 6, 25)),  # tokenized
        ("The report, dated 2009-06-25, was leaked.", D(2009, 7, 1), D(2009, 6, 25)),
        ("The funeral was held on the 7th of July.", D(2009, 7, 9), D(2009, 7, 7)),
        ("The quake struck on 12 January.", D(2010, 1, 20), D(2010, 1, 12)),
        ("Shares fell sharply on Dec. 28.", D(2010, 1, 3), D(2009, 12, 28)),  # the December before
        ("The hearing is scheduled for June 30.", D(2009, 6, 25), D(2009, 6, 30)),  # still to come
    ],
)
def test_explicit_dates_in_several_formats(sentence, published, expected):
    assert day(sentence, published) == expected


def test_periods_are_not_days():
    january = D(2024, 1, 15)
    (month,) = event_dates("Prices rose last month.", january)
    assert (month.start, month.end) == (D(2023, 12, 1), D(2023, 12, 31)) and month.day is None
    assert days("Talks failed last week.", january) == [(D(2024, 1, 8), D(2024, 1, 14))]
    assert days("The protests began in March.", january) == [(D(2023, 3, 1), D(2023, 3, 31))]
    assert days("Elections will be held in March.", january) == [(D(2024, 3, 1), D(2024, 3, 31))]
    assert days("Output fell in March 2009.", january) == [(D(2009, 3, 1), D(2009, 3, 31))]


def test_words_that_are_not_dates_and_several_dates_in_order():
    assert event_dates("Prices may march higher, says a man named Sunday-school.", TUESDAY) == []
    assert event_dates("He may score 25 points in 2 games.", TUESDAY) == []
    found = event_dates("Arrested on Monday, he was charged on December 20.", TUESDAY)
    assert [w.day for w in found] == [D(2024, 1, 1), D(2023, 12, 20)]
    assert [w.phrase for w in found] == ["Monday", "December 20"]


def test_a_day_inside_a_title_is_not_a_date_but_one_inside_a_quotation_is():
    assert event_dates('The trailer for the series "Wednesday" is out.', TUESDAY) == []
    assert event_dates("The film “Friday the 13th” was shown again.", TUESDAY) == []
    # someone's words: "on Friday" there is a day like any other
    said = event_dates("“We will hold the vote on Friday, as planned,” she said.", TUESDAY)
    assert [w.day for w in said] == [D(2024, 1, 5)]
    # an apostrophe is not a quotation mark
    assert day("Here's what happened at the mayor's office on Monday.", TUESDAY) == D(2024, 1, 1)


def test_a_weekday_naming_a_date_is_that_date():
    friday = D(2022, 9, 23)
    found = event_dates("Sandbag operations are planned for Monday, Sept. 26 from 9 a.m.", friday)
    assert [w.day for w in found] == [D(2022, 9, 26)] and found[0].phrase == "Monday, Sept. 26"
    assert [w.day for w in event_dates("It opened on Tuesday 20 September.", friday)] == [
        D(2022, 9, 20)
    ]

"""Offline answers: what is quoted, in which order, and how time is stated."""

from __future__ import annotations

from rag.pipeline import Archive
from tests.conftest import write_article


def test_a_headline_is_quoted_when_only_it_holds_the_answer(archive: Archive, tmp_path):
    write_article(
        tmp_path / "a", "brandt.txt", "Merrowby names Ilse Brandt new harbour master",
        "20240305", "https://news.test/brandt",
        "The town council of Merrowby chose its new harbour master on Tuesday.",
        "The new harbour master starts in April and will oversee the lighthouse restoration.",
    )  # fmt: skip
    archive.ingest([tmp_path / "a"])
    answer = archive.ask("Who did Merrowby choose as its new harbour master?")
    titles = [c for c in answer.citations if c.in_title]
    assert titles and titles[0].quote == "Merrowby names Ilse Brandt new harbour master"
    assert "Headline: “Merrowby names Ilse Brandt" in answer.text


def test_sources_of_different_dates_are_dated_newest_first(archive: Archive, tmp_path):
    folder = tmp_path / "b"
    old = "The port of Valdora remained closed on Wednesday as the dock strike went on."
    new = "The port of Valdora reopened on Monday after the dock strike ended."
    write_article(folder, "old.txt", "Valdora stays shut", "20220601", "https://news.test/o", old)
    write_article(folder, "new.txt", "Valdora reopens", "20220612", "https://news.test/n", new)
    archive.ingest([folder])
    answer = archive.ask("Is the port of Valdora open after the dock strike?")
    dates = [c.date for c in answer.citations]
    assert dates[0] == "2022-06-12" and "2022-06-01" in dates
    assert dates == sorted(dates, reverse=True)
    assert "published 1–12 June 2022" in answer.text
    first, *rest = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert first.startswith("- 12 June 2022:")
    assert any(line.startswith("- 1 June 2022:") for line in rest)

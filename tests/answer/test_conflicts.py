"""Sources that disagree are shown side by side, newest first, never silently picked."""

from __future__ import annotations

import json

from rag.pipeline import Archive
from tests.conftest import STORM, STORM_QUESTION, two_reports
from tests.integration.test_cli import rag


def test_different_numbers_are_shown_as_a_conflict_newest_first(archive: Archive, tmp_path):
    archive.ingest([two_reports(tmp_path / "storm", *STORM)])
    answer = archive.ask(STORM_QUESTION)
    assert len(answer.conflicts) == 1
    newest, earlier = answer.conflicts[0].sides
    assert (newest.value, newest.label, newest.date) == ("19", "newest", "2024-03-04")
    assert (earlier.value, earlier.label, earlier.date) == ("12", "earlier", "2024-03-01")
    cited = {c.n: c for c in answer.citations}
    assert all("19 people" in cited[n].quote for n in newest.citations)
    assert all("12 people" in cited[n].quote for n in earlier.citations)
    line = answer.text.splitlines()[-1]
    assert line.startswith("The sources disagree:")
    assert "newest report, 4 March 2024" in line and "earlier reporting, 1 March 2024" in line
    assert line.index("“19”") < line.index("“12”")


def test_agreeing_sources_and_other_weekdays_are_no_conflict(archive: Archive, tmp_path):
    same = STORM[0], STORM[0].replace("Friday", "Monday")
    archive.ingest([two_reports(tmp_path / "storm", *same)])
    answer = archive.ask(STORM_QUESTION)
    assert not answer.abstained and answer.conflicts == ()
    assert "disagree" not in answer.text


def test_a_when_question_compares_dates(archive: Archive, tmp_path):
    early = "The new port of Valdora will open on 14 May 2024, officials said."
    folder = two_reports(tmp_path / "port", early, early.replace("14 May", "2 June"))
    archive.ingest([folder])
    answer = archive.ask("When will the new port of Valdora open?")
    assert [s.value for s in answer.conflicts[0].sides] == ["2 June 2024", "14 May 2024"]


def test_a_place_name_that_only_grows_is_no_conflict(archive: Archive, tmp_path):
    early = "The cup final will be played in Tampa at the harbour stadium."
    folder = two_reports(tmp_path / "cup", early, early.replace("Tampa", "Tampa Bay"))
    archive.ingest([folder])
    answer = archive.ask("Where will the cup final be played?")
    assert not answer.abstained and answer.conflicts == ()


def test_ask_json_lists_conflicts(archive: Archive, tmp_path):
    archive.ingest([two_reports(tmp_path / "storm", *STORM)])
    done = rag(archive.settings.data_dir, "ask", STORM_QUESTION, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    sides = out["conflicts"][0]["sides"]
    assert [s["value"] for s in sides] == ["19", "12"]
    assert set(sides[0]) == {"value", "citations", "date", "label"}

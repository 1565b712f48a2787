"""Stories on a real archive: one event told by several outlets in their own words is one
story, another event of the same kind is another; answers cite one report per story and
name the other outlets; deletes and the command line keep it consistent."""

from __future__ import annotations

import json

import pytest

from rag.cli import run as cli
from rag.index.vectors import abouts
from tests.conftest import write_article

# One earthquake, three outlets, three wordings (not copies of each other).
QUAKE = {
    "wire.test": (
        "Quake of magnitude 6.8 shakes Varnholm",
        [
            "An earthquake of magnitude 6.8 struck near Varnholm early on Monday, killing 14 "
            "people.",
            "The quake's epicentre was 20 kilometres north of Varnholm, the Ostrava seismic "
            "institute said.",
            "Rescue teams searched collapsed houses in the old town of Varnholm through the day.",
            "Governor Lise Amundt declared a state of emergency across Kessel province.",
        ],
    ),
    "daily.test": (
        "Varnholm earthquake: 14 dead as rescuers dig through rubble",
        [
            "Fourteen people died when a 6.8-magnitude earthquake hit Varnholm on Monday morning.",
            "Governor Lise Amundt said Kessel province was under a state of emergency.",
            "Many of the dead were in the old town, where stone houses collapsed.",
            "The Ostrava institute placed the epicentre north of Varnholm.",
        ],
    ),
    "radio.test": (
        "State of emergency in Kessel after Varnholm quake",
        [
            "Kessel province is under a state of emergency after Monday's earthquake near "
            "Varnholm, Governor Lise Amundt announced.",
            "The magnitude 6.8 quake left 14 people dead, most of them in Varnholm's old town.",
            "Aftershocks were felt as far as Ostrava.",
        ],
    ),
}
# The same kind of event, another place, other people, two days later.
OTHER = [
    "An earthquake of magnitude 5.9 hit the coastal town of Dellmar on Wednesday, injuring "
    "30 people.",
    "Mayor Tomas Brekk said the harbour wall at Dellmar had cracked.",
    "The Sudmark geological survey said the quake was centred under the bay of Dellmar.",
    "Schools in Dellmar will stay closed until engineers inspect them.",
]


def _quake_archive(archive, folder):
    for i, (site, (title, paras)) in enumerate(QUAKE.items()):
        write_article(folder, f"q{i}.txt", title, f"2024030{4 + i}", f"https://{site}/quake",
                      *paras)  # fmt: skip
    write_article(folder, "other.txt", "Dellmar quake injures 30", "20240306",
                  "https://daily.test/dellmar", *OTHER)  # fmt: skip
    archive.ingest([folder])
    return {d.title: d for d in archive.documents()}


def test_one_event_from_three_outlets_is_one_story_and_another_event_is_not(archive, tmp_path):
    docs = _quake_archive(archive, tmp_path / "news")
    quake = {docs[title].story_id for title, _ in QUAKE.values()}
    assert len(quake) == 1 and "" not in quake
    assert docs["Dellmar quake injures 30"].story_id not in quake
    assert all(d.copy_of == "" for d in docs.values())  # reports, not copies


def test_an_answer_cites_one_report_of_a_story_and_names_the_other_outlets(
    archive, tmp_path, capsys
):
    _quake_archive(archive, tmp_path / "news")
    question = "How many people died in the Varnholm earthquake?"
    hits = archive.search(question, k=2)
    titles = [h.title for h in hits]
    assert sum(t in {title for title, _ in QUAKE.values()} for t in titles) == 1
    assert "Dellmar quake injures 30" in titles  # the other story comes next, not a 2nd report
    every = archive.search(question, k=3, copies=True)
    assert len({h.doc_id for h in every} - {h.doc_id for h in hits}) >= 1
    capsys.readouterr()
    cli(["--data-dir", str(archive.settings.data_dir), "ask", question, "--json"])
    answer = json.loads(capsys.readouterr().out)
    first = answer["citations"][0]
    assert "14" in first["quote"] or "Fourteen" in first["quote"]
    others = {site for site in QUAKE} - {first["url"].split("/")[2]}
    assert {r["url"].split("/")[2] for r in first["reported_by"]} == others
    cli(["--data-dir", str(archive.settings.data_dir), "ask", question])
    assert "Also reported by 2 outlets: " in capsys.readouterr().out


def test_a_search_gives_a_story_one_slot_and_lists_its_other_reports_under_it(
    archive, tmp_path, capsys
):
    _quake_archive(archive, tmp_path / "news")
    quake = {title for title, _ in QUAKE.values()}
    capsys.readouterr()
    data = str(archive.settings.data_dir)
    cli(["--data-dir", data, "search", "Varnholm earthquake dead", "-k", "2", "--json"])
    first, second = json.loads(capsys.readouterr().out)["hits"]
    assert first["title"] in quake and second["title"] == "Dellmar quake injures 30"
    listed = {r["title"] for r in first["also"]}
    assert listed == quake - {first["title"]} and second["also"] == []
    for report in first["also"]:  # each with its passage, which is in its article
        text = archive.document(report["doc_id"])[1]
        assert text[report["start"] : report["end"]] == report["text"]
    cli(["--data-dir", data, "search", "Varnholm earthquake dead", "-k", "2"])
    out = capsys.readouterr().out
    others = set(QUAKE) - {first["url"].split("/")[2]}
    assert out.count("    also: ") == 2 and all(f", {site})" in out for site in others)


def test_a_story_survives_deleting_one_of_its_articles(archive, tmp_path, capsys):
    docs = _quake_archive(archive, tmp_path / "news")
    first = docs["Quake of magnitude 6.8 shakes Varnholm"]
    assert archive.delete(first.doc_id)
    left = {d.title: d.story_id for d in archive.documents()}
    assert left["Varnholm earthquake: 14 dead as rescuers dig through rubble"] == first.story_id
    assert left["State of emergency in Kessel after Varnholm quake"] == first.story_id
    capsys.readouterr()
    cli(["--data-dir", str(archive.settings.data_dir), "stories", "--json", "--min", "2"])
    (story,) = json.loads(capsys.readouterr().out)["stories"]
    assert story["story_id"] == first.story_id
    assert story["outlets"] == ["daily.test", "radio.test"]
    assert story["first_date"] == "2024-03-05" and story["last_date"] == "2024-03-06"
    assert first.doc_id not in {d["doc_id"] for d in story["documents"]}
    # a new report of the event still joins it
    title, paras = QUAKE["wire.test"]
    write_article(tmp_path / "again", "q.txt", title, "20240307", "https://wire.test/q2", *paras)
    archive.ingest([tmp_path / "again"])
    assert {d.story_id for d in archive.documents() if "Dellmar" not in d.title} == {first.story_id}
    cli(["--data-dir", str(archive.settings.data_dir), "docs", "--json"])
    rows = json.loads(capsys.readouterr().out)["documents"]
    assert all(r["story_id"] for r in rows)


def test_an_archive_from_before_stories_gets_them_at_the_next_ingest(archive, tmp_path):
    _quake_archive(archive, tmp_path / "news")
    with archive.manifest.db as db:  # as if stored before stories were formed
        for table in ("story_docs", "story_terms", "term_df", "stories"):
            db.execute(f"DELETE FROM {table}")
    assert {d.story_id for d in archive.documents()} == {""}
    write_article(tmp_path / "more", "x.txt", "Unrelated", "20240320", "https://x.test/1",
                  "The city council approved a new budget for parks and libraries.")  # fmt: skip
    archive.ingest([tmp_path / "more"])
    docs = {d.title: d.story_id for d in archive.documents()}
    assert len({docs[title] for title, _ in QUAKE.values()}) == 1
    assert len(set(docs.values())) == 3


def test_a_report_on_the_event_is_more_about_it_than_a_digest_naming_it_once(archive, tmp_path):
    _quake_archive(archive, tmp_path / "news")
    items = (
        "Interest rates: The central bank kept its main rate at 4.5% and said inflation was "
        "slowing.",
        "Varnholm: The death toll of Monday's earthquake in Varnholm rose to 14, officials said.",
        "Ferry strike: Crews on the northern routes walked out over pay.",
        "Elections: Voters in the capital choose a new mayor on Sunday.",
    )
    headline = "5 things to know for March 7: Rates, Varnholm, Ferries, Elections"
    write_article(tmp_path / "more", "five.txt", headline, "20240307", "https://wire.test/five",
                  *items)  # fmt: skip
    archive.ingest([tmp_path / "more"])
    docs = {d.title: d.doc_id for d in archive.documents()}
    vector = archive.backends.embedder.embed(["Varnholm earthquake death toll"])[0]
    stored = archive.manifest.sentence_vectors(list(docs.values()))
    at_once = abouts(archive.manifest.packed(list(docs.values())), vector)
    about = {title: at_once[doc] for title, doc in docs.items()}
    # read at once from the stored bytes, each is its headline's and sentences' mean closeness
    one = {title: (stored[doc].title @ vector + (stored[doc].vectors @ vector).mean()) / 2
           for title, doc in docs.items()}  # fmt: skip
    assert about == pytest.approx(one, abs=1e-6)
    digest = about.pop(headline)
    assert min(about[title] for title, _ in QUAKE.values()) > digest
    assert digest > about["Dellmar quake injures 30"]  # it does name the event, once

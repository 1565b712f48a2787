"""Near-duplicates on a real archive: a wire copy under another headline, trimmed, is marked
as a copy of the earliest; another story on the same topic is not; deletes keep it right."""

from __future__ import annotations

import json

from rag.cli import run as cli
from tests.conftest import write_article

STORY = [
    "Floodwaters forced 3,000 residents of Lirr to leave their homes on Tuesday.",
    "The river Vass rose 4 metres in twelve hours after a week of rain in the hills.",
    "Mayor Anna Kettel said the old bridge would stay closed until engineers inspect it.",
    "Two schools in the lower town were turned into shelters with 600 camp beds.",
    "The regional government released 12 million euros in emergency aid on Wednesday.",
    "Farmers downstream said the water had ruined most of the spring barley.",
    "Rail services between Lirr and Osten were suspended after a landslide near Marr.",
    "Forecasters expect the river to peak on Thursday before falling slowly.",
    "Volunteers filled 40,000 sandbags overnight at the football ground.",
    "Insurers said claims could exceed those of the 2014 flood.",
]
OTHER = [  # the same kind of event, another place and time: not a copy
    "Floodwaters forced 800 residents of Narb to leave their homes on Sunday.",
    "The river Tolle burst its banks after a storm dropped a month of rain in a day.",
    "Mayor Piet Dorn said the ferry would not run until the current slows.",
    "The sports hall was turned into a shelter with 150 camp beds.",
    "The national government promised 2 million euros in aid on Monday.",
    "Vineyards on the lower slopes were under water for a second time this year.",
    "Buses replaced trains between Narb and Kell after the tracks were flooded.",
    "Forecasters expect more rain at the weekend.",
    "Soldiers filled sandbags at the harbour through the night.",
    "Insurers said claims were lower than in the flood of 2019.",
]


def _docs(archive) -> dict[str, str]:
    return {d.title: d.copy_of for d in archive.documents()}


def test_a_trimmed_retitled_copy_is_marked_and_another_story_is_not(archive, tmp_path, capsys):
    folder = tmp_path / "news"
    write_article(folder, "a.txt", "Thousands flee as the Vass floods Lirr", "20240305",
                  "https://wire.test/vass-floods", *STORY)  # fmt: skip
    write_article(folder, "b.txt", "Lirr evacuated: river at record height", "20240306",
                  "https://daily.test/lirr", *STORY[:-1])  # fmt: skip
    write_article(folder, "c.txt", "Narb evacuated as the Tolle bursts its banks", "20240306",
                  "https://daily.test/narb", *OTHER)  # fmt: skip
    archive.ingest([folder])
    ids = {d.title: d.doc_id for d in archive.documents()}
    copies = _docs(archive)
    assert (
        copies["Lirr evacuated: river at record height"]
        == ids["Thousands flee as the Vass floods Lirr"]
    )
    assert copies["Thousands flee as the Vass floods Lirr"] == ""
    assert copies["Narb evacuated as the Tolle bursts its banks"] == ""
    capsys.readouterr()
    cli(["--data-dir", str(archive.settings.data_dir), "docs", "--json"])
    rows = {d["title"]: d for d in json.loads(capsys.readouterr().out)["documents"]}
    assert (
        rows["Lirr evacuated: river at record height"]["copy_of"]
        == ids["Thousands flee as the Vass floods Lirr"]
    )


def test_the_earliest_copy_is_the_original_and_survives_deletes(archive, tmp_path):
    folder = tmp_path / "news"
    days = {"late.txt": "20240310", "mid.txt": "20240307", "early.txt": "20240305"}
    for name, day in days.items():  # ingested newest first
        write_article(folder / name[:-4], name, f"Flood report {day}", day,
                      f"https://site{day}.test/flood", *STORY)  # fmt: skip
        archive.ingest([folder / name[:-4]])
    ids = {d.title[-8:]: d.doc_id for d in archive.documents()}
    copies = {d.title[-8:]: d.copy_of for d in archive.documents()}
    assert copies == {"20240305": "", "20240307": ids["20240305"], "20240310": ids["20240305"]}
    assert archive.delete(ids["20240305"])
    copies = {d.title[-8:]: d.copy_of for d in archive.documents()}
    assert copies == {"20240307": "", "20240310": ids["20240307"]}
    assert archive.delete(ids["20240307"])
    assert {d.copy_of for d in archive.documents()} == {""}


def test_an_archive_from_before_copies_gets_them_at_the_next_ingest(archive, tmp_path):
    folder = tmp_path / "news"
    write_article(folder, "a.txt", "Vass floods Lirr", "20240305", "https://a.test/1", *STORY)
    write_article(folder, "b.txt", "Lirr flood", "20240306", "https://b.test/1", *STORY)
    archive.ingest([folder])
    with archive.manifest.db as db:  # as if stored before copies were looked for
        db.execute("DELETE FROM copies")
        db.execute("DELETE FROM copy_bands")
    assert {d.copy_of for d in archive.documents()} == {""}
    write_article(tmp_path / "more", "c.txt", "Other", "20240307", "https://c.test/1", *OTHER)
    archive.ingest([tmp_path / "more"])
    copies = _docs(archive)
    ids = {d.title: d.doc_id for d in archive.documents()}
    assert copies["Lirr flood"] == ids["Vass floods Lirr"] and copies["Other"] == ""


def test_copies_are_one_source_of_an_answer_that_names_the_others(archive, tmp_path, capsys):
    folder = tmp_path / "news"
    write_article(folder, "a.txt", "Thousands flee as the Vass floods Lirr", "20240305",
                  "https://wire.test/vass-floods", *STORY)  # fmt: skip
    write_article(folder, "b.txt", "Lirr evacuated: river at record height", "20240306",
                  "https://daily.test/lirr", *STORY[:-1])  # fmt: skip
    write_article(folder, "c.txt", "Narb evacuated", "20240306", "https://daily.test/narb", *OTHER)
    archive.ingest([folder])
    question = "How many residents of Lirr had to leave their homes?"
    lirr_docs = {d.doc_id for d in archive.documents() if "Lirr" in d.title or "Vass" in d.title}
    assert len({h.doc_id for h in archive.search(question, k=3)} & lirr_docs) == 1
    assert len({h.doc_id for h in archive.search(question, k=3, copies=True)}) == 3
    capsys.readouterr()
    cli(["--data-dir", str(archive.settings.data_dir), "ask", question, "--json"])
    answer = json.loads(capsys.readouterr().out)
    lirr = [c for c in answer["citations"] if "Lirr" in c["title"] or "Vass" in c["title"]]
    assert len(lirr) == 1 and "3,000" in lirr[0]["quote"]
    (other,) = lirr[0]["copies"]
    assert other["url"] in ("https://wire.test/vass-floods", "https://daily.test/lirr")
    assert other["doc_id"] != lirr[0]["doc_id"]
    cli(["--data-dir", str(archive.settings.data_dir), "ask", question])
    assert "Also published as: " in capsys.readouterr().out


def test_a_copy_that_changed_a_number_is_an_update_with_both_dates(archive, tmp_path, capsys):
    folder = tmp_path / "news"
    write_article(folder, "a.txt", "Thousands flee as the Vass floods Lirr", "20240305",
                  "https://wire.test/vass-floods", *STORY)  # fmt: skip
    updated = [STORY[0].replace("3,000", "4,500"), *STORY[1:]]
    write_article(folder, "b.txt", "Lirr evacuated: river at record height", "20240307",
                  "https://daily.test/lirr", *updated)  # fmt: skip
    archive.ingest([folder])
    assert sum(bool(d.copy_of) for d in archive.documents()) == 1
    question = "How many residents of Lirr had to leave their homes?"
    answer = archive.ask(question)
    assert "4,500" in answer.citations[0].quote  # the newest version leads
    (conflict,) = answer.conflicts
    assert conflict.updated
    assert [(s.value, s.date, s.label) for s in conflict.sides] == [
        ("4,500", "2024-03-07", "newest"),
        ("3,000", "2024-03-05", "earlier"),
    ]
    assert "The article was updated: “4,500”" in answer.text
    assert "(updated version, 7 March 2024)" in answer.text
    assert "(earlier version, 5 March 2024)" in answer.text
    assert "The sources disagree" not in answer.text

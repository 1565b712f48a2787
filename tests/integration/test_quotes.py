"""Who said what from the command line: a speaker's quotes under any form of their name,
every attribution, who is quoted most; archives from before attributions get them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import SEEDS, write_article
from tests.integration.test_cli import rag


def _brief(folder: Path) -> None:
    write_article(
        folder, "brief.txt", "Blinken rules out summit for now", "20220110",
        "https://news.test/brief",
        "Secretary of State Antony Blinken met European ministers in Brussels on Tuesday.",
        "“We are not going to negotiate over the heads of our partners,” he said.",
        "Secretary Blinken said a summit would happen only if Moscow pulled its troops back.",
        "Russia's deputy foreign minister Sergei Ryabkov said the talks had reached a dead end.",
    )  # fmt: skip


def test_a_speakers_quotes_under_any_form_of_the_name_with_exact_offsets(tmp_path: Path):
    data, folder = tmp_path / "data", tmp_path / "a"
    _brief(folder)
    assert rag(data, "ingest", str(folder), str(SEEDS)).returncode == 0
    shapes = []
    for name in ("Blinken", "Antony Blinken", "Secretary Blinken"):
        out = rag(data, "quotes", name, "--json")
        assert out.returncode == 0, out.stderr
        shapes.append(json.loads(out.stdout)["quotes"])
    assert shapes[0] == shapes[1] == shapes[2]
    quotes = shapes[0]
    assert {q["speaker"] for q in quotes} == {"Antony Blinken"}
    assert any(q["quote"].startswith("“We are not going to negotiate") and q["direct"]
               for q in quotes)  # fmt: skip
    assert not any("dead end" in q["quote"] for q in quotes)  # Ryabkov's words are his
    assert quotes[0]["date"] == "2022-01-10"  # newest first: the brief before the seed
    keys = {"doc_id", "source", "title", "date", "url", "speaker", "cue", "quote", "start",
            "end", "direct"}  # fmt: skip
    assert keys <= set(quotes[0])
    docs = json.loads(rag(data, "docs", "--json").stdout)["documents"]
    texts = {d["doc_id"]: d for d in docs}
    brief = (folder / "brief.txt").read_text().split("\n", 3)[3]
    for q in quotes:
        if q["source"] == "brief.txt":
            assert brief[q["start"] : q["end"]] == q["quote"]
            assert q["doc_id"] in texts
    about = json.loads(rag(data, "quotes", "Blinken", "--about", "troops", "--json").stdout)
    assert "troops" in about["quotes"][0]["quote"]
    everyone = json.loads(rag(data, "quotes", "--json").stdout)["quotes"]
    assert {"Antony Blinken", "Sergei Ryabkov"} <= {q["speaker"] for q in everyone}
    top = json.loads(rag(data, "speakers", "--json").stdout)["speakers"]
    assert top[0]["name"] == "Antony Blinken" and top[0]["articles"] == 2
    out = rag(data, "quotes", "Blinken", "--until", "2021-01-01")
    assert (
        out.returncode == 0 and "no quotes by Blinken in the archive for these dates" in out.stdout
    )


def test_an_archive_from_before_attributions_gets_them_at_the_next_ingest(tmp_path: Path):
    data, folder = tmp_path / "data", tmp_path / "a"
    _brief(folder)
    assert rag(data, "ingest", str(folder)).returncode == 0
    with sqlite3.connect(data / "manifest.sqlite3") as db:  # as an older archive has it
        db.execute("DROP TABLE quotes")
        db.execute("DROP TABLE quoted_docs")
    assert json.loads(rag(data, "quotes", "--json").stdout)["quotes"] == []
    assert rag(data, "ingest", str(SEEDS)).returncode == 0
    found = json.loads(rag(data, "quotes", "Blinken", "--json").stdout)["quotes"]
    assert {q["source"] for q in found} == {
        "brief.txt",
        SEEDS.joinpath("000_52c17ce87cd68cbf.txt").name,
    }

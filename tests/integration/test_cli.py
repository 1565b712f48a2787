"""The CLI as a user runs it: a real subprocess, real model, real store in a temp dir."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BLINKEN, ROOT, SEEDS


def rag(data: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(data), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "data"
    done = rag(data, "ingest", str(SEEDS))
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    return data


def test_ask_json_cites_the_blinken_sentence(data: Path):
    out = rag(data, "ask", "what did Blinken say about a summit?", "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert set(answer) >= {"question", "answer", "abstained", "citations"}
    first = answer["citations"][0]
    assert first["n"] == 1 and first["quote"].startswith(BLINKEN)
    keys = {
        "doc_id",
        "title",
        "date",
        "url",
        "source",
        "chunk_id",
        "passage",
        "quote",
        "start",
        "end",
    }
    assert keys <= set(first) and first["date"] == "2021-12-22"
    # one citation per article, with every sentence quoted from it
    assert len({c["n"] for c in answer["citations"]}) == len(answer["citations"])
    assert first["quotes"][0]["quote"] == first["quote"]
    (seed,) = SEEDS.glob("*.txt")
    article = seed.read_text(encoding="utf-8")
    assert all(q["quote"] in article for c in answer["citations"] for q in c["quotes"])


def test_ask_says_how_far_back_its_sources_reach(data: Path):
    out = rag(data, "ask", "what did Blinken say about a summit?", "--as-of", "2021-12-25")
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert last == "Sources published 22 December 2021, 3 days before 25 December 2021"


def test_ask_says_why_it_cannot_know_and_closest_asks_anyway(data: Path):
    question = "What did Blinken say about a summit this week?"
    out = rag(data, "ask", question, "--as-of", "2021-11-01")
    assert out.returncode == 0, out.stderr
    assert "nothing published from 29 October to 1 November 2021 mentions Blinken" in out.stdout
    assert "--closest" in out.stdout
    answer = json.loads(rag(data, "ask", question, "--as-of", "2022-01-30", "--json").stdout)
    assert answer["abstained"] and answer["out_of_scope"]


def test_search_and_docs_json_shapes(data: Path):
    out = json.loads(rag(data, "search", "Blinken summit", "-k", "2", "--json").stdout)
    assert out["query"] == "Blinken summit" and [h["rank"] for h in out["hits"]] == [1, 2]
    keys = {
        "rank",
        "score",
        "chunk_id",
        "doc_id",
        "title",
        "date",
        "url",
        "source",
        "text",
        "start",
        "end",
    }
    assert keys <= set(out["hits"][0]) and "Blinken" in out["hits"][0]["text"]
    docs = json.loads(rag(data, "docs", "--json").stdout)["documents"]
    assert len(docs) == 1 and docs[0]["chunks"] > 1
    assert {"doc_id", "title", "date", "url", "source", "chunks", "ingested_at"} <= set(docs[0])


def test_ingest_exit_codes_and_skip_reasons(data: Path, tmp_path: Path):
    again = rag(data, "ingest", str(SEEDS))
    assert again.returncode == 0 and "1 unchanged" in again.stdout
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x01binary")
    mixed = rag(data, "ingest", str(SEEDS), str(bad))
    assert mixed.returncode == 2
    assert "skipped" in mixed.stdout and "binary" in mixed.stdout


def test_ingest_says_how_much_the_model_read_again(tmp_path: Path):
    data, copy = tmp_path / "data", tmp_path / "article.txt"
    lines = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8").splitlines()
    copy.write_text("\n".join(lines), encoding="utf-8")
    first = rag(data, "ingest", str(copy))
    assert "1 added" in first.stdout and "embedded anew" not in first.stdout
    lines[-1] += " Kyiv later said the talks had produced no agreement."
    copy.write_text("\n".join(lines), encoding="utf-8")
    second = rag(data, "ingest", str(copy))
    assert "1 updated" in second.stdout and ", 1 of them embedded anew" in second.stdout


def test_errors_are_one_clear_line(data: Path):
    empty = rag(data, "ask", "  ")
    assert empty.returncode == 1 and "Traceback" not in empty.stderr
    missing = rag(data, "delete", "no-such-id")
    assert missing.returncode == 1 and "no document with id" in missing.stderr
    backwards = ["--since", "2022-06-10", "--until", "2022-06-01"]
    for verb in ("ask", "search"):
        done = rag(data, verb, "Blinken summit", *backwards)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "the period starts on 10 June 2022, after it ends on 1 June 2022" in done.stderr
    zero = rag(data, "search", "Blinken", "-k", "0")
    assert zero.returncode == 2 and "at least 1, got '0'" in zero.stderr


def test_delete_via_cli(tmp_path: Path):
    data = tmp_path / "data"
    rag(data, "ingest", str(SEEDS))
    doc_id = json.loads(rag(data, "docs", "--json").stdout)["documents"][0]["doc_id"]
    assert rag(data, "delete", doc_id).returncode == 0
    assert json.loads(rag(data, "docs", "--json").stdout)["documents"] == []


def test_batch_search_writes_one_line_per_query(data: Path, tmp_path: Path):
    batch = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "query": "Blinken summit"},
        {"id": "b", "query": "Blinken summit", "as_of": "2021-01-01"},
        {"id": "c"},
    ]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = rag(data, "search", "--batch", str(batch), "-k", "3", "--json")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", 3]
    assert lines[0]["hits"][0]["rank"] == 1 and "Blinken" in lines[0]["hits"][0]["text"]
    assert lines[1]["hits"] == []  # the only article is newer than as_of
    assert "error" in lines[2]


def test_reindex_repairs_the_keyword_index(data: Path):
    out = rag(data, "reindex")
    assert out.returncode == 0 and "keyword index rebuilt" in out.stdout

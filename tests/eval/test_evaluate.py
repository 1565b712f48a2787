from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from rag.eval.answers import LATER_DAYS, asked_later
from rag.eval.common import (
    Question,
    format_table,
    hit_at,
    percentile,
    reciprocal_rank,
    widen_to_stories,
    written,
)
from tests.conftest import ROOT, write_article

T = frozenset({"gold.txt"})


def test_metrics_on_a_hand_made_ranking():
    ranked = [("a.txt",), ("b.txt",), ("a.txt",), ("gold.txt",), ("c.txt",)]
    assert hit_at(ranked, T, 3) == 0.0 and hit_at(ranked, T, 4) == 1.0
    assert reciprocal_rank(ranked, T) == 0.25
    assert reciprocal_rank([("x.txt",)] * 10 + [("gold.txt",)], T, 10) == 0.0
    # a report listed under a hit (another outlet's of the same story) counts at its rank
    assert reciprocal_rank([("a.txt",), ("b.txt", "c.txt", "gold.txt")], T) == 0.5
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0


def test_questions_asked_later_are_those_whose_answer_does_not_depend_on_when():
    day = dt.date(2022, 6, 26)
    timeless = Question("1", "Which team won the 2022 Stanley Cup Finals?", "Avalanche", T, day)
    asked = ("Which show was recently green lit?", "Who won the election this week?",
             "What is the latest Covid variant?", "How many cases are there now?",
             "What NFL star announced his retirement on Tuesday?",
             "Which virus is spreading at unusually high levels?")  # fmt: skip
    dated = [Question(str(i), text, "x", T, day) for i, text in enumerate(asked, start=2)]
    undated = Question("9", "Who founded the company?", "x", T)
    (later,) = asked_later([timeless, *dated, undated])
    assert later.id == "1" and later.as_of == day + dt.timedelta(days=LATER_DAYS)


def test_the_table_lines_up_with_long_row_names_and_prints_counts_as_counts():
    rows = {
        "ours (offline, cited)": {"AR-1": 0.1034, "Date-F1": 1.0, "timelines": 19},
        "SyrianCrisis_reuters/tl2.1": {"AR-1": 0.049, "Date-F1": 0.375, "timelines": 1},
    }
    lines = format_table(rows).splitlines()
    assert len({len(line) for line in lines}) == 1  # every column ends in the same place
    assert lines[1].split()[-3:] == ["0.103", "1.000", "19"]
    assert lines[2].split()[-3:] == ["0.049", "0.375", "1"]


def test_eval_command_end_to_end(tmp_path: Path):
    articles = tmp_path / "articles"
    write_article(
        articles,
        "gold.txt",
        "Harbour reopens",
        "20220610",
        "https://n.test/1",
        "The port of Valdora reopened on Monday after the storm, officials said.",
    )
    write_article(
        articles,
        "late.txt",
        "Harbour closes again",
        "20220720",
        "https://n.test/2",
        "The port of Valdora closed again in July after a second storm.",
    )
    write_article(
        articles,
        "other.txt",
        "Chess final",
        "20220601",
        "https://n.test/3",
        "A teenager won the national chess final in a tiebreak.",
    )
    questions = tmp_path / "q.jsonl"
    row = {
        "id": "q1",
        "query": "When did the port of Valdora reopen?",
        "answer": "Monday",
        "question_date": "2022-06-15",
        "evidence": [{"target_file": "gold.txt"}],
    }
    questions.write_text(json.dumps(row) + "\n")
    out = tmp_path / "r.json"
    cmd = [
        sys.executable,
        "-m",
        "rag",
        "--data-dir",
        str(tmp_path / "data"),
        "eval",
        "--articles",
        str(articles),
        "--questions",
        str(questions),
        "-k",
        "2",
        "--answers",
        "--baseline",
        "--out",
        str(out),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "hit@4" in done.stdout and "dense" in done.stdout
    rows = json.loads(out.read_text())
    for mode in ("tutorial", "dense", "keyword", "hybrid", "hybrid+rerank"):
        assert rows[mode]["MRR@10"] == 1.0, mode
    assert rows["archive"]["chunks"] == 3 and rows["archive"]["skipped_files"] == 0
    assert rows["answers offline"]["answer_in_citation"] == 1.0
    assert rows["answers offline"]["answer_written"] == 1.0  # its ceiling
    # the July article lies after the question date, so it can never be cited
    assert rows["answers offline"]["citation_precision"] == 1.0
    # asked months later, when the July report of the port is newer: the old fact is found
    later = rows[f"hybrid, asked {LATER_DAYS} days later"]
    assert later["questions"] == 1 and later["hit@2"] == 1.0
    assert rows[f"asked {LATER_DAYS} days later"]["answer_in_citation"] == 1.0


def test_eval_measures_the_subset_and_the_whole_folder_side_by_side(tmp_path: Path):
    """With --subset the whole folder is measured too; an outlet's own report of the answer,
    in the answer article's story, counts at story level and not at file level."""
    articles = tmp_path / "articles"
    body = (
        "The port of Valdora reopened on Monday after the storm had closed it for a week, "
        "harbour officials said, and the first ferries sailed at noon."
    )
    write_article(articles, "gold.txt", "Valdora port reopens", "20220610", "https://a.test/1",
                  body, "Fishing boats returned to the harbour in the afternoon.")  # fmt: skip
    write_article(articles, "twin.txt", "Valdora port reopens after storm", "20220610",
                  "https://b.test/9", body, "Traders welcomed the news.")  # fmt: skip
    write_article(articles, "other.txt", "Chess final", "20220601", "https://n.test/3",
                  "A teenager won the national chess final in a tiebreak.")  # fmt: skip
    subset = tmp_path / "subset-2.txt"
    subset.write_text("gold.txt\nother.txt\n")
    questions = tmp_path / "q.jsonl"
    row = {"id": "q1", "query": "When did the port of Valdora reopen?", "answer": "Monday",
           "question_date": "2022-06-15", "evidence": [{"target_file": "gold.txt"}]}  # fmt: skip
    questions.write_text(json.dumps(row) + "\n")
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(tmp_path / "data"), "eval",
           "--articles", str(articles), "--subset", str(subset), "--questions", str(questions),
           "-k", "2", "--answers", "--out", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text())
    assert rows["subset-2 · archive"]["files"] == 2 and rows["full · archive"]["files"] == 3
    names = list(rows)
    assert names.index("full · hybrid") == names.index("subset-2 · hybrid") + 1  # side by side
    assert rows["subset-2 · hybrid"]["hit@2"] == 1.0
    full = rows["full · hybrid"]
    assert full["hit@2_story"] == 1.0 and full["MRR@10_story"] == 1.0
    # the twin may rank first: wrong by file, right by story
    assert full["MRR@10"] in (0.5, 1.0)
    answers = rows["full · answers offline"]
    assert answers["citation_precision_story"] == 1.0
    assert answers["citation_precision_story"] >= answers["citation_precision"]
    assert "subset-2 · hybrid" in done.stdout and "full · hybrid" in done.stdout


def test_story_level_targets_are_the_reports_of_the_story_that_hold_the_answer(archive):
    folder = archive.settings.data_dir.parent / "articles"
    storm = ("The port of Valdora reopened {} after the storm had closed it for a week, harbour "
             "officials said, and the first ferries to the islands sailed at noon.")  # fmt: skip
    paths = [
        write_article(folder, "gold.txt", "Valdora port reopens", "20220610", "https://a.test/1",
                      storm.format("on Monday"), "Fishing boats returned in the afternoon."),
        write_article(folder, "twin.txt", "Valdora port reopens after storm", "20220610",
                      "https://b.test/9", storm.format("on Monday"), "Traders were relieved."),
        write_article(folder, "sibling.txt", "Storm over, Valdora port reopens", "20220611",
                      "https://c.test/4", storm.format("this week"), "Ferry crews were glad."),
        write_article(folder, "other.txt", "Chess final", "20220610", "https://n.test/3",
                      "A teenager won the national chess final in a tiebreak on Monday."),
    ]  # fmt: skip
    archive.ingest(paths)
    story = {d.source: d.story_id or d.copy_of or d.doc_id for d in archive.documents()}
    assert story["gold.txt"] == story["twin.txt"] == story["sibling.txt"] != story["other.txt"]
    question = Question("q", "When did the port of Valdora reopen?", "Monday",
                        frozenset({"gold.txt"}))  # fmt: skip
    [widened] = widen_to_stories(archive, [question])
    # the sibling reports the story without the answer; the chess final holds "Monday" only
    assert widened.story_targets == {"gold.txt", "twin.txt"}
    assert widened.targets == {"gold.txt"}


def test_the_eval_says_how_many_gold_answers_are_written_in_their_articles(archive):
    folder = archive.settings.data_dir.parent / "articles"
    gold = write_article(folder, "gold.txt", "Valdora port reopens", "20220610",
                         "https://a.test/1", "The port of Valdora reopened on Monday.")  # fmt: skip
    archive.ingest([gold])
    asked = [Question("q1", "When did the port of Valdora reopen?", "Monday", T),
             Question("q2", "Which port reopened?", "Port of Valdora, Kessel", T)]  # fmt: skip
    # "Port of Valdora, Kessel" is worded otherwise: no answer can quote it as the metrics read
    assert written(archive, asked) == 0.5

"""Honest tuning: folds hold whole quiz weeks, and `eval --answers --folds K` prints the
in-fold and out-of-fold figures and the weights each fold chose."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from rag.eval.answers import LATER_DAYS
from rag.eval.common import Question
from rag.eval.folds import SEARCH_GRID, Outcome, SearchTuner
from rag.eval.tuning import cross_validate, week_folds
from tests.conftest import ROOT, write_article


def _q(qid: str, day: str) -> Question:
    return Question(qid, "q", "a", frozenset(), dt.date.fromisoformat(day))


def test_folds_hold_whole_weeks_and_a_too_early_question_stays_with_its_own():
    days = ["2022-06-06", "2022-06-08", "2022-06-13", "2022-06-20", "2022-06-22", "2022-06-27"]
    asked = [(_q(f"q{i}", d), False) for i, d in enumerate(days)]
    early = (_q("q1", "2022-04-27"), True)  # q1 asked 42 days early: another week
    fold = week_folds([*asked, early], 3)
    assert fold[0] == fold[1] and fold[3] == fold[4]  # same week, same fold
    assert len(set(fold[:6])) == 3  # four weeks dealt round three folds
    assert fold[6] == fold[1]


def test_the_answer_fit_counts_citations_of_articles_that_do_not_hold_the_answer():
    """Two answers that both quote the gold answer first: the one that also cites two
    articles holding nothing of it gains less; citing the answer's own story costs nothing."""
    own = Outcome(cited=True, first=True, read=True, refused=False, articles=1, right=1,
                  in_story=1)  # fmt: skip
    scattered = Outcome(True, True, True, False, articles=3, right=1, in_story=1)
    same_story = Outcome(True, True, True, False, articles=2, right=1, in_story=2)
    assert own.gain(False) > scattered.gain(False)
    assert own.gain(False) == same_story.gain(False)
    refused = Outcome(False, False, True, True, articles=0, right=0)
    assert refused.gain(True) == 1.0 and refused.gain(False) < scattered.gain(False)


def _corpus(folder: Path) -> list[dict]:
    """Four weeks of harbour news, a question each week."""
    towns = ["Valdora", "Merrowby", "Carrowmore", "Ballyglass"]
    questions = []
    for i, town in enumerate(towns):
        day = dt.date(2022, 6, 6) + dt.timedelta(weeks=i)
        write_article(
            folder, f"{town}.txt", f"{town} harbour reopens", f"{day:%Y%m%d}",
            f"https://n.test/{town}",
            f"The port of {town} reopened on Monday after the storm, officials said.",
            f"Harbour master Ilse Brandt{i} said {i + 2} ferries would sail again this week.",
        )  # fmt: skip
        questions.append({
            "id": town, "query": f"Who is the harbour master of {town}?",
            "answer": f"Ilse Brandt{i}", "question_date": f"{day + dt.timedelta(days=2)}",
            "evidence": [{"target_file": f"{town}.txt"}],
        })  # fmt: skip
    return questions


def test_eval_folds_prints_in_fold_and_out_of_fold_figures_and_the_weights(tmp_path: Path):
    questions = tmp_path / "q.jsonl"
    rows = _corpus(tmp_path / "articles")
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(tmp_path / "data"), "eval",
           "--articles", str(tmp_path / "articles"), "--questions", str(questions),
           "--answers", "--no-retrieval", "--folds", "2", "--fix", "keyword=0.3",
           "--out", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "fitted, out-of-fold (2 folds)" in done.stdout
    assert "weights chosen" in done.stdout
    result = json.loads(out.read_text())
    assert result["fitted, out-of-fold (2 folds)"]["questions"] == 4
    assert result["weights: fold 1"]["keyword"] == 0.3  # --fix keeps it out of the fit
    assert result["weights: fold 2"]["keyword"] == 0.3
    assert result["fitted, out-of-fold (2 folds)"]["answer_in_citation"] == 1.0


def test_fixing_an_unknown_weight_is_a_clear_error(tmp_path: Path):
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(tmp_path / "data"), "eval",
           "--articles", str(tmp_path), "--questions", str(tmp_path / "q.jsonl"),
           "--answers", "--folds", "2", "--fix", "kewyord=0.3"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode != 0
    assert "--fix kewyord=0.3: the weights are" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_search_weights_are_fitted_out_of_fold_and_the_age_prior_finds_the_weeks_news(
    archive,
):
    """Each week's question is about that week's count; the first week's report matches
    the words best, so only a prior on age finds the later weeks' answers."""
    folder = archive.settings.data_dir.parent / "articles"
    questions, paths = [], []
    for week in range(4):
        day = dt.date(2022, 6, 6) + dt.timedelta(weeks=week)
        text = (
            "Harbour master Ilse Brandt said 2 ferries sailed from Valdora this week, the most "
            "ferries to sail from Valdora harbour in a week, the harbour master said."
            if week == 0
            else f"Valdora's harbour logged {week + 2} sailings in the week, its master noted, "
            f"after a season of {['gales', 'repairs', 'strikes'][week - 1]} at the quay."
        )
        paths.append(write_article(folder, f"w{week}.txt", f"Valdora harbour, week {week + 1}",
                                   f"{day:%Y%m%d}", f"https://n.test/{week}", text))  # fmt: skip
        questions.append(Question(f"q{week}", "How many ferries sailed from Valdora this week?",
                                  str(week + 2), frozenset({f"w{week}.txt"}),
                                  day + dt.timedelta(days=1)))  # fmt: skip
    archive.ingest(paths)
    tuner = SearchTuner(archive, questions, k=4)
    dateless = dict(tuner.start) | {"fusion_date_weight": 0.0}  # "this week" ranks it too
    no_prior = dateless | {"fusion_recency_weight": 0.0}
    steep = dateless | {"fusion_recency_weight": 2.0, "fusion_recency_days": 3.0}
    flat_mrr = tuner.summary(enumerate(tuner.outcomes(tuple(sorted(no_prior.items())))))
    steep_mrr = tuner.summary(enumerate(tuner.outcomes(tuple(sorted(steep.items())))))
    assert flat_mrr["MRR@10"] < 1.0  # the first week's report outranks the later answers
    assert steep_mrr["MRR@10"] == 1.0
    rows, chosen = cross_validate(tuner, 2, {"fusion_date_weight": 0.0, "keyword": 0.3})
    assert rows["fitted, out-of-fold (2 folds)"]["questions"] == 4
    assert rows["fitted, out-of-fold (2 folds)"]["MRR@10"] > flat_mrr["MRR@10"]
    for weights in chosen.values():
        assert weights["fusion_date_weight"] == 0.0 and "keyword" not in weights
        assert all(weights[name] in values for name, values in SEARCH_GRID.items())


def test_the_search_fit_also_asks_each_timeless_question_later_in_its_own_fold(archive):
    day = dt.date(2022, 6, 26)
    timeless = Question("1", "Which team won the 2022 Stanley Cup?", "x", frozenset({"a"}), day)
    dated = Question("2", "Who won the vote this week?", "x", frozenset({"b"}), day)
    tuner = SearchTuner(archive, [timeless, dated], k=4)
    asked = [(q.id, q.as_of, later) for q, later in tuner.questions]
    assert asked == [("1", day, False), ("2", day, False),
                     ("1", day + dt.timedelta(days=LATER_DAYS), True)]  # fmt: skip
    fold = week_folds(tuner.questions, 2)
    assert fold[2] == fold[0]  # never fitted on one and measured on its twin
    assert "MRR@10_later" in tuner.summary(enumerate(tuner.outcomes(tuner.start)))

"""The job log: counts, item outcomes, and jobs that stopped or whose process died."""

from __future__ import annotations

import sqlite3

from rag.sources.jobs import KEEP_JOBS, Jobs
from rag.types import FileResult


def results(n: int):
    for i in range(n):
        yield FileResult(f"item-{i}", "skipped" if i % 3 == 0 else "unchanged", reason="bad")


def test_a_job_counts_everything_and_keeps_what_was_not_unchanged(tmp_path):
    jobs = Jobs(tmp_path / "s.sqlite3")
    assert len(list(jobs.track("import", "dump.jsonl", results(7)))) == 7
    [job] = jobs.recent()
    assert (job.kind, job.label, job.status) == ("import", "dump.jsonl", "done")
    assert job.counts == {"skipped": 3, "unchanged": 4} and job.finished
    assert [r.path for r in job.items] == ["item-0", "item-3", "item-6"]


def test_a_job_left_early_is_stopped_and_one_whose_process_died_is_interrupted(tmp_path):
    jobs = Jobs(tmp_path / "s.sqlite3")
    running = jobs.track("feeds", "Valdora", results(5))
    next(running)
    running.close()
    assert jobs.recent()[0].status == "stopped"
    with sqlite3.connect(tmp_path / "s.sqlite3") as db:  # as a crashed process leaves it
        db.execute("INSERT INTO jobs (kind, label, started, status, pid) "
                   "VALUES ('import', 'x', '2026-01-01', 'running', 2147483646)")  # fmt: skip
    assert jobs.recent()[0].status == "interrupted"


def test_only_the_newest_jobs_are_kept(tmp_path):
    jobs = Jobs(tmp_path / "s.sqlite3")
    for i in range(KEEP_JOBS + 5):
        list(jobs.track("urls", f"job {i}", results(1)))
    kept = jobs.recent(limit=1000)
    assert len(kept) == KEEP_JOBS and kept[0].label == f"job {KEEP_JOBS + 4}"

"""The log of what came into the archive: one job per feed poll, URL fetch, import or
upload, with the outcome of each item (added, updated, skipped and why; an unchanged item
is only counted). Kept in SQLite beside the manifest, so the CLI, the UI and the API of
any process see the same jobs; a job whose process died shows as interrupted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from rag.index.connections import open_wal
from rag.types import FileResult

KEEP_JOBS = 100  # older jobs and their items are dropped
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}',
    pid INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS job_items (
    job_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    title TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (job_id, n)
);
"""


@dataclass(frozen=True)
class Job:
    id: int
    kind: str  # "files", "upload", "import", "urls", "feeds"
    label: str
    started: str
    finished: str
    status: str  # "running", "done", "failed", "stopped" or "interrupted"
    counts: dict[str, int]
    items: tuple[FileResult, ...] = ()


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open_wal(path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Jobs:
    def __init__(self, path: Path) -> None:
        self.path = path
        with closing(connect(path)) as db:
            db.executescript(_SCHEMA)

    def track(self, kind: str, label: str, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """Pass `results` on, logging them as one job."""
        db = connect(self.path)
        with db:
            job = db.execute(
                "INSERT INTO jobs (kind, label, started, status, pid) VALUES (?, ?, ?, ?, ?)",
                (kind, label[:300], _now(), "running", os.getpid()),
            ).lastrowid
            db.execute("DELETE FROM jobs WHERE id <= ?", (job - KEEP_JOBS,))
            db.execute("DELETE FROM job_items WHERE job_id <= ?", (job - KEEP_JOBS,))
        counts: Counter[str] = Counter()
        status, saved = "failed", time.monotonic()
        try:
            for n, r in enumerate(results, start=1):
                counts[r.status] += 1
                if r.status != "unchanged":
                    db.execute(
                        "INSERT INTO job_items VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (job, n, r.path[:500], r.status, r.doc_id, r.title[:300], r.reason[:500]),
                    )
                if time.monotonic() - saved > 1:  # the UI sees a running job's progress
                    db.execute("UPDATE jobs SET counts = ? WHERE id = ?", (json.dumps(counts), job))
                    db.commit()
                    saved = time.monotonic()
                yield r
            status = "done"
        except GeneratorExit:
            status = "stopped"
            raise
        finally:
            with db:
                db.execute(
                    "UPDATE jobs SET counts = ?, status = ?, finished = ? WHERE id = ?",
                    (json.dumps(counts), status, _now(), job),
                )
            db.close()

    def recent(self, limit: int = 20, items: int = 200) -> list[Job]:
        """The newest jobs first, each with up to `items` of its item outcomes."""
        with closing(connect(self.path)) as db:
            rows = db.execute(
                "SELECT id, kind, label, started, finished, status, counts, pid FROM jobs "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
            jobs = []
            for id_, kind, label, started, finished, status, counts, pid in rows:
                if status == "running" and not _alive(pid):
                    status = "interrupted"
                found = db.execute(
                    "SELECT label, status, doc_id, title, reason FROM job_items "
                    "WHERE job_id = ? ORDER BY n LIMIT ?",
                    (id_, items),
                ).fetchall()
                outcomes = tuple(FileResult(p, s, d, t, 0, r) for p, s, d, t, r in found)
                jobs.append(
                    Job(id_, kind, label, started, finished, status, json.loads(counts), outcomes)
                )
        return jobs


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

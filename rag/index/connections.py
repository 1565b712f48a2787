"""One SQLite connection per thread, behind the interface of one connection.

The API server answers requests on a pool of threads; sharing one connection between them
lets one thread's half-done transaction be seen, or committed, by another. Each thread here
gets a connection of its own to the same file (WAL mode: readers never block the writer).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from pathlib import Path

TIMEOUT_S = 30


def open_wal(path: Path, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection to the database at `path` in WAL mode, waiting up to TIMEOUT_S for other
    writers. Switching a new database to WAL fails at once, without waiting, while another
    process is opening it too ("database is locked"): that switch is retried until then."""
    db = sqlite3.connect(path, timeout=TIMEOUT_S, check_same_thread=check_same_thread)
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return db
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.05)


class _Held:
    """A thread's connection; freed (and the connection closed) when the thread ends."""

    __slots__ = ("db", "__weakref__")

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db


class PerThread:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._lock = threading.Lock()

    @property
    def connection(self) -> sqlite3.Connection:
        held = getattr(self._local, "held", None)
        if held is None:
            held = _Held(open_wal(self.path, check_same_thread=False))
            self._local.held = held
            with self._lock:
                self._all.add(held)
        return held.db

    def execute(self, sql: str, parameters=()) -> sqlite3.Cursor:
        return self.connection.execute(sql, parameters)

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        return self.connection.executemany(sql, rows)

    def executescript(self, script: str) -> sqlite3.Cursor:
        return self.connection.executescript(script)

    def commit(self) -> None:
        self.connection.commit()

    def __enter__(self) -> sqlite3.Connection:
        return self.connection.__enter__()

    def __exit__(self, *exc: object) -> bool:
        return bool(self.connection.__exit__(*exc))

    def close(self) -> None:
        """Close every thread's connection (at the end: no thread may use it after)."""
        with self._lock:
            for held in list(self._all):
                held.db.close()
            self._all.clear()
        self._local = threading.local()

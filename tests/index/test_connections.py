"""The manifest's connections: one per thread, so request threads never share a
transaction, and none left open by threads that ended (the app runs each rerun in a thread)."""

from __future__ import annotations

import gc
import threading

from rag.index.connections import PerThread


def test_a_thread_never_sees_another_threads_unfinished_transaction(tmp_path):
    db = PerThread(tmp_path / "m.sqlite3")
    db.execute("CREATE TABLE t (x INTEGER)")
    db.commit()
    db.execute("INSERT INTO t VALUES (1)")  # begun here, not committed
    seen = []
    reader = threading.Thread(
        target=lambda: seen.append(db.execute("SELECT COUNT(*) FROM t").fetchone()[0])
    )
    reader.start()
    reader.join()
    assert seen == [0]
    db.commit()
    assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1


def test_connections_of_ended_threads_are_closed(tmp_path):
    db = PerThread(tmp_path / "m.sqlite3")
    for _ in range(20):
        t = threading.Thread(target=lambda: db.execute("SELECT 1").fetchone())
        t.start()
        t.join()
    gc.collect()
    assert len(db._all) == 0
    db.execute("SELECT 1")
    assert len(db._all) == 1
    db.close()
    assert len(db._all) == 0

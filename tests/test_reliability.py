"""Kill the ingest process (SIGKILL) at random points; the archive must stay whole.

After every kill: each document in the manifest has all the chunks of its current version
and searches see nothing else. After a final run: every article exactly once, chunk counts
as in the manifest, and the keyword index covering exactly the current chunks.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from rag.pipeline import Archive
from rag.settings import Settings
from tests.conftest import ROOT, write_article

WORDS = "council harbour budget storm bridge election court ferry school rail".split()


def _articles(folder: Path, n: int, edition: int) -> None:
    rng = random.Random(n)
    for i in range(n):
        paras = [
            " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + f" edition {edition}."
            for _ in range(12)
        ]
        write_article(
            folder, f"a{i:02}.txt", f"Story {i}", "20220301", f"https://n.test/{i}", *paras
        )


def _ingest(data: Path, folder: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(data), "ingest", str(folder)]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _check_whole(data: Path) -> dict[str, str]:
    """Every committed document has exactly its version's chunks; returns doc -> version."""
    archive = Archive(Settings(data_dir=data, seed_dir=None))
    versions = archive.manifest.all_versions()
    rows = list(archive.store.rows())
    for doc in archive.documents():
        current = [r for r in rows if r[1] == doc.doc_id and r[2] == versions[doc.doc_id]]
        assert len(current) == doc.chunks, f"{doc.doc_id}: {len(current)} != {doc.chunks}"
    archive.manifest.close()
    return versions


def test_sigkill_at_random_points_never_breaks_the_archive(tmp_path: Path):
    folder, data = tmp_path / "articles", tmp_path / "data"
    _articles(folder, 24, edition=1)
    rng = random.Random(7)
    kills = 0
    for edition in (1, 1, 1, 2, 2, 2):  # later kills hit the replacement of changed documents
        if edition == 2:
            _articles(folder, 24, edition=2)
        before = _check_whole(data) if data.exists() else {}
        proc = _ingest(data, folder)
        time.sleep(rng.uniform(6, 16))  # start-up takes a few seconds; then it is writing
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        after = _check_whole(data)
        assert set(before) <= set(after)  # a kill never loses a document that was there
    print(f"killed the ingest {kills} times")
    assert kills >= 3, "the ingest finished before it could be killed; use more articles"
    assert _ingest(data, folder).wait() == 0
    archive = Archive(Settings(data_dir=data, seed_dir=None))
    docs = archive.documents()
    assert len(docs) == 24 and len({d.doc_id for d in docs}) == 24
    assert archive.store.count() == sum(d.chunks for d in docs)  # no leftovers, no duplicates
    archive._sync_keyword()
    assert sorted(archive.keyword.chunk_ids) == sorted(r[0] for r in archive.store.rows())
    text = archive.document(docs[0].doc_id)[1]
    assert "edition 2." in text and "edition 1." not in text


def test_two_ingests_at_once_take_turns(tmp_path: Path):
    data = tmp_path / "data"
    _articles(tmp_path / "one", 12, edition=1)
    for i in range(12):
        write_article(
            tmp_path / "two",
            f"b{i:02}.txt",
            f"Other {i}",
            "20220302",
            f"https://m.test/{i}",
            f"Ferry timetable {i} changes on Monday.",
        )
    first, second = (
        subprocess.Popen(
            [sys.executable, "-m", "rag", "--data-dir", str(data), "ingest", str(tmp_path / name)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    )
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert any("waiting for it to finish" in err for _, err in outputs)
    archive = Archive(Settings(data_dir=data, seed_dir=None))
    docs = archive.documents()
    assert len(docs) == 24
    assert archive.store.count() == sum(d.chunks for d in docs)


def test_questions_are_answered_correctly_while_another_process_ingests(tmp_path: Path):
    from tests.conftest import BLINKEN, SEEDS

    data, folder = tmp_path / "data", tmp_path / "articles"
    reader = Archive(Settings(data_dir=data, seed_dir=None))
    reader.ingest([SEEDS])
    _articles(folder, 30, edition=1)
    writer = _ingest(data, folder)
    answers = 0
    try:
        while writer.poll() is None or answers == 0:
            answer = reader.ask("what did Blinken say about a summit?")
            assert any(BLINKEN in c.quote for c in answer.citations)
            answers += 1
    finally:
        writer.wait(timeout=600)
    assert writer.returncode == 0
    print(f"answered {answers} questions during the ingest")
    assert len(reader.documents()) == 31
    # the reader sees what was written meanwhile, in both indexes
    for mode in ("dense", "keyword"):
        assert reader.search("council harbour budget edition 1", k=3, mode=mode)[
            0
        ].title.startswith("Story")


def test_ingest_streams_files_one_at_a_time(tmp_path: Path, monkeypatch):
    """Memory stays bounded by one file: each is read, embedded and written before the next
    is even opened, however large the folder."""
    import rag.pipeline

    folder = tmp_path / "articles"
    _articles(folder, 3, edition=1)
    archive = Archive(Settings(data_dir=tmp_path / "data", seed_dir=None))
    events: list[str] = []
    read, add = rag.pipeline.read_article, archive.add

    def reading(path, max_bytes=None):
        events.append(f"read {path.name}")
        return read(path, max_bytes)

    def adding(article, path=""):
        events.append(f"wrote {Path(path).name}")
        return add(article, path)

    monkeypatch.setattr(rag.pipeline, "read_article", reading)
    archive.add = adding
    archive.ingest([folder])
    names = ["a00.txt", "a01.txt", "a02.txt"]
    assert events == [e for n in names for e in (f"read {n}", f"wrote {n}")]

"""Crash the writer at every one of its write steps; the archive must stay whole.

A debug setting (RAG_CRASH_AFTER_STEP=N) makes the ingest or delete process die right after
its Nth write, so every crash point is reached on any machine, however fast. After each
crash: every document that was there is still there, each with exactly the chunks of its
current version. After the same command is run again: every article exactly once, chunk
counts as in the manifest, and the keyword index covering exactly the current chunks.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from filelock import FileLock

import rag.cli
from rag.index.manifest import Manifest
from rag.index.steps import CRASH_EXIT
from rag.ingest.articles import read_article
from rag.pipeline import Archive
from rag.settings import Settings
from tests.conftest import ROOT, write_article

WORDS = "council harbour budget storm bridge election court ferry school rail".split()


def _article(folder: Path, i: int, edition: int, paragraphs: int = 12) -> None:
    rng = random.Random(i)
    paras = [
        " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + f" edition {edition}."
        for _ in range(paragraphs)
    ]
    paras.append(f"“The {WORDS[i % 10]} plan stands, edition {edition},” Mayor Ilse Brandt said.")
    write_article(folder, f"a{i:02}.txt", f"Story {i}", "20220301", f"https://n.test/{i}", *paras)


def _articles(folder: Path, n: int, edition: int) -> None:
    for i in range(n):
        _article(folder, i, edition)


def _ingest(data: Path, folder: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "rag", "--data-dir", str(data), "ingest", str(folder)]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _open(data: Path, embedder) -> Archive:
    archive = Archive(Settings(data_dir=data, seed_dir=None))
    archive.backends.embedder = embedder
    return archive


def _check_whole(archive: Archive) -> set[str]:
    """Every committed document has exactly its version's chunks; returns the documents."""
    versions = archive.manifest.all_versions()
    copies = archive.manifest.db.execute("SELECT doc_id, copy_of FROM copies").fetchall()
    assert {doc for doc, _ in copies} == set(versions)  # each checked for copies, with it
    assert {original for _, original in copies if original} <= set(versions)
    db = archive.manifest.db
    stories = dict(db.execute("SELECT doc_id, story_id FROM story_docs").fetchall())
    assert set(stories) == set(versions)  # each in a story, written with it
    terms = {r[0] for r in db.execute("SELECT DISTINCT story_id FROM story_terms")}
    assert terms == set(stories.values())  # no story left over from a deleted document
    sizes = dict(db.execute("SELECT story_id, size FROM stories").fetchall())
    assert sizes == {s: list(stories.values()).count(s) for s in set(stories.values())}
    quoted = {r[0] for r in db.execute("SELECT doc_id FROM quoted_docs")}
    assert quoted == set(versions)  # each one's attributions written with it
    said = {r[0] for r in db.execute("SELECT DISTINCT doc_id FROM quotes")}
    assert said == set(versions)  # every article quotes its mayor; none left over
    for doc_id, start, end in db.execute("SELECT doc_id, start, end FROM quotes"):
        assert 0 <= start < end <= len(archive.document(doc_id)[1])  # within the current text
    named = {r[0] for r in db.execute("SELECT doc_id FROM named_docs")}
    assert named == set(versions)  # each one's names written with it
    mayors = db.execute("SELECT doc_id, start, end FROM entities WHERE key LIKE '%ilse brandt'")
    by_doc = {doc_id: (start, end) for doc_id, start, end in mayors}
    assert set(by_doc) == set(versions)  # none left over from a deleted or replaced version
    for doc_id, (start, end) in by_doc.items():
        assert archive.document(doc_id)[1][start:end].endswith("Ilse Brandt")
    rows = list(archive.backends.store.rows())
    for doc in archive.documents():
        current = [r for r in rows if r[1] == doc.doc_id and r[2] == versions[doc.doc_id]]
        assert len(current) == doc.chunks, f"{doc.doc_id}: {len(current)} != {doc.chunks}"
    return set(versions)


def _check_final(archive: Archive, texts: dict[str, str]) -> None:
    """After a clean run: the documents of `texts` (doc_id -> text) once each, with those
    texts, and nothing else in either index."""
    found = archive.documents()
    assert sorted(d.doc_id for d in found) == sorted(texts)
    assert archive.backends.store.count() == sum(
        d.chunks for d in found
    )  # no leftovers or duplicates
    archive.writer.update_keyword()
    assert sorted(archive.backends.keyword.chunk_ids) == sorted(
        r[0] for r in archive.backends.store.rows()
    )
    assert {d.doc_id: archive.document(d.doc_id)[1] for d in found} == texts
    hits = archive.search("council harbour budget", k=20, mode="keyword")
    assert hits and {h.doc_id for h in hits} <= texts.keys()


def _texts(folder: Path) -> dict[str, str]:
    articles = (read_article(p) for p in sorted(folder.glob("*.txt")))
    return {a.doc_id: a.text for a in articles}


def _add(folder: Path) -> None:
    for i in range(4):
        _article(folder, i, 1, paragraphs=3)


def _replace(folder: Path) -> None:
    for i in (0, 1):
        _article(folder, i, 2, paragraphs=3)  # changed
    _article(folder, 4, 1, paragraphs=3)  # new; 2 and 3 stay as they were


# Crashed commands run as `python -m rag` would, in children forked from a server that has
# done the imports once (each crash point then costs the command's work, not start-up).
_FORKS = multiprocessing.get_context("forkserver")
_FORKS.set_forkserver_preload(["rag.cli", "sentence_transformers"])


def _cli(argv: list[str], env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.exit(rag.cli.run(argv))


def _run_cli(argv: list[str], env: dict[str, str]) -> int:
    """`python -m rag ARGV` with `env` added, in a process of its own; its exit code."""
    child = _FORKS.Process(target=_cli, args=(argv, env))
    child.start()
    child.join()
    return child.exitcode


def test_a_crash_at_every_write_step_never_breaks_the_archive(tmp_path: Path, embedder):
    """Add 4 articles; replace 2 and add 1; delete 1. Each is crashed after every one of its
    write steps in turn, checked, then run again to completion and checked."""
    folder, state = tmp_path / "articles", tmp_path / "state"  # state: before the phase
    crash_points = 0
    for phase in ("add", "replace", "delete"):
        before = _open(state, embedder)
        had = {d.doc_id for d in before.documents()}
        before.backends.store.client.close()
        command = ["ingest", str(folder)]
        if phase == "add":
            _add(folder)
        elif phase == "replace":
            _replace(folder)
        else:
            command = ["delete", sorted(had)[0]]
        expected = {d: t for d, t in _texts(folder).items() if d != command[-1]}
        step = 0
        while True:
            step += 1
            data = tmp_path / f"{phase}-{step}"
            shutil.copytree(state, data)
            code = _run_cli(
                ["--data-dir", str(data), *command], {"RAG_CRASH_AFTER_STEP": str(step)}
            )
            if code != CRASH_EXIT:
                assert code == 0, f"{phase} failed at step {step} (exit {code})"
                break  # finished before reaching this step: every step has been crashed
            crash_points += 1
            crashed = _open(data, embedder)
            lost = had - _check_whole(crashed) - {command[-1]}
            assert not lost, f"{phase}, crash after step {step}: lost {lost}"
            if phase == "delete":
                crashed.delete(command[-1])
            else:
                crashed.ingest([folder])
            _check_final(crashed, expected)
            crashed.backends.store.client.close()
            shutil.rmtree(data)
        finished = _open(data, embedder)
        _check_final(finished, expected)
        finished.backends.store.client.close()
        print(f"{phase}: crashed after each of its {step - 1} write steps")
        shutil.rmtree(state, ignore_errors=True)
        data.rename(state)  # the clean run's archive is where the next phase starts
    print(f"{crash_points} crash points exercised, nothing lost")
    assert crash_points >= 50


def test_two_ingests_at_once_take_turns(tmp_path: Path):
    """Both find the archive busy (the test holds its lock until both say they wait), then
    each writes in turn: nothing depends on which process is faster."""
    data = tmp_path / "data"
    data.mkdir()
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
    lock = FileLock(Settings(data_dir=data).lock_path)
    lock.acquire()
    logs = [tmp_path / f"{name}.log" for name in ("one", "two")]
    procs = []
    for name, log in zip(("one", "two"), logs):
        cmd = [sys.executable, "-m", "rag", "--data-dir", str(data), "ingest", str(tmp_path / name)]
        with log.open("w") as err:
            procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err))
    try:
        waiting = [False, False]
        while not all(waiting) and all(p.poll() is None for p in procs):
            waiting = ["waiting for it to finish" in log.read_text() for log in logs]
            time.sleep(0.1)
    finally:
        lock.release()
    codes = [p.wait(timeout=600) for p in procs]
    assert codes == [0, 0], [log.read_text() for log in logs]
    assert all(waiting)
    archive = Archive(Settings(data_dir=data, seed_dir=None))
    docs = archive.documents()
    assert len(docs) == 24
    assert archive.backends.store.count() == sum(d.chunks for d in docs)


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
    import rag.ingest.readers

    folder = tmp_path / "articles"
    _articles(folder, 3, edition=1)
    archive = Archive(Settings(data_dir=tmp_path / "data", seed_dir=None))
    events: list[str] = []
    read, add = rag.ingest.readers.read_article, archive.writer.add

    def reading(path, max_bytes=None):
        events.append(f"read {path.name}")
        return read(path, max_bytes)

    def adding(article, path="", ready=None):
        events.append(f"wrote {Path(path).name}")
        return add(article, path, ready)

    monkeypatch.setattr(rag.ingest.readers, "read_article", reading)
    monkeypatch.setattr(archive.writer, "add", adding)
    archive.ingest([folder])
    names = ["a00.txt", "a01.txt", "a02.txt"]
    assert events == [e for n in names for e in (f"read {n}", f"wrote {n}")]


def _open_manifest(path: str, start: multiprocessing.synchronize.Barrier, results) -> None:
    start.wait()  # every process opens the new database at the same moment
    try:
        Manifest(Path(path)).generation()
        results.put("ok")
    except Exception as e:  # what the user would see: "database is locked"
        results.put(f"{type(e).__name__}: {e}")


def test_commands_started_together_on_a_new_archive_all_open_it(tmp_path: Path):
    """Four processes open one new archive database at once, ten times over (switching it
    to WAL failed at once with "database is locked" in about a third of such starts)."""
    context = multiprocessing.get_context("fork")
    for trial in range(10):
        start, results = context.Barrier(4), context.Queue()
        path = str(tmp_path / f"archive{trial}" / "manifest.sqlite")
        procs = [context.Process(target=_open_manifest, args=(path, start, results))
                 for _ in range(4)]  # fmt: skip
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
        assert [results.get(timeout=5) for _ in procs] == ["ok"] * 4

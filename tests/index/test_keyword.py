"""The keyword index updates incrementally: new chunks go to a small segment, the sealed one
is written once, and scores stay comparable with a full rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.index import keyword
from rag.index.keyword import KeywordIndex, Row

TOPICS = ["harbour strike", "council budget", "rail timetable", "school meals", "flood defences"]


def _rows(doc: str, version: str, n: int, extra: str = "") -> list[Row]:
    return [
        Row(
            f"{doc}-{version}-{i}",
            doc,
            version,
            20220301 + i % 20,
            "news.test",
            f"The {TOPICS[i % 5]} story number {i} of {doc}, in which the mayor spoke. {extra}",
        )
        for i in range(n)
    ]


class Archive:
    """Rows by document, as the chunk store would hand them to the index."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {}
        self.versions: dict[str, str] = {}
        self.generation = 0

    def put(self, rows: list[Row]) -> None:
        self.rows[rows[0].doc_id] = rows
        self.versions[rows[0].doc_id] = rows[0].version
        self.generation += 1

    def drop(self, doc: str) -> None:
        del self.rows[doc], self.versions[doc]
        self.generation += 1

    def sync(self, index: KeywordIndex) -> None:
        index.update(
            self.versions,
            lambda docs: [r for d in docs for r in self.rows.get(d, [])],
            lambda: [r for rows in self.rows.values() for r in rows],
            self.generation,
        )


def _sealed_name(folder: Path) -> str:
    return next(p.name for p in folder.iterdir() if p.name.startswith("sealed-"))


def test_new_changed_and_deleted_documents_without_rewriting_the_sealed_segment(tmp_path):
    archive, folder = Archive(), tmp_path / "kw"
    for d in range(30):
        archive.put(_rows(f"old{d}", "v1", 10))
    index = KeywordIndex(folder)
    archive.sync(index)  # first build: everything sealed
    sealed = _sealed_name(folder)
    assert len(index.chunk_ids) == 300

    archive.put(_rows("fresh", "v1", 3, extra="Zorvath resigned."))
    archive.put(_rows("old0", "v2", 2, extra="Brellin took over."))  # changed
    archive.drop("old1")
    archive.sync(index)

    reopened = KeywordIndex(folder)  # what another process sees
    assert reopened.generation == archive.generation
    assert _sealed_name(folder) == sealed  # not rewritten
    assert len(reopened.chunk_ids) == 300 - 10 - 10 + 2 + 3
    assert {c for c, _ in reopened.search("Zorvath resigned", 5)} == {
        f"fresh-v1-{i}" for i in range(3)
    }
    assert reopened.search("Brellin", 5)[0][0].startswith("old0-v2-")
    found = {c for c, _ in reopened.search("mayor spoke story", 400)}
    assert not any(c.startswith(("old0-v1-", "old1-")) for c in found)
    assert found == set(reopened.chunk_ids)


def test_scores_of_new_chunks_match_a_full_rebuild(tmp_path):
    archive = Archive()
    for d in range(40):
        archive.put(_rows(f"old{d}", "v1", 10))
    index = KeywordIndex(tmp_path / "kw")
    archive.sync(index)
    # "budget" is common in the sealed segment but appears once among the new chunks:
    # scored with the new chunks' own statistics it would look rare and rank too high.
    archive.put(_rows("fresh", "v1", 1, extra="The budget vote failed."))
    archive.sync(index)
    full = KeywordIndex(tmp_path / "full")
    full.rebuild(
        [r for rows in archive.rows.values() for r in rows], archive.versions, archive.generation
    )
    incremental = dict(index.search("budget vote", 50))
    rebuilt = dict(full.search("budget vote", 50))
    assert incremental["fresh-v1-0"] == pytest.approx(rebuilt["fresh-v1-0"], rel=0.05)
    assert next(iter(incremental)) == next(iter(rebuilt)) == "fresh-v1-0"
    # the sealed rows (ties among them in any order) score as in the full rebuild, too
    assert list(incremental.values())[:20] == pytest.approx(list(rebuilt.values())[:20], rel=0.05)


def test_the_small_segment_is_merged_once_it_outgrows_its_share(tmp_path, monkeypatch):
    monkeypatch.setattr(keyword, "DELTA_MIN", 25)
    archive, folder = Archive(), tmp_path / "kw"
    for d in range(10):
        archive.put(_rows(f"old{d}", "v1", 10))
    index = KeywordIndex(folder)
    archive.sync(index)
    sealed = _sealed_name(folder)
    archive.put(_rows("a", "v1", 20))
    archive.sync(index)
    assert _sealed_name(folder) == sealed and len(index.small) == 20
    archive.put(_rows("b", "v1", 20))  # 40 new chunks > 25
    archive.sync(index)
    assert _sealed_name(folder) != sealed and len(index.small) == 0
    assert len(index.chunk_ids) == 140
    assert [p.name for p in folder.iterdir()].count("state.json") == 1
    assert len(list(folder.iterdir())) == 3  # state, sealed and small: old segments removed

"""Ingest, ask, update and delete against the real bundled model and a real Chroma store."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.index.chunk_meta import where_clause
from rag.index.embeddings import Embedder
from rag.ingest.articles import read_article
from rag.ingest.chunking import chunk_article
from rag.pipeline import Archive, QuestionError
from rag.search.candidates import candidates
from rag.settings import Settings
from rag.types import Filters
from tests.conftest import BLINKEN, SEEDS, open_archive, write_article


def _chunk_ids(archive: Archive) -> set[str]:
    return set(archive.backends.store.collection.get(include=[])["ids"])


def test_blinken_question_cites_the_blinken_sentence(seeded: Archive):
    answer = seeded.ask("what did Blinken say about a summit?")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.quote.startswith(BLINKEN)
    article = seeded.document(first.doc_id)[1]
    assert article[first.start : first.end] == first.quote  # points at the exact sentence
    assert first.passage_start <= first.start and first.end <= first.passage_start + len(
        first.passage
    )
    assert first.url.startswith("https://www.tasnimnews.com/")
    assert f"[{first.n}]" in answer.text


def test_unrelated_question_is_refused_not_answered_with_weak_matches(seeded: Archive):
    answer = seeded.ask("Who won the football world cup final?")
    assert answer.abstained and not answer.citations
    assert "does not answer" in answer.text


def test_empty_archive_and_bad_questions(archive: Archive):
    assert archive.ask("what did Blinken say?").abstained
    with pytest.raises(QuestionError):
        archive.ask("   \n ")
    with pytest.raises(QuestionError, match="too long"):
        archive.ask("why " * 1000)


def test_reingest_changes_nothing(seeded: Archive):
    before = _chunk_ids(seeded)
    results = seeded.ingest([SEEDS])
    assert [r.status for r in results] == ["unchanged"]
    assert _chunk_ids(seeded) == before
    assert seeded.documents()[0].chunks == len(before)


def test_changed_file_replaces_its_chunks(archive: Archive, seed_copy: Path):
    archive.ingest([seed_copy])
    path = next(seed_copy.glob("*.txt"))
    old_ids = _chunk_ids(archive)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(
        "Ukraine later said the talks in Geneva had produced a written agreement on grain exports."
    )
    path.write_text("\n".join(lines), encoding="utf-8")
    [result] = archive.ingest([path])
    assert result.status == "updated"
    new_ids = _chunk_ids(archive)
    assert not (old_ids & new_ids)  # no old chunk left behind
    assert len(new_ids) == result.chunks == archive.documents()[0].chunks
    assert len(archive.documents()) == 1
    hits = archive.search("written agreement on grain exports in Geneva", k=1)
    assert "grain exports" in hits[0].text


def _vectors(archive: Archive) -> dict[str, np.ndarray]:
    got = archive.backends.store.collection.get(include=["documents", "embeddings"])
    return {text: np.asarray(v) for text, v in zip(got["documents"], got["embeddings"])}


def test_an_updated_article_is_embedded_again_only_where_it_changed(
    archive: Archive, seed_copy: Path, settings: Settings, embedder: Embedder
):
    path = next(seed_copy.glob("*.txt"))
    lines = path.read_text(encoding="utf-8").splitlines()
    [first] = archive.ingest([path])
    assert first.embedded == first.chunks > 3  # a new article: every chunk read by the model
    lines[-1] += " Kyiv later said the talks in Geneva had produced no written agreement."
    path.write_text("\n".join(lines), encoding="utf-8")
    [second] = archive.ingest([path])
    assert second.status == "updated" and 1 <= second.embedded < second.chunks / 2
    # the same archive as one that read the new version from scratch
    fresh_dir = settings.data_dir.parent / "fresh"
    fresh = open_archive(settings.model_copy(update={"data_dir": fresh_dir}), embedder)
    [alone] = fresh.ingest([path])
    assert alone.embedded == alone.chunks == second.chunks
    ours, theirs = _vectors(archive), _vectors(fresh)
    assert ours.keys() == theirs.keys()
    assert min(float(ours[t] @ theirs[t]) for t in ours) > 0.9999
    [(doc_id, _)] = archive.manifest.all_versions().items()
    mine = archive.manifest.sentence_vectors([doc_id])[doc_id]
    new = fresh.manifest.sentence_vectors([doc_id])[doc_id]
    assert (mine.starts == new.starts).all() and len(mine.vectors) == len(new.starts) > 10
    assert min((mine.vectors * new.vectors).sum(axis=1)) > 0.999  # int8, batched otherwise
    question = "Did the Geneva talks produce a written agreement?"
    assert [h.text for h in archive.search(question, k=5)] == [
        h.text for h in fresh.search(question, k=5)
    ]


def test_delete_removes_document_and_chunks(seeded: Archive):
    doc = seeded.documents()[0]
    assert seeded.delete(doc.doc_id)
    assert seeded.documents() == [] and _chunk_ids(seeded) == set()
    assert not seeded.delete(doc.doc_id)
    assert seeded.ask("what did Blinken say about a summit?").abstained


def test_one_bad_file_among_ten_good_ones(archive: Archive, tmp_path: Path):
    folder = tmp_path / "batch"
    topics = [
        "wheat",
        "copper",
        "rail",
        "solar",
        "fishing",
        "tourism",
        "bonds",
        "rice",
        "steel",
        "wine",
    ]
    for i, topic in enumerate(topics):
        write_article(
            folder,
            f"a{i}.txt",
            f"{topic.title()} prices move",
            f"202203{i + 10}",
            f"https://news.test/{topic}",
            f"Traders said {topic} prices rose {i + 2} percent this week.",
        )
    (folder / "broken.txt").write_bytes(b"Title\n2022-03-01\nhttps://news.test/x\nText.\n")
    results = archive.ingest([folder])
    statuses = {Path(r.path).name: r.status for r in results}
    assert statuses.pop("broken.txt") == "skipped"
    assert set(statuses.values()) == {"added"} and len(statuses) == 10
    assert len(archive.documents()) == 10
    answer = archive.ask("How much did copper prices rise?")
    assert "copper" in answer.citations[0].quote


def test_crash_between_chunk_write_and_commit_leaves_no_trace(archive: Archive, seed_copy: Path):
    archive.ingest([seed_copy])
    before = _chunk_ids(archive)
    # Simulate a process killed after writing a new version's chunks, before its commit.
    path = next(seed_copy.glob("*.txt"))
    path.write_text(path.read_text(encoding="utf-8") + "A late paragraph about a ceasefire.\n")
    article = read_article(path)
    chunks = chunk_article(article, version="crashed")
    archive.manifest.begin(article.doc_id, "crashed")
    archive.backends.store.add(
        article, chunks, archive.backends.embedder.embed([c.text for c in chunks]), "crashed"
    )
    assert all(h.version != "crashed" for h in archive.search("late paragraph ceasefire", k=20))
    archive.ingest([])  # the next ingest recovers
    assert _chunk_ids(archive) == before


def test_keyword_index_follows_ingest_update_delete_and_crash(archive: Archive, tmp_path: Path):
    folder = tmp_path / "kw"
    write_article(
        folder,
        "a.txt",
        "Quarry",
        "20220301",
        "https://n.test/q",
        "The Zorvath quarry expansion was approved by the county board.",
    )
    archive.ingest([folder])
    assert archive.search("Zorvath", mode="keyword")[0].source == "a.txt"
    stale = tmp_path / "stale-keyword"
    shutil.copytree(archive.settings.keyword_dir, stale)
    write_article(
        folder,
        "a.txt",
        "Quarry",
        "20220305",
        "https://n.test/q",
        "The Brellin quarry expansion was rejected by the county board.",
    )
    archive.ingest([folder])
    assert archive.search("Zorvath", mode="keyword") == []
    assert archive.search("Brellin", mode="keyword")[0].keyword_score > 0
    # A crash after the manifest commit but before the keyword index was saved leaves the
    # old index on disk. A reader never shows the old version and still finds the new one
    # by its meaning; the next writer brings the keyword index back in step.
    shutil.rmtree(archive.settings.keyword_dir)
    shutil.copytree(stale, archive.settings.keyword_dir)
    reopened = open_archive(archive.settings, archive.backends.embedder)
    assert reopened.search("Zorvath", mode="keyword") == []
    assert reopened.search("Brellin quarry expansion")[0].source == "a.txt"
    # ... by its own date (the old index holds the old version's)
    assert reopened.search("Brellin quarry expansion", as_of=dt.date(2022, 3, 5))
    assert reopened.search("Brellin quarry expansion", as_of=dt.date(2022, 3, 4)) == []
    reopened.warm_up()  # as the app starts; any ingest does the same
    assert reopened.search("Brellin", mode="keyword")[0].source == "a.txt"
    archive.delete(archive.documents()[0].doc_id)
    assert archive.search("Brellin", mode="keyword") == []


def test_as_of_leaves_out_later_articles(archive: Archive, tmp_path: Path):
    folder = tmp_path / "dated"
    write_article(
        folder,
        "june.txt",
        "Port",
        "20220610",
        "https://n.test/1",
        "The port of Valdora reopened on Monday after the storm.",
    )
    write_article(
        folder,
        "july.txt",
        "Port",
        "20220720",
        "https://n.test/2",
        "The port of Valdora closed again in July after a second storm.",
    )
    archive.ingest([folder])
    for mode in ("dense", "keyword", "hybrid"):
        hits = archive.search("port of Valdora", as_of=dt.date(2022, 6, 30), mode=mode)
        assert [h.source for h in hits] == ["june.txt"], mode


def test_date_range_and_site_filters(archive: Archive, tmp_path: Path):
    folder = tmp_path / "filters"
    write_article(
        folder,
        "a.txt",
        "Port",
        "20220610",
        "https://www.alpha.test/1",
        "The port of Valdora reopened on Monday after the storm.",
    )
    write_article(
        folder,
        "b.txt",
        "Port",
        "20220720",
        "https://beta.test/2",
        "The port of Valdora closed again in July after a second storm.",
    )
    (folder / "c.md").write_text("# Notes on the port of Valdora\nUndated notes about the port.\n")
    archive.ingest([folder])
    q = "port of Valdora"
    for mode in ("dense", "keyword", "hybrid"):

        def sources(f: Filters, mode: str = mode) -> set[str]:
            return {h.source for h in archive.search(q, 10, mode=mode, filters=f)}

        assert sources(Filters()) == {"a.txt", "b.txt", "c.md"}, mode
        assert sources(Filters(since=dt.date(2022, 7, 1))) == {"b.txt"}, mode
        assert sources(Filters(until=dt.date(2022, 6, 30))) == {"a.txt", "c.md"}, mode
        assert sources(Filters(sites=("alpha.test",))) == {"a.txt"}, mode
    # a search filters the unfiltered nearest chunks on the keyword index's columns when
    # enough pass (a pool of 1 here), else asks Chroma to filter: both give what Chroma's
    # filtered search gives
    vector = archive.backends.embedder.embed([q])[0]
    store, index = archive.backends.store, archive.backends.keyword
    until, since = Filters(until=dt.date(2022, 6, 30)), Filters(since=dt.date(2022, 7, 1))
    for f in (until, since, Filters(sites=("alpha.test",))):
        for pool in (1, 2):
            expected = [cid for cid, _ in store.nearest(vector, pool, where_clause(f))]
            dense, _ = candidates(store, index, vector, "", pool, f)
            assert [h.chunk_id for h in dense] == expected


def test_an_unreadable_keyword_index_is_rebuilt(seeded: Archive):
    (seeded.settings.keyword_dir / "state.json").write_text("{not json")
    reopened = open_archive(seeded.settings, seeded.backends.embedder)
    reopened.warm_up()
    assert reopened.search("Blinken summit", mode="keyword")[0].keyword_score > 0


THERANOS = "https://www.cnn.com/2022/07/07/tech/theranos-rise-and-fall"


def two_addresses(folder: Path) -> tuple[Path, Path]:
    """One CNN article under two forms of its URL, found so in the RealTimeQA corpus."""
    from tests.conftest import write_article

    text = "Elizabeth Holmes founded Theranos in 2003 and was convicted of fraud."
    title = "Theranos: a timeline"
    a = write_article(folder / "a", "a.txt", title, "20220104", THERANOS + "/index.html", text)
    b = write_article(folder / "b", "b.txt", title, "20220707", THERANOS + "/?cid=feed", text)
    return a, b


def test_an_article_under_two_forms_of_its_url_is_one_document(archive, tmp_path):
    a, b = two_addresses(tmp_path)
    first, second = archive.ingest([a]), archive.ingest([b])
    assert [d.doc_id for d in archive.documents()] == [first[0].doc_id]
    assert second[0].status == "unchanged" and second[0].doc_id == first[0].doc_id
    b.write_text(b.read_text() + "She was sentenced to 11 years in prison.\n")
    third = archive.ingest([b])  # a new version under the other form replaces it
    assert third[0].status == "updated" and third[0].doc_id == first[0].doc_id
    (doc,) = archive.documents()
    assert doc.date == "2022-07-07" and "11 years" in archive.document(doc.doc_id)[1]


def test_an_archive_from_before_url_keys_merges_its_twins(
    settings, embedder, tmp_path, monkeypatch
):
    import sqlite3

    import rag.index.manifest
    import rag.ingest.articles
    from tests.conftest import open_archive

    a, b = two_addresses(tmp_path)
    with monkeypatch.context() as old:  # as archives were written before: raw URLs
        old.setattr(rag.ingest.articles, "url_key", lambda url: url)
        old.setattr(rag.index.manifest, "url_key", lambda url: url)
        before = open_archive(settings, embedder)
        before.ingest([a, b])
        assert len(before.documents()) == 2
        before.manifest.close()
    db = sqlite3.connect(settings.manifest_path)
    db.executescript("DROP INDEX by_url_key; ALTER TABLE documents DROP COLUMN url_key;")
    db.close()
    after = open_archive(settings, embedder)
    assert after.ingest([a])[0].status == "unchanged"  # its old id is kept
    assert len(after.documents()) == 1
    hits = after.search("When did Elizabeth Holmes found Theranos?")
    assert len({h.doc_id for h in hits}) == 1


def _ferry_strike(archive, folder, title: str, text: str) -> None:
    """Eight March reports of the Kessel ferry strike (`title` and `text` with the day filled
    in), matching a question's words better than June's report that it ended, ingested."""
    for day in range(1, 9):
        write_article(folder, f"day{day}.txt", title.format(day=day), f"202403{day:02d}",
                      f"https://n.test/{day}", text.format(day=day))  # fmt: skip
    write_article(folder, "june.txt", "Kessel ferry strike ends", "20240612", "https://n.test/june",
                  "The ferry strike in Kessel ended on Wednesday when the union accepted a new "
                  "pay offer.")  # fmt: skip
    archive.ingest([folder])


def test_a_question_about_this_week_reads_deeper_for_the_weeks_report(archive, tmp_path):
    _ferry_strike(archive, tmp_path / "news",
                  "What happened in the Kessel ferry strike on day {day}",
                  "This is what happened in the Kessel ferry strike on day {day}: the ferry "
                  "workers stayed out.")  # fmt: skip
    question, day = "What happened to the Kessel ferry strike this week?", dt.date(2024, 6, 14)
    shallow = archive.tuned(search_pool=4, search_pool_period=4).search(question, 1, as_of=day)
    assert shallow[0].title.startswith("What happened in")  # June's report is not a candidate
    deep = archive.tuned(search_pool=4).search(question, 1, as_of=day)  # the period's pool
    assert deep[0].title == "Kessel ferry strike ends"


def test_a_question_about_how_things_stand_reads_deeper_for_the_newest_report(archive, tmp_path):
    _ferry_strike(archive, tmp_path / "news", "Kessel ferry strike is still going on, day {day}",
                  "The Kessel ferry strike is still going on on day {day}: the ferry workers "
                  "are still out.")  # fmt: skip
    question, day = "Is the Kessel ferry strike still going on?", dt.date(2024, 6, 14)
    # the week's news first (the age prior) can lift the newest report only if it is a candidate
    weeks_news = {"fusion_recency_days": 7.0, "search_pool": 4}
    shallow = archive.tuned(**weeks_news, search_pool_period=4).search(question, 1, as_of=day)
    assert shallow[0].title.startswith("Kessel ferry strike is still")  # June's: no candidate
    deep = archive.tuned(**weeks_news).search(question, 1, as_of=day)
    assert deep[0].title == "Kessel ferry strike ends"


def test_a_question_about_how_things_stand_is_answered_from_the_last_weeks_first(archive, tmp_path):
    _ferry_strike(archive, tmp_path / "news", "Kessel ferry strike is still going on, day {day}",
                  "The Kessel ferry strike is still going on on day {day}: the ferry workers "
                  "are still out.")  # fmt: skip
    question, day = "Is the Kessel ferry strike still going on?", dt.date(2024, 6, 14)
    assert archive.search(question, 1, as_of=day)[0].title == "Kessel ferry strike ends"
    assert archive.ask(question, as_of=day).citations[0].title == "Kessel ferry strike ends"
    # ... a ranking, not a limit: asked months later, the newest report still answers
    later = archive.ask(question, as_of=dt.date(2024, 10, 1))
    assert not later.abstained and later.citations[0].title == "Kessel ferry strike ends"

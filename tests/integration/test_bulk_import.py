"""Exports into a real archive: JSON Lines, CSV and a WARC of the same pages give the same
documents as the pages saved as .html files; a second run changes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from rag.settings import Settings
from tests.conftest import open_archive
from tests.integration.test_cli import rag
from tests.sources.site import TOPICS, article_html

BASE = "https://valdora.test"


def stored(archive) -> set[tuple]:
    return {(d.title, d.date, d.url, archive.document(d.doc_id)[1]) for d in archive.documents()}


def exports(folder: Path, docs: set[tuple]) -> dict[str, Path]:
    """The same articles as JSON Lines, CSV and a gzipped WARC of their pages."""
    folder.mkdir()
    rows = [{"headline": t, "published": d, "link": u, "body": x} for t, d, u, x in sorted(docs)]
    (folder / "dump.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with (folder / "dump.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, ["headline", "published", "link", "body"])
        writer.writeheader()
        writer.writerows(rows)
    with (folder / "crawl.warc.gz").open("wb") as out:
        warc = WARCWriter(out, gzip=True)
        for slug in TOPICS:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            page = io.BytesIO(article_html(slug, BASE))
            warc.write_record(
                warc.create_warc_record(
                    f"{BASE}/news/{slug}.html", "response", payload=page, http_headers=http
                )
            )
    return {p.name: p for p in folder.iterdir()}


def test_exports_of_the_same_pages_are_the_same_documents(tmp_path, embedder):
    pages = tmp_path / "pages"
    pages.mkdir()
    for slug in TOPICS:
        (pages / f"{slug}.html").write_bytes(article_html(slug, BASE))
    html = open_archive(Settings(data_dir=tmp_path / "html", seed_dir=None), embedder)
    assert [r.status for r in html.ingest([pages])] == ["added"] * 3
    want = stored(html)
    assert {d[2] for d in want} == {f"{BASE}/news/{slug}.html" for slug in TOPICS}
    for name, export in exports(tmp_path / "exports", want).items():
        archive = open_archive(Settings(data_dir=tmp_path / name, seed_dir=None), embedder)
        assert [r.status for r in archive.ingest([export])] == ["added"] * 3, name
        assert stored(archive) == want, name
        assert [r.status for r in archive.ingest([export])] == ["unchanged"] * 3, name
        # and into the archive of the .html files, it is nothing new
        assert [r.status for r in html.ingest([export])] == ["unchanged"] * 3, name


def test_the_cli_imports_an_export_reporting_each_bad_record(tmp_path):
    export = tmp_path / "feed-dump.jsonl"
    good = {
        "title": "Harbour bridge reopens",
        "date": "2024-03-01",
        "url": f"{BASE}/h",
        "text": "The harbour bridge in Valdora reopened on Friday after eight months.",
    }
    export.write_text(json.dumps(good) + "\n{oops\n" + json.dumps({"title": "x"}) + "\n")
    data = tmp_path / "data"
    first = rag(data, "ingest", str(export))
    assert first.returncode == 2, first.stderr
    assert "1 added, 0 updated, 0 unchanged, 2 skipped" in first.stdout
    assert "skipped feed-dump.jsonl:2: not a JSON record" in first.stdout
    assert "skipped feed-dump.jsonl:3: the record has no text" in first.stdout
    assert "Traceback" not in first.stderr
    second = rag(data, "ingest", str(export))
    assert "0 added, 0 updated, 1 unchanged, 2 skipped" in second.stdout
    jobs = json.loads(rag(data, "jobs", "--json").stdout)["jobs"]
    assert [j["kind"] for j in jobs] == ["import", "import"]
    assert jobs[0]["counts"] == {"unchanged": 1, "skipped": 2}
    assert [i["path"] for i in jobs[0]["items"]] == ["feed-dump.jsonl:2", "feed-dump.jsonl:3"]
    bad = rag(data, "ingest", "--fields", "body=text", str(export))
    assert bad.returncode == 1 and "--fields" in bad.stderr and "Traceback" not in bad.stderr

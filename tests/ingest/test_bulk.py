"""Exports read record by record: JSON Lines, CSV, JSON (news-please) and WARC."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from rag.ingest.articles import ArticleError
from rag.ingest.bulk import records
from rag.ingest.record import field_map, parse_date


def read_all(path: Path, fields: dict | None = None) -> list[tuple[str, object]]:
    """(label, Article or the reason it was skipped) per record."""
    out = []
    for label, read in records(path, fields):
        try:
            out.append((label, read()))
        except ArticleError as e:
            out.append((label, str(e)))
    return out


def test_jsonl_records_with_common_field_names_and_one_bad_line(tmp_path: Path):
    export = tmp_path / "dump.jsonl"
    lines = [
        json.dumps(
            {
                "headline": "Storm hits coast",
                "published": "2024-03-05T10:00:00Z",
                "link": "https://news.test/storm",
                "body": "The storm hit.\n\nPower failed.",
            }
        ),
        "{broken",
        json.dumps({"title": "No text here"}),
        "",
        json.dumps(
            {
                "title": "Dam opens",
                "date": "20240307",
                "content": "<p>The dam opened.</p><p>Water flowed.</p>",
            }
        ),
    ]
    export.write_text("\n".join(lines) + "\n")
    found = read_all(export)
    assert [label for label, _ in found] == [
        "dump.jsonl:1",
        "dump.jsonl:2",
        "dump.jsonl:3",
        "dump.jsonl:5",
    ]
    storm = found[0][1]
    assert (storm.title, storm.date, storm.url) == (
        "Storm hits coast",
        dt.date(2024, 3, 5),
        "https://news.test/storm",
    )
    assert storm.text == "The storm hit.\nPower failed."
    assert "not a JSON record" in found[1][1]
    assert "no text" in found[2][1] and "--fields text=NAME" in found[2][1]
    dam = found[3][1]
    assert dam.date == dt.date(2024, 3, 7) and "<p>" not in dam.text and "Water flowed." in dam.text


def test_csv_with_mapped_columns_and_multiline_cells(tmp_path: Path):
    export = tmp_path / "dump.csv"
    export.write_text(
        "hed,when,where,story\n"
        '"Bridge reopens","Fri, 01 Mar 2024 09:00:00 GMT",https://news.test/bridge,'
        '"The bridge reopened.\nTraffic returned."\n'
        '"Odd date","soon",https://news.test/odd,"Text."\n'
    )
    fields = field_map("title=hed,date=when,url=where,text=story")
    (_, bridge), (_, odd) = read_all(export, fields)
    assert (bridge.title, bridge.date) == ("Bridge reopens", dt.date(2024, 3, 1))
    assert bridge.text == "The bridge reopened.\nTraffic returned."
    assert "'soon' is not a date" in odd


def test_a_json_array_is_decoded_item_by_item_across_read_boundaries(tmp_path: Path):
    long_text = "A sentence about the harbour. " * 5000  # each item spans several reads
    items = [
        {
            "title": f"Item {i}",
            "maintext": long_text + str(i),
            "date_publish": f"2021-01-0{i + 1} 12:00:00",
            "url": f"https://news.test/{i}",
        }
        for i in range(3)
    ]
    export = tmp_path / "items.json"
    export.write_text(json.dumps(items, indent=1))
    found = read_all(export)
    assert [a.title for _, a in found] == ["Item 0", "Item 1", "Item 2"]
    assert found[2][1].date == dt.date(2021, 1, 3) and found[2][1].text.endswith("2")


def test_a_news_please_article_file(tmp_path: Path):
    article = {
        "authors": ["A. Writer"],
        "date_download": "2021-03-02 08:00:00",
        "date_publish": "2021-03-01 17:45:12",
        "description": "A summary.",
        "language": "en",
        "maintext": "The full text.\nSecond paragraph.",
        "source_domain": "news.test",
        "title": "Council votes",
        "url": "https://news.test/c",
    }
    export = tmp_path / "news.test-council.json"
    export.write_text(json.dumps(article))
    [(_, found)] = read_all(export)
    assert (found.title, found.date, found.text) == (
        "Council votes",
        dt.date(2021, 3, 1),
        "The full text.\nSecond paragraph.",
    )


def _warc(path: Path, pages: list[tuple[str, bytes, str]]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for uri, body, kind in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-03-09T10:00:00Z"},
            )
            writer.write_record(record)


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses_become_articles_with_the_record_date_and_uri(tmp_path, name):
    page = (
        b"<html><head><title>Bridge reopens</title></head><body><article>"
        + (b"<p>The harbour bridge reopened on Friday after eight months of repairs.</p>" * 3)
        + b"</article></body></html>"
    )
    export = tmp_path / name
    _warc(
        export,
        [
            ("https://news.test/bridge", page, "text/html"),
            ("https://news.test/logo.png", b"\x89PNG", "image/png"),
            ("https://news.test/empty", b"<html><body></body></html>", "text/html"),
        ],
    )
    found = read_all(export)
    assert len(found) == 2  # the image is not an article
    bridge = found[0][1]
    assert bridge.url == "https://news.test/bridge" and bridge.date == dt.date(2024, 3, 9)
    assert "eight months of repairs" in bridge.text
    assert "no article text" in found[1][1]


def test_a_missing_or_empty_export_is_one_skipped_reader(tmp_path: Path):
    (tmp_path / "empty.csv").write_text("title,text\n")
    assert read_all(tmp_path / "empty.csv") == [("empty.csv", "no records found in this export")]
    [(label, reason)] = read_all(tmp_path / "missing.jsonl")
    assert label == "missing.jsonl" and reason.startswith("cannot read file")


def test_dates_as_exports_write_them():
    assert parse_date("2024-03-05") == dt.date(2024, 3, 5)
    assert parse_date("2024-03-05T23:10:00+02:00") == dt.date(2024, 3, 5)
    assert parse_date("20240305") == dt.date(2024, 3, 5)
    assert parse_date("Tue, 05 Mar 2024 10:00:00 +0000") == dt.date(2024, 3, 5)
    assert parse_date("1709632800") == dt.date(2024, 3, 5)  # Unix seconds
    assert parse_date("1709632800000") == dt.date(2024, 3, 5)  # milliseconds
    assert parse_date("next week") is None and parse_date("20241399") is None


def test_field_map_names_the_fields_it_knows():
    assert field_map("text=body, date=pub") == {"text": "body", "date": "pub"}
    with pytest.raises(ValueError, match="title, date, url, text"):
        field_map("author=byline")

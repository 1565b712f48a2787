from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rag.ingest.articles import (
    ArticleError,
    parse_article,
    parse_upload,
    read_article,
    safe_file_name,
)
from rag.render import safe_url
from tests.conftest import SEEDS


def test_seed_article_header_and_text_kept_as_written():
    path = next(SEEDS.glob("*.txt"))
    article = read_article(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert article.title == lines[0]
    assert article.date == dt.date(2021, 12, 22)
    assert article.url == lines[2]
    assert article.text == "\n".join(lines[3:])  # original text, not "fixed"
    assert article.source == path.name


def test_doc_id_is_stable_and_comes_from_url():
    a = parse_article(b"T\n20220101\nhttps://x.test/a\nOne para.\n", "a.txt")
    b = parse_article(b"T2\n20220102\nhttps://x.test/a\nOther text.\n", "b.txt")
    c = parse_article(b"T\n20220101\nhttps://x.test/c\nOne para.\n", "a.txt")
    assert a.doc_id == b.doc_id != c.doc_id
    assert a.content_hash != b.content_hash


def test_plain_text_and_markdown_titles_without_date():
    txt = parse_article(b"My notes\nFirst paragraph.\nSecond.\n", "notes.txt")
    assert (txt.title, txt.date, txt.url) == ("My notes", None, "")
    assert txt.text == "First paragraph.\nSecond."
    md = parse_article(b"\n# Budget talks\n\nThe council met.\n", "b.md")
    assert md.title == "Budget talks"
    assert md.text.strip() == "The council met."


def test_text_without_url_gets_id_from_normalized_content():
    a = parse_article(b"Title\nSame  words here.\n", "a.txt")
    b = parse_article(b"Title\nSame words   here.\n", "b.txt")
    assert a.doc_id == b.doc_id


def test_a_source_named_by_another_uri_scheme_is_kept_but_never_a_link():
    article = parse_article(
        b"Wire item\n20240301\nurn-wire://agency/2024/0301-17\nText.\n", "w.txt"
    )
    assert article.url == "urn-wire://agency/2024/0301-17" and article.text == "Text."
    assert safe_url(article.url) is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Title\ncaf\xe9 au lait\n", "not valid UTF-8"),
        (b"Title\n2021-12-22\nhttps://x.test/a\nText.\n", "line 2 should be the date"),
        (b"Title\n20211340\nhttps://x.test/a\nText.\n", "not a real date"),
        (b"Title\n20211222\nnot a url\nText.\n", "line 3 should be the source URL"),
        (b"Title\n20211222\nhttps://x.test/a\n\n", "no text after line 3"),
    ],
)
def test_bad_input_gets_a_specific_reason(data: bytes, reason: str):
    with pytest.raises(ArticleError, match=reason):
        parse_article(data, "bad.txt")


def test_oversize_and_unsupported_files_are_refused(tmp_path: Path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50_000_000)
    with pytest.raises(ArticleError, match=r"50\.0 MB, over the 10 MB limit"):
        read_article(big, max_bytes=10_000_000)
    docx = tmp_path / "x.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(ArticleError, match="unsupported file type '.docx'"):
        read_article(docx)


def test_upload_names_cannot_point_outside():
    assert safe_file_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_file_name("C:\\Users\\x\\story.md") == "story.md"
    assert safe_file_name("a\x00b\x07.txt") == "ab.txt"
    assert len(safe_file_name("x" * 500 + ".txt")) <= 130
    article = parse_upload("../../evil.txt", b"Headline\nBody text.\n")
    assert article.source == "evil.txt"

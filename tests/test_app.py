"""The Streamlit chat driven by AppTest, with the real model and a real Chroma in a temp dir."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SEEDS


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RAG_SEED_DIR", str(SEEDS))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    return at.run()


def test_first_start_seeds_the_archive_and_answers_with_sources(app: AppTest):
    assert not app.exception
    assert "1 document in the archive" in app.sidebar.caption[0].value
    app.chat_input[0].set_value("what did Blinken say about a summit?").run()
    assert not app.exception
    reply = app.chat_message[-1]
    assert reply.name == "assistant"
    assert "\\[1\\]" in reply.markdown[0].value  # the marker, escaped as Markdown
    first = reply.expander[0]
    assert first.label.startswith("[1] Putin Says Russia")
    highlighted = [m.value for m in first.markdown if "orange-background" in m.value]
    assert "Antony Blinken on Tuesday ruled out" in highlighted[0]


def test_history_survives_reruns_and_bad_questions_get_a_message(app: AppTest):
    app.chat_input[0].set_value("Who won the football world cup final?").run()
    app.chat_input[0].set_value("   ").run()
    app.run()
    texts = [m.markdown[0].value for m in app.chat_message]
    assert len(texts) == 4
    assert "does not answer" in texts[1]
    assert not app.exception and not app.error


def test_sidebar_filters_limit_the_answer(app: AppTest):
    app.sidebar.date_input[0].set_value(dt.date(2021, 12, 1)).run()  # as of before the article
    app.chat_input[0].set_value("what did Blinken say about a summit?").run()
    assert "does not answer" in app.chat_message[-1].markdown[0].value
    app.sidebar.date_input[0].set_value(dt.date(2022, 1, 1)).run()
    app.sidebar.multiselect[0].set_value(["tasnimnews.com"]).run()
    app.chat_input[0].set_value("what did Blinken say about a summit?").run()
    assert app.chat_message[-1].expander[0].label.startswith("[1] Putin Says Russia")


def test_archive_page_lists_and_deletes_with_confirmation(app: AppTest):
    app.sidebar.radio[0].set_value("Archive").run()
    assert not app.exception
    assert app.dataframe[0].value["title"][0].startswith("Putin Says Russia")
    delete = next(b for b in app.button if b.label == "Delete document")
    assert delete.disabled  # not before the confirmation box is ticked
    app.checkbox[0].check().run()
    next(b for b in app.button if b.label == "Delete document").click().run()
    assert not app.exception
    assert "0 documents in the archive" in app.sidebar.caption[0].value
    assert "archive is empty" in app.info[0].value


def test_new_chat_clears_history_and_inspector_shows_scores(app: AppTest):
    app.chat_input[0].set_value("what did Blinken say about a summit?").run()
    inspector = app.chat_message[-1].expander[-1]
    assert inspector.label.startswith("Retrieved passages")
    assert bool(inspector.dataframe[0].value["cited"][0])
    next(b for b in app.sidebar.button if b.label == "New chat").click().run()
    assert len(app.chat_message) == 0

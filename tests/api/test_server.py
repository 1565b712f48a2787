"""The API server as clients meet it: a real `python -m rag serve` process on a loopback
port over a real archive, the real `openai` client, httpx for the REST verbs."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import openai
import pytest

from rag.cli import run as cli
from tests.conftest import (
    BLINKEN,
    ROOT,
    SEEDS,
    open_archive,
    serving_api,
    two_reports,
    write_article,
)

QUESTION = "What did Blinken say about a summit?"
READER, EDITOR = "reader-token-0001", "editor-token-0001"
TOKENS = json.dumps({READER: "reader", EDITOR: "editor"})


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, embedder) -> Path:
    """Seeds and two reports of a storm, ingested before the servers start."""
    from rag.settings import Settings

    root = tmp_path_factory.mktemp("api")
    archive = open_archive(Settings(data_dir=root / "data", seed_dir=None), embedder)
    archive.ingest([SEEDS, two_reports(root / "storm", *STORM_LINES)])
    return root / "data"


STORM_LINES = (
    "The storm killed 12 people in Valdora on Friday.",
    "The storm killed 19 in Valdora.",
)


@pytest.fixture(scope="module")
def api(data_dir) -> str:
    with serving_api(data_dir) as url:
        yield url


@pytest.fixture(scope="module")
def guarded(data_dir) -> str:
    with serving_api(data_dir, RAG_API_TOKENS=TOKENS) as url:
        yield url


def client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)


def test_openai_client_gets_the_blinken_answer_with_its_citation(api):
    reply = client(api).chat.completions.create(
        model="news-archive", messages=[{"role": "user", "content": QUESTION}]
    )
    message = reply.choices[0].message
    note = message.annotations[0].url_citation
    assert "tasnimnews.com" in note.url and "Putin" in note.title
    assert message.content[note.start_index : note.end_index] == "[1]"
    assert reply.citations[0]["quote"].startswith(BLINKEN)
    assert reply.citations[0]["url"] == note.url
    assert "Sources:" in message.content  # a client that ignores annotations still shows them


def test_streamed_answer_is_the_same_and_ends_with_its_citations(api):
    plain = client(api).chat.completions.create(
        model="news-archive", messages=[{"role": "user", "content": QUESTION}]
    )
    stream = client(api).chat.completions.create(
        model="news-archive", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.choices[0].delta.model_extra["annotations"][0]["url_citation"]["start_index"] > 0
    assert last.model_extra["citations"][0]["quote"].startswith(BLINKEN)


def test_earlier_turns_are_the_history_of_a_follow_up(api):
    messages = [
        {"role": "user", "content": "How many people did the storm kill in Valdora?"},
        {"role": "assistant", "content": "19 [1]"},
        {"role": "user", "content": "and what about Buffalo?"},
    ]
    reply = client(api).chat.completions.create(model="news-archive", messages=messages)
    assert "storm" in reply.model_extra["interpreted"] and "Buffalo" in reply.interpreted


def test_with_an_llm_the_answer_comes_back_checked(data_dir, llm_url):
    env = {"RAG_LLM_BACKEND": "openai", "RAG_LLM_BASE_URL": llm_url, "RAG_LLM_MODEL": "smollm2"}
    question = [{"role": "user", "content": QUESTION}]
    with serving_api(data_dir, **env) as url:
        assert client(url).models.list().data[0].owned_by.startswith("smollm2")
        stream = client(url).chat.completions.create(
            model="news-archive", messages=question, stream=True
        )
        last = list(stream)[-1].model_extra
        assert last["claims"], "an LLM's answer comes with its checked claims"
        if last["notice"]:  # its claims failed the check: the archive's quotes instead
            assert last["backend"] == "offline"
        else:
            assert last["backend"].startswith("smollm2")
        assert any(c["quote"].startswith(BLINKEN) for c in last["citations"])
        quotes = client(url).chat.completions.create(model="news-archive-quotes", messages=question)
        assert quotes.backend == "offline" and not quotes.notice


def test_quoted_markup_cannot_become_a_link_in_a_chat_client():
    from rag.api.chat import defang

    assert defang("see ![x](https://evil.test/p.png) <b>") == (
        "see \\!\\[x\\](https:\u2060//evil.test/p.png) \\<b\\>"
    )


def test_rest_verbs_return_the_cli_shapes(api, data_dir, capsys):
    def cli_json(*args: str) -> dict:
        capsys.readouterr()
        assert cli(["--data-dir", str(data_dir), *args, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    search = httpx.post(f"{api}/api/search", json={"query": "Blinken summit", "k": 2})
    assert search.json() == cli_json("search", "Blinken summit", "-k", "2")
    ask = httpx.post(f"{api}/api/ask", json={"question": QUESTION}, timeout=60)
    assert ask.json() == cli_json("ask", QUESTION)
    assert httpx.get(f"{api}/api/documents").json() == cli_json("docs")
    assert httpx.get(f"{api}/api/stories").json() == cli_json("stories")
    quotes = httpx.get(f"{api}/api/quotes", params={"speaker": "Blinken"})
    assert quotes.json() == cli_json("quotes", "Blinken")
    assert quotes.json()["quotes"] and {q["speaker"] for q in quotes.json()["quotes"]} == {
        "Antony Blinken"
    }
    assert httpx.get(f"{api}/api/speakers").json() == cli_json("speakers")
    early = httpx.get(f"{api}/api/quotes", params={"since": "2022-01-02", "until": "2022-01-01"})
    assert early.status_code == 422 and "after it ends" in early.json()["error"]["message"]
    timeline = httpx.post(f"{api}/api/timeline", json={"query": "Russia and Ukraine"}, timeout=60)
    assert timeline.json() == cli_json("timeline", "Russia and Ukraine")
    assert timeline.json()["entries"]


def test_upload_then_ask_then_delete(api, tmp_path):
    lines = ["Harbour reopens", "20240305", "https://port.test/a",
             "The port of Lirr reopened on Tuesday after the strike ended."]  # fmt: skip
    article = "\n".join(lines) + "\n"
    files = [("files", ("port.txt", article.encode())), ("files", ("empty.txt", b""))]
    up = httpx.post(f"{api}/api/documents", files=files, timeout=60).json()["results"]
    assert [r["status"] for r in up] == ["added", "skipped"] and up[1]["reason"]
    doc_id = up[0]["doc_id"]
    got = httpx.get(f"{api}/api/documents/{doc_id}").json()
    assert got["text"].startswith("The port of Lirr reopened") and got["document"]["title"]
    ask = httpx.post(f"{api}/api/ask", json={"question": "When did the port of Lirr reopen?"})
    assert ask.json()["citations"][0]["doc_id"] == doc_id
    assert httpx.delete(f"{api}/api/documents/{doc_id}").json() == {"deleted": doc_id}
    gone = httpx.get(f"{api}/api/documents/{doc_id}")
    assert gone.status_code == 404 and "no document" in gone.json()["error"]["message"]


def test_tokens_decide_who_may_read_and_who_may_change(guarded, data_dir):
    def status(method: str, path: str, token: str | None = None) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, f"{guarded}{path}", headers=headers, timeout=60).status_code

    assert status("GET", "/api/documents") == 401
    assert status("GET", "/api/documents", "wrong-token-123") == 401
    assert status("GET", "/api/documents", READER) == 200
    assert status("DELETE", "/api/documents/some-id", READER) == 403
    assert status("DELETE", "/api/documents/some-id", EDITOR) == 404  # allowed; no such id
    assert status("GET", "/docs") == 200  # the API's description is open
    with pytest.raises(openai.AuthenticationError, match="not valid"):
        client(guarded, "wrong-token-123").models.list()
    answer = client(guarded, READER).chat.completions.create(
        model="news-archive", messages=[{"role": "user", "content": QUESTION}]
    )
    assert answer.citations[0]["quote"].startswith(BLINKEN)


def test_without_tokens_only_loopback_and_only_local_pages(api, data_dir):
    assert httpx.get(f"{api}/api/documents", headers={"Host": "evil.test"}).status_code == 403
    page = {"Origin": "https://evil.test"}
    assert httpx.post(f"{api}/api/documents", headers=page, files=[]).status_code == 403
    refused = subprocess.run(
        [sys.executable, "-m", "rag", "--data-dir", str(data_dir), "serve", "--host", "0.0.0.0"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 1 and "RAG_API_TOKENS" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_bad_requests_get_a_clear_json_error(api):
    def error(response: httpx.Response, status: int) -> str:
        assert response.status_code == status
        return response.json()["error"]["message"]

    assert "JSON object" in error(httpx.post(f"{api}/api/ask", content=b"{not json"), 400)
    assert "question" in error(httpx.post(f"{api}/api/ask", json={"q": "x"}), 400)
    # 400: the request does not fit the schema; what pydantic alone would have let through
    for body in (
        {"question": ""},
        {"question": "x", "until": 0},
        {"question": "x", "offline": 1},
        {"question": "x", "since": "2022-6-1"},
        {"question": "x", "all_copies": "yes"},
    ):
        assert error(httpx.post(f"{api}/api/ask", json=body), 400).startswith("invalid request")
    for k in ("5", True, 0, 101):
        assert "k" in error(httpx.post(f"{api}/api/search", json={"query": "x", "k": k}), 400)
    assert httpx.post(f"{api}/api/search", json={"query": "Blinken", "k": 2.0}).status_code == 200
    url_as_site = {"query": "x", "sites": ["https://apnews.com/"]}
    assert "not a site" in error(httpx.post(f"{api}/api/search", json=url_as_site), 400)
    assert "not a site" in error(httpx.get(f"{api}/api/quotes", params={"site": "true"}), 400)
    # 422: it fits the schema, but what it asks cannot be done
    long = {"question": "why " * 400}
    assert "1000" in error(httpx.post(f"{api}/api/ask", json=long), 422)
    assert "question" in error(httpx.post(f"{api}/api/ask", json={"question": "  "}), 422)
    backwards = {"query": "Blinken", "since": "2022-06-10", "until": "2022-06-01"}
    for route in ("search", "timeline"):
        said = error(httpx.post(f"{api}/api/{route}", json=backwards), 422)
        assert "starts on 10 June 2022, after it ends on 1 June 2022" in said
    # 405 says which methods the path does answer
    trace = httpx.request("TRACE", f"{api}/api/documents")
    assert trace.headers["allow"] == "GET, POST" and "only GET, POST" in error(trace, 405)
    assert httpx.delete(f"{api}/api/feeds/update").headers["allow"] == "POST"
    huge = {"query": "x" * 300_000}
    assert "limit" in error(httpx.post(f"{api}/api/search", json=huge), 413)
    many = [("files", (f"{i}.txt", b"x")) for i in range(21)]
    assert "20 files" in error(httpx.post(f"{api}/api/documents", files=many), 413)
    with pytest.raises(openai.UnprocessableEntityError, match="last message"):
        client(api).chat.completions.create(
            model="news-archive", messages=[{"role": "system", "content": "be brief"}]
        )
    assert "no such endpoint" in error(httpx.get(f"{api}/v2/anything"), 404)


def test_answers_keep_coming_while_another_process_ingests(api, data_dir, tmp_path):
    folder = tmp_path / "more"
    for i in range(8):
        write_article(folder, f"{i}.txt", f"Flood report {i}", "20240310", f"https://news.test/f{i}",
                      f"Flood number {i} closed {i + 3} roads in Varnholt.")  # fmt: skip
    writer = subprocess.Popen(
        [sys.executable, "-m", "rag", "--data-dir", str(data_dir), "ingest", str(folder)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    answers: list[dict] = []

    def ask() -> None:
        while writer.poll() is None or len(answers) < 8:
            r = httpx.post(f"{api}/api/ask", json={"question": QUESTION}, timeout=120)
            answers.append(r.json())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writer.wait() == 0
    errors = [a["error"] for a in answers if "error" in a]
    assert not errors and all(a["citations"][0]["quote"].startswith(BLINKEN) for a in answers)
    query = {"query": "Flood number 4 closed roads in Varnholt"}
    hits = httpx.post(f"{api}/api/search", json=query).json()["hits"]
    assert "Flood number 4" in hits[0]["text"]  # the server sees what the other one wrote

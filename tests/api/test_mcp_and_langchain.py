"""The MCP server over stdio and over the API server's /mcp, and the LangChain retriever
through LangChain's standard retriever tests, on a real archive."""

from __future__ import annotations

import json
import sys

import anyio
import httpx2
import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from rag.api.retriever import ArchiveRetriever
from rag.settings import Settings
from tests.conftest import BLINKEN, ROOT, SEEDS, open_archive, serving_api, two_reports

QUESTION = "What did Blinken say about a summit?"


@pytest.fixture(scope="module")
def news(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("mcp")
    archive = open_archive(Settings(data_dir=root / "data", seed_dir=None), embedder)
    early, late = "The storm killed 12 in Valdora.", "The storm killed 19 in Valdora."
    archive.ingest([SEEDS, two_reports(root / "storm", early, late)])
    return archive


async def _tour(target) -> tuple[list[str], dict, dict, str]:
    async with Client(target) as mcp:
        tools = [t.name for t in (await mcp.list_tools()).tools]
        asked = await mcp.call_tool("ask_archive", {"question": QUESTION})
        timeline = await mcp.call_tool("timeline_of", {"query": "Russia and Ukraine"})
        entries = timeline.structured_content["entries"]
        assert entries and [e["date"] for e in entries] == sorted(e["date"] for e in entries)
        assert all(c["quote"] in e["summary"] for e in entries for c in e["citations"])
        listed = await mcp.call_tool("list_documents", {})
        missing = await mcp.call_tool("get_document", {"doc_id": "no-such-id"})
        assert missing.is_error
        said = await mcp.call_tool("quotes_of", {"speaker": "Antony Blinken", "about": "summit"})
        quotes = said.structured_content["quotes"]
        assert quotes and {q["speaker"] for q in quotes} == {"Antony Blinken"}
        assert (await mcp.call_tool("quotes_of", {"speaker": " "})).is_error
        return tools, asked.structured_content, listed.structured_content, missing.content[0].text


def test_mcp_over_stdio_answers_with_the_citation(news):
    command = [sys.executable, "-m", "rag", "--data-dir", str(news.settings.data_dir), "mcp"]
    target = StdioServerParameters(command=command[0], args=command[1:], cwd=str(ROOT))
    tools, asked, listed, missing = anyio.run(_tour, target)
    assert set(tools) == {
        "search_archive",
        "ask_archive",
        "timeline_of",
        "quotes_of",
        "get_document",
        "list_documents",
    }
    citation = asked["citations"][0]
    assert citation["quote"].startswith(BLINKEN) and "tasnimnews" in citation["url"]
    text = news.document(citation["doc_id"])[1]
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert len(listed["documents"]) == 3 and "no document" in missing


def test_mcp_over_http_needs_a_token(news):
    token = "mcp-reader-token"

    async def with_token(url: str, key: str):
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=120)
        async with http:
            return await _tour(streamable_http_client(f"{url}/mcp", http_client=http))

    tokens = json.dumps({token: "reader"})
    with serving_api(news.settings.data_dir, RAG_API_TOKENS=tokens) as url:
        _, asked, _, _ = anyio.run(with_token, url, token)
        assert asked["citations"][0]["quote"].startswith(BLINKEN)
        refused = httpx2.post(f"{url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        assert refused.status_code == 401


class TestArchiveRetriever(RetrieversIntegrationTests):
    """LangChain's standard suite: k in the constructor and per call, sync and async."""

    @pytest.fixture(autouse=True)
    def _archive(self, news):
        type(self).archive = news

    @property
    def retriever_constructor(self) -> type[ArchiveRetriever]:
        return ArchiveRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"archive": self.archive}

    @property
    def retriever_query_example(self) -> str:
        return QUESTION


def test_retrieved_documents_say_where_they_come_from(news):
    doc = ArchiveRetriever(archive=news, k=1).invoke(QUESTION)[0]
    meta = doc.metadata
    assert BLINKEN in doc.page_content and "tasnimnews" in meta["url"]
    text = news.document(meta["doc_id"])[1]
    assert text[meta["start"] : meta["end"]] == doc.page_content and meta["date"] == "2021-12-22"

"""The API fuzzed against its own OpenAPI schema (schemathesis, every check, plus the error
shape and no traceback): a real `python -m rag serve` over a real archive, with no tokens
(loopback, everything allowed), and with tokens as a reader and as nobody. Bounded to a few
cases an operation; benchmarks/fuzz_api.py runs the long version."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.settings import Settings
from tests.api.fuzz import AUTH_FIRST, fuzz
from tests.conftest import SEEDS, open_archive, serving_api, two_reports

REPORTS = ("= ERRORS =", "= FAILURES =")  # schemathesis's sections, shown when a run fails
TOKENS = '{"reader-token-0001": "reader", "editor-token-0001": "editor"}'


@pytest.fixture
def data_dir(tmp_path, embedder) -> Path:
    archive = open_archive(Settings(data_dir=tmp_path / "data", seed_dir=None), embedder)
    archive.ingest([SEEDS, two_reports(tmp_path / "storm", "Rain hit Valdora.", "It flooded.")])
    return tmp_path / "data"


def check(run) -> None:
    print(f"{run.cases} cases, {run.failures} failures, {run.seconds:.0f} s")
    found = [i for s in REPORTS if (i := run.output.find(s)) >= 0]
    report = run.output[min(found) :] if found else run.output[-3000:]
    assert run.exit_code == 0 and run.failures == 0, report[:8000]
    assert run.cases >= 100, run.output[-3000:]  # every operation was tried, not just reached


def test_the_api_holds_to_its_schema_without_tokens(data_dir, tmp_path):
    with serving_api(data_dir, RAG_FETCH_TIMEOUT="2") as url:
        check(fuzz(url, tmp_path, examples=25))


@pytest.mark.parametrize("token", ["reader-token-0001", ""], ids=["reader", "no token"])
def test_the_api_holds_to_its_schema_with_tokens(data_dir, tmp_path, token):
    with serving_api(data_dir, RAG_FETCH_TIMEOUT="2", RAG_API_TOKENS=TOKENS) as url:
        check(fuzz(url, tmp_path, token=token, examples=10, skip=() if token else AUTH_FIRST))

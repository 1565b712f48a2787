"""Fuzzing the API against its own OpenAPI schema with schemathesis (tests/api/test_fuzz.py
runs a bounded run, benchmarks/fuzz_api.py a long one).

`fuzz()` runs the schemathesis CLI against a running `python -m rag serve`, every check on,
with the settings of schemathesis.toml beside this file, and with this module as its hooks,
which adds two checks: an error is always the JSON error shape, and no body ever carries a
traceback. The archive's real document ids and model names are offered as values, so the
operations on one document are tried on documents that exist as well as on ones that don't.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import schemathesis

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")


@schemathesis.check
def error_shape(ctx, response, case):
    """Every 4xx/5xx body is {"error": {"message", "type", "code"}}."""
    if response.status_code < 400:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and {"message", "type", "code"} <= set(error)):
        raise AssertionError(f"{response.status_code} body is not the error shape: {body!r:.200}")
    return None


@schemathesis.check
def no_traceback(ctx, response, case):
    """No internals leak: no Python traceback or exception dump in any body."""
    text = response.text
    for leak in ("Traceback (most recent call last)", 'File "/', "site-packages"):
        if leak in text:
            raise AssertionError(f"the body shows {leak!r}")
    return None


# Without a token, a server with tokens answers 401 before it looks at the method: it tells
# nobody without a token anything, not even that TRACE /api/search is not a route.
AUTH_FIRST = ("unsupported_method",)


@dataclass
class Run:
    exit_code: int
    cases: int  # test cases schemathesis generated and sent
    failures: int  # unique failures it found
    seconds: float
    output: str  # its report, to read when a run fails


def fuzz(
    url: str, workdir: Path, token: str = "", examples: int = 20, seconds: float = 0,
    skip: tuple[str, ...] = (),
) -> Run:  # fmt: skip
    """Fuzz every operation of the server at `url` (as `token`'s role, or with no token),
    `examples` cases an operation and phase, within `seconds` if given, every check on
    but those in `skip`."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG.read_text() + _values(url, headers))
    cmd = [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(config),
           "run", f"{url}/openapi.json", "--checks", "all", "--max-examples", str(examples),
           "--report-dir", str(workdir / "report")]  # fmt: skip
    cmd += ["--max-time", str(seconds)] if seconds else []
    cmd += ["--exclude-checks", ",".join(skip)] if skip else []
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.fuzz", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    output = done.stdout + done.stderr
    cases = re.search(r"(\d+) generated", output)
    failed = re.search(r"(\d+) unique failures?", output)
    return Run(done.returncode, int(cases[1]) if cases else 0,
               int(failed[1]) if failed else 0, took, output)  # fmt: skip


def _values(url: str, headers: dict) -> str:
    """Config lines offering the archive's document ids and the chat models as values; only
    the last document may be deleted."""
    ask = urllib.request.Request(f"{url}/api/documents", headers=headers)
    try:
        with urllib.request.urlopen(ask, timeout=30) as reply:
            ids = [d["doc_id"] for d in json.load(reply)["documents"]]
    except OSError:  # no token: 401; the fuzzing is then about the refusals
        ids = []
    ids = ids or ["0000000000000000"]
    return f"""
[dictionaries.documents]
values = {json.dumps(ids[:20])}

[dictionaries.spare]  # the one document DELETE may remove, so the others stay to be read
values = {json.dumps(ids[-1:])}

[dictionaries.models]
values = ["news-archive", "news-archive-quotes"]

[parameters]
"path.doc_id" = {{ dictionary = "documents", probability = 0.5 }}
"body.model" = {{ dictionary = "models", probability = 0.8 }}

[[operations]]
include-name = "DELETE /api/documents/{{doc_id}}"
parameters = {{ "path.doc_id" = {{ dictionary = "spare", probability = 0.5 }} }}
"""

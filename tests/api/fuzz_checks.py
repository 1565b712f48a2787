"""Checks schemathesis runs on every response of the API fuzzing (tests/api/test_fuzz.py,
benchmarks/fuzz_api.py), on top of its own: an error is always the JSON error shape, and no
body ever carries a traceback."""

from __future__ import annotations

import schemathesis


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

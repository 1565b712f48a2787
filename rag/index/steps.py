"""Write steps of the archive, counted so that a test can crash the writer at each one.

Every write an ingest or delete makes to the manifest, the chunk store or the keyword index
is followed by `steps("what was written")`. With `crash_after` set (RAG_CRASH_AFTER_STEP),
the process dies at that step as if killed: no cleanup, no lock released by Python.
"""

from __future__ import annotations

import os
import sys

CRASH_EXIT = 70


class WriteSteps:
    def __init__(self, crash_after: int = 0) -> None:
        self.crash_after = crash_after
        self.done = 0

    def __call__(self, name: str) -> None:
        self.done += 1
        if self.done == self.crash_after:
            sys.stderr.write(f"crashing after write step {self.done}: {name}\n")
            sys.stderr.flush()
            os._exit(CRASH_EXIT)


def no_steps(name: str) -> None:
    """The step callback of code run outside an archive's writer (tests, benchmarks)."""

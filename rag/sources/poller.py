"""Polling the feeds that are due, in a background thread of the server or the app.

Each round takes the archive's feeds lock without waiting, so however many processes run
a poller, one polls at a time; writing takes the archive's write lock as every ingest does.
The thread runs at a lower CPU priority than the answers it shares the machine with.
"""

from __future__ import annotations

import logging
import os
import threading

from rag.sources import Sources

log = logging.getLogger("rag")


class Poller(threading.Thread):
    def __init__(self, sources: Sources, every_s: float) -> None:
        super().__init__(name="feed-poller", daemon=True)
        self.sources, self.every = sources, every_s
        self._done = threading.Event()

    def run(self) -> None:
        try:  # Linux schedules threads one by one: nice this one only
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        wait = min(self.every, 5.0)  # feeds due at start are polled soon after it
        while not self._done.wait(wait):
            wait = self.every
            try:
                self.sources.update()
            except Exception:  # a poll that failed is logged; the next round tries again
                log.exception("polling the feeds failed")

    def stop(self) -> None:
        self._done.set()

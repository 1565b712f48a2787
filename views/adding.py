"""The sidebar's ways to add articles: uploaded files and exports, and pages by URL, each
with a progress bar and a line per file, record or page."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import streamlit as st

from rag.pipeline import Archive
from rag.render import escape_markdown
from rag.types import FileResult

log = logging.getLogger("rag.app")
TYPES = ["txt", "md", "html", "htm", "pdf", "jsonl", "ndjson", "csv", "json", "warc", "gz"]
SHOWN = 30  # result lines shown; the rest are counted (all are under Feeds & jobs)


def add_articles(archive: Archive) -> None:
    round_ = st.session_state.setdefault("upload_round", 0)
    files = st.sidebar.file_uploader(
        "Add articles (.txt, .md, .html, .pdf) or exports (.jsonl, .csv, .json, .warc.gz)",
        type=TYPES,
        accept_multiple_files=True,
        key=f"uploader-{round_}",
        # the widget states and enforces our limit, not Streamlit's server-wide one
        max_upload_size=max(1, math.ceil(archive.settings.max_file_mb)),
    )
    if files and st.sidebar.button("Add to archive", type="primary"):
        uploads = [(f.name, f.getvalue()) for f in files]
        st.session_state["upload_results"] = run(archive.ingest_uploads, uploads)
        st.session_state["upload_round"] = round_ + 1  # a fresh, empty upload box
        st.rerun()
    with st.sidebar.form("by_url", clear_on_submit=True, border=False):
        typed = st.text_area("Add by URL (one per line)", placeholder="https://…", height=80)
        if st.form_submit_button("Fetch and add", icon=":material/link:"):
            urls = [line.strip() for line in typed.splitlines() if line.strip()]
            if urls:
                st.session_state["upload_results"] = run(archive.ingest_urls, urls)
                st.rerun()  # the counts above include the new articles
    for line, ok in st.session_state.get("upload_results", []):
        (st.sidebar.success if ok else st.sidebar.warning)(escape_markdown(line))


def run(add: Callable, items: list) -> list[tuple[str, bool]]:
    """Add `items` with a progress bar; one (message, ok) per result."""
    bar = st.sidebar.progress(0.0, text="Adding…")

    def progress(done: int, total: int, result: FileResult) -> None:
        share = done / total if total else 0.0
        bar.progress(share, text=escape_markdown(f"{done}/{total or '?'}: {result.path}"))

    try:
        results = add(items, progress)
    except Exception:
        log.exception("adding failed")
        return [("Adding failed; nothing was half-written. Please try again.", False)]
    lines = [
        (f"{r.path}: {r.status}" + (f" ({r.reason})" if r.reason else ""), r.status != "skipped")
        for r in results
    ]
    if len(lines) > SHOWN:
        more = len(lines) - SHOWN
        lines = [*lines[:SHOWN], (f"… and {more} more (see Feeds & jobs)", True)]
    return lines

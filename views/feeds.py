"""The "Feeds & jobs" page: follow and poll RSS/Atom feeds, and see every recent job (feed
polls, URL fetches, imports, uploads) with each item's outcome. Feed and page text is
untrusted: it reaches the page only in tables (plain text) or escaped."""

from __future__ import annotations

import streamlit as st

from rag.pipeline import Archive
from rag.render import escape_markdown
from rag.types import FileResult
from views.page import plural

STATE_ICONS = {"running": ":material/progress_activity:", "done": ":material/check_circle:",
               "failed": ":material/error:", "stopped": ":material/stop_circle:",
               "interrupted": ":material/warning:"}  # fmt: skip


def feeds_page(archive: Archive) -> None:
    st.title(":material/rss_feed: Feeds & jobs")
    every = archive.settings.feed_interval_min
    st.caption(f"Followed feeds are polled every {every:g} minutes while the app or the API "
               "server runs (RAG_FEED_INTERVAL_MIN).")  # fmt: skip
    with st.form("follow", clear_on_submit=True, border=False):
        left, right = st.columns([3, 1])
        url = left.text_input("Feed URL (RSS or Atom)", placeholder="https://…/rss.xml")
        name = right.text_input("Name (optional)")
        if st.form_submit_button("Follow", icon=":material/add:") and url.strip():
            try:
                feed = archive.sources.follow(url, name)
                st.session_state["feeds_note"] = (True, f"Following {feed.name}.")
            except ValueError as e:
                st.session_state["feeds_note"] = (False, str(e))
    if note := st.session_state.pop("feeds_note", None):
        (st.success if note[0] else st.warning)(escape_markdown(note[1]))
    feeds = archive.sources.feeds.list()
    if feeds:
        rows = [{"id": f.id, "name": f.name, "url": f.url, "last poll": f.status,
                 "at": f.last_fetched or "never", "new": f.new, "updated": f.updated,
                 "failed": f.failed, "next due": f.next_due, "problem": f.reason}
                for f in feeds]  # fmt: skip
        st.dataframe(rows, hide_index=True, key="feeds_table")
        left, right = st.columns(2)
        if left.button("Poll all feeds now", icon=":material/sync:"):
            poll(archive)
        gone = right.selectbox("Stop following", [None, *feeds], key="feeds_remove",
                               format_func=lambda f: "…" if f is None else f.name)  # fmt: skip
        if gone is not None and right.button("Remove feed (its articles stay)"):
            archive.sources.feeds.remove(gone)
            st.session_state["feeds_note"] = (True, f"No longer following {gone.name}.")
            st.rerun()
    else:
        st.info("No feeds followed yet.")
    jobs_section(archive)


def poll(archive: Archive) -> None:
    """Poll every feed now, showing the item being stored."""
    with st.status("Polling the feeds…", expanded=True) as status:
        line = st.empty()

        def progress(done: int, total: int, result: FileResult) -> None:
            line.text(f"{done}/{total}: {result.status} {result.path}")

        polled = archive.sources.update(archive.sources.choose(every=True), progress, wait=120)
        if polled is None:
            status.update(label="Another process is polling the feeds; try again shortly.",
                          state="error")  # fmt: skip
            return
        items = [r for results in polled.values() for r in results]
        added = sum(r.status == "added" for r in items)
        status.update(label=f"Polled {plural(len(polled), 'feed')}: {added} new", state="complete")


def jobs_section(archive: Archive) -> None:
    st.subheader("Recent jobs")
    jobs = archive.sources.jobs.recent(20)
    if not jobs:
        st.caption("Nothing has come in yet.")
        return
    if any(j.status == "running" for j in jobs) and st.button("Refresh", icon=":material/refresh:"):
        st.rerun()
    for j in jobs:
        counts = ", ".join(f"{n} {s}" for s, n in j.counts.items()) or "nothing yet"
        label = f"{j.kind}: {j.label} — {j.status} ({counts}), {j.started}"
        with st.expander(escape_markdown(label), icon=STATE_ICONS.get(j.status)):
            if not j.items:
                st.caption("Every item was unchanged." if j.counts else "No items.")
                continue
            rows = [{"item": r.path, "outcome": r.status, "title": r.title, "why": r.reason}
                    for r in j.items]  # fmt: skip
            st.dataframe(rows, hide_index=True)

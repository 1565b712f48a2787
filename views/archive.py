"""The archive page: search the full text, read an article with a linked sentence
highlighted, see its copies and other reports of its story, delete it."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from rag.pipeline import Archive
from rag.render import day, escape_markdown, highlight, safe_url, snippet, word_spans
from rag.types import DocInfo, Span, site_of
from views.page import plural, scroll_to
from views.quotes import article_quotes


def archive_page(archive: Archive) -> None:
    """Search, read and delete the archive's documents."""
    st.title(":material/inventory_2: Archive")
    if note := st.session_state.pop("deleted", ""):
        st.success(escape_markdown(note), icon=":material/delete:")
    docs = archive.documents()
    if not docs:
        st.info(archive.message("empty_archive"))
        return
    query = st.text_input("Search the full text", placeholder="e.g. Griner", key="a_query")
    if query.strip():
        found = archive.find_documents(query)
        verb = "mentions" if len(found) == 1 else "mention"
        st.caption(escape_markdown(f"{plural(len(found), 'article')} {verb} “{query}”"))
        rows = [
            {"title": d.title, "date": d.date, "site": site_of(d.url),
             "match": snippet(h.text, query), "id": d.doc_id}
            for d, h in found
        ]  # fmt: skip
    else:
        rows = [
            {"title": d.title, "date": d.date, "site": site_of(d.url), "passages": d.chunks,
             "id": d.doc_id}
            for d in docs
        ]  # fmt: skip
    st.caption("Click a row to read the article; click a column's name to sort.")
    event = st.dataframe(
        rows,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"a_table-{query}",
        column_config={
            "title": st.column_config.TextColumn(width="large"),
            "match": st.column_config.TextColumn(width="large"),
            "id": None,  # hidden
        },
    )
    picked = event.selection.rows
    linked = st.query_params.get("doc")
    if picked:
        reader(archive, rows[picked[0]]["id"], query, None)
    elif linked:
        span = _span(st.query_params.get("at", ""), st.query_params.get("to", ""))
        who = _span(st.query_params.get("who", ""), st.query_params.get("whoto", ""))
        reader(archive, linked, query, span, who)


def _span(start: str, end: str) -> Span | None:
    return Span(int(start), int(end)) if start.isdigit() and end.isdigit() else None


def show_copies(archive: Archive, info: DocInfo) -> None:
    """Which article this one is a near-copy of, which articles copy it, and the other
    reports of its story."""

    def named(d: DocInfo) -> str:
        where = escape_markdown(f"“{d.title}” ({day(d.date)} · {site_of(d.url) or d.source})")
        return f"{where} [open](<?{urlencode({'doc': d.doc_id})}>)"

    original = archive.document(info.copy_of) if info.copy_of else None
    if original:
        st.caption("Near-copy of " + named(original[0]))
    copies = archive.copies(info.doc_id)
    if copies:
        count = "1 copy" if len(copies) == 1 else f"{len(copies)} copies"
        st.caption(f"Also published as {count}: " + "; ".join(named(d) for d in copies[:10]))
    reports = archive.reported_with(info.doc_id)
    if reports:
        shown = "; ".join(named(d) for d in reports[:10])
        st.caption(f"Same story, {plural(len(reports), 'other report')}: {shown}")


def reader(
    archive: Archive, doc_id: str, query: str, sentence: Span | None, speaker: Span | None = None
) -> None:
    """One article: headline, date, site, link; search matches, a linked sentence (or quote,
    with the words naming its speaker) highlighted and scrolled to; who is quoted in it;
    delete with a confirmation."""
    found = archive.document(doc_id)
    if found is None:
        st.info("This article is not in the archive (it may have been deleted).")
        return
    info, text = found
    with st.container(border=True, key=f"reader-{doc_id}"):
        st.subheader(escape_markdown(info.title))
        meta = escape_markdown(f"{day(info.date)} · {site_of(info.url) or info.source}")
        url = safe_url(info.url)
        st.markdown(meta + (f" · [open the source :material/open_in_new:](<{url}>)" if url else ""))
        show_copies(archive, info)
        article_quotes(archive, doc_id)
        marks = word_spans(text, query) if query.strip() else []
        marks += [s for s in (sentence, speaker) if s]
        st.markdown(highlight(text, 0, marks))
        if sentence:
            scroll_to(f"reader-{doc_id}", text[sentence.start : sentence.end])
    sure = st.checkbox(
        escape_markdown(f"Yes, delete “{info.title}” and its {plural(info.chunks, 'passage')}"),
        key=f"sure-{doc_id}",
    )
    if st.button("Delete document", disabled=not sure, icon=":material/delete:"):
        archive.delete(doc_id)
        st.session_state["deleted"] = (
            f"Deleted “{info.title}” ({day(info.date)}) and its {plural(info.chunks, 'passage')}"
        )
        st.query_params.clear()
        st.rerun()

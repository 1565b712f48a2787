"""Streamlit chat over the news archive. Thin: all logic lives in rag/."""

from __future__ import annotations

import datetime as dt
import logging
import math
from pathlib import Path

import streamlit as st

from rag.pipeline import Archive, QuestionError
from rag.render import (
    answer_markdown,
    day,
    escape_answer,
    escape_markdown,
    highlight,
    safe_url,
)
from rag.settings import Settings
from rag.types import Answer, Citation, FileResult, Filters, Span, StoreUnavailable, site_of

log = logging.getLogger("rag.app")
st.set_page_config(page_title="News archive Q&A", page_icon="🗞️", layout="wide")


def llm_key() -> dict:
    """An LLM API key from Streamlit secrets, if there is one (else the environment's)."""
    try:
        key = st.secrets.get("RAG_LLM_API_KEY")
    except Exception:  # no secrets file at all
        key = None
    return {"llm_api_key": key} if key else {}


@st.cache_resource(show_spinner=False)
def get_archive(data_dir: str) -> Archive:
    archive = Archive(Settings(data_dir=Path(data_dir), **llm_key()))
    archive.warm_up()  # load the model now, not on the first question
    return archive


def seed_once(archive: Archive) -> None:
    """On the first start of a new data directory, add the sample articles, visibly."""
    if not archive.needs_seeding:
        return
    with st.status("First start: adding the sample articles…") as status:
        try:
            results = archive.seed_if_new()
        except StoreUnavailable as e:
            status.update(label=escape_markdown(str(e)), state="error")
            return
        status.update(
            label=f"Added {len(results)} sample article(s)", state="complete", expanded=False
        )


def show_citation(archive: Archive, c: Citation, key: str) -> None:
    label = f"[{c.n}] {c.title} · {c.date or 'undated'}"
    with st.expander(label):
        url = safe_url(c.url)
        meta = escape_markdown(f"{c.source} · {c.date or 'undated'}")
        st.markdown(f"{meta} · [open the source ↗](<{url}>)" if url else meta)
        if c.in_title:  # the headline is what is quoted
            st.markdown("Headline: " + highlight(c.quote, 0, [Span(0, len(c.quote))]))
        quote = Span(c.start, c.end)
        st.markdown(highlight(c.passage, c.passage_start, [] if c.in_title else [quote]))
        if st.toggle("Show the whole article", key=f"{key}-{c.n}"):
            found = archive.document(c.doc_id)
            if found is None:
                st.info("This article has since been removed from the archive.")
            else:
                passage = Span(c.passage_start, c.passage_start + len(c.passage))
                st.markdown(highlight(found[1], 0, [] if c.in_title else [quote], passage))


def show_conflicts(reply: Answer) -> None:
    """Each disagreement between sources as columns, one per value, newest first."""
    labels = {"newest": "Newest report", "earlier": "Earlier reporting", "": "Reported"}
    for conflict in reply.conflicts:
        with st.container(border=True):
            st.markdown(":orange[**⚠ The sources disagree**]")
            for column, side in zip(st.columns(len(conflict.sides)), conflict.sides):
                column.markdown("**" + escape_markdown(side.value) + "**")
                cites = " ".join(f"[{n}]" for n in side.citations)
                when = day(side.date)
                column.caption(escape_markdown(f"{labels[side.label]} · {when} · sources {cites}"))


def show_reply(archive: Archive, reply: Answer | str, key: str) -> None:
    if isinstance(reply, str):
        st.markdown(escape_markdown(reply))
        return
    if reply.notice:
        st.warning(escape_markdown(reply.notice), icon="⚠️")
    mark = archive.message("unsupported_claim")
    st.markdown(escape_answer(reply.text, mark))
    show_conflicts(reply)
    if not reply.abstained:
        checked = sum(c.supported for c in reply.claims)
        by = "quotes from the archive" if reply.backend == "offline" else reply.backend
        st.caption(
            escape_markdown(
                f"Answered by {by} · {checked} of {len(reply.claims)} statements "
                "checked against their sources"
            )
        )
    for c in reply.citations:
        show_citation(archive, c, key)
    if reply.citations:
        with st.expander("Copy with sources"):
            st.code(answer_markdown(reply), language="markdown", wrap_lines=True)
    if reply.hits:
        with st.expander("Retrieved passages (why these sources)"):
            cited = {c.chunk_id for c in reply.citations}
            rows = [
                {
                    "rank": h.rank,
                    "cited": h.chunk_id in cited,
                    "title": h.title,
                    "date": h.date,
                    "dense": round(h.dense_score, 3),
                    "keyword": round(h.keyword_score, 2),
                    "fused": round(h.score, 4),
                    "passage": h.text[:300],
                }
                for h in reply.hits
            ]
            st.dataframe(rows, hide_index=True)


def ask(archive: Archive, question: str, options: dict, history: list) -> Answer | str:
    """Answer with a visible status; an LLM's draft streams into the page as it is written."""
    draft = st.empty()
    pieces: list[str] = []

    def on_token(piece: str) -> None:
        pieces.append(piece)
        draft.markdown(escape_markdown("".join(pieces)) + " ▌")

    turns = [(q.question, q.text) for role, q in history if isinstance(q, Answer)]
    try:
        with st.status("Searching the archive…") as status:
            answer = archive.ask(question, history=turns, on_token=on_token, **options)
            done = "No answer in the archive" if answer.abstained else "Checked against the sources"
            status.update(label=done, state="complete")
        draft.empty()
        return answer
    except (QuestionError, StoreUnavailable) as e:
        return str(e)
    except Exception:
        log.exception("answering failed")
        return "Sorry, something went wrong while answering. Please try again."


def options(archive: Archive) -> dict:
    """The sidebar's answer settings and retrieval filters, as keyword arguments of ask()."""
    with st.sidebar.expander("Answer settings"):
        name, problem = archive.llm
        if problem:
            st.warning(escape_markdown(f"LLM not used: {problem}"))
        choices = ["Quotes from the archive (offline)"] + ([f"LLM: {name}"] if name else [])
        backend = st.radio("Answer with", choices, index=len(choices) - 1)
        if not name:
            st.caption("No LLM configured: set RAG_LLM_BACKEND and RAG_LLM_BASE_URL to add one.")
        k = st.slider("Passages to read", 2, 12, archive.settings.top_k)
    with st.sidebar.expander("Filters"):
        as_of = st.date_input(
            "Answer as of", value=dt.date.today(), help="later articles are ignored"
        )
        period = st.date_input("Published between", value=(), help="leave empty for any date")
        sites = st.multiselect("Sites", archive.sites(), placeholder="any site")
    since, until = (tuple(period) + (None, None))[:2] if period else (None, None)
    filters = Filters(since, until or since, tuple(sites))
    offline = backend.startswith("Quotes")
    return {"as_of": as_of, "filters": filters, "offline": offline, "k": k}


def sidebar(archive: Archive) -> None:
    st.sidebar.header("Archive")
    n = len(archive.documents())
    st.sidebar.caption(f"{n} document{'s' if n != 1 else ''} in the archive")
    round_ = st.session_state.setdefault("upload_round", 0)
    files = st.sidebar.file_uploader(
        "Add articles (.txt, .md, .html, .pdf)",
        type=["txt", "md", "html", "htm", "pdf"],
        accept_multiple_files=True,
        key=f"uploader-{round_}",
        # the widget states and enforces our limit, not Streamlit's server-wide one
        max_upload_size=max(1, math.ceil(archive.settings.max_file_mb)),
    )
    if files and st.sidebar.button("Add to archive", type="primary"):
        st.session_state["upload_results"] = upload(archive, files)
        st.session_state["upload_round"] = round_ + 1  # a fresh, empty upload box
        st.rerun()
    for line, ok in st.session_state.get("upload_results", []):
        (st.sidebar.success if ok else st.sidebar.warning)(escape_markdown(line))


def upload(archive: Archive, files: list) -> list[tuple[str, bool]]:
    """Ingest uploaded files with a progress bar; one (message, ok) per file."""
    bar = st.sidebar.progress(0.0, text="Adding…")

    def progress(done: int, total: int, result: FileResult) -> None:
        bar.progress(done / total, text=f"{done}/{total}: {result.path}")

    try:
        results = archive.ingest_uploads([(f.name, f.getvalue()) for f in files], progress)
    except Exception:
        log.exception("upload failed")
        return [("Adding the files failed; nothing was half-written. Please try again.", False)]
    return [
        (f"{r.path}: {r.status}" + (f" ({r.reason})" if r.reason else ""), r.status != "skipped")
        for r in results
    ]


def archive_page(archive: Archive) -> None:
    """Browse, read and delete the archive's documents."""
    st.title("🗂️ Archive")
    docs = archive.documents()
    if not docs:
        st.info(archive.message("empty_archive"))
        return
    needle = st.text_input("Search titles and sites", placeholder="e.g. Ukraine or cnn.com")
    shown = [d for d in docs if needle.lower() in f"{d.title} {d.url} {d.source}".lower()]
    table = [
        {
            "title": d.title,
            "date": d.date,
            "site": site_of(d.url),
            "chunks": d.chunks,
            "ingested at": d.ingested_at,
            "id": d.doc_id,
        }
        for d in shown
    ]
    st.dataframe(table, hide_index=True)
    if not shown:
        return
    labels = {d.doc_id: f"{d.title} · {d.date or 'undated'}" for d in shown}
    doc_id = st.selectbox("Document", list(labels), format_func=labels.__getitem__)
    found = archive.document(doc_id)
    if found is None:
        return
    info, text = found
    with st.expander("Read it"):
        st.markdown(escape_markdown(text))
    sure = st.checkbox(f"Yes, delete “{info.title}” and all its {info.chunks} passages")
    if st.button("Delete document", disabled=not sure):
        archive.delete(doc_id)
        st.success(escape_markdown(f"Deleted {info.title}"))
        st.rerun()


def chat_page(archive: Archive) -> None:
    st.title("🗞️ News archive Q&A")
    st.caption(
        "Ask about the articles in the archive. Every answer quotes its sources; "
        "open a source to see the quoted sentence in its article."
    )
    chosen = options(archive)
    if st.sidebar.button("New chat"):
        st.session_state["history"] = []
    history = st.session_state.setdefault("history", [])
    for i, (role, item) in enumerate(history):
        with st.chat_message(role):
            show_reply(archive, item, f"msg{i}")
    if question := st.chat_input("Ask a question, e.g. what did Blinken say about a summit?"):
        history.append(("user", question))
        with st.chat_message("user"):
            st.markdown(escape_markdown(question))
        with st.chat_message("assistant"):
            reply = ask(archive, question, chosen, history)
            history.append(("assistant", reply))
            show_reply(archive, reply, f"msg{len(history) - 1}")


def main() -> None:
    archive = get_archive(str(Settings().data_dir.resolve()))
    seed_once(archive)
    view = st.sidebar.radio(
        "View", ["Chat", "Archive"], horizontal=True, label_visibility="collapsed"
    )
    sidebar(archive)
    if view == "Archive":
        archive_page(archive)
    else:
        chat_page(archive)


main()

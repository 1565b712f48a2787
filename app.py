"""Streamlit chat over the news archive. Thin: all logic lives in rag/.

Every piece of document or model text goes through rag.render.escape_markdown (or
highlight, built on it) before it reaches the page, labels included; the only links are the
ones built here from a document's http(s) URL or to this app.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from rag.pipeline import Archive, QuestionError
from rag.render import (
    answer_json,
    answer_markdown,
    asked_caption,
    copies_line,
    day,
    escape_answer,
    escape_markdown,
    highlight,
    parse_share,
    reported_line,
    safe_url,
    sentence_query,
    share_query,
    snippet,
    text_fragment_url,
    word_spans,
)
from rag.settings import Settings
from rag.timeline.build import Timeline, asks_timeline
from rag.types import (
    Answer,
    Asked,
    Citation,
    DocInfo,
    FileResult,
    Filters,
    Span,
    StoreUnavailable,
    site_of,
)
from views.timeline import show_timeline

log = logging.getLogger("rag.app")
st.set_page_config(page_title="News archive Q&A", page_icon=":material/newspaper:", layout="wide")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def llm_key() -> dict:
    """An LLM API key from Streamlit secrets, if there is one (else the environment's)."""
    try:
        key = st.secrets.get("RAG_LLM_API_KEY")
    except Exception:  # no secrets file at all
        key = None
    return {"llm_api_key": key} if key else {}


@st.cache_resource(show_spinner="Loading the language model and opening the archive…")
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
        label = f"Added {plural(len(results), 'sample article')}"
        status.update(label=label, state="complete", expanded=False)


def scroll_to(key: str, sentence: str) -> None:
    """Scroll the page to the highlighted sentence that begins like `sentence` inside the
    container `key`. Our own script: the words travel as a JSON string, never as markup."""
    needle = json.dumps(" ".join(sentence.split()[:8])).replace("<", "\\u003c")
    where = json.dumps(f".st-key-{key} strong")
    # Streamlit may still be laying the page out: look again until it has stood in view a
    # while (2 s; 20 s at most), scrolling whenever it is not.
    script = f"""<script>
const needle = {needle};
let steady = 0;
function find(tries) {{
  const marks = [...window.parent.document.querySelectorAll({where})];
  const clean = t => t.replace(/\\u2060/g, "").replace(/\\s+/g, " ").trim();
  const hit = marks.find(m => clean(m.textContent).startsWith(needle));
  if (hit) {{
    const box = hit.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.parent.innerHeight) steady += 1;
    else {{ hit.scrollIntoView({{block: "center"}}); steady = 0; }}
  }}
  if (steady < 8 && tries > 0) setTimeout(() => find(tries - 1), 250);
}}
find(80);
</script>"""
    st.iframe(script, height=1)  # same-origin, so it can scroll the page; nothing to show


def source_links(c: Citation) -> str:
    """Links to the article, to the quoted sentence in the original page (a text-fragment
    link browsers scroll to), and to the sentence in this app's archive."""
    parts = [escape_markdown(f"{c.source} · {day(c.date)}")]
    url = safe_url(c.url)
    if url:
        parts.append(f"[open the source :material/open_in_new:](<{url}>)")
        fragment = text_fragment_url(url, c.quote)
        if fragment:
            parts.append(f"[this sentence in the source](<{fragment}>)")
    parts.append(f"[link to this sentence](<{sentence_query(c.doc_id, c.start, c.end)}>)")
    return " · ".join(parts)


def show_citation(
    archive: Archive, quotes: tuple[Citation, ...], key: str, reply: Answer | None = None
) -> None:
    """One cited article: its passages with every sentence the answer quotes highlighted,
    the sites that published near-copies of it or reported the same story, and the whole
    article on demand, scrolled to the first of them."""
    c = quotes[0]
    label = escape_markdown(f"[{c.n}] {c.title} · {day(c.date)}")
    # keyed: it stays open when the page reruns (showing the whole article reruns it)
    with st.expander(label, key=f"{key}-source-{c.n}"):
        st.markdown(source_links(c))
        copies, reported = (dict(reply.copies), dict(reply.reported)) if reply else ({}, {})
        for line in (
            copies_line(copies.get(c.doc_id, ())),
            reported_line(reported.get(c.doc_id, ())),
        ):
            if line:
                st.caption(escape_markdown(line))
        spans = [Span(q.start, q.end) for q in quotes if not q.in_title]
        if any(q.in_title for q in quotes):  # the headline is quoted
            st.markdown("Headline: " + highlight(c.title, 0, [Span(0, len(c.title))]))
        passages = {q.chunk_id: q for q in quotes}.values()
        for p in passages:
            st.markdown(highlight(p.passage, p.passage_start, spans))
        if st.toggle("Show the whole article", key=f"{key}-{c.n}"):
            found = archive.document(c.doc_id)
            if found is None:
                st.info("This article has since been removed from the archive.")
                return
            start = min(p.passage_start for p in passages)
            end = max(p.passage_start + len(p.passage) for p in passages)
            with st.container(key=f"article-{key}-{c.n}"):
                st.markdown(highlight(found[1], 0, spans, Span(start, end)))
            first = next((q for q in quotes if not q.in_title), None)
            if first is not None:
                scroll_to(f"article-{key}-{c.n}", first.quote)


def show_conflicts(reply: Answer) -> None:
    """Each disagreement between sources as columns, one per value, newest first."""
    labels = {"newest": "Newest report", "earlier": "Earlier reporting", "": "Reported"}
    updated = {"newest": "Updated version", "earlier": "Earlier version", "": "Version"}
    for conflict in reply.conflicts:
        with st.container(border=True):
            if conflict.updated:
                st.markdown(":blue[:material/update: **The article was updated**]")
            else:
                st.markdown(":orange[:material/warning: **The sources disagree**]")
            for column, side in zip(st.columns(len(conflict.sides)), conflict.sides):
                column.markdown("**" + escape_markdown(side.value) + "**")
                cites = " ".join(f"[{n}]" for n in side.citations)
                when = day(side.date)
                label = (updated if conflict.updated else labels)[side.label]
                column.caption(escape_markdown(f"{label} · {when} · sources {cites}"))


def show_passages(reply: Answer) -> None:
    """The retrieval inspector: every passage read, wrapped, with its scores."""
    cited = {c.chunk_id for c in reply.citations}
    with st.expander("Retrieved passages (why these sources)"):
        for h in reply.hits:
            mark = " · :green[cited]" if h.chunk_id in cited else ""
            scores = (
                f"dense {h.dense_score:.3f} · keyword {h.keyword_score:.2f} · fused {h.score:.4f}"
            )
            st.markdown(f"**{h.rank}.** {escape_markdown(h.title)} · {day(h.date)}{mark}")
            st.caption(scores + "  \n" + escape_markdown(h.text))


def show_reply(
    archive: Archive, reply: Answer | Timeline | str, asked: Asked | None, key: str
) -> None:
    if isinstance(reply, str):
        st.markdown(escape_markdown(reply))
        return
    if isinstance(reply, Timeline):
        show_timeline(archive, reply, key, show_citation)
        return
    if reply.notice:
        st.warning(escape_markdown(reply.notice), icon=":material/warning:")
    if reply.interpreted:
        st.caption(escape_markdown(f"Interpreted as: {reply.interpreted}"))
    lead, _, rest = reply.text.partition("\n\n")
    if reply.backend != "offline" or reply.abstained:
        lead, rest = reply.text, ""
    st.markdown(escape_answer(lead, archive.message("unsupported_claim")))
    if rest:  # supporting quotes and disagreements: secondary to the lead quote
        st.caption(escape_answer(rest, ""))
    if reply.out_of_scope and asked is not None:
        closest = replace(asked, closest=True)
        st.button("Show the closest reports anyway", key=f"{key}-closest",
                  on_click=st.session_state.update, kwargs={"pending": closest})  # fmt: skip
    show_conflicts(reply)
    if asked is not None:
        st.caption(escape_markdown(asked_caption(asked, dt.date.today())))
    if not reply.abstained:
        if reply.backend == "offline":
            articles = len({c.doc_id for c in reply.citations})
            st.caption(f"Quoted verbatim from {plural(articles, 'article')} in the archive")
        else:
            checked = sum(c.supported for c in reply.claims)
            st.caption(
                escape_markdown(
                    f"Written by {reply.backend} · {checked} of "
                    f"{plural(len(reply.claims), 'statement')} checked against their sources"
                )
            )
    for quotes in reply.sources():
        show_citation(archive, quotes, key, reply)
    with st.expander("Share or export"):
        if asked is not None:
            st.markdown(f"[Link to this answer](<{share_query(asked)}>) (asks it again)")
        left, right = st.columns(2)
        left.download_button(
            "Markdown", answer_markdown(reply), "answer.md", "text/markdown", key=f"{key}-md"
        )
        data = json.dumps(answer_json(reply), ensure_ascii=False, indent=2)
        right.download_button("JSON", data, "answer.json", "application/json", key=f"{key}-js")
        st.code(answer_markdown(reply), language="markdown", wrap_lines=True)
    if reply.hits:
        show_passages(reply)


def ask(archive: Archive, asked: Asked, k: int, history: list) -> Answer | str:
    """Answer with a visible status; an LLM's draft streams into the page as it is written."""
    draft = st.empty()
    pieces: list[str] = []

    def on_token(piece: str) -> None:
        pieces.append(piece)
        draft.markdown(escape_markdown("".join(pieces)) + " ▌")

    turns = [(r.interpreted or r.question, r.text) for _, r, _ in history if isinstance(r, Answer)]
    with st.status("Searching the archive…") as status:
        try:
            answer = archive.ask(
                asked.question, asked.as_of, asked.filters, turns, on_token, asked.offline, k,
                asked.closest, asked.all_copies,
            )  # fmt: skip
        except (QuestionError, StoreUnavailable) as e:
            status.update(label="Not asked", state="error")
            return str(e)
        except Exception:
            log.exception("answering failed")
            status.update(label="Something went wrong", state="error")
            return "Sorry, something went wrong while answering. Please try again."
        done = "No answer in the archive" if answer.abstained else "Answered from the archive"
        status.update(label=done, state="complete", expanded=False)
    draft.empty()
    return answer


def timeline(archive: Archive, asked: Asked, topic: str) -> Timeline | str:
    """A timeline of `topic`, with a visible status."""
    with st.status("Building the timeline…") as status:
        try:
            made = archive.timeline(topic, as_of=asked.as_of, filters=asked.filters)
        except (QuestionError, StoreUnavailable) as e:
            status.update(label="Not built", state="error")
            return str(e)
        except Exception:
            log.exception("timeline failed")
            status.update(label="Something went wrong", state="error")
            return "Sorry, something went wrong while building the timeline. Please try again."
        status.update(label=f"Timeline of {len(made.entries)} dates", state="complete",
                      expanded=False)  # fmt: skip
    return made


def clear_filters() -> None:
    st.session_state.update(f_as_of=dt.date.today(), f_since=None, f_until=None, f_sites=[])


def options(archive: Archive) -> tuple[dt.date, Filters, bool, int, bool]:
    """The sidebar's answer settings and retrieval filters: as of, filters, offline, k,
    every copy."""
    with st.sidebar.expander("Answer settings"):
        name, problem = archive.llm
        if problem:
            st.warning(escape_markdown(f"LLM not used: {problem}"))
        choices = ["Quotes from the archive (offline)"] + ([f"LLM: {name}"] if name else [])
        backend = st.radio("Answer with", choices, index=len(choices) - 1)
        if not name:
            st.caption("No LLM configured: set RAG_LLM_BACKEND and RAG_LLM_BASE_URL to add one.")
        k = st.slider("Passages to read", 2, 12, archive.settings.top_k)
        every = st.toggle(
            "Every copy of an article",
            help="off: near-copies of one article are one source, and its citation names them",
        )
        st.toggle("Timeline mode", key="timeline_mode",
                  help="every question gets a dated timeline of the story instead of an "
                  "answer; or ask e.g. “timeline of the BP oil spill”")  # fmt: skip
    if "f_as_of" not in st.session_state:
        clear_filters()
    with st.sidebar.expander("Filters", expanded=True):
        as_of = st.date_input("Answer as of", key="f_as_of", help="later articles are ignored")
        since = st.date_input("Published from", key="f_since", help="empty: any date")
        until = st.date_input("Published until", key="f_until", help="empty: any date")
        sites = st.multiselect("Sites", archive.sites(), key="f_sites", placeholder="any site")
        st.button("Clear filters", on_click=clear_filters, icon=":material/filter_alt_off:")
    filters = Filters(since or None, until or None, tuple(sites))
    return as_of, filters, bool(name) and backend.startswith("Quotes"), k, every


def sidebar(archive: Archive) -> None:
    st.sidebar.header("Archive")
    st.sidebar.caption(f"{plural(len(archive.documents()), 'document')} in the archive")
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
        bar.progress(done / total, text=escape_markdown(f"{done}/{total}: {result.path}"))

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
        at = (st.query_params.get("at", ""), st.query_params.get("to", ""))
        span = Span(int(at[0]), int(at[1])) if all(v.isdigit() for v in at) else None
        reader(archive, linked, query, span)


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
        count = "1 other report" if len(reports) == 1 else f"{len(reports)} other reports"
        st.caption(f"Same story, {count}: " + "; ".join(named(d) for d in reports[:10]))


def reader(archive: Archive, doc_id: str, query: str, sentence: Span | None) -> None:
    """One article: headline, date, site, link; search matches and a linked sentence
    highlighted (and scrolled to); delete with a confirmation."""
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
        marks = word_spans(text, query) if query.strip() else []
        st.markdown(highlight(text, 0, marks + ([sentence] if sentence else [])))
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


def user_line(asked: Asked) -> str:
    return escape_markdown(asked.question + (" (closest reports)" if asked.closest else ""))


def chat_page(archive: Archive) -> None:
    st.title(":material/newspaper: News archive Q&A")
    st.caption(
        "Ask about the articles in the archive. Every answer quotes its sources; "
        "open a source to see the quoted sentence in its article."
    )
    as_of, filters, offline, k, every = options(archive)
    if st.sidebar.button("New chat", icon=":material/add_comment:"):
        st.session_state["history"] = []
    history = st.session_state.setdefault("history", [])
    for i, (asked, reply, _) in enumerate(history):
        with st.chat_message("user"):
            st.markdown(user_line(asked))
        with st.chat_message("assistant"):
            show_reply(archive, reply, asked, f"msg{i}")
    limit = archive.settings.max_question_chars
    typed = st.chat_input(
        f"Ask a question (up to {limit} characters), e.g. what did Blinken say about a summit?",
        max_chars=limit,
    )
    shared = parse_share({name: st.query_params.get_all(name) for name in st.query_params})
    asked = None
    if typed:
        asked = Asked(typed, as_of, filters, offline, all_copies=every)
    elif st.session_state.get("pending"):  # "Show the closest reports anyway"
        asked = st.session_state.pop("pending")
    elif shared and st.session_state.get("shared") != share_query(shared):
        st.session_state["shared"] = share_query(shared)  # a shared link asks once
        asked = shared
    if asked is None:
        return
    with st.chat_message("user"):
        st.markdown(user_line(asked))
    with st.chat_message("assistant"):
        topic = asks_timeline(asked.question)
        if topic is None and st.session_state.get("timeline_mode"):
            topic = asked.question
        reply = timeline(archive, asked, topic) if topic else ask(archive, asked, k, history)
        history.append((asked, reply, k))
        show_reply(archive, reply, asked, f"msg{len(history) - 1}")


def fold_sidebar_on_narrow_screens() -> None:
    """On a screen narrower than 900 px, fold the sidebar away once per session (its arrow
    brings it back), so that answers get the width. Our own script, same origin."""
    if st.session_state.setdefault("sidebar_checked", False):
        return
    st.session_state["sidebar_checked"] = True
    script = """<script>
const page = window.parent;
function fold(tries) {
  const button = page.document.querySelector(
    '[data-testid="stSidebar"] button[aria-label="Collapse sidebar"]');
  if (page.innerWidth >= 900) return;
  if (button) button.click();
  else if (tries > 0) setTimeout(() => fold(tries - 1), 200);
}
fold(25);
</script>"""
    st.iframe(script, height=1)


def main() -> None:
    fold_sidebar_on_narrow_screens()
    archive = get_archive(str(Settings().data_dir.resolve()))
    seed_once(archive)
    if "view" not in st.session_state:  # a link to a sentence opens the archive
        st.session_state["view"] = "Archive" if "doc" in st.query_params else "Chat"
    view = st.sidebar.radio(
        "View", ["Chat", "Archive"], key="view", horizontal=True, label_visibility="collapsed"
    )
    sidebar(archive)
    if view == "Archive":
        archive_page(archive)
    else:
        chat_page(archive)


main()

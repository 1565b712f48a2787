"""Streamlit chat over the news archive. Thin: all logic lives in rag/; the pages' pieces
are in views/ (answers, timelines, the archive page).

Every piece of document or model text goes through rag.render.escape_markdown (or
highlight, built on it) before it reaches the page, labels included; the only links are the
ones built from a document's http(s) URL or to this app.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from rag.answer.types import Answer, Asked
from rag.pipeline import Archive, QuestionError
from rag.render import escape_markdown, parse_share, share_query
from rag.settings import Settings
from rag.sources.poller import Poller
from rag.timeline.build import Timeline, asks_timeline
from rag.types import Filters, StoreUnavailable
from views.adding import add_articles
from views.answer import show_answer
from views.archive import archive_page
from views.feeds import feeds_page
from views.page import plural
from views.quotes import quotes_page
from views.timeline import show_timeline

log = logging.getLogger("rag.app")
st.set_page_config(page_title="News archive Q&A", page_icon=":material/newspaper:", layout="wide")
T = TypeVar("T")


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
    Poller(archive.sources, archive.settings.feed_poll_check_s).start()  # one per process
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


def under_status(label: str, refused: str, what: str, work: Callable[[], T],
                 done: Callable[[T], str]) -> T | str:  # fmt: skip
    """Run `work` under a visible status; a refusal or failure comes back as the message
    to show (the traceback goes to the log only)."""
    with st.status(label) as status:
        try:
            result = work()
        except (QuestionError, StoreUnavailable) as e:
            status.update(label=refused, state="error")
            return str(e)
        except Exception:
            log.exception("%s failed", what)
            status.update(label="Something went wrong", state="error")
            return f"Sorry, something went wrong while {what}. Please try again."
        status.update(label=done(result), state="complete", expanded=False)
    return result


def ask(archive: Archive, asked: Asked, k: int, history: list) -> Answer | str:
    """Answer with a visible status; an LLM's draft streams into the page as it is written."""
    draft = st.empty()
    pieces: list[str] = []

    def on_token(piece: str) -> None:
        pieces.append(piece)
        draft.markdown(escape_markdown("".join(pieces)) + " ▌")

    turns = [(r.interpreted or r.question, r.text) for _, r, _ in history if isinstance(r, Answer)]
    answer = under_status(
        "Searching the archive…", "Not asked", "answering",
        lambda: archive.ask(asked.question, asked.as_of, asked.filters, turns, on_token,
                            asked.offline, k, asked.closest, asked.all_copies),
        lambda a: "No answer in the archive" if a.abstained else "Answered from the archive",
    )  # fmt: skip
    draft.empty()
    return answer


def timeline(archive: Archive, asked: Asked, topic: str) -> Timeline | str:
    """A timeline of `topic`, with a visible status."""
    return under_status(
        "Building the timeline…", "Not built", "building the timeline",
        lambda: archive.timeline(topic, as_of=asked.as_of, filters=asked.filters),
        lambda made: f"Timeline of {len(made.entries)} dates",
    )  # fmt: skip


def show_reply(
    archive: Archive, reply: Answer | Timeline | str, asked: Asked | None, key: str
) -> None:
    if isinstance(reply, str):
        st.markdown(escape_markdown(reply))
    elif isinstance(reply, Timeline):
        show_timeline(archive, reply, key)
    else:
        show_answer(archive, reply, asked, key)


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
    add_articles(archive)


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
    views = ["Chat", "Archive", "Who said what", "Feeds & jobs"]
    view = st.sidebar.radio(
        "View", views, key="view", horizontal=True, label_visibility="collapsed"
    )
    sidebar(archive)
    if view == "Archive":
        archive_page(archive)
    elif view == "Who said what":
        quotes_page(archive)
    elif view == "Feeds & jobs":
        feeds_page(archive)
    else:
        chat_page(archive)


main()

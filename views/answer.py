"""An answer in the chat: the lead quote, supporting quotes, disagreements, and each cited
article as a source box that opens to the quoted sentences highlighted in it.

Every piece of document or model text goes through rag.render.escape_markdown (or
highlight, built on it); the only links are built from a document's http(s) URL or to
this app.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import streamlit as st

from rag.answer.types import Answer, Asked, Citation
from rag.pipeline import Archive
from rag.render import (
    answer_markdown,
    asked_caption,
    copies_line,
    day,
    escape_answer,
    escape_markdown,
    highlight,
    reach,
    reported_line,
    safe_url,
    sentence_query,
    share_query,
    text_fragment_url,
)
from rag.shapes import answer_json
from rag.types import Span
from views.page import plural, scroll_to


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


def show_answer(archive: Archive, reply: Answer, asked: Asked | None, key: str) -> None:
    """The answer, what it was asked as, its sources, and its export."""
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
        if reply.citations:
            asked_day = asked.as_of if asked is not None else None
            st.caption(escape_markdown(reach(reply, asked_day or dt.date.today())))
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

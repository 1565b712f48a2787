"""A timeline in the chat: coverage over time with the chosen days marked, then each day's
quoted sentences with their [n], then the sources, which open like an answer's."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from rag.answer.types import Citation
from rag.render import escape_markdown
from rag.text.dates import day
from rag.timeline.build import Timeline
from rag.timeline.render import quoted, timeline_json, timeline_text
from views.answer import show_citation
from views.page import plural


def coverage_chart(made: Timeline) -> alt.LayerChart:
    """Articles on the topic per publication day (bars), the timeline's days as rules."""
    articles = pd.DataFrame(
        [{"day": pd.Timestamp(d), "articles": n} for d, n in made.coverage]
        or [{"day": pd.Timestamp("today"), "articles": 0}]
    )
    bars = alt.Chart(articles).mark_bar(opacity=0.7).encode(
        x=alt.X("yearmonthdate(day):T", title=None, axis=alt.Axis(format="%-d %b %Y")),
        y=alt.Y("articles:Q", title="articles", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("day:T", title="published"), "articles:Q"],
    )  # fmt: skip
    chosen = pd.DataFrame([{"day": pd.Timestamp(e.date), "entry": day(e.date)}
                           for e in made.entries])  # fmt: skip
    rules = alt.Chart(chosen).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(
        x="yearmonthdate(day):T", tooltip=[alt.Tooltip("entry:N", title="timeline entry")]
    )  # fmt: skip
    return (bars + rules).properties(height=180)


def show_timeline(archive, made: Timeline, key: str) -> None:
    if not made.entries:
        st.markdown(escape_markdown(f"The archive holds no dated events for “{made.query}”."))
        return
    st.caption("Coverage over time: articles on the topic per day; dashed lines are the "
               "timeline's days")  # fmt: skip
    st.altair_chart(coverage_chart(made), width="stretch")
    sources: dict[int, list[Citation]] = {}
    with st.container(key=f"{key}-timeline"):
        for entry in made.entries:
            st.markdown(f"**{escape_markdown(day(entry.date))}**")
            for c in entry.citations:
                st.markdown("- " + escape_markdown(f"{quoted(c.quote)} [{c.n}]"))
                sources.setdefault(c.n, []).append(c)
    articles = len(sources)
    st.caption(f"{len(made.entries)} dates, quoted verbatim from {plural(articles, 'article')} "
               "in the archive")  # fmt: skip
    for n in sorted(sources):
        show_citation(archive, tuple(sources[n]), key)
    with st.expander("Share or export"):
        left, right = st.columns(2)
        text = timeline_text(made)
        left.download_button("Text", text, "timeline.txt", "text/plain", key=f"{key}-tl-txt")
        data = json.dumps(timeline_json(made), ensure_ascii=False, indent=2)
        right.download_button("JSON", data, "timeline.json", "application/json",
                              key=f"{key}-tl-js")  # fmt: skip
        st.code(text, language="markdown", wrap_lines=True)

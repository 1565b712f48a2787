"""The "Who said what" page: who the archive quotes, one speaker's quotes over time (a
chart of how often) and each quote opening its article at the quote; and the quotes of an
article in the reader."""

from __future__ import annotations

from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from rag.pipeline import Archive, QuestionError
from rag.render import day, escape_markdown
from rag.types import Quote, site_of
from views.page import plural


def quotes_page(archive: Archive) -> None:
    st.title(":material/record_voice_over: Who said what")
    left, right = st.columns(2)
    who = left.text_input("Speaker", placeholder="e.g. Blinken", key="w_speaker")
    about = right.text_input("About (optional)", placeholder="e.g. summit", key="w_about")
    if not who.strip():
        speakers = archive.speakers(limit=50)
        if not speakers:
            st.info("No one is quoted in the archive yet.")
            return
        st.caption("Who the archive quotes most; type a name above to read their quotes.")
        rows = [{"speaker": s.name, "quotes": s.quotes, "articles": s.articles,
                 "from": s.first_date, "to": s.last_date, "on": ", ".join(s.topics)}
                for s in speakers]  # fmt: skip
        st.dataframe(rows, hide_index=True, key="w_speakers")
        return
    try:
        found = archive.quotes(who, about, limit=200)
    except QuestionError as e:
        st.warning(escape_markdown(str(e)))
        return
    if not found:
        st.info(escape_markdown(f"The archive holds no quotes by {who}."))
        return
    names = sorted({q.attribution.speaker for q in found})
    order = f", closest to “{about}” first" if about.strip() else ", newest first"
    st.caption(escape_markdown(f"{plural(len(found), 'quote')} by {', '.join(names)}{order}"))
    dated = [q for q in found if q.doc.date]
    if dated:
        st.altair_chart(quotes_chart(dated), width="stretch")
    for q in found:
        show_quote(q)


def quotes_chart(found: list[Quote]) -> alt.Chart:
    """How often the speaker is quoted, per month."""
    months = pd.DataFrame([{"month": pd.Timestamp(q.doc.date).to_period("M").to_timestamp()}
                           for q in found])  # fmt: skip
    counts = months.value_counts("month").rename("quotes").reset_index()
    return alt.Chart(counts).mark_bar(opacity=0.7).encode(
        x=alt.X("yearmonth(month):T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("quotes:Q", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("yearmonth(month):T", title="month"), "quotes:Q"],
    ).properties(height=160)  # fmt: skip


def show_quote(q: Quote) -> None:
    """One quote: who, how, the words (escaped), the article, a link to it at the quote."""
    a, d = q.attribution, q.doc
    link = {"doc": d.doc_id, "at": a.start, "to": a.end}
    if a.speaker_start >= 0:
        link |= {"who": a.speaker_start, "whoto": a.speaker_end}
    how = a.cue or "continued"
    with st.container(border=True):
        st.markdown(escape_markdown(f"{a.speaker} ({how}): {q.text}"))
        where = escape_markdown(f"{day(d.date)} · {site_of(d.url) or d.source} · “{d.title}”")
        st.caption(f"{where} · [open at the quote](<?{urlencode(link)}>)")


def article_quotes(archive: Archive, doc_id: str) -> None:
    """The article's attributions, each with its speaker, in an expander."""
    found = archive.quotes(doc_id=doc_id, limit=500)
    if not found:
        return
    with st.expander(f"Who is quoted here: {plural(len(found), 'quote')}"):
        for q in sorted(found, key=lambda q: q.attribution.start):
            a = q.attribution
            st.markdown("- " + escape_markdown(f"{a.speaker} ({a.cue or 'continued'}): {q.text}"))

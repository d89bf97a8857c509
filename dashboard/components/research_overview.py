"""The Research page's counts and band chart, cached between reruns the way the Analyses
page's data is (``components.research_analyses``): keyed on the database, the weeks and
the day they end on, the data stamp (a new rating, check-in or consent moves it), and
the researcher and login session (the store logs the read once per session; another
session reads, and logs, afresh). A rerun that changes none of these (the export's
format or k, the new-study box, a language change, any click) reads one audit id and
nothing else; the chart is built once per language (``st.cache_resource``, shared and
read-only, never changed after it is made).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.components.chart_text import band_counts_text
from dashboard.components.context import unit_of_work
from dashboard.components.palette import BLUE
from dashboard.components.research_analyses import CACHE_TTL, DataKey
from dashboard.i18n import translate
from store.research import ResearchSummary, research_summary


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _summary(database: str, weeks: int, as_of, stamp: int, user_id: int, session: str | None) -> ResearchSummary:
    with unit_of_work() as db:
        return research_summary(db, user_id, weeks=weeks, as_of=as_of)


def summary(key: DataKey) -> ResearchSummary:
    """The counts of the key's weeks (read on the first call; store errors propagate and
    are not cached)."""
    return _summary(*key.args())


@st.cache_resource(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _band_figure(database: str, weeks: int, as_of, stamp: int, user_id: int, session: str | None,
                 lang: str) -> go.Figure:
    bands = _summary(database, weeks, as_of, stamp, user_id, session).bands
    counts = bands["ratings"].astype(float).to_numpy()
    figure = go.Figure(go.Bar(
        x=[translate(lang, f"band.{b}") for b in bands["band"]], y=counts, marker_color=BLUE,
        text=[None if hidden else int(n) for n, hidden in zip(bands["ratings"].fillna(0), bands["hidden"])]))
    figure.update_layout(xaxis_title=translate(lang, "research.band"), yaxis_title=translate(lang, "research.ratings"),
                         margin={"t": 30}, separators=",." if lang == "nl" else ".,")
    return figure


def band_figure(key: DataKey, lang: str) -> go.Figure:
    """Ratings per band (hidden bands drawn empty, without a number), in ``lang``."""
    return _band_figure(*key.args(), lang)


def band_words(key: DataKey, lang: str) -> str:
    """The band chart in words: every band in its order, a hidden one said as hidden."""
    bands = summary(key).bands
    return band_counts_text({band: None if hidden else int(n) for band, n, hidden
                             in zip(bands["band"], bands["ratings"].fillna(0), bands["hidden"])}, lang)


__all__ = ["band_figure", "band_words", "summary"]

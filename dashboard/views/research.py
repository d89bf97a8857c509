"""Research (researchers): counts of the pooled, pseudonymised dataset of consenting
therapists (bands of fewer than five participants hidden) and a download under
disclosure control, built only when asked for (``components.research_export``). The
counts are read once per data change and session (``components.research_overview``):
a rerun reads them from the cache. Every request is logged."""

from __future__ import annotations

import streamlit as st

from complexity import INSTRUMENT
from dashboard.components.caseload import models_caption
from dashboard.components import research_overview
from dashboard.components.context import acting_user, show_store_error
from dashboard.components.research_analyses import data_key
from dashboard.components.research_export import export_panel
from dashboard.i18n import current_language, t
from store import StoreError
from store.disclosure import DEFAULT_K
from store.research import DEFAULT_WEEKS, MIN_GROUP

lang = current_language()
user = acting_user("researcher")
st.title(t("research.title"))
st.markdown(t("research.intro", minimum=MIN_GROUP))
st.caption(t("research_page.disclosure", k=DEFAULT_K))
weeks = st.slider(t("research.weeks"), 4, 104, DEFAULT_WEEKS, step=4, key="research_weeks")
try:
    key = data_key(user, weeks)
    summary = research_overview.summary(key)
except StoreError as error:
    show_store_error(error, what="research.refused")
    st.stop()

left, middle, right = st.columns(3)
left.metric(t("research.therapists"), summary.participants)
middle.metric(t("research.ratings"), summary.ratings)
right.metric(t("research.checkins"), summary.checkins)

bands = summary.bands
if bands["participants"].sum():
    st.plotly_chart(research_overview.band_figure(key, lang), key="research_bands", config={"displayModeBar": False})
    # the chart in words, for a screen reader
    st.caption(research_overview.band_words(key, lang))
    if bands["hidden"].any():
        st.caption(t("research_page.hidden", count=int(bands["hidden"].sum())))
    st.caption(t("research.items", items=len(INSTRUMENT.item_ids)) + " "
               + models_caption(summary.model_versions, lang))

export_panel(user, weeks, summary.study)

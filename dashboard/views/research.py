"""Research (researchers): the pooled, pseudonymised dataset of consenting therapists,
a first look at it, and a download (CSV in a zip). Every request is logged."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from complexity import BANDS, INSTRUMENT
from dashboard.components.caseload import models_caption
from dashboard.components.chart_text import band_counts_text
from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.palette import BLUE
from dashboard.i18n import current_language, t
from store import StoreError
from store.exporter import csv_zip
from store.research import DEFAULT_WEEKS, MIN_GROUP, research_dataset

lang = current_language()
user = acting_user("researcher")
st.title(t("research.title"))
st.markdown(t("research.intro", minimum=MIN_GROUP))
weeks = st.slider(t("research.weeks"), 4, 104, DEFAULT_WEEKS, step=4, key="research_weeks")
try:
    with unit_of_work() as db:
        data = research_dataset(db, user, weeks=weeks)
except StoreError as error:
    show_store_error(error, what="research.refused")
    st.stop()

left, middle, right = st.columns(3)
left.metric(t("research.therapists"), len(data.therapists))
middle.metric(t("research.ratings"), len(data.ratings))
right.metric(t("research.checkins"), len(data.checkins))

scored = data.ratings[data.ratings["band"].isin(BANDS)]
if len(scored):
    counts = scored["band"].value_counts().reindex(list(BANDS), fill_value=0)
    fig = px.bar(x=[t(f"band.{b}") for b in counts.index], y=counts.to_numpy(), text=counts.to_numpy(),
                 labels={"x": t("research.band"), "y": t("research.ratings")}, color_discrete_sequence=[BLUE])
    st.plotly_chart(fig, key="research_bands", config={"displayModeBar": False})
    st.caption(band_counts_text(counts, lang))  # the chart in words, for a screen reader
    st.caption(t("research.items", items=len(INSTRUMENT.item_ids)) + " "
               + models_caption(scored["model_version"], lang))

st.download_button(t("research.download"), csv_zip(data.tables(), codebook=False), file_name="draagkracht-research.zip",
                   mime="application/zip", key="research_download", icon=":material/download:")

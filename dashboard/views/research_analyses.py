"""Analyses (researchers): items and domains, reliability, structure, case profiles and
calibration on the consenting therapists' ratings of a period and one instrument version.
Only the analysis on screen is computed; data and results are cached
(``components.research_analyses``); cells of fewer than five participants are hidden
(``store.research_results``)."""

from __future__ import annotations

import streamlit as st

from dashboard.components import research_analyses as panel
from dashboard.components.analysis_views import draw
from dashboard.components.context import acting_user, show_store_error
from dashboard.i18n import current_language, t
from store import StoreError
from store.disclosure import MIN_CELL

lang = current_language()
user = acting_user("researcher")
st.title(t("analyses.title"))
st.markdown(t("analyses.intro", minimum=MIN_CELL))
weeks = panel.period_picker(lang)
try:
    key = panel.data_key(user, weeks)
    with st.spinner(t("analyses.reading")):
        found = panel.overview(key)
except StoreError as error:
    show_store_error(error, what="analyses.refused")
    st.stop()

version = panel.version_picker(found, lang)
if version is None:
    st.info(t("analyses.no_ratings", first=found.first_week, last=found.last_week))
    st.stop()
analysis = panel.analysis_picker(lang)
st.subheader(t(f"analyses.{analysis}.title"))
with st.expander(t("analyses.how_to_read"), icon=":material/help:"):
    st.markdown(t(f"analyses.{analysis}.how"))
options = panel.analysis_options(analysis, version, lang)
with st.spinner(t("analyses.computing")):
    shown = panel.view(key, version, analysis, options, lang)
if isinstance(shown, panel.Refusal):
    st.warning(t(shown.key, **{k: t(v) if k == "problem" else v for k, v in shown.params.items()}))
else:
    draw(shown, f"analyses_{analysis}_{weeks}_{version}")  # new charts for new data

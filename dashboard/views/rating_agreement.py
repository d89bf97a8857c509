"""Rating agreement (researchers): how alike therapists rate the rating practice's
vignettes (ICC and weighted kappa per domain and item, the items with the most
disagreement), the vignettes in use, and adding more. Pooled practice ratings of
consenting therapists under pseudonyms; every read is logged (``store.practice_agreement``).
Drawing in ``components.rating_agreement``."""

from __future__ import annotations

import streamlit as st

from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.rating_agreement import render_add_vignettes, render_agreement, render_vignettes, report_of
from dashboard.i18n import current_language, t
from store import Refused, StoreError
from store.practice_agreement import practice_ratings_for_research
from store.rating_practice import MIN_GROUP, vignettes

lang = current_language()
user = acting_user("researcher")
st.title(t("agreement.title"))
st.markdown(t("agreement.intro", minimum=MIN_GROUP))

try:
    with unit_of_work() as db:
        offered = vignettes(db, user)
        data = practice_ratings_for_research(db, user)
except Refused as refusal:
    st.info(refusal.message(lang), icon=":material/info:")
    data = None
except StoreError as error:
    show_store_error(error, what="agreement.refused")
    st.stop()
if data is not None:
    render_agreement(report_of(data, lang), lang)

st.subheader(t("agreement.vignettes_title"))
render_vignettes(offered, lang)
with st.expander(t("agreement.add_title")):
    render_add_vignettes(user, lang)

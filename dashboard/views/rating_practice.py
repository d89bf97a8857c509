"""Rating practice (therapists): rate a written case vignette, then see per domain how
your rating compares with the group's median and the reference rating. A learning tool,
never a test: said on the page. Drawing in ``components.rating_practice``; the ratings
are kept by ``store.rating_practice``, apart from real case ratings."""

from __future__ import annotations

import streamlit as st

from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.rating_practice import (
    RATED_KEY, choose_vignette, render_comparison, render_practice_form, render_vignette,
)
from dashboard.i18n import current_language, t
from store import StoreError
from store.rating_practice import MIN_GROUP, my_practice, practice_comparison, rate_vignette, vignettes

lang = current_language()
user = acting_user("therapist")
st.title(t("practice.title"))
st.markdown(t("practice.intro", minimum=MIN_GROUP))

with unit_of_work() as db:
    offered = vignettes(db, user)
    rated = my_practice(db, user)
st.caption(t("practice.progress", rated=len([v for v in offered if v.key in rated]), total=len(offered)))
vignette = choose_vignette(offered, rated, lang)
render_vignette(vignette, lang)

if st.session_state.pop(RATED_KEY, None) == vignette.key:  # once, right after saving
    st.success(t("practice.saved"), icon=":material/check_circle:")
with unit_of_work() as db:
    comparison = practice_comparison(db, user, vignette.key)
if comparison is None:
    ratings = render_practice_form(vignette, lang)
    if ratings is not None:
        try:
            with unit_of_work() as db:
                rate_vignette(db, user, vignette.key, ratings)
        except StoreError as error:
            show_store_error(error, what="practice.not_saved")
        else:
            st.session_state[RATED_KEY] = vignette.key
            st.rerun()  # the comparison in place of the form
else:
    render_comparison(comparison, lang)

"""My cases: the caseload with band, complexity, last rating and trend; add a case (the
app makes the code), rate and re-rate it with the anchors at hand, record sessions one
at a time or a whole week at once, close a case."""

from __future__ import annotations

import streamlit as st

from dashboard.components.caseload import (
    caseload_table, models_caption, render_add_case, render_close, render_one_session, render_week_sessions,
)
from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.intake_planner import render_intake_planner
from dashboard.components.rating_form import NOT_RATED, burden_key, render_rating_form
from dashboard.components.result import range_text, render_result
from dashboard.i18n import current_language, format_number, t
from store import StoreError
from store.overview import case_trends
from store.cases import get_case, my_cases, rate_case

lang = current_language()
user = acting_user("therapist")
st.title(t("cases.title"))

for key in ("my_cases.notice", "my_cases.added"):
    message = st.session_state.pop(key, None)
    if message and key == "my_cases.added":
        st.success(t("cases.added", code=message))
    elif message:
        st.success(message)

show_closed = st.toggle(t("cases.show_closed"), key="my_cases.show_closed")
with unit_of_work() as db:
    cases = my_cases(db, user, include_closed=show_closed)
    trends = case_trends(db, user)
open_codes = [c.code for c in cases if c.is_open]

if cases:
    st.dataframe(caseload_table(cases, trends, lang), hide_index=True, key="caseload_table")
    st.caption(models_caption((c.model_version for c in cases), lang))
else:
    st.info(t("cases.empty"))
render_add_case(user, lang)
with st.expander(t("planner.own_title")):
    render_intake_planner(user)

if open_codes:
    st.divider()
    code = st.selectbox(t("cases.select"), open_codes, key="my_cases.selected")
    rate_tab, session_tab, week_tab, close_tab = st.tabs(
        [t("cases.tab_rate"), t("cases.tab_session"), t("cases.tab_week"), t("cases.tab_close")])
    with unit_of_work() as db:
        detail = get_case(db, user, code)
    latest = detail.latest_rating
    with rate_tab:
        if latest is not None:
            st.caption(t("cases.latest", date=latest.rated_on.strftime("%d-%m-%Y"),
                         band=t(f"band.{latest.band}"), model=latest.model_version,
                         complexity="–" if latest.complexity is None else format_number(round(latest.complexity), lang))
                       + " " + range_text(latest.complexity_low, latest.complexity_high, latest.unrated_items, lang))
        if st.session_state.pop(f"my_cases.ask_burden_afresh.{code}", False):
            st.session_state[burden_key(f"{code}_")] = NOT_RATED  # before the widget: the browser shows it too
        ratings = render_rating_form(lang, initial=latest.items if latest else None, key_prefix=f"{code}_",
                                     submit_label=t("cases.rate_submit"), ask_burden=True)
        if ratings is not None:
            try:
                with unit_of_work() as db:
                    st.session_state[f"my_cases.score.{code}"] = (latest.complexity if latest else None,
                                                                   rate_case(db, user, code, ratings))
                st.session_state[f"my_cases.ask_burden_afresh.{code}"] = True  # it is about "right now"
                st.rerun()  # the caseload table above was drawn before this rating
            except StoreError as error:
                show_store_error(error, what="cases.rating_not_saved")
        previous_and_score = st.session_state.get(f"my_cases.score.{code}")
        if previous_and_score is not None:
            previous, score = previous_and_score
            if previous is not None and score.complexity is not None:
                st.info(t("cases.change", before=format_number(round(previous), lang),
                          after=format_number(round(score.complexity), lang)))
            render_result(score, lang)
    with session_tab:
        st.caption(t("sessions.count", count=len(detail.sessions)))
        render_one_session(user, code, lang)
    with week_tab:
        render_week_sessions(user, open_codes, lang)
    with close_tab:
        render_close(user, code, lang)

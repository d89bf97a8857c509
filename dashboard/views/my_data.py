"""My data: share a report with a named supervisor and revoke it, give or withdraw
research consent, download everything (CSV in a zip with the codebook), see who viewed
my data, erase my account's data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.components.access_text import what_was_accessed

from dashboard.components.auth import logout
from dashboard.components.context import acting_user, show_store_error, unit_of_work
from complexity.calendar import local_time, today
from dashboard.i18n import current_language, t
from store import StoreError
from store import privacy

user = acting_user("therapist")
lang = current_language()
st.title(t("my_data.title"))
with unit_of_work() as db:
    supervisors = privacy.supervisors(db, user)
    shares = privacy.my_shares(db, user)
    consent = privacy.research_consent(db, user)
    log = privacy.access_log(db, user)

st.subheader(t("my_data.share_title"))
st.markdown(t("my_data.share_intro"))
with st.form("share_form", enter_to_submit=False):
    supervisor = st.selectbox(t("my_data.supervisor"), supervisors, index=None, key="share_supervisor",
                              placeholder=t("my_data.supervisor_placeholder"))
    end = today()
    period = st.date_input(t("report.period"), value=(end - dt.timedelta(weeks=11), end), format="DD-MM-YYYY",
                           key="share_period")
    if st.form_submit_button(t("my_data.share_submit"), key="share_submit"):
        if supervisor is None or not isinstance(period, tuple) or len(period) != 2:
            st.error(t("my_data.share_incomplete"))
        else:
            try:
                with unit_of_work() as db:
                    privacy.grant_share(db, user, supervisor, period[0], period[1])
                st.rerun()
            except StoreError as error:
                show_store_error(error)
for share in shares:
    left, right = st.columns([4, 1])
    state = t("my_data.share_active") if share.active else t("my_data.share_revoked")
    left.markdown(t("my_data.share_line", supervisor=share.supervisor, start=share.period_start.strftime("%d-%m-%Y"),
                    end=share.period_end.strftime("%d-%m-%Y"), state=state))
    if share.active and right.button(t("my_data.revoke"), key=f"revoke_{share.id}"):
        try:
            with unit_of_work() as db:
                privacy.revoke_share(db, user, share.id)
            st.rerun()
        except StoreError as error:
            show_store_error(error)

st.subheader(t("my_data.consent_title"))
st.markdown(t("my_data.consent_intro"))
st.markdown(t("my_data.consent_given") if consent else t("my_data.consent_not_given"))
if st.button(t("my_data.consent_withdraw") if consent else t("my_data.consent_give"), key="consent_toggle"):
    try:
        with unit_of_work() as db:
            privacy.set_research_consent(db, user, not consent)
        st.rerun()
    except StoreError as error:
        show_store_error(error)

st.subheader(t("my_data.download_title"))
if st.button(t("my_data.prepare_download"), key="prepare_download"):
    try:
        with unit_of_work() as db:
            st.session_state["my_data.zip"] = privacy.export_my_data(db, user)
    except StoreError as error:
        show_store_error(error)
if "my_data.zip" in st.session_state:
    st.download_button(t("my_data.download"), st.session_state["my_data.zip"], key="download_zip",
                       file_name="draagkracht-my-data.zip", mime="application/zip", icon=":material/download:")

st.subheader(t("my_data.log_title"))
if log:
    st.dataframe(pd.DataFrame({t("my_data.col_when"): [local_time(r.at).strftime("%d-%m-%Y %H:%M") for r in log],
                               t("my_data.col_who"): [r.who or t("my_data.removed_account") for r in log],
                               t("my_data.col_role"): [t(f"role.{r.role}") if r.role else "–" for r in log],
                               t("my_data.col_what"): [t(f"audit.{r.action}") for r in log],
                               t("my_data.col_detail"): [what_was_accessed(r.what, lang) for r in log]}),
                 hide_index=True)
else:
    st.markdown(t("my_data.log_empty"))

st.subheader(t("my_data.erase_title"))
with st.form("erase_form", enter_to_submit=False):
    st.warning(t("my_data.erase_warning"))
    confirmation = st.text_input(t("my_data.erase_confirm", username=user.username), key="erase_confirmation")
    if st.form_submit_button(t("my_data.erase_submit"), key="erase_submit"):
        try:
            with unit_of_work() as db:
                privacy.erase_my_data(db, user, confirmation)
            logout()
            st.rerun()
        except StoreError as error:
            show_store_error(error, what="my_data.erase_refused")

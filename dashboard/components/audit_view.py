"""The admin's access log: filters (period, actor, person, action, outcome), paging
through any number of lines, and the selection as a CSV file (built when asked for,
logged as an export by the store)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.components.admin_tables import audit_frame
from dashboard.components.context import show_store_error, unit_of_work
from dashboard.i18n import current_language, t, translate
from data_schema.fields import AUDIT_ACTIONS, AUDIT_OUTCOMES
from store import StoreError
from store.audit_log import AuditFilter, audit_export, audit_page
from store.exporter.writers import csv_bytes

FILTER_KEY = "audit.filter"
PAGE_KEY = "audit.page"
CSV_KEY = "audit.csv"


def _apply(chosen: AuditFilter) -> None:
    st.session_state[FILTER_KEY] = chosen
    st.session_state[PAGE_KEY] = 0
    st.session_state.pop(CSV_KEY, None)


def _filter_form(accounts: pd.DataFrame) -> None:
    lang = current_language()
    names = dict(zip(accounts["user_id"], accounts["username"]))
    anyone = [None, *names]
    with st.form("audit_filter_form", enter_to_submit=False):
        left, right = st.columns(2)
        period = left.date_input(t("admin.audit_period"), value=(), format="DD-MM-YYYY", key="audit_period")
        # Format functions keep the language of the run that drew them.
        def account(u, lang=lang):
            return translate(lang, "admin.anyone") if u is None else names[u]

        def action_word(a, lang=lang):
            return translate(lang, "admin.all_actions") if a is None else translate(lang, f"audit.{a}")

        def outcome_word(o, lang=lang):
            return translate(lang, "admin.all_actions") if o is None else translate(lang, f"outcome.{o}")

        actor = right.selectbox(t("admin.audit_actor"), anyone, key="audit_actor", format_func=account)
        person = left.selectbox(t("admin.audit_person"), anyone, key="audit_person", format_func=account)
        action = right.selectbox(t("admin.audit_action"), [None, *AUDIT_ACTIONS], key="audit_filter",
                                 format_func=action_word)
        outcome = left.selectbox(t("admin.audit_outcome"), [None, *AUDIT_OUTCOMES], key="audit_outcome",
                                 format_func=outcome_word)
        if st.form_submit_button(t("admin.audit_show"), key="audit_show"):
            days = [d for d in (period or ()) if isinstance(d, dt.date)]
            _apply(AuditFilter(since=days[0] if days else None, until=days[-1] if days else None,
                               actor_id=actor, person_id=person, action=action, outcome=outcome))


def _pager(page: int, pages: int, total: int) -> None:
    back, where, forward = st.columns([1, 3, 1])
    if back.button(t("admin.audit_newer"), key="audit_newer", disabled=page == 0):
        st.session_state[PAGE_KEY] = page - 1
        st.rerun()
    where.caption(t("admin.audit_pages", page=page + 1, pages=pages, total=total))
    if forward.button(t("admin.audit_older"), key="audit_older", disabled=page + 1 >= pages):
        st.session_state[PAGE_KEY] = page + 1
        st.rerun()


def render_audit_log(user, lang: str, accounts: pd.DataFrame) -> None:
    _filter_form(accounts)
    chosen = st.session_state.get(FILTER_KEY, AuditFilter())
    try:
        with unit_of_work() as db:
            result = audit_page(db, user, chosen, page=st.session_state.get(PAGE_KEY, 0))
    except StoreError as error:
        show_store_error(error, what="admin.audit_not_shown")
        return
    st.dataframe(audit_frame(result.lines, lang), hide_index=True, key="audit_table")
    _pager(result.page, result.pages, result.total)
    st.caption(t("admin.audit_note"))
    if st.button(t("admin.audit_prepare_csv"), key="audit_prepare_csv", disabled=result.total == 0):
        with unit_of_work() as db:  # the store logs the export with its filter and size
            st.session_state[CSV_KEY] = csv_bytes(audit_frame(audit_export(db, user, chosen), lang))
    if CSV_KEY in st.session_state:
        st.download_button(t("admin.audit_download_csv"), st.session_state[CSV_KEY], key="audit_download_csv",
                           file_name=f"draagkracht-audit-{dt.date.today().isoformat()}.csv", mime="text/csv")

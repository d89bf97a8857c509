"""Admin: accounts (new, activate, deactivate, unlock, give a temporary password), the
teams and their supervisors, and the audit log. No clinical or wellbeing content is
shown here; the store checks every rule (``store.admin``, ``store.practice``)."""

from __future__ import annotations

import streamlit as st

from dashboard.components import auth
from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.admin_tables import accounts_frame
from dashboard.components.audit_view import render_audit_log
from dashboard.components.practice_forms import render_new_account, render_teams
from dashboard.i18n import current_language, t
from store import StoreError
from store import admin, practice

user = acting_user("admin")
lang = current_language()
st.title(t("admin.title"))
notice = st.session_state.pop("admin.notice", None)
if notice:
    st.success(notice)

st.subheader(t("admin.accounts"))
with unit_of_work() as db:
    accounts = admin.accounts(db, user)
st.dataframe(accounts_frame(accounts, lang), hide_index=True, key="accounts_table")

names = dict(zip(accounts["user_id"], accounts["username"]))
with st.form("account_action", enter_to_submit=False):
    target = st.selectbox(t("admin.account"), list(names), format_func=names.get, key="admin_target")
    action = st.radio(t("admin.action"), ["deactivate", "activate", "unlock", "temporary_password"], horizontal=True,
                      format_func=lambda a: t(f"admin.do_{a}"), key="admin_action")
    if st.form_submit_button(t("admin.apply"), key="admin_apply"):
        try:  # the store refuses what an admin may not do (e.g. deactivate themself)
            with unit_of_work() as db:
                if action == "temporary_password":
                    password = admin.issue_temporary_password(db, user, target, now=auth.clock())
                elif action == "unlock":
                    admin.unlock(db, user, target)
                else:
                    admin.set_user_active(db, user, target, action == "activate")
            if action != "temporary_password":
                st.rerun()
            # shown once, in this run only: it is not kept anywhere
            st.success(t("admin.temporary_password", username=names[target]))
            st.code(password, language=None)
        except StoreError as error:
            show_store_error(error)

st.subheader(t("admin.new_account"))
st.caption(t("admin.new_account_help"))
with unit_of_work() as db:
    teams = practice.teams(db, user)
render_new_account(user, lang, dict(zip(teams["team_id"], teams["name"])))

st.subheader(t("admin.teams"))
render_teams(user, lang, teams, accounts)

st.subheader(t("admin.audit"))
render_audit_log(user, lang, accounts)

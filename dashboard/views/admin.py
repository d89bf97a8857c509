"""Admin: accounts (an action on one: activate, deactivate, unlock, a temporary
password, reset the second factor; a therapist account's fields; a role; a new account),
the teams and their supervisors, moves between teams and archiving, erasing a leaver, and
the audit log. No clinical or wellbeing content is shown here; the store checks every
rule (``store.admin``, ``store.practice``, ``store.membership``, ``store.leavers``)."""

from __future__ import annotations

import streamlit as st

from dashboard.components.account_admin import render_account_actions, render_change_role, render_edit_account
from dashboard.components.admin_tables import accounts_frame
from dashboard.components.audit_view import render_audit_log
from dashboard.components.context import acting_user, unit_of_work
from dashboard.components.leaver_form import render_erase_leaver
from dashboard.components.practice_forms import render_new_account, render_teams
from dashboard.components.team_admin import render_team_history
from dashboard.i18n import current_language, t
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
    teams = practice.teams(db, user)
team_names = dict(zip(teams["team_id"], teams["name"]))
st.dataframe(accounts_frame(accounts, lang), hide_index=True, key="accounts_table")
render_account_actions(user, lang, accounts)

st.subheader(t("admin.edit_account"))
render_edit_account(user, lang, accounts, team_names)

st.subheader(t("admin.change_role"))
render_change_role(user, lang, accounts, team_names)

st.subheader(t("admin.new_account"))
st.caption(t("admin.new_account_help"))
render_new_account(user, lang, team_names)

st.subheader(t("admin.teams"))
render_teams(user, lang, teams, accounts)
st.subheader(t("admin.team_history"))
st.caption(t("admin.team_history_help"))
render_team_history(user)

st.subheader(t("admin.erase_title"))
render_erase_leaver(user, accounts)

st.subheader(t("admin.audit"))
render_audit_log(user, lang, accounts)

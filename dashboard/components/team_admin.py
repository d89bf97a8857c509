"""The admin's team history forms: move a therapist to another team from a given week
(the weeks before stay with the old team), rename a team and archive a team nobody is in
any more. The rules are the store's (``store.membership``, ``store.practice``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from complexity.calendar import monday_of
from dashboard.components.context import show_store_error, unit_of_work
from dashboard.i18n import current_language, t, translate
from store import StoreError
from store.membership import archive_team, move_therapist, team_list, therapist_list
from store.practice import rename_team


def render_team_history(user) -> None:
    lang = current_language()
    with unit_of_work() as db:
        teams, therapists = team_list(db, user), therapist_list(db, user)
    names = {tid: name for tid, name, _ in teams}
    open_teams = [tid for tid, _, archived in teams if not archived]
    people = {tid: f"{name} ({names.get(team, translate(lang, 'admin.no_team'))})" for tid, name, team in therapists}
    with st.form("move_therapist_form", enter_to_submit=False):
        who, where, when = st.columns([2, 2, 1])
        therapist = who.selectbox(t("admin.move_who"), list(people), format_func=people.get, key="move_who")
        team = where.selectbox(t("admin.move_to"), open_teams, format_func=names.get, key="move_to")
        start = when.date_input(t("admin.move_from"), value=monday_of(dt.date.today()), max_value=dt.date.today(),
                                format="DD-MM-YYYY", key="move_from")
        if st.form_submit_button(t("admin.move_submit"), key="move_submit"):
            try:
                with unit_of_work() as db:
                    move_therapist(db, user, therapist, team, start)
                st.session_state["admin.notice"] = t("admin.moved", therapist=people[therapist].split(" (")[0],
                                                     team=names[team], week=monday_of(start).strftime("%d-%m-%Y"))
                st.rerun()
            except StoreError as error:
                show_store_error(error)
    with st.form("rename_team_form", enter_to_submit=False):
        which, name = st.columns(2)
        team = which.selectbox(t("admin.rename_which"), open_teams, format_func=names.get, key="rename_which")
        new_name = name.text_input(t("admin.rename_to"), key="rename_to", max_chars=100)
        if st.form_submit_button(t("admin.rename_submit"), key="rename_submit"):
            try:
                with unit_of_work() as db:  # the store checks the name (unique whatever the case)
                    rename_team(db, user, team, new_name)
                st.session_state["admin.notice"] = t("admin.renamed", old=names[team], new=" ".join(new_name.split()))
                st.rerun()
            except StoreError as error:
                show_store_error(error)
    with st.form("archive_team_form", enter_to_submit=False):
        team = st.selectbox(t("admin.archive_which"), open_teams, format_func=names.get, key="archive_which")
        if st.form_submit_button(t("admin.archive_submit"), key="archive_submit"):
            try:
                with unit_of_work() as db:
                    archive_team(db, user, team)
                st.session_state["admin.notice"] = t("admin.archived", team=names[team])
                st.rerun()
            except StoreError as error:
                show_store_error(error)
    archived = [name for _, name, is_archived in teams if is_archived]
    if archived:
        st.caption(t("admin.archived_list", teams=", ".join(archived)))

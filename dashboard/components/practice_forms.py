"""The admin's forms for the practice's structure: the teams with their supervisors, a
new team, a supervisor to a team (or off it), and a new account. Drawing and form
handling only: ``store.practice`` checks every rule and says what is wrong. Field labels
come from the field definitions (``data_schema.fields``), as in the codebook."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from complexity import LANGUAGES
from data_schema import fields as F
from dashboard.components.context import show_store_error, unit_of_work
from dashboard.i18n import translate
from store import StoreError
from store import practice

NO_TEAM = 0  # the team selectbox's "no team" choice


def _keep_choice_valid(key: str, options: list) -> None:
    """A select box whose options changed (a team was just added) keeps a choice that is
    one of them: set before the widget is drawn, so the browser shows it too."""
    if key in st.session_state and st.session_state[key] not in options:
        if options:
            st.session_state[key] = options[0]
        else:
            del st.session_state[key]


def teams_frame(teams: pd.DataFrame, lang: str) -> pd.DataFrame:
    shown = teams.drop(columns=["team_id"])
    return shown.rename(columns={c: translate(lang, f"admin.teams_col_{c}") for c in shown.columns})


def render_teams(user, lang: str, teams: pd.DataFrame, accounts: pd.DataFrame) -> None:
    """The teams table (``store.practice.teams``) and the forms to add a team and to
    (un)assign a supervisor (one of ``accounts``, ``store.admin.accounts``)."""
    st.dataframe(teams_frame(teams, lang), hide_index=True, key="teams_table")
    names = dict(zip(teams["team_id"], teams["name"]))
    left, right = st.columns(2)
    with left.form("new_team_form", enter_to_submit=False):
        name = st.text_input(F.TEAM_NAME.label(lang), key="new_team_name", max_chars=F.NAME_MAX)
        if st.form_submit_button(translate(lang, "admin.create_team"), key="new_team_submit"):
            _apply(lambda db: practice.create_team(db, user, name),
                   translate(lang, "admin.team_created", name=" ".join(name.split())))
    supervisors = accounts[accounts["role"] == "supervisor"]
    by_id = dict(zip(supervisors["user_id"], supervisors["username"]))
    _keep_choice_valid("supervision_user", list(by_id))
    _keep_choice_valid("supervision_team", list(names))
    with right.form("supervision_form", enter_to_submit=False):
        who = st.selectbox(translate(lang, "admin.supervisor"), list(by_id), format_func=by_id.get,
                           key="supervision_user")
        team = st.selectbox(translate(lang, "admin.team"), list(names), format_func=names.get, key="supervision_team")
        assign = st.radio(translate(lang, "admin.action"), [True, False], horizontal=True, key="supervision_assign",
                          format_func=lambda a: translate(lang, "admin.do_assign" if a else "admin.do_remove"))
        if st.form_submit_button(translate(lang, "admin.apply"), key="supervision_submit"):
            if who is None or team is None:
                st.error(translate(lang, "admin.choose_both"))
            else:
                call = practice.assign_supervisor if assign else practice.remove_supervisor
                _apply(lambda db: call(db, user, who, team), translate(lang, "admin.supervision_done"))


def render_new_account(user, lang: str, team_names: dict[int, str]) -> None:
    """A new account; a therapist's fields apply to a therapist account only."""
    _keep_choice_valid("new_account_team", [NO_TEAM, *team_names])
    with st.form("new_account_form", enter_to_submit=False):
        left, right = st.columns(2)
        username = left.text_input(F.USERNAME.label(lang), key="new_account_username", max_chars=64)
        role = right.selectbox(F.ROLE.label(lang), list(F.ROLES), key="new_account_role",
                               format_func=lambda r: translate(lang, f"role.{r}"))
        language = left.selectbox(F.LANGUAGE.label(lang), list(LANGUAGES), key="new_account_language",
                                  format_func=lambda code: translate(lang, f"admin.language.{code}"))
        st.caption(translate(lang, "admin.therapist_fields"))
        left, right = st.columns(2)
        display_name = left.text_input(F.DISPLAY_NAME.label(lang), key="new_account_display_name",
                                       max_chars=F.NAME_MAX)
        team = right.selectbox(F.TEAM_ID.label(lang), [NO_TEAM, *team_names], key="new_account_team",
                               format_func=lambda t: translate(lang, "admin.no_team") if t == NO_TEAM else team_names[t])
        experience = left.selectbox(F.EXPERIENCE_FIELD.label(lang), list(F.EXPERIENCE), key="new_account_experience",
                                    format_func=lambda e: F.EXPERIENCE_FIELD.choice_label(e, lang) or e)
        sessions = right.number_input(F.CONTRACTED_SESSIONS.label(lang), min_value=F.MIN_CONTRACTED_SESSIONS,
                                      max_value=F.MAX_CONTRACTED_SESSIONS, value=24, step=1,
                                      key="new_account_sessions")
        if st.form_submit_button(translate(lang, "admin.create_account"), key="new_account_submit", type="primary"):
            therapist = dict(display_name=display_name, team_id=None if team == NO_TEAM else team,
                             experience=experience, contracted_sessions=int(sessions)) if role == "therapist" else {}
            _apply(lambda db: practice.create_account(db, user, username=username, role=role, language=language,
                                                      **therapist),
                   translate(lang, "admin.account_created", username=username.strip().lower()))


def _apply(call, done: str) -> None:
    """Run a store call in one unit of work; on success rerun with ``done`` shown."""
    try:
        with unit_of_work() as db:
            call(db)
    except StoreError as error:
        show_store_error(error)
        return
    st.session_state["admin.notice"] = done
    st.rerun()

"""The admin's forms for existing accounts: an action on one (deactivate, activate,
unlock, a temporary password, reset the second factor), a therapist account's fields,
and a role. Drawing and form handling only: ``store.admin`` checks every rule (only an
admin, never on oneself, the last active admin stays, a therapist's data stay theirs)
and says what is wrong."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_schema import fields as F
from dashboard.components import auth
from dashboard.components.context import show_store_error, unit_of_work
from dashboard.components.practice_forms import NO_TEAM, _keep_choice_valid
from dashboard.i18n import translate
from store import StoreError
from store import admin

ACTIONS = ("deactivate", "activate", "unlock", "temporary_password", "reset_totp")
EDIT_FIELDS = ("display_name", "team", "experience", "sessions")  # widget keys edit_account_<field>
LOADED_KEY = "edit_account_loaded"  # the account whose fields the edit form holds


def _run(call) -> bool:
    """One store call in a unit of work; a refusal is shown, and False returned."""
    try:
        with unit_of_work() as db:
            call(db)
    except StoreError as error:
        show_store_error(error)
        return False
    return True


def _done(message: str) -> None:
    st.session_state["admin.notice"] = message  # views/admin.py shows it after the rerun
    st.rerun()


def render_account_actions(user, lang: str, accounts: pd.DataFrame) -> None:
    """The action form on one account (``store.admin``)."""
    names = dict(zip(accounts["user_id"], accounts["username"]))
    with st.form("account_action", enter_to_submit=False):
        target = st.selectbox(translate(lang, "admin.account"), list(names), format_func=names.get, key="admin_target")
        action = st.radio(translate(lang, "admin.action"), ACTIONS, horizontal=True, key="admin_action",
                          format_func=lambda a: translate(lang, f"admin.do_{a}"))
        submitted = st.form_submit_button(translate(lang, "admin.apply"), key="admin_apply")
    if not submitted:
        return
    if action == "temporary_password":
        password = []
        if _run(lambda db: password.append(admin.issue_temporary_password(db, user, target, now=auth.clock()))):
            # shown once, in this run only: it is not kept anywhere
            st.success(translate(lang, "admin.temporary_password", username=names[target]))
            st.code(password[0], language=None)
            st.caption(translate(lang, "admin.temporary_password_own_device", username=names[target]))
        return
    calls = {"unlock": lambda db: admin.unlock(db, user, target),
             "reset_totp": lambda db: admin.reset_second_factor(db, user, target),
             "activate": lambda db: admin.set_user_active(db, user, target, True),
             "deactivate": lambda db: admin.set_user_active(db, user, target, False)}
    if _run(calls[action]):
        if action == "reset_totp":
            _done(translate(lang, "admin.totp_reset_done", username=names[target]))
        st.rerun()  # the table shows the change


def _therapist_widgets(lang: str, prefix: str, team_names: dict[int, str]) -> dict:
    """A therapist's four fields (keys ``<prefix>_display_name`` etc.); their values."""
    left, right = st.columns(2)
    name = left.text_input(F.DISPLAY_NAME.label(lang), key=f"{prefix}_display_name", max_chars=F.NAME_MAX)
    team = right.selectbox(F.TEAM_ID.label(lang), [NO_TEAM, *team_names], key=f"{prefix}_team",
                           format_func=lambda t: translate(lang, "admin.no_team") if t == NO_TEAM else team_names[t])
    experience = left.selectbox(F.EXPERIENCE_FIELD.label(lang), list(F.EXPERIENCE), key=f"{prefix}_experience",
                                format_func=lambda e: F.EXPERIENCE_FIELD.choice_label(e, lang) or e)
    sessions = right.number_input(F.CONTRACTED_SESSIONS.label(lang), min_value=F.MIN_CONTRACTED_SESSIONS,
                                  max_value=F.MAX_CONTRACTED_SESSIONS, step=1, key=f"{prefix}_sessions")
    return dict(display_name=name, team_id=None if team == NO_TEAM else team, experience=experience,
                contracted_sessions=int(sessions))


def _load_fields(user, target: int, team_names: dict[int, str]) -> None:
    """Fill the edit form with the account's stored fields when another account is
    chosen (before its widgets are drawn)."""
    state = st.session_state
    if state.get(LOADED_KEY) == target:
        _keep_choice_valid("edit_account_team", [NO_TEAM, *team_names])
        return
    with unit_of_work() as db:
        stored = admin.therapist_of(db, user, target) or {}
    state["edit_account_display_name"] = stored.get("display_name", "")
    state["edit_account_team"] = stored.get("team_id") if stored.get("team_id") in team_names else NO_TEAM
    state["edit_account_experience"] = stored.get("experience", F.EXPERIENCE[0])
    state["edit_account_sessions"] = stored.get("contracted_sessions", 24)
    state[LOADED_KEY] = target


def render_edit_account(user, lang: str, accounts: pd.DataFrame, team_names: dict[int, str]) -> None:
    """A therapist account's fields (``store.admin.edit_account``), filled in from the store."""
    st.caption(translate(lang, "admin.edit_account_help"))
    therapists = accounts[accounts["role"] == "therapist"]
    names = dict(zip(therapists["user_id"], therapists["username"]))
    if not names:
        st.markdown(translate(lang, "admin.no_therapists"))
        return
    _keep_choice_valid("edit_account_target", list(names))
    target = st.selectbox(translate(lang, "admin.account"), list(names), format_func=names.get,
                          key="edit_account_target")
    _load_fields(user, target, team_names)
    with st.form("edit_account_form", enter_to_submit=False):
        values = _therapist_widgets(lang, "edit_account", team_names)
        submitted = st.form_submit_button(translate(lang, "admin.edit_submit"), key="edit_account_submit")
    changed = []
    if submitted and _run(lambda db: changed.extend(admin.edit_account(db, user, target, **values))):
        _done(translate(lang, "admin.edit_done" if changed else "admin.edit_nothing", username=names[target]))


def render_change_role(user, lang: str, accounts: pd.DataFrame, team_names: dict[int, str]) -> None:
    """Another role for an account (``store.admin.change_role``); a therapist's fields
    for an account that becomes a therapist."""
    st.caption(translate(lang, "admin.change_role_help"))
    names = dict(zip(accounts["user_id"], accounts["username"]))
    _keep_choice_valid("change_role_team", [NO_TEAM, *team_names])
    st.session_state.setdefault("change_role_sessions", 24)
    with st.form("change_role_form", enter_to_submit=False):
        left, right = st.columns(2)
        target = left.selectbox(translate(lang, "admin.account"), list(names), format_func=names.get,
                                key="change_role_target")
        role = right.selectbox(translate(lang, "admin.new_role"), list(F.ROLES), key="change_role_role",
                               format_func=lambda r: translate(lang, f"role.{r}"))
        st.caption(translate(lang, "admin.therapist_fields"))
        values = _therapist_widgets(lang, "change_role", team_names)
        submitted = st.form_submit_button(translate(lang, "admin.change_role_submit"), key="change_role_submit")
    changed = []
    therapist = values if role == "therapist" else {}
    if submitted and _run(lambda db: changed.append(admin.change_role(db, user, target, role, **therapist))):
        key = "admin.role_changed" if changed[0] else "admin.role_unchanged"
        _done(translate(lang, key, username=names[target], role=translate(lang, f"role.{role}")))

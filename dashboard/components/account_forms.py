"""The account page's forms: change the password, set up or switch off the second
factor (TOTP). Store logic is in ``store.accounts``; this module draws and reports."""

from __future__ import annotations

import streamlit as st

from dashboard.components import auth
from dashboard.components.database import db_session
from dashboard.i18n import current_language, t
from store import InvalidInput
from store.accounts import (
    change_password,
    confirm_totp,
    disable_totp,
    load_account,
    pending_totp_enrolment,
    reauthenticate,
    start_totp_enrolment,
    totp_required_roles,
)
from store.accounts.passwords import MIN_PASSWORD_LENGTH

FLASH_KEY = "account.flash"  # a success message to show after a rerun
# ...or after the browser fetched a new session cookie (components.auth.rotate_session):
# the address's ?done= names it
DONE_MESSAGES = {"password_changed": "account.password_changed", "totp_enabled": "account.totp_enabled"}
ACCOUNT_PAGE = "my-account"
TOTP_START_KEY = "account.totp_start"
TOTP_CODE_KEY = "account.totp_code"
TOTP_CONFIRM_KEY = "account.totp_confirm"


def problems_text(error: InvalidInput) -> str:
    """Each problem of a refused account change on a line of its own."""
    lang = current_language()
    return "\n".join(f"- {_sentence(p.text(lang))}" for p in error.problems)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    done = st.query_params.get("done")
    if done is not None:
        del st.query_params["done"]
        message = message or DONE_MESSAGES.get(done)
    if message:
        st.success(t(message))


def _password_asked_again(user: auth.SessionUser, password: str, *, header: str | None = None) -> bool:
    """Check the current password under the login rules, in a unit of work of its own
    so a wrong one counts towards the slowdown and lock; say why when it is refused
    (under the message key ``header``, if given)."""
    with db_session() as session:
        result = reauthenticate(session, user, password, now=auth.clock())
    if not result.ok:
        why = auth.refusal_text(result, wrong="problem.password.wrong_current")
        st.error(f"{t(header)}\n\n{why}" if header else why)
    return result.ok


def password_form(user: auth.SessionUser) -> None:
    st.subheader(t("account.password_title"))
    if user.must_change_password:
        st.warning(t("account.password_change_required"))
    with st.form("account.password_form", clear_on_submit=True, enter_to_submit=False):
        current = st.text_input(t("account.current_password"), type="password", key="account.current",
                                autocomplete="current-password")
        new = st.text_input(t("account.new_password"), type="password", key="account.new",
                            autocomplete="new-password", help=t("account.password_rules", min=MIN_PASSWORD_LENGTH))
        repeat = st.text_input(t("account.repeat_password"), type="password", key="account.repeat",
                               autocomplete="new-password")
        submitted = st.form_submit_button(t("account.change_submit"), key="account.change_submit")
    if not submitted:
        return
    if new != repeat:
        st.error(t("password.mismatch"))
        return
    if not _password_asked_again(user, current, header="account.password_not_changed"):
        return
    try:
        with db_session() as session:
            changed_at = change_password(session, user, current, new, now=auth.clock())
    except InvalidInput as error:
        st.error(t("account.password_not_changed") + "\n\n" + problems_text(error))
        return
    auth.renew_after_password_change(changed_at, ACCOUNT_PAGE, "password_changed")  # others end; a new id
    if user.must_change_password:  # the navigation opens up
        st.session_state[FLASH_KEY] = "account.password_changed"
        auth.rerun()  # (not while the browser is sent for its new cookie: it comes back to the full app)
    st.success(t("account.password_changed"))


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_section(user: auth.SessionUser) -> None:
    st.subheader(t("account.totp_title"))
    with db_session() as session:
        account = load_account(session, user.id)
        pending = pending_totp_enrolment(session, user) if not account.totp_enabled else None
    if account.totp_enabled:
        st.success(t("account.totp_on"))
        if user.role in totp_required_roles():
            st.caption(t("account.totp_required_keep"))
        else:
            _disable_form(user)
        return
    if user.must_set_up_totp:
        st.warning(t("account.totp_reset_notice" if user.totp_reset_by_admin else "account.totp_required_notice"))
    st.markdown(t("account.totp_intro"))
    if pending is None:
        if st.button(t("account.totp_start"), key=TOTP_START_KEY, type="primary"):
            with db_session() as session:
                start_totp_enrolment(session, user)
            st.rerun()
        return
    st.markdown(t("account.totp_secret_label"))
    st.code(_grouped(pending.secret), language=None)
    with st.expander(t("account.totp_uri_label")):
        st.code(pending.uri, language=None, wrap_lines=True)
    with st.form("account.totp_form", clear_on_submit=True, enter_to_submit=True):
        code = st.text_input(t("account.totp_code"), key=TOTP_CODE_KEY, max_chars=6, autocomplete="one-time-code")
        submitted = st.form_submit_button(t("account.totp_confirm"), key=TOTP_CONFIRM_KEY, type="primary")
    if submitted:
        try:
            with db_session() as session:
                confirm_totp(session, user, code, now=auth.clock())
        except InvalidInput as error:
            st.error(problems_text(error))
            return
        auth.rotate_session(ACCOUNT_PAGE, "totp_enabled")  # the second factor is complete: a new id
        st.session_state[FLASH_KEY] = "account.totp_enabled"
        auth.rerun()  # the navigation opens up when the second factor was required (see auth.rerun)


def _disable_form(user: auth.SessionUser) -> None:
    with st.form("account.totp_off_form", clear_on_submit=True, enter_to_submit=False):
        password = st.text_input(t("account.totp_disable_password"), type="password", key="account.totp_off_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("account.totp_disable_submit"), key="account.totp_off_submit")
    if submitted and _password_asked_again(user, password):
        try:
            with db_session() as session:
                disable_totp(session, user, password, now=auth.clock())
        except InvalidInput as error:
            st.error(problems_text(error))
            return
        st.session_state[FLASH_KEY] = "account.totp_disabled"
        st.rerun()

"""Login, session and logout for the dashboard (the store side is ``store.accounts``).

Session rules (numbers in ``store.accounts``): a login starts a new session (all of
``st.session_state`` is cleared except the language, which becomes the user's stored
language, and a new random session id is drawn); a session ends after
``SESSION_IDLE_TIMEOUT`` without a request or ``SESSION_MAX_AGE`` in all; logout clears
everything but the language. On every run :func:`current_user` re-reads the account
from the database: a deleted or deactivated account, or one whose password was changed
after this session began (elsewhere), is logged out at once.

A browser tab remembers the digests of its earlier login sessions across a logout
(``database.EARLIER_SESSIONS_KEY``): logging out as an admin and in with the temporary
password that admin just gave is refused in the same tab (``store.accounts.login``). A
successful login keeps what its owner must be told (``AuthResult.notices``: changes an
admin made, logins with a temporary password) for the first page to show
(:func:`require_login`, ``components.account_history``).

Time comes from the module-level :data:`clock` (UTC), which tests replace. The login
form works through callbacks, which run before the script, so the new session's state
(and the language widget's value) is set before anything is drawn.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterator

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.components.account_history import NOTICES_KEY, show_login_notices
from dashboard.components.database import EARLIER_SESSIONS_KEY, SESSION_ID_KEY, db_session, device
from dashboard.i18n import LANGUAGE_KEY, t
from store.accounts import (
    SESSION_IDLE_TIMEOUT,
    SESSION_MAX_AGE,
    TOTP_STEP_TIMEOUT,
    Account,
    AuthResult,
    authenticate,
    authenticate_totp,
    load_account,
    session_end_reason,
)
from store.audit import session_key
from store.models import utcnow

clock: Callable[[], dt.datetime] = utcnow  # tests: monkeypatch auth.clock


USER_KEY = "auth.user_id"
STARTED_KEY = "auth.started_at"  # login time: the 12-hour limit counts from here
LAST_SEEN_KEY = "auth.last_seen"  # last request: the idle limit counts from here
VALID_FROM_KEY = "auth.valid_from"  # a password change after this ends the session
PENDING_KEY = "auth.pending_totp"  # {"user_id", "expires"} between password and code
NOTICE_KEY = "auth.notice"  # ("info"|"error", [(message key, params)]) for the login page
USERNAME_KEY = "login.username"
PASSWORD_KEY = "login.password"
CODE_KEY = "login.code"
SUBMIT_KEY = "login.submit"
CODE_SUBMIT_KEY = "login.code_submit"
LOGOUT_KEY = "auth.logout"
WATCHDOG_INTERVAL = dt.timedelta(minutes=1)
KEPT = (LANGUAGE_KEY, EARLIER_SESSIONS_KEY)  # what a logout or a new login keeps of the tab's state
EARLIER_SESSIONS_KEPT = 20


@dataclass(frozen=True)
class SessionUser:
    """The logged-in user, as read from the database on this run."""

    user_id: int
    username: str
    role: str
    therapist_id: int | None
    language: str
    must_set_up_totp: bool = False  # none set up, and the role requires one or an admin reset it
    must_change_password: bool = False  # the password is a temporary one from an admin
    totp_reset_by_admin: bool = False  # an admin reset the second factor; not set up again yet

    @property
    def account_page_only(self) -> bool:
        """Until a required second factor is set up and a temporary password replaced,
        the user gets only the account page."""
        return self.must_set_up_totp or self.must_change_password

    @property
    def id(self) -> int:  # what store functions read from an acting user
        return self.user_id


# --- session ----------------------------------------------------------------------------

def _clear_state() -> None:
    """End the tab's login session: everything goes but the language and the digests
    of the tab's login sessions (this one added)."""
    state = st.session_state
    ended = session_key(state.get(SESSION_ID_KEY))
    if ended is not None:
        earlier = [key for key in state.get(EARLIER_SESSIONS_KEY, ()) if key != ended]
        state[EARLIER_SESSIONS_KEY] = tuple([*earlier, ended][-EARLIER_SESSIONS_KEPT:])
    for key in list(state.keys()):
        if key not in KEPT:
            del state[key]


def logout(notice: str | None = None, **params: object) -> None:
    """End the session: clear everything except the language choice. ``notice`` is a
    message key (with ``params``) the login page shows, e.g. why the session ended."""
    _clear_state()
    if notice:
        st.session_state[NOTICE_KEY] = ("info", [(notice, params)])


def _start_session(account: Account, now: dt.datetime) -> None:
    _clear_state()
    st.session_state[LANGUAGE_KEY] = account.language
    st.session_state[USER_KEY] = account.id
    st.session_state[SESSION_ID_KEY] = secrets.token_urlsafe(32)
    st.session_state[STARTED_KEY] = now
    st.session_state[LAST_SEEN_KEY] = now
    st.session_state[VALID_FROM_KEY] = now


def renew_after_password_change(changed_at: dt.datetime) -> None:
    """Keep this session valid after its own user changed the password (other
    sessions of the user end)."""
    st.session_state[VALID_FROM_KEY] = changed_at


def session_id() -> str | None:
    return st.session_state.get(SESSION_ID_KEY)


def _ended(now: dt.datetime) -> str | None:
    state = st.session_state
    if any(key not in state for key in (STARTED_KEY, LAST_SEEN_KEY, VALID_FROM_KEY)):
        return "incomplete"  # not a session started by this module: end it
    return session_end_reason(state[STARTED_KEY], state[LAST_SEEN_KEY], now)


def current_user() -> SessionUser | None:
    """The logged-in user, or None (after ending a session that has run out or whose
    account is gone)."""
    state = st.session_state
    user_id = state.get(USER_KEY)
    if user_id is None:
        return None
    now = clock()
    reason = _ended(now)
    if reason is not None:
        logout(None if reason == "incomplete" else f"auth.ended_{reason}",
               minutes=SESSION_IDLE_TIMEOUT // dt.timedelta(minutes=1),
               hours=SESSION_MAX_AGE // dt.timedelta(hours=1))
        return None
    with db_session(readonly=True) as session:
        account = load_account(session, user_id)
    if account is None:
        logout("auth.ended_account")
        return None
    if account.password_changed_at is not None and account.password_changed_at > state[VALID_FROM_KEY]:
        logout("auth.ended_password_changed")
        return None
    state[LAST_SEEN_KEY] = now
    return SessionUser(
        user_id=account.id, username=account.username, role=account.role,
        therapist_id=account.therapist_id, language=account.language,
        must_set_up_totp=account.totp_setup_required,
        must_change_password=account.password_change_required,
        totp_reset_by_admin=account.totp_reset_by_admin,
    )


# The user app.py checked at the start of this script run, with the session id it was
# checked for (see :func:`checked_for_run`).
_RUN_USER: ContextVar[tuple[SessionUser, str] | None] = ContextVar("draagkracht_run_user", default=None)


@contextmanager
def checked_for_run(user: SessionUser | None) -> Iterator[None]:
    """While the block runs (app.py runs the page in it), :func:`require_login` takes
    ``user``, whom :func:`current_user` checked against the database at the start of
    this same run, instead of reading the account a second time. Outside the block
    (a callback, a page run by another route, the next run) it checks afresh."""
    token = _RUN_USER.set((user, session_id()) if user is not None else None)
    try:
        yield
    finally:
        _RUN_USER.reset(token)


def require_login(*roles: str) -> SessionUser:
    """The logged-in user, for a page to call first. Without one, the login form is
    shown instead of the page and the script stops; with ``roles``, any other role is
    stopped with a message. (``app.py`` registers a page only for its roles; this is
    the second line, for a page file run by any other route.)"""
    checked = _RUN_USER.get()
    # The run's check holds while this is still the session it was made for (a logout
    # or a new login during the run draws a new session id or none).
    if checked is not None and checked[1] is not None and session_id() == checked[1]:
        user = checked[0]
    else:
        user = current_user()
    if user is None:
        login_form()
        st.stop()
    if roles and user.role not in roles:
        st.error(t("auth.not_for_role"))
        st.stop()
    show_login_notices()  # once, on the first page after the login
    return user


@st.fragment(run_every=WATCHDOG_INTERVAL)
def session_watchdog() -> None:
    """Every minute in the browser: end a session that ran out, so an unattended
    screen does not keep showing data. Not a request of the user (does not count as
    activity)."""
    if USER_KEY in st.session_state and _ended(clock()) is not None:
        st.rerun(scope="app")  # the app's run ends the session (current_user)


# --- login form -------------------------------------------------------------------------

def _message(result: AuthResult, *, wrong: str | None = None) -> list[tuple[str, dict]]:
    """Message keys for a refused attempt; ``wrong`` replaces the wrong-password text."""
    messages: list[tuple[str, dict]] = []
    if result.outcome == "bad_credentials" and wrong:
        messages.append((wrong, {}))
    elif result.outcome in ("bad_credentials", "totp_invalid", "temporary_same_place"):
        messages.append((f"login.{result.outcome}", {}))
    if result.lockout:
        messages.append(("login.locked", {"minutes": math.ceil(result.delay.total_seconds() / 60)}))
    elif result.delay_seconds:
        messages.append(("login.slowed", {"seconds": result.delay_seconds}))
    return messages


def _apply(result: AuthResult, now: dt.datetime) -> None:
    state = st.session_state
    if result.ok:
        _start_session(result.account, now)
        if result.notices:
            state[NOTICES_KEY] = result.notices
        return
    if result.outcome == "totp_required":
        state[PENDING_KEY] = {"user_id": result.account.id, "expires": now + TOTP_STEP_TIMEOUT}
        state.pop(NOTICE_KEY, None)
        return
    if result.outcome != "totp_invalid" or result.lockout:
        state.pop(PENDING_KEY, None)  # back to the password step
    state[NOTICE_KEY] = ("error", _message(result))


def refusal_text(result: AuthResult, *, wrong: str) -> str:
    """Why a password asked again (:func:`store.accounts.reauthenticate`) was refused:
    ``wrong`` for a wrong password, and the slowdown or lock it started, if any."""
    return "\n\n".join(t(key, **params) for key, params in _message(result, wrong=wrong))


def _unavailable() -> None:
    st.session_state.pop(PENDING_KEY, None)
    st.session_state[NOTICE_KEY] = ("error", [("login.unavailable", {})])


def _submit_password() -> None:
    state = st.session_state
    username, password = state.get(USERNAME_KEY, ""), state.get(PASSWORD_KEY, "")
    state[PASSWORD_KEY] = ""  # the password is not kept in the session
    now = clock()
    try:
        with db_session() as session:
            result = authenticate(session, username, password, now=now, device=device())
    except SQLAlchemyError:
        _unavailable()
        return
    _apply(result, now)


def _submit_code() -> None:
    state = st.session_state
    pending, code = state.get(PENDING_KEY), state.get(CODE_KEY, "")
    state[CODE_KEY] = ""
    now = clock()
    if pending is None or now >= pending["expires"]:
        state.pop(PENDING_KEY, None)
        state[NOTICE_KEY] = ("error", [("login.code_expired", {})])
        return
    try:
        with db_session() as session:
            result = authenticate_totp(session, pending["user_id"], code, now=now, device=device())
    except SQLAlchemyError:
        _unavailable()
        return
    _apply(result, now)


def _cancel_code() -> None:
    st.session_state.pop(PENDING_KEY, None)
    st.session_state.pop(NOTICE_KEY, None)


def _show_notice() -> None:
    notice = st.session_state.get(NOTICE_KEY)
    if not notice:
        return
    kind, messages = notice
    text = "\n\n".join(t(key, **params) for key, params in messages)
    (st.info if kind == "info" else st.error)(text)


def login_form() -> None:
    """The login page: username and password, then (if set up) the code."""
    st.title(t("login.title"))
    _show_notice()
    if st.session_state.get(PENDING_KEY):
        st.markdown(t("login.code_intro"))
        with st.form("login.code_form", enter_to_submit=True):
            st.text_input(t("login.code"), key=CODE_KEY, max_chars=6, autocomplete="one-time-code")
            st.form_submit_button(t("login.code_submit"), key=CODE_SUBMIT_KEY, type="primary",
                                  on_click=_submit_code)
        st.button(t("login.cancel"), key="login.cancel", on_click=_cancel_code)
        return
    st.markdown(t("login.intro"))
    with st.form("login.form", enter_to_submit=True):
        st.text_input(t("login.username"), key=USERNAME_KEY, autocomplete="username")
        st.text_input(t("login.password"), key=PASSWORD_KEY, type="password",
                      autocomplete="current-password")
        st.form_submit_button(t("login.submit"), key=SUBMIT_KEY, type="primary", on_click=_submit_password)


def logout_button(user: SessionUser) -> None:
    """Sidebar: who is logged in, and the logout button."""
    st.caption(t("auth.logged_in_as", username=user.username, role=t(f"role.{user.role}")))
    st.button(t("auth.logout"), key=LOGOUT_KEY, icon=":material/logout:",
              on_click=logout, args=("auth.logged_out",))

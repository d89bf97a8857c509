"""Login, session and logout for the dashboard (the store side is ``store.accounts``).

Session rules (numbers in ``store.accounts``; the sessions themselves in
``store.accounts.sessions``, in the database): a login opens a new session under a new
random id (all of ``st.session_state`` is cleared except the language, which becomes the
user's stored language); a session ends after ``SESSION_IDLE_TIMEOUT`` without a request
or ``SESSION_MAX_AGE`` in all; logout ends it in the database, so in every tab. On every
run :func:`current_user` checks the session against the database: a deleted or
deactivated account, or one whose password was changed after this session began
(elsewhere), is logged out at once.

Served through ``dashboard/server.py`` (``make run``, ``python -m dashboard serve``), the
login then sends the browser once through ``/auth/session``, which sets an ``HttpOnly``,
``SameSite=Strict`` cookie with the session's token and sends it back to the page it was
on: a reload, a second tab, a bookmark or another app instance then finds the user logged
in. The id changes at the login, when a second factor is completed and when the user
changes their own password (:func:`rotate_session`).

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
import logging
import math
import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.components.account_history import NOTICES_KEY, show_login_notices
from dashboard.components.database import EARLIER_SESSIONS_KEY, SESSION_ID_KEY, access, db_session, device
from dashboard.i18n import LANGUAGE_KEY, t
from store.accounts import (
    SESSION_IDLE_TIMEOUT,
    SESSION_MAX_AGE,
    TOTP_STEP_TIMEOUT,
    Account,
    AuthResult,
    authenticate,
    authenticate_totp,
)
from store.accounts.sessions import (
    SessionCheck,
    SessionGrant,
    check_session,
    end_session,
    open_session,
    rotate,
    session_status,
)
from store.accounts.sessions import renew_after_password_change as renew_sessions_after_password_change
from store.audit import session_key
from store.models import utcnow

LOG = logging.getLogger("draagkracht.dashboard")

clock: Callable[[], dt.datetime] = utcnow  # tests: monkeypatch auth.clock


ENV_COOKIE_SESSIONS = "DRAAGKRACHT_COOKIE_SESSIONS"  # set by dashboard/server.py
COOKIE_NAME = "draagkracht_session"
COOKIE_ROUTE = "/auth/session"
USER_KEY = "auth.user_id"  # the logged-in account's id (with TOKEN_KEY: a login)
TOKEN_KEY = "auth.token"  # this connection's session token (store.accounts.sessions)
COOKIE_SEEN_KEY = "auth.cookie_seen"  # digest of a cookie that is no session: not looked up again
HANDOFF_KEY = "auth.handoff"  # the browser is being sent to COOKIE_ROUTE
NEXT_PAGE_KEY = "auth.next_page"  # the page asked for before login (app.py), to return to
PENDING_KEY = "auth.pending_totp"  # {"user_id", "expires"} between password and code
NOTICE_KEY = "auth.notice"  # ("info"|"error", [(message key, params)]) for the login page
USERNAME_KEY = "login.username"
PASSWORD_KEY = "login.password"
CODE_KEY = "login.code"
SUBMIT_KEY = "login.submit"
CODE_SUBMIT_KEY = "login.code_submit"
LOGOUT_KEY = "auth.logout"
WATCHDOG_INTERVAL = dt.timedelta(minutes=1)
# why a session ended (store.accounts.sessions) -> what the login page says; none for a
# new id (rotated) or a session this tab did not know
ENDED_NOTICES = {"idle": "auth.ended_idle", "absolute": "auth.ended_absolute", "account": "auth.ended_account",
                 "password_changed": "auth.ended_password_changed", "logout": "auth.logged_out",
                 "ended_by_user": "auth.ended_by_user"}
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

def cookie_sessions() -> bool:
    """Whether this process serves the app through ``dashboard/server.py`` (which sets
    ``DRAAGKRACHT_COOKIE_SESSIONS``), whose ``/auth/session`` route sets the cookie.
    Without it (AppTest, a bare ``streamlit run dashboard/app.py``) a login lasts as long
    as this connection."""
    return os.environ.get(ENV_COOKIE_SESSIONS) == "1"


def request_cookie() -> str | None:
    """The session cookie this connection was opened with (``st.context.cookies``: the
    cookies of the page's websocket request), if any."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no request behind this run (AppTest)
        return None
    return value if isinstance(value, str) and value else None


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
    """End the session, in the database too (so its cookie is worth nothing, in every
    tab), and clear everything except the language choice. ``notice`` is a message key
    (with ``params``) the login page shows, e.g. why the session ended."""
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        try:
            with db_session() as session:
                end_session(session, token, now=clock())
        except SQLAlchemyError:
            LOG.exception("could not end a login session in the database")
    _clear_state()
    if notice:
        st.session_state[NOTICE_KEY] = ("info", [(notice, params)])


def _start_session(account: Account, grant: SessionGrant, notices: tuple) -> None:
    state = st.session_state
    page = state.get(NEXT_PAGE_KEY) or ""
    _clear_state()
    state[LANGUAGE_KEY] = account.language
    state[USER_KEY] = account.id
    state[TOKEN_KEY] = grant.token
    if cookie_sessions():
        _send_for_cookie(grant.ticket, page)  # the notices wait in the database for the page after it
    elif notices:
        state[NOTICES_KEY] = notices


def _send_for_cookie(ticket: str, page: str, done: str | None = None) -> None:
    """Send the browser to ``/auth/session`` with the ticket: the route sets the cookie
    and sends it back to ``page`` (a page's URL path, "" for the home page), where the
    new connection finds the user logged in, with ``done`` (what just succeeded, for
    the page to say) in its address. (The message ``st.login`` sends.)"""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    query = {"ticket": ticket, "next": page, **({"done": done} if done else {})}
    message = ForwardMsg()
    message.auth_redirect.url = ("/" + base if base else "") + f"{COOKIE_ROUTE}?{urlencode(query)}"
    ctx.enqueue(message)
    st.session_state[HANDOFF_KEY] = True


def rotate_session(page: str = "", done: str | None = None) -> None:
    """A new session id for this login (the second factor completed, the user's own
    password changed): the old token and cookie are worth nothing after this; the
    browser gets the new cookie on its way to ``page``."""
    state = st.session_state
    with db_session() as session:
        grant = rotate(session, state.get(TOKEN_KEY), now=clock())
    if grant is not None:
        state[TOKEN_KEY] = grant.token
        if cookie_sessions():
            _send_for_cookie(grant.ticket, page, done)


def renew_after_password_change(changed_at: dt.datetime, page: str = "", done: str | None = None) -> None:
    """Keep this session valid after its own user changed the password (the user's
    other sessions end), under a new id."""
    with db_session() as session:
        renew_sessions_after_password_change(session, st.session_state.get(TOKEN_KEY), changed_at)
    rotate_session(page, done)


def session_id() -> str | None:
    return st.session_state.get(SESSION_ID_KEY)


def handing_over() -> bool:
    """The browser is on its way to ``/auth/session`` (this connection ends with it)."""
    return bool(st.session_state.get(HANDOFF_KEY))


def rerun() -> None:
    """``st.rerun()``, except while the browser is being sent for its cookie: a rerun
    starts by clearing the messages not yet sent to the browser, the hand-off's redirect
    among them, and the page would stay at "opening" for good (seen in the admin journey
    once the server's runs got faster). The browser comes back on a new connection,
    which runs the app afresh anyway."""
    if not handing_over():
        st.rerun()


def _check(token: str, now: dt.datetime) -> SessionCheck:
    with db_session(readonly=True) as session:
        check = check_session(session, token, now=now, readonly=True)
    if check.write_needed:  # ended, touched (once a minute) or notices to hand out
        with db_session() as session:
            check = check_session(session, token, now=now)
    return check


def current_user() -> SessionUser | None:
    """The logged-in user, or None (after ending a session that has run out or whose
    account is gone). The session is this connection's (its token in the session
    state) or, on a new connection (a reload, a second tab, a bookmark, another app
    instance), the one its cookie names."""
    state = st.session_state
    token, cookie = state.get(TOKEN_KEY), None
    if token is None:
        if USER_KEY in state:  # a user id not set by a login: not a session
            logout()
        cookie = request_cookie()
        if cookie is None or state.get(COOKIE_SEEN_KEY) == session_key(cookie):
            return None
        token = cookie
    now = clock()
    check = _check(token, now)
    account = check.account
    if account is None:
        if cookie is not None:  # an old, ended or made-up cookie: the login page, once looked up
            state[COOKIE_SEEN_KEY] = session_key(cookie)
            return None
        notice = ENDED_NOTICES.get(check.ended or "")
        state.pop(TOKEN_KEY, None)  # already ended (or never known) in the database
        logout(notice, minutes=SESSION_IDLE_TIMEOUT // dt.timedelta(minutes=1),
               hours=SESSION_MAX_AGE // dt.timedelta(hours=1))
        return None
    if cookie is not None:
        state[TOKEN_KEY], state[USER_KEY] = cookie, account.id
    state[SESSION_ID_KEY] = check.audit_key
    if check.notices:
        state[NOTICES_KEY] = check.notices
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
    token = st.session_state.get(TOKEN_KEY)
    if token is None:
        return
    with db_session(readonly=True) as session:
        over = session_status(session, token, now=clock())
    if over is not None:
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


def _apply(result: AuthResult, now: dt.datetime, grant: SessionGrant | None) -> None:
    state = st.session_state
    if result.ok and grant is not None:
        _start_session(result.account, grant, result.notices)
        return
    if result.outcome == "totp_required":
        state[PENDING_KEY] = {"user_id": result.account.id, "expires": now + TOTP_STEP_TIMEOUT}
        state.pop(NOTICE_KEY, None)
        return
    if result.outcome != "totp_invalid" or result.lockout:
        state.pop(PENDING_KEY, None)  # back to the password step
    state[NOTICE_KEY] = ("error", _message(result))


def _open(session, result: AuthResult, now: dt.datetime) -> SessionGrant | None:
    """A new login session for a successful login (a new id: never one the browser
    had before, whatever cookie it sends)."""
    if not result.ok:
        return None
    return open_session(session, result.account.id, now=now, client_address=access().client_address,
                        device=device(), notices=result.notices if cookie_sessions() else ())


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
            grant = _open(session, result, now)
    except SQLAlchemyError:
        _unavailable()
        return
    _apply(result, now, grant)


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
            grant = _open(session, result, now)
    except SQLAlchemyError:
        _unavailable()
        return
    _apply(result, now, grant)


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

"""Login, session rules, logout and the account page through AppTest (no browser).

The database is a temporary SQLite file with an account per role (conftest.py); time is
the fake ``clock`` patched into ``dashboard.components.auth``.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from dashboard.components import account_forms, auth, database
from dashboard.i18n import LANGUAGE_KEY, LANGUAGES, placeholders, read_catalog
from store.accounts import (
    SLOWDOWN_BASE,
    SLOWDOWN_FROM,
    change_password,
    confirm_totp,
    start_totp_enrolment,
)
from store.admin import set_user_active
from store.audit import session_key
from store.db import session_scope
from store.models import AuditEvent, UserAccount

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
NL, EN = read_catalog("nl"), read_catalog("en")


@contextmanager
def db(demo_db):
    engine = demo_db.engine()
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def is_logged_in(at: AppTest) -> bool:
    return auth.USER_KEY in at.session_state


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def test_the_login_page_is_all_there_is_before_login(app):
    assert [t.value for t in app.title] == [NL["login.title"]]
    assert app.text_input(key=auth.USERNAME_KEY).label == NL["login.username"]
    assert app.text_input(key=auth.PASSWORD_KEY).label == NL["login.password"]
    assert app.radio(key="language").value == "nl"
    assert not is_logged_in(app) and not app.sidebar.button


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wrong_password_message_in_each_language(app, log_in, demo_db, lang):
    catalog = read_catalog(lang)
    app.radio(key="language").set_value(lang)
    app.run()
    assert app.text_input(key=auth.USERNAME_KEY).label == catalog["login.username"]
    log_in(app, "anna", "dit-is-het-niet")
    assert errors(app) == [catalog["login.bad_credentials"]]
    assert not is_logged_in(app)
    assert app.text_input(key=auth.PASSWORD_KEY).value == ""  # not kept
    log_in(app, "niemand", "dit-is-het-niet")  # an unknown user: the same message
    assert errors(app) == [catalog["login.bad_credentials"]]
    with db(demo_db) as s:
        details = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "login_failure")).all()
    assert details == ["username 'anna': wrong password", "username 'n******': unknown username"]  # masked


def test_repeated_failures_slow_down_then_lock_with_a_clear_message(app, log_in, clock, demo_db):
    for _ in range(2):
        log_in(app, "anna", "fout-wachtwoord")
    log_in(app, "anna", "fout-wachtwoord")  # the 3rd
    assert errors(app) == [NL["login.bad_credentials"] + "\n\n" + NL["login.slowed"].format(seconds=5)]
    log_in(app, "anna", demo_db.password)  # right, but too soon
    assert not is_logged_in(app)
    assert errors(app) == [NL["login.slowed"].format(seconds=5)]
    clock.advance(seconds=5)
    log_in(app, "anna", "fout-wachtwoord")  # the 4th
    clock.advance(seconds=10)
    log_in(app, "anna", "fout-wachtwoord")  # the 5th: locked
    assert errors(app) == [NL["login.locked"].format(minutes=15)]
    clock.advance(minutes=14)
    log_in(app, "anna", demo_db.password)
    assert errors(app) == [NL["login.locked"].format(minutes=1)] and not is_logged_in(app)
    clock.advance(minutes=1)
    log_in(app, "anna", demo_db.password)
    assert is_logged_in(app) and not app.error


def failed_logins_messages(app, log_in, clock, username) -> list[list[str]]:
    """The messages of a script's wrong passwords: three, one after the slowdown, one
    after the second (the 5th locks), one during the lock."""
    shown = []
    for wait in (0, 0, 0, 5, 10, 60):
        clock.advance(seconds=wait)
        log_in(app, username, "fout-wachtwoord")
        shown.append(errors(app))
    return shown


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unknown_username_gets_the_same_messages_as_a_known_one(app, log_in, clock, monkeypatch, lang):
    """Issue 13: the answers never tell that a username exists (each from an address of
    its own: an address's failures add up, whatever the usernames); in the user's language."""
    catalog = read_catalog(lang)
    app.radio(key="language").set_value(lang)
    app.run()
    where = {"address": "192.0.2.10"}
    monkeypatch.setattr(database, "client_address", lambda peer, forwarded: where["address"])
    known = failed_logins_messages(app, log_in, clock, "anna")
    where["address"] = "192.0.2.11"
    unknown = failed_logins_messages(app, log_in, clock, "niemand")
    assert known == unknown
    slowed = catalog["login.bad_credentials"] + "\n\n" + catalog["login.slowed"].format(seconds=5)
    locked = catalog["login.locked"]
    assert unknown[2] == [slowed] and unknown[4:] == [[locked.format(minutes=15)], [locked.format(minutes=14)]]


def test_a_lock_from_one_address_does_not_keep_the_owner_out(app, log_in, clock, demo_db, monkeypatch):
    where = {"address": None}  # AppTest has no client address: the local one
    monkeypatch.setattr(database, "client_address", lambda peer, forwarded: where["address"] or "127.0.0.1")
    failed_logins_messages(app, log_in, clock, "anna")  # locked from here
    log_in(app, "anna", demo_db.password)
    assert not is_logged_in(app) and errors(app) == [NL["login.locked"].format(minutes=14)]
    where["address"] = "198.51.100.7"  # anna herself, on another network
    log_in(app, "anna", demo_db.password)
    assert is_logged_in(app) and not app.error
    with db(demo_db) as s:
        lines = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(("login_failure", "login_success")))
                          .order_by(AuditEvent.id)).all()
    assert [(line.action, line.client_address) for line in lines] == [
        *[("login_failure", "127.0.0.1")] * 7, ("login_success", "198.51.100.7")]


def test_login_starts_a_new_session_in_the_users_language(app, log_in, demo_db):
    app.session_state["left.over"] = "from before the login"
    app.radio(key="language").set_value("nl")
    log_in(app, "sanne")  # stored language: English
    assert is_logged_in(app) and "left.over" not in app.session_state
    assert app.session_state["language"] == "en"
    assert [t.value for t in app.title] == [EN["team.title"]]
    first_id = app.session_state[auth.SESSION_ID_KEY]
    assert len(first_id) >= 40
    app.button(key=auth.LOGOUT_KEY).click()
    app.run()
    log_in(app, "sanne")
    assert app.session_state[auth.SESSION_ID_KEY] != first_id
    # Switching the language while logged in is stored for the next login.
    app.radio(key="language").set_value("nl")
    app.run()
    with db(demo_db) as s:
        assert s.get(UserAccount, demo_db.user_ids["sanne"]).language == "nl"
    with db(demo_db) as s:
        assert s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "login_success")).all() == [
            "username 'sanne': password"
        ] * 2


def test_idle_timeout_logs_out(logged_in, clock, run):
    at = logged_in("therapist")
    clock.advance(minutes=29)
    run(at)
    assert is_logged_in(at)
    clock.advance(minutes=29)  # 29 minutes since the last request: still fine
    run(at)
    assert is_logged_in(at)
    clock.advance(minutes=30)
    run(at)
    assert not is_logged_in(at)
    assert infos(at) == [NL["auth.ended_idle"].format(minutes=30)]
    assert [t.value for t in at.title] == [NL["login.title"]]
    assert "rate_case.result" not in at.session_state and at.session_state["language"] == "nl"


def test_sessions_end_after_twelve_hours_however_active(logged_in, clock, run):
    at = logged_in("researcher")  # a light page to rerun often
    for _ in range(24):  # 24 x 29 minutes = 11.6 hours, never idle
        clock.advance(minutes=29)
        run(at)
        assert is_logged_in(at)
    clock.advance(minutes=29)
    run(at)
    assert not is_logged_in(at)
    assert infos(at) == [NL["auth.ended_absolute"].format(hours=12)]


def test_a_deactivated_account_is_logged_out_at_once(logged_in, demo_db, run):
    at = logged_in("therapist")
    with db(demo_db) as s:
        set_user_active(s, demo_db.user_ids["beheer"], demo_db.user_ids["anna"], False)
    run(at)
    assert not is_logged_in(at)
    assert infos(at) == [NL["auth.ended_account"]]


def test_a_password_change_elsewhere_ends_this_session(logged_in, demo_db, clock, run):
    at = logged_in("therapist")
    with db(demo_db) as s:
        change_password(s, demo_db.user_ids["anna"], demo_db.password, "een-heel-nieuw-wachtwoord",
                        now=clock.advance(minutes=1))
    run(at)
    assert not is_logged_in(at)
    assert infos(at) == [NL["auth.ended_password_changed"]]


def test_logout_clears_everything_but_the_language(logged_in, run):
    at = logged_in("supervisor")
    at.session_state["some.page.state"] = 42
    ended = session_key(at.session_state[auth.SESSION_ID_KEY])
    at.button(key=auth.LOGOUT_KEY).click()
    run(at)
    assert not is_logged_in(at) and "some.page.state" not in at.session_state
    assert set(at.session_state) >= {"language"}
    assert not any(str(k).startswith("auth.") and k not in (auth.NOTICE_KEY, auth.EARLIER_SESSIONS_KEY,
                                                            auth.NEXT_PAGE_KEY)
                   for k in at.session_state)
    # the tab keeps only the digest of the session that ended (a temporary password is refused here)
    assert at.session_state[auth.EARLIER_SESSIONS_KEY] == (ended,)
    assert infos(at) == [EN["auth.logged_out"]]  # sanne's language stays
    assert [t.value for t in at.title] == [EN["login.title"]]


# --- account page -----------------------------------------------------------------------

def change_form(at: AppTest, current: str, new: str, repeat: str) -> AppTest:
    at.text_input(key="account.current").input(current)
    at.text_input(key="account.new").input(new)
    at.text_input(key="account.repeat").input(repeat)
    at.button(key="account.change_submit").click()
    at.run()
    return at


def test_changing_the_password_on_the_account_page(logged_in, demo_db, log_in, run):
    at = logged_in("supervisor")  # English
    at.switch_page("views/account.py")
    run(at)
    change_form(at, demo_db.password, "nieuw-wachtwoord-1", "nieuw-wachtwoord-2")
    assert errors(at) == [EN["password.mismatch"]]
    change_form(at, demo_db.password, "kort", "kort")
    assert errors(at) == [EN["account.password_not_changed"] + "\n\n- " + EN["problem.password.too_short"].format(min=10)]
    change_form(at, "verkeerd", "nieuw-wachtwoord-1", "nieuw-wachtwoord-1")
    assert errors(at) == [EN["account.password_not_changed"] + "\n\n" + EN["problem.password.wrong_current"]]
    change_form(at, demo_db.password, "nieuw-wachtwoord-1", "nieuw-wachtwoord-1")
    assert [s.value for s in at.success] == [EN["account.password_changed"]]
    run(at)
    assert is_logged_in(at)  # this session goes on
    at.button(key=auth.LOGOUT_KEY).click()
    run(at)
    log_in(at, "sanne", demo_db.password)
    assert not is_logged_in(at)
    log_in(at, "sanne", "nieuw-wachtwoord-1")
    assert is_logged_in(at)


def test_guessing_the_password_in_an_open_session_slows_down_then_locks(logged_in, demo_db, clock, run):
    """The account page asks for the current password; wrong answers count like failed
    logins, so a session left open cannot be used to guess it."""
    at = logged_in("supervisor")  # English
    at.switch_page("views/account.py")
    run(at)
    for _ in range(SLOWDOWN_FROM - 1):
        change_form(at, "verkeerd", "nieuw-wachtwoord-1", "nieuw-wachtwoord-1")
    change_form(at, "verkeerd", "nieuw-wachtwoord-1", "nieuw-wachtwoord-1")
    slowed = EN["login.slowed"].format(seconds=int(SLOWDOWN_BASE.total_seconds()))
    assert errors(at) == [f"{EN['account.password_not_changed']}\n\n{EN['problem.password.wrong_current']}\n\n{slowed}"]
    change_form(at, demo_db.password, "nieuw-wachtwoord-1", "nieuw-wachtwoord-1")  # right, but too soon
    assert not at.success and slowed.split(".")[0] in errors(at)[0]
    clock.advance(seconds=int(SLOWDOWN_BASE.total_seconds()))
    change_form(at, demo_db.password, "nieuw-wachtwoord-1", "nieuw-wachtwoord-1")
    assert [s.value for s in at.success] == [EN["account.password_changed"]]


def test_a_temporary_password_from_the_admin_opens_only_the_account_page_until_replaced(
        logged_in, log_in, demo_db, run, monkeypatch):
    at = logged_in("admin")
    at.switch_page("views/admin.py")
    run(at)
    at.selectbox(key="admin_target").set_value(demo_db.user_ids["beheer"])  # not for oneself
    at.radio(key="admin_action").set_value("temporary_password")
    at.button(key="admin_apply").click()
    run(at)
    assert errors(at) == [NL["refused.own_temporary_password"]] and not at.code  # the store's rule
    at.selectbox(key="admin_target").set_value(demo_db.user_ids["anna"])
    at.radio(key="admin_action").set_value("temporary_password")
    at.button(key="admin_apply").click()
    run(at)
    assert [s.value for s in at.success] == [NL["admin.temporary_password"].format(username="anna")]
    temporary = at.code[0].value
    run(at)
    assert not at.code  # shown once
    at.button(key=auth.LOGOUT_KEY).click()
    run(at)
    log_in(at, "anna", temporary)  # the admin, on their own device: refused
    assert not is_logged_in(at) and errors(at) == [NL["login.temporary_same_place"]]
    monkeypatch.setattr(database, "client_address", lambda peer, forwarded: "192.0.2.7")  # anna's own device
    at = run(AppTest.from_file(APP, default_timeout=30))
    log_in(at, "anna", temporary)
    assert is_logged_in(at)
    assert [t.value for t in at.title] == [NL["account.title"]]  # the account page only
    told, required = [w.value for w in at.warning]  # told who gave it, and to choose her own
    assert NL["account.notice.temporary_password"].split("{")[0] + "beheer" in told
    assert required == NL["account.password_change_required"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/my_week.py")  # not registered for her yet
    change_form(at, temporary, "mijn-eigen-wachtwoord", "mijn-eigen-wachtwoord")
    assert [s.value for s in at.success] == [NL["account.password_changed"]]
    assert not at.warning
    at.switch_page("views/my_week.py")
    run(at)
    assert [t.value for t in at.title] == [NL["my_week.title"]]  # the navigation is open


def enable_totp(demo_db, username: str, now: dt.datetime) -> pyotp.TOTP:
    with db(demo_db) as s:
        secret = start_totp_enrolment(s, demo_db.user_ids[username]).secret
    with db(demo_db) as s:
        confirm_totp(s, demo_db.user_ids[username], pyotp.TOTP(secret).at(now), now=now)
    return pyotp.TOTP(secret)


def test_switching_the_second_factor_off_asks_the_password_and_counts_wrong_ones(
        logged_in, demo_db, clock, run):
    at = logged_in("supervisor")  # English
    enable_totp(demo_db, "sanne", clock())  # set up meanwhile (optional for her role here)
    at.switch_page("views/account.py")
    run(at)
    at.text_input(key="account.totp_off_password").input("verkeerd")
    at.button(key="account.totp_off_submit").click()
    run(at)
    assert errors(at) == [EN["problem.password.wrong_current"]]
    with db(demo_db) as s:
        sanne = s.get(UserAccount, demo_db.user_ids["sanne"])
        assert sanne.failed_logins == 1 and sanne.totp_secret is not None  # counted, nothing switched off
    at.text_input(key="account.totp_off_password").input(demo_db.password)
    at.button(key="account.totp_off_submit").click()
    run(at)
    # the page's st.rerun() keeps her language (AppTest alone would reset the selector)
    assert [s.value for s in at.success] == [EN["account.totp_disabled"]]
    assert at.radio(key=LANGUAGE_KEY).value == "en"
    with db(demo_db) as s:
        sanne = s.get(UserAccount, demo_db.user_ids["sanne"])
        assert sanne.failed_logins == 0 and sanne.totp_secret is None


def test_login_with_a_second_factor(app, log_in, demo_db, clock, run):
    totp = enable_totp(demo_db, "anna", clock())
    clock.advance(minutes=1)
    log_in(app, "anna")
    assert not is_logged_in(app)
    assert app.text_input(key=auth.CODE_KEY).label == NL["login.code"]
    wrong = f"{(int(totp.at(clock())) + 1) % 1_000_000:06d}"
    app.text_input(key=auth.CODE_KEY).input(wrong)
    app.button(key=auth.CODE_SUBMIT_KEY).click()
    run(app)
    assert errors(app) == [NL["login.totp_invalid"]] and not is_logged_in(app)
    app.text_input(key=auth.CODE_KEY).input(totp.at(clock()))
    app.button(key=auth.CODE_SUBMIT_KEY).click()
    run(app)
    assert is_logged_in(app) and not app.error
    assert [t.value for t in app.title] == [NL["my_week.title"]]


def test_the_code_step_expires(app, log_in, demo_db, clock, run):
    totp = enable_totp(demo_db, "anna", clock())
    clock.advance(minutes=1)
    log_in(app, "anna")
    clock.advance(minutes=5)
    app.text_input(key=auth.CODE_KEY).input(totp.at(clock()))
    app.button(key=auth.CODE_SUBMIT_KEY).click()
    run(app)
    assert errors(app) == [NL["login.code_expired"]] and not is_logged_in(app)
    assert app.text_input(key=auth.USERNAME_KEY)  # back at the password step


def test_a_role_that_requires_totp_sets_it_up_before_anything_else(demo_db, clock, monkeypatch, log_in, run):
    monkeypatch.setenv("DRAAGKRACHT_REQUIRE_TOTP_ROLES", "therapist,admin")
    at = run(AppTest.from_file(APP, default_timeout=30))
    log_in(at, "anna")
    assert is_logged_in(at)
    assert [t.value for t in at.title] == [NL["account.title"]]
    assert [w.value for w in at.warning] == [NL["account.totp_required_notice"]]
    with pytest.raises(ValueError, match="rate_case"):
        at.switch_page("views/rate_case.py")  # not registered until the second factor is set up
    at.button(key=account_forms.TOTP_START_KEY).click()
    run(at)
    with db(demo_db) as s:
        secret = s.get(UserAccount, demo_db.user_ids["anna"]).totp_pending_secret
    assert secret and at.code[0].value == " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    at.text_input(key=account_forms.TOTP_CODE_KEY).input("000000" if pyotp.TOTP(secret).at(clock()) != "000000" else "111111")
    at.button(key=account_forms.TOTP_CONFIRM_KEY).click()
    run(at)
    assert errors(at) == ["- " + NL["problem.totp.code_invalid"]]
    at.text_input(key=account_forms.TOTP_CODE_KEY).input(pyotp.TOTP(secret).at(clock()))
    at.button(key=account_forms.TOTP_CONFIRM_KEY).click()
    run(at)
    assert [s.value for s in at.success][:1] == [NL["account.totp_enabled"]]
    assert not at.warning
    at.switch_page("views/rate_case.py")
    run(at)
    assert [t.value for t in at.title] == [NL["rate.title"]]


def test_a_misconfigured_totp_requirement_stops_the_app_with_a_message(demo_db, clock, monkeypatch, run):
    monkeypatch.setenv("DRAAGKRACHT_REQUIRE_TOTP_ROLES", "supervisors")
    at = run(AppTest.from_file(APP, default_timeout=30))
    assert errors(at) == [NL["app.config_error"]]
    assert not at.text_input  # no login form


def test_an_unreachable_database_gives_a_message_not_a_traceback(app, log_in, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(auth, "authenticate", unreachable)
    log_in(app, "anna")
    assert errors(app) == [NL["login.unavailable"]] and not is_logged_in(app)


def test_a_user_id_without_a_session_started_by_login_is_not_a_login(app, demo_db, run):
    app.session_state[auth.USER_KEY] = demo_db.user_ids["anna"]  # e.g. set by some page
    run(app)
    assert not is_logged_in(app)
    assert [t.value for t in app.title] == [NL["login.title"]]


def test_the_account_is_read_once_per_run_and_again_on_the_next(logged_in, demo_db, monkeypatch, run):
    """app.py checks the session against the database at the start of each run; the
    page's own login check (require_login) reuses that run's result instead of reading
    the account a second time, and the next run reads it afresh."""
    at = logged_in("therapist")  # on My week, whose page calls require_login
    reads: list[str] = []
    real = auth.check_session

    def counting(session, token, **kwargs):
        reads.append(token)
        return real(session, token, **kwargs)

    monkeypatch.setattr(auth, "check_session", counting)
    token = at.session_state[auth.TOKEN_KEY]
    run(at)
    assert reads == [token]  # within a minute of the last: read only, nothing written
    run(at)
    assert reads == [token] * 2


def test_the_runs_check_is_gone_after_the_run_whatever_ends_it():
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    user = auth.SessionUser(user_id=1, username="anna", role="therapist", therapist_id=1, language="nl")
    for ending in (StopException(), RuntimeError("a page failed")):
        with pytest.raises(type(ending)):
            with auth.checked_for_run(user):
                assert auth._RUN_USER.get() is not None
                raise ending
        assert auth._RUN_USER.get() is None


def test_no_rerun_while_the_browser_is_sent_for_its_cookie(monkeypatch):
    # A rerun clears the messages not yet sent, the hand-off's redirect among them: the
    # page would stay at "opening" (the admin journey in Chromium showed it).
    reruns: list[int] = []
    state: dict = {}
    monkeypatch.setattr(auth.st, "rerun", lambda *a, **k: reruns.append(1))
    monkeypatch.setattr(auth.st, "session_state", state)
    auth.rerun()
    assert reruns == [1]
    state[auth.HANDOFF_KEY] = True
    auth.rerun()
    assert reruns == [1]

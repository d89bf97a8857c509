"""Issue 13: a login that survives a reload, through AppTest. A reload, a second tab or a
bookmark is a new connection whose request carries the session cookie
(``auth.request_cookie``, patched here to what the browser would send); the cookie is
set by the production app's ``/auth/session`` route (tests/e2e/test_sessions.py and
tests/e2e/test_http.py show that part in a real browser and server). Time is the fake
clock of conftest.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from dashboard.components import auth
from dashboard.i18n import read_catalog
from store.db import make_engine, session_scope
from store.models import LoginSession

NL = read_catalog("nl")
APP = auth.__file__.replace("components/auth.py", "app.py")


@pytest.fixture
def cookie(monkeypatch):
    """``cookie.value``: what the next connections' requests carry."""

    class Jar:
        value: str | None = None

    jar = Jar()
    monkeypatch.setattr(auth, "request_cookie", lambda: jar.value)
    return jar


def new_connection(run, page: str | None = None) -> AppTest:
    """A reload, a second tab or a bookmark: a new AppTest, so a new session state."""
    at = run(AppTest.from_file(APP, default_timeout=60))
    if page is not None:  # (AppTest opens a page only after a first run)
        at.switch_page(page)
        run(at)
    return at


def logged_in_as(at: AppTest) -> str | None:
    captions = [c.value for c in at.sidebar.caption]
    return next((c for c in captions if c.startswith("Ingelogd als") or c.startswith("Logged in as")), None)


def test_a_new_connection_with_the_cookie_is_logged_in_on_the_page_it_asks_for(logged_in, cookie, run):
    at = logged_in("therapist")
    cookie.value = at.session_state[auth.TOKEN_KEY]  # what /auth/session would have set
    again = new_connection(run, "views/my_cases.py")  # a bookmark to My cases
    assert logged_in_as(again) == NL["auth.logged_in_as"].format(username="anna", role=NL["role.therapist"])
    assert [t.value for t in again.title] == [NL["cases.title"]]
    assert not again.exception and not again.error
    # the audit lines of both connections name the same login session
    assert again.session_state[auth.SESSION_ID_KEY] == at.session_state[auth.SESSION_ID_KEY]


@pytest.mark.parametrize("value", ["made-up", "", "x" * 5000, "'; DROP TABLE login_session; --", "\u00e9\u00e8"])
def test_an_unknown_or_tampered_cookie_gets_the_login_page_never_an_error(app, cookie, run, value, demo_db):
    cookie.value = value
    at = new_connection(run)
    assert [t.value for t in at.title] == [NL["login.title"]]
    assert not at.exception and not at.error and not at.info
    with session_scope(engine := make_engine(demo_db.url)) as s:
        assert s.scalars(select(LoginSession)).all() == []
    engine.dispose()


def test_a_cookie_one_character_off_is_not_the_session(logged_in, cookie, run):
    token = logged_in("therapist").session_state[auth.TOKEN_KEY]
    cookie.value = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert logged_in_as(new_connection(run)) is None


def test_logout_in_one_tab_ends_the_session_in_the_other(logged_in, cookie, run):
    first = logged_in("supervisor")
    cookie.value = first.session_state[auth.TOKEN_KEY]
    second = new_connection(run)
    assert logged_in_as(second) is not None
    first.button(key=auth.LOGOUT_KEY).click()
    run(first)
    run(second)
    assert logged_in_as(second) is None
    assert [i.value for i in second.info] == [read_catalog("en")["auth.logged_out"]]  # sanne reads English
    assert logged_in_as(new_connection(run)) is None  # and the cookie opens nothing any more


def test_an_expired_session_is_not_reopened_by_its_cookie(logged_in, cookie, clock, run):
    at = logged_in("researcher")
    cookie.value = at.session_state[auth.TOKEN_KEY]
    clock.advance(minutes=31)
    later = new_connection(run)
    assert logged_in_as(later) is None and not later.error and not later.exception
    assert [t.value for t in later.title] == [NL["login.title"]]


def test_my_account_lists_the_sessions_and_ends_another(logged_in, log_in, cookie, run):
    here = logged_in("researcher")
    elsewhere = log_in(new_connection(run), "rita")  # a second login, e.g. on another computer
    here.switch_page("views/account.py")
    run(here)
    end_buttons = [b for b in here.button if str(b.key).startswith("account.end_session.")]
    assert len(end_buttons) == 2
    lines = [m.value for m in here.markdown if NL["account.session_this"] in m.value]
    assert len(lines) == 1  # this browser is marked
    mine = here.session_state[auth.SESSION_ID_KEY]
    other = next(b for b in end_buttons if f"-{b.key.rsplit('.', 1)[1]}-" not in mine)
    other.click()
    run(here)
    assert logged_in_as(here) is not None
    assert len([b for b in here.button if str(b.key).startswith("account.end_session.")]) == 1
    run(elsewhere)
    assert logged_in_as(elsewhere) is None
    assert [i.value for i in elsewhere.info] == [NL["auth.ended_by_user"]]


def test_an_unreachable_database_is_said_as_such(app, monkeypatch, run, caplog):
    def refused(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception('connection to server at "127.0.0.1", port 1 failed: '
                                                          "Connection refused"))

    monkeypatch.setattr(auth, "check_session", refused)
    app.session_state[auth.TOKEN_KEY] = "some-token"
    run(app)
    assert [e.value for e in app.error] == [NL["app.database_unreachable"]]
    assert "database unreachable" in caplog.text and "Connection refused" in caplog.text


def test_a_damaged_database_file_is_said_as_such(app, demo_db, monkeypatch, tmp_path, run, caplog):
    broken = tmp_path / "not-a-database.sqlite3"
    broken.write_bytes(b"this is not a SQLite database, just some bytes " * 100)
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{broken}")
    app.session_state[auth.TOKEN_KEY] = "some-token"
    run(app)
    assert [e.value for e in app.error] == [read_catalog("nl")["app.database_damaged"]]
    assert "database damaged" in caplog.text and "file is not a database" in caplog.text

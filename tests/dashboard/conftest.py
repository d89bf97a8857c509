"""Fixtures for the dashboard's AppTests: a database with an account per role, a
controllable clock, and logging in.

``demo_db`` is a migrated SQLite file (copied from a template made once per run) with
an account per role (``demo_db.usernames[role]``, all with ``demo_db.password``);
``DRAAGKRACHT_DATABASE_URL`` points to it for the test. ``app`` is the app after its
first run (the login page); ``logged_in(role)`` is the app with that role's account
logged in; ``log_in(at, username, password)`` submits the login form; ``run(at)`` runs
and asserts no exception. ``clock`` replaces ``dashboard.components.auth.clock``: move
it with ``clock.advance(minutes=31)``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import auth
from dashboard.i18n import read_catalog
from store.accounts import create_user
from store.db import make_engine, session_scope, upgrade
from store.models import Therapist

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PASSWORD = "rustig-aan-vandaag-7"
ACCOUNTS = {  # role -> (username, language)
    "therapist": ("anna", "nl"),
    "supervisor": ("sanne", "en"),
    "researcher": ("rita", "nl"),
    "admin": ("beheer", "nl"),
}
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class DemoDb:
    url: str
    path: Path
    user_ids: dict[str, int]  # username -> id
    usernames: dict[str, str]  # role -> username
    languages: dict[str, str]  # role -> stored language
    password: str = PASSWORD

    def engine(self):
        return make_engine(self.url)


UNEXPECTED = {read_catalog(lang)["error.unexpected"] for lang in ("nl", "en")}


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # app.py turns a failing page into a plain message: in tests that is a failure too.
    assert not UNEXPECTED & {e.value for e in at.error}, "a page failed: see the log for its traceback"
    return at


def _log_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key=auth.USERNAME_KEY).input(username)
    at.text_input(key=auth.PASSWORD_KEY).input(password)
    at.button(key=auth.SUBMIT_KEY).click()
    return _run(at)


@pytest.fixture(name="run")
def run_fixture() -> Callable[[AppTest], AppTest]:
    return _run


@pytest.fixture(name="log_in")
def log_in_fixture() -> Callable[..., AppTest]:
    return _log_in


@pytest.fixture(scope="session")
def accounts_template(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("dashboard-db") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        ids = {}
        with session_scope(engine) as s:
            therapist = Therapist(display_name="Anna", experience="starting", contracted_sessions=20)
            s.add(therapist)
            s.flush()
            for role, (username, language) in ACCOUNTS.items():
                user = create_user(s, username=username, password=PASSWORD, role=role, language=language,
                                   therapist_id=therapist.id if role == "therapist" else None)
                ids[username] = user.id
    finally:
        engine.dispose()  # checkpoints the WAL into the file
    return path, ids


@pytest.fixture
def demo_db(accounts_template, tmp_path, monkeypatch) -> DemoDb:
    template, ids = accounts_template
    path = tmp_path / "dashboard.sqlite3"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", url)
    monkeypatch.delenv("DRAAGKRACHT_REQUIRE_TOTP_ROLES", raising=False)
    return DemoDb(url, path, dict(ids), {r: u for r, (u, _) in ACCOUNTS.items()},
                  {r: lang for r, (_, lang) in ACCOUNTS.items()})


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(START)
    monkeypatch.setattr(auth, "clock", fake)
    return fake


@pytest.fixture
def app(demo_db, clock) -> AppTest:
    return _run(AppTest.from_file(APP, default_timeout=30))


@pytest.fixture
def logged_in(app) -> Callable[[str], AppTest]:
    def _logged_in(role: str) -> AppTest:
        return _log_in(app, ACCOUNTS[role][0])

    return _logged_in


@pytest.fixture
def team_oost(demo_db) -> int:
    """Team Oost: Anna in it, Sanne its supervisor (a report is shared only with a
    supervisor of one's own team; My teams shows only supervised teams). Its id."""
    from store.models import SupervisorTeam, Team

    with session_scope(demo_db.engine()) as s:
        team = Team(name="Team Oost")
        s.add(team)
        s.flush()
        s.query(Therapist).update({Therapist.team_id: team.id})
        s.add(SupervisorTeam(user_id=demo_db.user_ids["sanne"], team_id=team.id))
        return team.id

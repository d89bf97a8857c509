"""Fixtures building real databases on both backends.

``engine`` is parametrised over ``sqlite`` and ``postgresql``. SQLite: a copy of a
migrated template file in the test's temp folder. PostgreSQL
(``DRAAGKRACHT_TEST_POSTGRES_URL``, default the local ``test`` database): a schema of
its own for this test run, migrated once, emptied after each test and dropped at the
end. When the server cannot be reached the PostgreSQL tests are skipped, unless
``REQUIRE_POSTGRES=1`` (CI), which makes that a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from store.db import make_engine, session_scope, upgrade
from store.models import Base, SupervisorTeam, Team, Therapist, UserAccount

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass
class Backend:
    name: str
    new_engine: Callable[..., Engine]  # a fresh engine on this test's database
    reset: Callable[[Engine], None]  # empty every table


def _postgres_url() -> str:
    return os.environ.get("DRAAGKRACHT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _postgres_unavailable(reason: str):
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unavailable: {reason}")
    pytest.skip(f"PostgreSQL not reachable at {make_url(_postgres_url()).render_as_string()} "
                f"({reason}); set REQUIRE_POSTGRES=1 to make this a failure")


def _delete_all_sqlite(engine: Engine) -> None:
    # The audit log is append-only (a trigger refuses DELETE): a test's reset lifts the
    # triggers for its own transaction and puts the very same ones back.
    with engine.begin() as conn:
        triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'").all()
        for name, _ in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        for _, sql in triggers:
            conn.exec_driver_sql(sql)


def _truncate_postgres(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # The audit log's triggers refuse TRUNCATE; a test's reset (as the superuser)
        # runs with ordinary triggers off for its own transaction only.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    url = _postgres_url()
    try:
        admin = make_engine(url, connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "unreachable"
        _postgres_unavailable(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}")
    schema = f"draagkracht_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def new_engine(**kwargs) -> Engine:
        kwargs.setdefault("connect_args", {})["options"] = f"-csearch_path={schema}"
        return make_engine(url, **kwargs)

    migrated = new_engine()
    try:
        upgrade(migrated)
        yield new_engine
    finally:
        migrated.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Backend:
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "draagkracht.sqlite3"
        shutil.copyfile(template, path)
        return Backend("sqlite", lambda **kw: make_engine(f"sqlite:///{path}", **kw), _delete_all_sqlite)
    new_engine = request.getfixturevalue("postgres_schema")
    request.addfinalizer(lambda: _reset_with_new_engine(new_engine))
    return Backend("postgresql", new_engine, _truncate_postgres)


def _reset_with_new_engine(new_engine) -> None:
    engine = new_engine()
    try:
        _truncate_postgres(engine)
    finally:
        engine.dispose()


@pytest.fixture
def engine(backend) -> Engine:
    engine = backend.new_engine()
    yield engine
    engine.dispose()


@dataclass
class People:
    team_id: int
    other_team_id: int
    t1: Therapist  # starting, team A
    t2: Therapist  # experienced, team A
    t3: Therapist  # team B
    u1: UserAccount  # therapist t1
    u2: UserAccount  # therapist t2
    u3: UserAccount  # therapist t3
    supervisor: UserAccount  # supervises team A only
    admin: UserAccount
    researcher: UserAccount


def make_people(engine: Engine) -> People:
    with session_scope(engine) as s:
        a, b = Team(name="Team A"), Team(name="Team B")
        s.add_all([a, b])
        s.flush()
        t1 = Therapist(display_name="Anna", team_id=a.id, experience="starting", contracted_sessions=20,
                       started_on=dt.date(2024, 9, 1))
        t2 = Therapist(display_name="Bram", team_id=a.id, experience="experienced", contracted_sessions=24)
        t3 = Therapist(display_name="Cas", team_id=b.id, experience="experienced", contracted_sessions=16)
        s.add_all([t1, t2, t3])
        s.flush()
        u1 = UserAccount(username="anna", role="therapist", therapist_id=t1.id)
        u2 = UserAccount(username="bram", role="therapist", therapist_id=t2.id)
        u3 = UserAccount(username="cas", role="therapist", therapist_id=t3.id)
        sup = UserAccount(username="sanne", role="supervisor", language="en")
        adm = UserAccount(username="admin", role="admin")
        res = UserAccount(username="rita", role="researcher")
        s.add_all([u1, u2, u3, sup, adm, res])
        s.flush()
        s.add(SupervisorTeam(user_id=sup.id, team_id=a.id))
        return People(a.id, b.id, t1, t2, t3, u1, u2, u3, sup, adm, res)


@pytest.fixture
def people(engine) -> People:
    return make_people(engine)


@pytest.fixture(name="make_people")
def make_people_fixture():
    """``make_people(engine)``, for tests that rebuild the database per example."""
    return make_people

"""Engine set-up: SQLite pragmas, transaction begin, URL resolution, session scope."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from store import db
from store.db import make_engine, session_scope
from store.models import Team


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    yield engine
    engine.dispose()


def test_sqlite_pragmas_on_every_connection(sqlite_engine):
    for _ in range(2):
        with sqlite_engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 30000
        sqlite_engine.dispose()  # next round: a brand-new connection


def test_sqlite_write_session_takes_the_write_lock_at_begin(tmp_path, sqlite_engine):
    db.upgrade(sqlite_engine)
    path = tmp_path / "p.sqlite3"
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with session_scope(sqlite_engine) as s:
            s.execute(select(func.count()).select_from(Team)).scalar()  # a read only...
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # ...yet the lock is held
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
        with session_scope(sqlite_engine, readonly=True) as s:
            s.execute(select(func.count()).select_from(Team)).scalar()
            other.execute("BEGIN IMMEDIATE")  # a read-only session leaves writers alone
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_read_connection_neither_takes_nor_waits_for_the_write_lock(tmp_path, sqlite_engine):
    from store.audit import latest_event_id

    db.upgrade(sqlite_engine)
    other = sqlite3.connect(tmp_path / "p.sqlite3", timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # a writer holds the lock...
        with db.read_connection(sqlite_engine) as conn:
            assert latest_event_id(conn) == 0  # ...and the read goes on (busy_timeout is 30 s)
        other.execute("ROLLBACK")
        with db.read_connection(sqlite_engine) as conn:
            latest_event_id(conn)
            other.execute("BEGIN IMMEDIATE")  # the reader leaves writers alone
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_session_scope_commits_and_rolls_back(engine):
    with session_scope(engine) as s:
        s.add(Team(name="kept"))
    with pytest.raises(RuntimeError):
        with session_scope(engine) as s:
            s.add(Team(name="dropped"))
            s.flush()
            raise RuntimeError("boom")
    with session_scope(engine, readonly=True) as s:
        assert s.scalars(select(Team.name)).all() == ["kept"]


def test_savepoints_roll_back_inside_a_transaction(engine):
    with session_scope(engine) as s:
        s.add(Team(name="outer"))
        with pytest.raises(RuntimeError):
            with s.begin_nested():
                s.add(Team(name="inner"))
                s.flush()
                raise RuntimeError
    with session_scope(engine) as s:
        assert s.scalars(select(Team.name)).all() == ["outer"]


def test_foreign_keys_enforced(engine):
    from sqlalchemy.exc import IntegrityError

    from store.models import Therapist

    with pytest.raises(IntegrityError):
        with session_scope(engine) as s:
            s.add(Therapist(display_name="x", team_id=9999, contracted_sessions=1))


def test_default_url_is_a_sqlite_file_under_data(monkeypatch):
    monkeypatch.delenv(db.ENV_URL, raising=False)
    url = db.database_url()
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == db.REPO_ROOT / "data" / "draagkracht.sqlite3"


def test_url_from_environment(monkeypatch):
    monkeypatch.setenv(db.ENV_URL, "postgresql+psycopg://u@db.example:5432/draagkracht")
    url = db.database_url()
    assert url.drivername == "postgresql+psycopg" and url.database == "draagkracht"


def test_make_engine_creates_the_folder_and_refuses_memory(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'folder' / 'x.sqlite3'}")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert (tmp_path / "new" / "folder").is_dir()
    with pytest.raises(ValueError, match="file"):
        make_engine("sqlite://")
    with pytest.raises(ValueError, match="unsupported"):
        make_engine("mysql://u@h/d")


def test_timestamps_come_back_as_utc(engine):
    import datetime as dt

    from store.models import AuditEvent

    at = dt.datetime(2025, 3, 30, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with session_scope(engine) as s:
        s.add(AuditEvent(action="read", at=at))
    with session_scope(engine) as s:
        stored = s.scalars(select(AuditEvent.at)).one()
    assert stored == at and stored.tzinfo == dt.timezone.utc
    with pytest.raises(Exception, match="naive"):
        with session_scope(engine) as s:
            s.add(AuditEvent(action="read", at=dt.datetime(2025, 1, 1)))

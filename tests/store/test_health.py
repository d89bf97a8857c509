"""Issue 13: a database that cannot serve the app is named for what it is (``store.health``):
unreachable, damaged or not at this version's migration; the cause goes to the log."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy.engine import make_url

from store.db import head_revision, make_engine, upgrade
from store.health import classify, database_state
from tests.store.conftest import DEFAULT_POSTGRES_URL


def _state(url):
    engine = make_engine(url)
    try:
        return database_state(engine)
    finally:
        engine.dispose()


def test_a_migrated_database_is_ready(engine):
    state = database_state(engine)
    assert state.ready and state.revision == head_revision()


def test_a_file_that_is_not_a_database_is_damaged(tmp_path):
    path = tmp_path / "draagkracht.sqlite3"
    path.write_bytes(b"not a database at all " * 200)
    state = _state(f"sqlite:///{path}")
    assert state.problem == "damaged" and "file is not a database" in state.cause


def test_a_corrupted_database_is_damaged(tmp_path):
    path = tmp_path / "draagkracht.sqlite3"
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[100:4096 * 3] = b"\xff" * (4096 * 3 - 100)  # the schema pages overwritten
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        if (tmp_path / f"draagkracht.sqlite3{suffix}").exists():
            os.remove(tmp_path / f"draagkracht.sqlite3{suffix}")
    assert _state(f"sqlite:///{path}").problem == "damaged"


def test_a_file_that_cannot_be_opened_is_unreachable(tmp_path):
    folder = tmp_path / "a-folder-not-a-file.sqlite3"
    folder.mkdir()
    state = _state(f"sqlite:///{folder}")
    assert state.problem == "unreachable" and "unable to open" in state.cause


def test_an_empty_database_is_not_migrated(tmp_path):
    state = _state(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert (state.problem, state.revision, state.expected) == ("not_migrated", None, head_revision())


def _postgres(**changes) -> str:
    url = make_url(os.environ.get("DRAAGKRACHT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    return url.set(**changes).render_as_string(hide_password=False)


@pytest.mark.parametrize("changes", [{"port": 1}, {"database": "draagkracht_does_not_exist"},
                                     {"username": "nobody_here"}])
def test_postgresql_that_refuses_or_lacks_the_database_is_unreachable(changes, postgres_schema):
    state = _state(_postgres(**changes))
    assert state.problem == "unreachable", state.cause


def test_classify_reads_the_driver_error():
    from sqlalchemy.exc import DatabaseError, OperationalError

    assert classify(OperationalError("x", {}, Exception("connection refused"))) == "unreachable"
    assert classify(OperationalError("x", {}, Exception("database disk image is malformed"))) == "damaged"
    assert classify(DatabaseError("x", {}, Exception("file is not a database"))) == "damaged"

"""Backup and restore (store.backup) on both backends: round trips row by row, refusals
that change nothing, and a SQLite backup taken while another thread keeps writing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import threading

import pytest
from sqlalchemy.exc import DatabaseError

from store import audit
from store.audit import verify
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select, text

from store import backup, demo
from store.checkins import save_checkin
from store.__main__ import main
from store.backup import BackupError, backup_database, restore_database
from store.db import head_revision
from store.db import make_engine, session_scope
from store.models import AuditEvent, Base, Team, UserAccount, WeeklyCheckin

TODAY = dt.date.today()
AS_OF = TODAY - dt.timedelta(days=(TODAY.weekday() - 4) % 7 or 7)


def content(engine: Engine) -> dict[str, list]:
    """Every row of every table (and the migration revision), ordered by primary key."""
    out = {}
    with session_scope(engine, readonly=True) as s:
        for table in Base.metadata.sorted_tables:
            out[table.name] = s.execute(select(table).order_by(*table.primary_key.columns)).all()
        out["alembic_version"] = s.execute(text("SELECT version_num FROM alembic_version")).all()
    return out


def require_pg_tools(*tools: str) -> None:
    """PostgreSQL backups need the client tools: skipped without them on a user's
    machine, a failure where PostgreSQL is required (CI: REQUIRE_POSTGRES=1)."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} not installed: PostgreSQL backups need the client tools (postgresql-client)"
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason}, and PostgreSQL is required (REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@pytest.fixture
def filled(backend, engine, monkeypatch) -> dict[str, list]:
    if backend.name == "postgresql":
        require_pg_tools("pg_dump", "pg_restore")
    monkeypatch.setattr(demo, "hash_password", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash)
    demo.build_demo(engine, therapists=4, weeks=8, as_of=AS_OF)
    return content(engine)


def test_round_trip_restores_every_row(engine, filled, tmp_path):
    path = tmp_path / "practice.backup"
    result = backup_database(engine, path)
    assert result.path == path and path.stat().st_size == result.size > 0
    assert result.revision == head_revision()
    assert path.stat().st_mode & 0o777 == 0o600  # health data: the owner's only

    with session_scope(engine) as s:  # change things after the backup
        s.add(Team(name="Team Na de backup"))
        s.execute(WeeklyCheckin.__table__.delete())
    assert content(engine) != filled

    with pytest.raises(BackupError, match="--force"):
        restore_database(engine, path)
    assert content(engine)["team"][-1].name == "Team Na de backup"  # refused: untouched

    restore_database(engine, path, force=True)
    assert content(engine) == filled
    with session_scope(engine, readonly=True) as s:  # the audit chain survives the round trip
        assert verify(s).intact and verify(s).lines >= 1
    with session_scope(engine) as s:  # id sequences came back too: new rows still fit
        s.add(Team(name="Team Daarna"))
        audit.record(s, "create", actor=None, subject_type="team", detail="after the restore")
    with session_scope(engine, readonly=True) as s:  # ... and the chain goes on from its head
        assert verify(s).intact
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:  # the trigger came back
        conn.exec_driver_sql("DELETE FROM audit_event")


def test_backup_refuses_to_overwrite_a_file(engine, filled, tmp_path):
    path = tmp_path / "exists.backup"
    path.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="--force"):
        backup_database(engine, path)
    assert path.read_bytes() == b"keep me"
    backup_database(engine, path, force=True)
    assert path.read_bytes() != b"keep me"
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary files left behind


SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
POSTGRES_ONLY = pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                                        indirect=True)


@SQLITE_ONLY
def test_sqlite_restore_into_a_new_file_and_over_a_stale_wal(engine, filled, tmp_path):
    path = tmp_path / "b.sqlite3"
    backup_database(engine, path)
    # A fresh location: no --force needed.
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh' / 'db.sqlite3'}")
    try:
        restore_database(fresh, path)
        assert content(fresh) == filled
    finally:
        fresh.dispose()

    # A -wal file left behind by a crash of the old database must not be replayed into
    # the restored one.
    target = engine.url.database
    engine.dispose()
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("INSERT INTO team (name) VALUES ('Spookteam')")
    conn.commit()
    stale = open(f"{target}-wal", "rb").read()
    conn.close()
    assert len(stale) > 0
    open(f"{target}-wal", "wb").write(stale)
    restore_database(engine, path, force=True)
    assert content(engine) == filled
    with sqlite3.connect(target) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@SQLITE_ONLY
def test_sqlite_restore_checks_the_backup_first(engine, filled, tmp_path):
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    not_ours = tmp_path / "other.sqlite3"
    with sqlite3.connect(not_ours) as conn:
        conn.execute("CREATE TABLE notes (x)")
    newer = tmp_path / "newer.backup"
    backup_database(engine, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    corrupt = tmp_path / "corrupt.backup"
    backup_database(engine, corrupt)
    data = bytearray(corrupt.read_bytes())
    page = 4096
    for offset in range(3 * page, min(len(data), 6 * page), 7):  # scribble over a few b-tree pages
        data[offset] = 0xA5
    corrupt.write_bytes(bytes(data))

    for path, message in [
        (tmp_path / "missing.backup", "no backup file"),
        (garbage, "not a readable SQLite database|integrity"),
        (not_ours, "not a Draagkracht database"),
        (newer, "does not know"),
        (corrupt, "integrity|not a readable"),
    ]:
        with pytest.raises(BackupError, match=message):
            restore_database(engine, path, force=True)
        assert content(engine) == filled, f"{path.name} changed the database"


@SQLITE_ONLY
def test_sqlite_backup_while_another_thread_keeps_writing(backend, engine, people, tmp_path):
    writer_engine = backend.new_engine()
    started, stop = threading.Event(), threading.Event()
    written: list[dt.date] = []
    errors: list[BaseException] = []
    monday = TODAY - dt.timedelta(days=TODAY.weekday())

    def write() -> None:
        try:
            for n in range(2000):
                week = monday - dt.timedelta(weeks=n)
                with session_scope(writer_engine) as s:
                    save_checkin(s, people.u1, week, {"energy": n % 11, "sleep": 5})
                written.append(week)
                if n == 5:
                    started.set()
                if stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            started.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert started.wait(60)
        path = tmp_path / "live.backup"
        backup_database(engine, path)
    finally:
        stop.set()
        thread.join(60)
        writer_engine.dispose()
    assert not errors, errors

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        checkins = conn.execute("SELECT count(*) FROM weekly_checkin").fetchone()[0]
        logged = conn.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'create' AND detail LIKE 'weekly check-in%'"
        ).fetchone()[0]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    # A transaction-consistent snapshot: each check-in with its audit line, nothing half.
    assert 6 <= checkins == logged <= len(written)
    assert journal == "delete"  # a single self-contained file


@POSTGRES_ONLY
def test_postgres_backup_needs_the_client_tools(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup_database(engine, tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()


@POSTGRES_ONLY
def test_postgres_restore_checks_the_archive_first(engine, filled, tmp_path):
    require_pg_tools("pg_restore")
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"PGDMP" + bytes(range(256)) * 8)
    with pytest.raises(BackupError, match="pg_dump archive"):
        restore_database(engine, garbage, force=True)
    with session_scope(engine) as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    newer = tmp_path / "newer.dump"
    backup_database(engine, newer)
    with session_scope(engine) as s:
        s.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()})
    with pytest.raises(BackupError, match="does not know"):
        restore_database(engine, newer, force=True)
    assert content(engine) == filled


def test_command_line_backup_and_restore(tmp_path, monkeypatch, capsys, sqlite_template):
    db = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_template, db)
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{db}")
    engine = make_engine(f"sqlite:///{db}")
    with session_scope(engine) as s:
        s.add(UserAccount(username="beheer", role="admin"))
    path = tmp_path / "cli.backup"
    assert main(["backup", str(path)]) == 0
    assert "backup written" in capsys.readouterr().out
    assert main(["backup", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    with session_scope(engine) as s:
        s.add(Team(name="weg na restore"))
    assert main(["restore", str(path), "--force"]) == 0
    assert "restored" in capsys.readouterr().out
    engine.dispose()
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(Team)) == 0
        assert s.scalars(select(UserAccount.username)).all() == ["beheer"]
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
    engine.dispose()
    assert main(["restore", str(tmp_path / "nope.backup"), "--force"]) == 2
    assert "no backup file" in capsys.readouterr().err


def test_missing_client_tools_fail_where_postgres_is_required(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="pg_dump not installed"):
        require_pg_tools("pg_dump")
    monkeypatch.setenv("REQUIRE_POSTGRES", "0")
    with pytest.raises(pytest.skip.Exception, match="pg_dump not installed"):
        require_pg_tools("pg_dump")

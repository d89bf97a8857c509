"""The access log (NEN 7513) on both backends: each line's who/role/where/session/outcome,
one line per distinct read within a session, and the tamper-evident chain: a changed,
removed or added line is found by `verify` (and `python -m store audit verify`), and the
database's trigger refuses UPDATE and DELETE (TRUNCATE too on PostgreSQL)."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from store import audit
from store.audit import AccessContext, access_context, session_key, verify
from store.db import downgrade, make_engine, session_scope, upgrade
from store.load import therapist_weekly_load
from store.models import AuditChain, AuditEvent


def _lines(engine) -> list[AuditEvent]:
    with session_scope(engine, readonly=True) as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        s.expunge_all()
        return list(rows)


def _check(engine) -> audit.ChainCheck:
    with session_scope(engine, readonly=True) as s:
        return verify(s)


def _write(engine, people, n: int) -> None:
    for i in range(n):
        with session_scope(engine) as s:
            audit.record(s, "change", actor=people.admin, subject_type="user_account", subject_id=i, detail=f"line {i}")


def _tamper(engine, statement: str, **params) -> None:
    """What someone with the database's owner rights could do: lift the trigger for one
    transaction and change the log behind the store's back."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            triggers = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'").all()
            for name, _ in triggers:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
            conn.execute(text(statement), params)
            for _, sql in triggers:
                conn.exec_driver_sql(sql)
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.execute(text(statement), params)


def test_a_line_says_who_in_which_role_from_where_in_which_session_and_the_outcome(engine, people):
    context = AccessContext(session_key=session_key("the-session-id"), client_address="203.0.113.7")
    with access_context(context):
        with session_scope(engine) as s:
            therapist_weekly_load(s, people.supervisor, people.t1.id, 4)
        with pytest.raises(audit.AccessDenied), session_scope(engine) as s:
            therapist_weekly_load(s, people.supervisor, people.t3.id, 4)  # not their team
    read, refused = _lines(engine)
    assert (read.action, read.actor_user_id, read.actor_role, read.outcome) == (
        "read", people.supervisor.id, "supervisor", "allowed")
    assert (read.subject_type, read.subject_id) == ("therapist", str(people.t1.id))
    assert read.client_address == "203.0.113.7" and read.session_key == session_key("the-session-id")
    assert "the-session-id" not in read.session_key  # a digest, never the id itself
    assert (refused.action, refused.outcome, refused.subject_id) == ("authz_denied", "refused", str(people.t3.id))
    assert refused.client_address == "203.0.113.7"


def test_a_read_is_one_line_per_session_not_one_per_rerun(engine, people):
    first = AccessContext(session_key=session_key("tab-1"))
    with access_context(first):
        for _ in range(3):  # three reruns of the same page
            with session_scope(engine) as s:
                therapist_weekly_load(s, people.supervisor, people.t1.id, 4)
        with session_scope(engine) as s:  # a different access: another period
            therapist_weekly_load(s, people.supervisor, people.t1.id, 8)
    with access_context(AccessContext(session_key=session_key("tab-2"))):  # another session
        with session_scope(engine) as s:
            therapist_weekly_load(s, people.supervisor, people.t1.id, 4)
    reads = [(line.session_key, line.detail) for line in _lines(engine) if line.action == "read"]
    assert len(reads) == 3 and len(set(reads)) == 3


def test_a_read_rolled_back_is_not_taken_as_logged(engine, people):
    context = AccessContext(session_key=session_key("tab"))
    with access_context(context):
        with pytest.raises(RuntimeError), session_scope(engine) as s:
            therapist_weekly_load(s, people.supervisor, people.t1.id, 4)
            raise RuntimeError("the page failed before its transaction committed")
        assert _lines(engine) == [] and context.seen == set()
        with session_scope(engine) as s:
            therapist_weekly_load(s, people.supervisor, people.t1.id, 4)
    assert [line.action for line in _lines(engine)] == ["read"]


def test_changes_are_logged_every_time(engine, people):
    with access_context(AccessContext(session_key=session_key("tab"))):
        _write(engine, people, 2)
        with session_scope(engine) as s:
            audit.record(s, "change", actor=people.admin, subject_type="user_account", subject_id=0, detail="line 0")
    assert len(_lines(engine)) == 3


def test_the_chain_holds_and_names_the_first_changed_line(engine, people):
    _write(engine, people, 6)
    assert _check(engine) == audit.ChainCheck(6)
    lines = _lines(engine)
    _tamper(engine, "UPDATE audit_event SET detail = 'nothing to see' WHERE id = :id", id=lines[3].id)
    result = _check(engine)
    assert (result.reason, result.broken_at, result.broken_seq, result.lines) == ("changed", lines[3].id, 4, 3)


def test_a_removed_line_and_a_cut_end_are_found(engine, people):
    _write(engine, people, 5)
    lines = _lines(engine)
    _tamper(engine, "DELETE FROM audit_event WHERE id = :id", id=lines[4].id)  # the last one
    assert (_check(engine).reason, _check(engine).broken_seq) == ("end_cut", 5)
    _tamper(engine, "DELETE FROM audit_event WHERE id = :id", id=lines[1].id)
    result = _check(engine)
    assert (result.reason, result.broken_at, result.broken_seq) == ("missing_before", lines[2].id, 3)


def test_a_line_added_outside_the_store_is_found(engine, people):
    _write(engine, people, 2)
    with engine.begin() as conn:  # inserting is what the trigger allows; the chain tells
        conn.execute(text("INSERT INTO audit_event (at, action, outcome) VALUES (CURRENT_TIMESTAMP, 'read', 'allowed')"))
    result = _check(engine)
    assert result.reason == "not_chained" and result.lines == 2


def test_the_database_refuses_to_change_or_delete_a_line(engine, people):
    _write(engine, people, 2)
    line = _lines(engine)[0]
    for statement in ("UPDATE audit_event SET detail = 'x' WHERE id = :id", "DELETE FROM audit_event WHERE id = :id"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement), {"id": line.id})
    if engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_event")
    assert len(_lines(engine)) == 2 and _check(engine).intact


def test_concurrent_writers_chain_one_after_the_other(backend, engine, people):
    import threading

    errors: list[BaseException] = []

    def writer(k: int) -> None:
        own = backend.new_engine()
        try:
            for i in range(10):
                with session_scope(own) as s:
                    audit.record(s, "change", actor=people.admin.id, subject_type="writer", subject_id=k, detail=str(i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _check(engine) == audit.ChainCheck(40)


def test_lines_from_before_the_chain_are_chained_by_the_migration(engine, people):
    """A database at 0006 with lines in it: after the upgrade they verify, with the
    outcome the action implies (the migration's digest is the store's)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_chain")  # the chain's head goes with 0007
    downgrade(engine, "0006")
    with engine.begin() as conn:
        for action in ("read", "authz_denied", "login_failure", "change"):
            conn.execute(text("INSERT INTO audit_event (at, actor_user_id, action, subject_type, subject_id, detail) "
                              "VALUES (:at, 1, :action, 'therapist', '7', 'weekly load é')"),
                         {"action": action, "at": "2026-01-05 10:00:00.123456"})
    upgrade(engine)
    lines = _lines(engine)
    assert [line.outcome for line in lines] == ["allowed", "refused", "refused", "allowed"]
    assert _check(engine) == audit.ChainCheck(4)
    _write(engine, people, 1)  # the store goes on from the migration's head
    assert _check(engine) == audit.ChainCheck(5)


@pytest.mark.parametrize("lang, intact, broken", [
    ("en", "the audit log's chain holds: 3 lines", "broken at line"),
    ("nl", "de keten van het toegangslog klopt: 3 regels", "verbroken bij regel"),
])
def test_the_command_verifies_in_either_language(tmp_path, monkeypatch, capsys, sqlite_template, make_people,
                                                 lang, intact, broken):
    from store.__main__ import main

    db = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        _write(engine, make_people(engine), 3)
        monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{db}")
        assert main(["audit", "verify", "--lang", lang]) == 0
        assert intact in capsys.readouterr().out
        second = _lines(engine)[1]
        _tamper(engine, "UPDATE audit_event SET actor_user_id = 99 WHERE id = :id", id=second.id)
        assert main(["audit", "verify", "--lang", lang]) == 3
        assert f"{broken} {second.id}" in capsys.readouterr().err
    finally:
        engine.dispose()


def test_a_log_whose_head_was_removed_takes_no_more_lines(engine, people):
    _write(engine, people, 2)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_chain")
    assert _check(engine).reason == "end_cut"
    with pytest.raises(RuntimeError, match="head is missing"):
        _write(engine, people, 1)
    assert len(_lines(engine)) == 2

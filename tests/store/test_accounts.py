"""Login and access in the store: lockout, audit, second factor, passwords, accounts,
and the ``create-admin`` command. On SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from store import AccessDenied, InvalidInput, NotFound, accounts
from store.accounts import login as login_module
from store.admin import issue_temporary_password, set_user_active
from store.accounts import (
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    SESSION_IDLE_TIMEOUT,
    SESSION_MAX_AGE,
    SLOWDOWN_BASE,
    SLOWDOWN_FROM,
    authenticate,
    authenticate_totp,
    change_password,
    confirm_totp,
    create_user,
    disable_totp,
    load_account,
    reauthenticate,
    session_end_reason,
    set_password,
    start_totp_enrolment,
    totp_required_roles,
)
from store.db import current_revision, make_engine, session_scope
from store.models import AuditEvent, Therapist, UserAccount
from store.accounts.passwords import needs_rehash

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "kalm-en-helder-42"
SECONDS = dt.timedelta(seconds=1)


def login(engine, username="anna", password=PASSWORD, code=None, now=NOW):
    with session_scope(engine) as s:
        return authenticate(s, username, password, code, now=now)


def events(engine, action: str | None = None) -> list[AuditEvent]:
    with session_scope(engine, readonly=True) as s:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(s.scalars(stmt))


def account(engine, username="anna") -> UserAccount:
    with session_scope(engine, readonly=True) as s:
        return s.scalars(select(UserAccount).where(UserAccount.username == username)).one()


@pytest.fixture
def anna(engine) -> int:
    """A therapist account 'anna' with PASSWORD; returns its id."""
    with session_scope(engine) as s:
        therapist = Therapist(display_name="Anna", experience="starting", contracted_sessions=20)
        s.add(therapist)
        s.flush()
        return create_user(s, username="Anna", password=PASSWORD, role="therapist",
                           therapist_id=therapist.id).id


@pytest.fixture
def sanne(engine) -> int:
    with session_scope(engine) as s:
        return create_user(s, username="sanne", password=PASSWORD, role="supervisor", language="en").id


# --- login ------------------------------------------------------------------------------

def test_success_is_audited_and_resets_the_count(engine, anna):
    assert login(engine, password="wrong password 1").outcome == "bad_credentials"
    assert account(engine).failed_logins == 1
    result = login(engine, username="  ANNA ")  # usernames are case-insensitive
    assert result.ok and result.account.id == anna and result.account.role == "therapist"
    assert result.account.therapist_id is not None and result.account.language == "nl"
    stored = account(engine)
    assert stored.failed_logins == 0 and stored.locked_until is None and stored.last_login_at == NOW
    success, = events(engine, "login_success")
    assert success.actor_user_id == anna and success.subject_id == str(anna)
    assert "ANNA" in success.detail
    failure, = events(engine, "login_failure")
    assert failure.actor_user_id is None and failure.subject_id == str(anna)
    assert "anna" in failure.detail and "wrong password 1" not in failure.detail


def test_unknown_user_gets_the_same_answer_after_the_same_work(engine, anna, monkeypatch):
    verified: list[str | None] = []
    real_verify = login_module.verify_password
    monkeypatch.setattr(login_module, "verify_password",
                        lambda h, p: verified.append(h) or real_verify(h, p))
    known = login(engine, password="wrong password 1")
    unknown = login(engine, username="nobody", password="wrong password 1")
    assert known == unknown == accounts.AuthResult("bad_credentials")
    assert len(verified) == 2 and verified[1] and verified[1].startswith("$argon2id$")
    failure = events(engine, "login_failure")[-1]
    assert failure.subject_id is None and "n*****" in failure.detail and "nobody" not in failure.detail  # masked
    assert "wrong password" not in failure.detail


def test_failures_slow_down_then_lock_then_unlock_after_the_lock_time(engine, anna):
    now = NOW
    for _ in range(SLOWDOWN_FROM - 1):
        result = login(engine, password="wrong password", now=now)
        assert result.outcome == "bad_credentials" and result.until is None
    result = login(engine, password="wrong password", now=now)  # the 3rd failure
    assert result.outcome == "bad_credentials" and result.delay == SLOWDOWN_BASE
    assert result.until == now + SLOWDOWN_BASE and result.delay_seconds == 5
    # During the delay even the right password is refused, and not counted.
    refused = login(engine, now=now + SLOWDOWN_BASE - SECONDS)
    assert refused.outcome == "locked" and refused.delay == SECONDS and not refused.lockout
    assert account(engine).failed_logins == SLOWDOWN_FROM
    now += SLOWDOWN_BASE
    result = login(engine, password="wrong password", now=now)  # the 4th: twice the delay
    assert result.outcome == "bad_credentials" and result.delay == 2 * SLOWDOWN_BASE
    now += 2 * SLOWDOWN_BASE
    result = login(engine, password="wrong password", now=now)  # the 5th: locked
    assert MAX_FAILED_LOGINS == 5
    assert result.outcome == "locked" and result.until == now + LOCK_DURATION and result.lockout
    assert login(engine, now=now + LOCK_DURATION - SECONDS) == accounts.AuthResult(
        "locked", until=now + LOCK_DURATION, delay=SECONDS, lockout=True)
    ok = login(engine, now=now + LOCK_DURATION)
    assert ok.ok
    assert account(engine).failed_logins == 0
    failures = events(engine, "login_failure")
    assert len(failures) == 7  # 5 wrong passwords + 2 attempts while refused
    assert sum("attempt while locked" in e.detail for e in failures) == 2
    assert "locked from this address after 5 failures" in failures[-2].detail


def test_after_a_lock_runs_out_one_more_failure_locks_again(engine, anna):
    for i in range(MAX_FAILED_LOGINS):
        login(engine, password="wrong password", now=NOW + i * LOCK_DURATION)
    later = NOW + 10 * LOCK_DURATION
    result = login(engine, password="wrong password", now=later)
    assert result.outcome == "locked" and result.until == later + LOCK_DURATION


def test_a_deactivated_account_cannot_log_in_and_is_not_loaded(engine, anna, sanne):
    with session_scope(engine) as s:
        admin = create_user(s, username="beheer", password=PASSWORD, role="admin")
    with session_scope(engine) as s:
        assert load_account(s, anna) is not None
        set_user_active(s, admin, anna, False)
    assert login(engine).outcome == "bad_credentials"
    with session_scope(engine) as s:
        assert load_account(s, anna) is None
        assert load_account(s, 999_999) is None
    with pytest.raises(AccessDenied):
        with session_scope(engine) as s:
            set_user_active(s, sanne, anna, True)  # not an admin
    assert [e.detail for e in events(engine, "authz_denied")] == [
        "set_user_active: only an admin can (de)activate accounts"
    ]


def test_an_old_hash_is_upgraded_at_login(engine, anna):
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with session_scope(engine) as s:
        s.get(UserAccount, anna).password_hash = weak
    assert needs_rehash(weak)
    assert login(engine).ok
    upgraded = account(engine).password_hash
    assert upgraded != weak and not needs_rehash(upgraded)
    assert login(engine).ok  # the new hash still holds the same password


# --- second factor ----------------------------------------------------------------------

def enrol(engine, user_id: int, now=NOW) -> str:
    with session_scope(engine) as s:
        secret = start_totp_enrolment(s, user_id).secret
    with session_scope(engine) as s:
        confirm_totp(s, user_id, pyotp.TOTP(secret).at(now), now=now)
    return secret


def test_totp_enrolment_needs_a_valid_code(engine, anna):
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput) as no_enrolment:
            confirm_totp(s, anna, "123456", now=NOW)
        enrolment = start_totp_enrolment(s, anna)
    assert no_enrolment.value.codes == ["totp.no_enrolment"]
    assert enrolment.uri.startswith("otpauth://totp/Draagkracht:anna?") and enrolment.secret in enrolment.uri
    assert login(engine).ok  # pending: not yet asked at login
    wrong = f"{(int(pyotp.TOTP(enrolment.secret).at(NOW)) + 1) % 1_000_000:06d}"
    with pytest.raises(InvalidInput) as invalid:
        with session_scope(engine) as s:
            confirm_totp(s, anna, wrong, now=NOW)
    assert invalid.value.codes == ["totp.code_invalid"]
    with session_scope(engine) as s:
        confirm_totp(s, anna, pyotp.TOTP(enrolment.secret).at(NOW), now=NOW)
    stored = account(engine)
    assert stored.totp_secret == enrolment.secret and stored.totp_pending_secret is None
    assert events(engine, "change")[-1].detail == "second factor switched on"


def test_login_with_totp_required_valid_invalid_and_replayed(engine, anna):
    secret = enrol(engine, anna)
    later = NOW + dt.timedelta(minutes=5)
    totp = pyotp.TOTP(secret)
    first = login(engine, now=later)
    assert first.outcome == "totp_required" and first.account.id == anna
    assert account(engine).failed_logins == 0 and not events(engine, "login_success")
    wrong = f"{(int(totp.at(later)) + 1) % 1_000_000:06d}"
    assert login(engine, code=wrong, now=later).outcome == "totp_invalid"
    assert account(engine).failed_logins == 1
    assert "second-factor" in events(engine, "login_failure")[-1].detail
    assert login(engine, code=totp.at(later), now=later).ok
    # A code is accepted once, even within its 30 seconds.
    assert login(engine, code=totp.at(later), now=later).outcome == "totp_invalid"
    # The second step of the dashboard: the code alone, after the password step.
    nxt = later + dt.timedelta(seconds=30)
    with session_scope(engine) as s:
        assert authenticate_totp(s, anna, totp.at(nxt), now=nxt).ok
    with session_scope(engine) as s:
        assert authenticate_totp(s, anna, "000000" if totp.at(nxt) != "000000" else "111111",
                                 now=nxt).outcome == "totp_invalid"
    assert [e.detail for e in events(engine, "login_success")] == [
        "username 'anna': password and second factor"
    ] * 2


def test_a_code_from_the_previous_time_step_is_accepted(engine, anna):
    secret = enrol(engine, anna)
    later = NOW + dt.timedelta(minutes=2)
    previous = pyotp.TOTP(secret).at(later - dt.timedelta(seconds=30))
    too_old = pyotp.TOTP(secret).at(later - dt.timedelta(seconds=90))
    if too_old != previous:
        assert login(engine, code=too_old, now=later).outcome == "totp_invalid"
    assert login(engine, code=previous, now=later).ok


def test_required_roles_come_from_the_environment(engine, anna, sanne, monkeypatch):
    monkeypatch.setenv(accounts.ENV_REQUIRE_TOTP, "supervisor, admin")
    assert totp_required_roles() == {"supervisor", "admin"}
    assert totp_required_roles({}) == frozenset()
    with pytest.raises(ValueError, match="unknown roles.*'supervisors'"):
        totp_required_roles({accounts.ENV_REQUIRE_TOTP: "supervisors"})
    assert login(engine, "sanne").account.totp_setup_required
    assert not login(engine).account.totp_setup_required  # therapists: optional
    enrol(engine, sanne)
    with session_scope(engine) as s:
        assert not load_account(s, sanne).totp_setup_required
        with pytest.raises(InvalidInput) as refused:
            disable_totp(s, sanne, PASSWORD)
    assert refused.value.codes == ["totp.required_for_role"]
    enrol(engine, anna)
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput) as wrong:
            disable_totp(s, anna, "not the password")
        assert wrong.value.codes == ["password.wrong_current"]
    with session_scope(engine) as s:
        disable_totp(s, anna, PASSWORD)
    assert account(engine).totp_secret is None and login(engine).ok


# --- passwords and accounts -------------------------------------------------------------

def test_change_password(engine, anna):
    cases = [
        ("not the password", "een-nieuw-wachtwoord", ["password.wrong_current"]),
        (PASSWORD, "kort", ["password.too_short"]),
        (PASSWORD, PASSWORD, ["password.same_as_current"]),
        (PASSWORD, " anna-heeft-een-wachtwoord", ["password.spaces_around", "password.contains_username"]),
    ]
    for current, new, keys in cases:
        with pytest.raises(InvalidInput) as refused:
            with session_scope(engine) as s:
                change_password(s, anna, current, new, now=NOW)
        assert refused.value.codes == keys
    assert account(engine).password_changed_at is None
    changed_at = NOW + dt.timedelta(hours=1)
    with session_scope(engine) as s:
        assert change_password(s, anna, PASSWORD, "een-nieuw-wachtwoord", now=changed_at) == changed_at
    assert account(engine).password_changed_at == changed_at
    assert login(engine).outcome == "bad_credentials"
    assert login(engine, password="een-nieuw-wachtwoord").ok
    assert events(engine, "change")[-1].detail == "password changed"


def again(engine, user_id, password, now=NOW):
    with session_scope(engine) as s:
        return reauthenticate(s, user_id, password, now=now)


def test_asking_the_password_again_counts_like_a_login(engine, anna):
    """A session left open cannot be used to guess the password: wrong answers when the
    password is asked again (password change, second factor off) slow down and lock
    the account like failed logins, and the change functions refuse while it is."""
    now = NOW
    for _ in range(SLOWDOWN_FROM - 1):
        assert again(engine, anna, "wrong password").outcome == "bad_credentials"
    slowed = again(engine, anna, "wrong password", now)
    assert slowed.outcome == "bad_credentials" and slowed.delay == SLOWDOWN_BASE
    # slowed down: even the right password is refused (unchecked), by both paths
    assert again(engine, anna, PASSWORD, now + SECONDS).outcome == "locked"
    with pytest.raises(InvalidInput) as refused:
        with session_scope(engine) as s:
            change_password(s, anna, PASSWORD, "een-nieuw-wachtwoord", now=now + SECONDS)
    assert refused.value.codes == ["password.locked"]
    assert login(engine, now=now + SECONDS).outcome == "locked"  # the login shares the count
    now += SLOWDOWN_BASE
    again(engine, anna, "wrong password", now)
    now += 2 * SLOWDOWN_BASE
    locked = again(engine, anna, "wrong password", now)
    assert locked.outcome == "locked" and locked.lockout and locked.until == now + LOCK_DURATION
    failures = events(engine, "login_failure")
    assert sum("wrong password when asked again" in e.detail for e in failures) == MAX_FAILED_LOGINS
    assert {e.subject_id for e in failures} == {str(anna)}
    # after the lock the right password is accepted and resets the count
    ok = again(engine, anna, PASSWORD, now + LOCK_DURATION)
    assert ok.ok and ok.account.id == anna and account(engine).failed_logins == 0
    with session_scope(engine) as s:
        change_password(s, anna, PASSWORD, "een-nieuw-wachtwoord", now=now + LOCK_DURATION)
    assert login(engine, password="een-nieuw-wachtwoord", now=now + LOCK_DURATION).ok


def test_an_admin_gives_a_temporary_password_the_user_must_replace(engine, anna):
    with session_scope(engine) as s:
        admin = create_user(s, username="beheer", password=PASSWORD, role="admin").id
    for i in range(MAX_FAILED_LOGINS):  # anna forgot hers and locked herself out
        login(engine, password="vergeten", now=NOW + i * LOCK_DURATION)
    with pytest.raises(AccessDenied):  # only an admin
        with session_scope(engine) as s:
            issue_temporary_password(s, anna, anna, now=NOW)
    with pytest.raises(NotFound):
        with session_scope(engine) as s:
            issue_temporary_password(s, admin, 9999, now=NOW)
    later = NOW + 10 * LOCK_DURATION
    with session_scope(engine) as s:
        temporary = issue_temporary_password(s, admin, anna, now=later)
    with session_scope(engine) as s:
        again_one = issue_temporary_password(s, admin, anna, now=later)
    assert len(temporary) == 16 and temporary != again_one  # random each time
    stored = account(engine)
    assert stored.password_must_change and stored.password_changed_at == later  # her sessions end
    assert stored.failed_logins == 0 and stored.locked_until is None  # the lock is lifted
    assert temporary not in stored.password_hash and again_one not in stored.password_hash
    assert login(engine, password=temporary, now=later).outcome == "bad_credentials"  # replaced
    first = login(engine, password=again_one, now=later)
    assert first.ok and first.account.password_change_required
    with session_scope(engine) as s:
        change_password(s, anna, again_one, "mijn-eigen-wachtwoord", now=later)
    assert not login(engine, password="mijn-eigen-wachtwoord", now=later).account.password_change_required
    details = [e.detail for e in events(engine, "change")]
    assert details.count("temporary password given by an admin") == 2


def test_the_operator_sets_a_password(engine, anna):
    with pytest.raises(NotFound):
        with session_scope(engine) as s:
            set_password(s, "niemand", PASSWORD)
    with pytest.raises(InvalidInput) as weak:
        with session_scope(engine) as s:
            set_password(s, "Anna", "kort")
    assert weak.value.codes == ["password.too_short"]
    with session_scope(engine) as s:
        set_password(s, " ANNA ", "door-de-beheerder-gezet", now=NOW)
    result = login(engine, password="door-de-beheerder-gezet")
    assert result.ok and not result.account.password_change_required
    assert events(engine, "change")[-1].detail == "password set by the operator (command line)"


def test_create_user_lists_every_problem_and_stores_nothing(engine, anna):
    with pytest.raises(InvalidInput) as refused:
        with session_scope(engine) as s:
            create_user(s, username="anna", password="kort", role="therapist", language="de")
    assert refused.value.codes == ["not_an_option", "therapist_link", "username_taken", "password.too_short"]
    assert [p.column for p in refused.value.problems] == ["language", "therapist_id", "username", "password"]
    assert "at least 10 characters" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        with session_scope(engine) as s:
            create_user(s, username="x", password=PASSWORD, role="boss", therapist_id=1)
    assert refused.value.codes == ["bad_username", "not_an_option"]
    with session_scope(engine, readonly=True) as s:
        assert s.scalars(select(UserAccount.username)).all() == ["anna"]


def test_only_an_admin_creates_accounts(engine, anna):
    with pytest.raises(AccessDenied):
        with session_scope(engine) as s:
            create_user(s, username="rita", password=PASSWORD, role="researcher", actor=anna)
    with session_scope(engine) as s:
        admin = create_user(s, username="beheer", password=PASSWORD, role="admin")
        create_user(s, username="rita", password=PASSWORD, role="researcher", actor=admin)
    created = [e for e in events(engine, "create")]
    assert [e.detail for e in created] == [
        "account 'anna' (therapist)", "account 'beheer' (admin)", "account 'rita' (researcher)"
    ]
    assert created[1].actor_user_id is None and str(created[2].actor_user_id) == created[1].subject_id


# --- sessions ---------------------------------------------------------------------------

def test_session_end_reason():
    start = NOW
    assert session_end_reason(start, start, start + SESSION_IDLE_TIMEOUT - SECONDS) is None
    assert session_end_reason(start, start, start + SESSION_IDLE_TIMEOUT) == "idle"
    active = start + SESSION_MAX_AGE - SECONDS
    assert session_end_reason(start, active - dt.timedelta(minutes=1), active) is None
    assert session_end_reason(start, active, start + SESSION_MAX_AGE) == "absolute"
    assert (SESSION_IDLE_TIMEOUT, SESSION_MAX_AGE) == (dt.timedelta(minutes=30), dt.timedelta(hours=12))


# --- python -m store create-admin -------------------------------------------------------

@pytest.fixture
def cli_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", url)
    return url


def run_cli(monkeypatch, args: list[str], stdin: str = "") -> int:
    from store.__main__ import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["create-admin", *args])


def test_create_admin_from_stdin_then_refuses_a_second(cli_db, monkeypatch, capsys):
    assert run_cli(monkeypatch, ["--username", "Beheer", "--password-stdin"], PASSWORD + "\n") == 0
    assert "admin account 'beheer' created" in capsys.readouterr().out
    engine = make_engine(cli_db)
    try:
        assert login(engine, "beheer").ok
        assert run_cli(monkeypatch, ["--username", "tweede", "--password-stdin"], PASSWORD + "\n") == 2
        assert "an admin account exists already" in capsys.readouterr().err
        assert run_cli(monkeypatch, ["--username", "tweede", "--password-stdin", "--force",
                                     "--language", "en"], PASSWORD + "\n") == 0
        assert account(engine, "tweede").language == "en"
    finally:
        engine.dispose()


def test_create_admin_reads_the_password_twice_at_a_terminal(cli_db, monkeypatch, capsys):
    answers = iter(["een-goed-wachtwoord", "een-ander-wachtwoord"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    from store.__main__ import main

    assert main(["create-admin", "--username", "beheer"]) == 2
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter(["een-goed-wachtwoord"] * 2)
    assert main(["create-admin", "--username", "beheer"]) == 0


@pytest.mark.parametrize("args, stdin, message", [
    (["--username", "beheer", "--password-stdin"], "kort\n", "at least 10 characters"),
    (["--username", "b", "--password-stdin"], PASSWORD + "\n", "is not a username: 3-64 characters"),
    (["--username", "beheer", "--password-stdin"], "", "no password on standard input"),
    (["--username", "beheer"], PASSWORD + "\n", "use --password-stdin"),  # no terminal
])
def test_create_admin_bad_input_exits_2(cli_db, monkeypatch, capsys, args, stdin, message):
    assert run_cli(monkeypatch, args, stdin) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_set_password_from_the_command_line(cli_db, monkeypatch, capsys):
    from store.__main__ import main

    assert run_cli(monkeypatch, ["--username", "beheer", "--password-stdin"], PASSWORD + "\n") == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("een-nieuw-wachtwoord\n"))
    assert main(["set-password", "--username", "Beheer", "--password-stdin"]) == 0
    assert "password of 'beheer' set" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["set-password", "--username", "niemand", "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert "set-password: no account 'niemand'" in err and "Traceback" not in err
    engine = make_engine(cli_db)
    try:
        assert login(engine, "beheer", "een-nieuw-wachtwoord").ok
    finally:
        engine.dispose()


def test_create_admin_as_a_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmd.sqlite3'}"
    env = {"DRAAGKRACHT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    args = [sys.executable, "-m", "store", "create-admin", "--username", "beheer", "--password-stdin"]
    done = subprocess.run(args, input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)  # the command migrated the fresh database and added the admin
    try:
        assert current_revision(engine) is not None and login(engine, "beheer").ok
    finally:
        engine.dispose()

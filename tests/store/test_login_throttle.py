"""Issue 13: login without a lever for attackers. Tried as an attacker would, with a
script: the answers (outcome and the wait the store asks for) are the same for a known
and an unknown username; failures are throttled per client address as well as per
username; an attacker's failures from one address cannot keep the owner out from
another; every attempt's audit line carries its client address. Time is injected
(``now=``), nothing sleeps. On SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from store import InvalidInput, admin
from store.accounts import (
    ADDRESS_BURST,
    ADDRESS_INTERVAL,
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    SLOWDOWN_BASE,
    SLOWDOWN_FROM,
    authenticate,
    authenticate_totp,
    change_password,
    confirm_totp,
    create_user,
    reauthenticate,
    set_password,
    start_totp_enrolment,
)
from store.accounts import login as login_module
from store.accounts import passwords
from store.accounts.policy import THROTTLE_FORGET_AFTER
from store.accounts.throttle import Throttle
from store.accounts.throttle import place as counted_as
from store.audit import AccessContext, access_context
from store.db import session_scope
from store.models import AuditEvent, Base, UserAccount, utcnow

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "kalm-en-helder-42"
SECOND = dt.timedelta(seconds=1)
ATTACKER = AccessContext(client_address="203.0.113.66")
ATTACKER_2 = AccessContext(client_address="203.0.113.67")
OWNER = AccessContext(client_address="198.51.100.7")


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """argon2id with small parameters: the same checks in a fraction of the time (for a
    known and an unknown username alike)."""
    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    login_module._dummy_hash.cache_clear()
    yield
    login_module._dummy_hash.cache_clear()


@pytest.fixture
def users(engine) -> dict[str, int]:
    """A supervisor 'anna' and the admin 'beheer', both with PASSWORD."""
    with session_scope(engine) as s:
        anna = create_user(s, username="anna", password=PASSWORD, role="supervisor")
        beheer = create_user(s, username="beheer", password=PASSWORD, role="admin")
        return {"anna": anna.id, "beheer": beheer.id}


def attempt(engine, username, password="wrong password", place=None, now=NOW, code=None):
    with access_context(place), session_scope(engine) as s:
        return authenticate(s, username, password, code, now=now)


def answer(result) -> tuple:
    """What an attacker sees of an answer: the outcome and the wait asked for."""
    return result.outcome, result.delay, result.lockout


def failures(engine) -> list[AuditEvent]:
    with session_scope(engine, readonly=True) as s:
        stmt = select(AuditEvent).where(AuditEvent.action == "login_failure").order_by(AuditEvent.id)
        return list(s.scalars(stmt))


# The attacker's script: wrong passwords at these moments (seconds after NOW), some of
# them while asked to wait, two long after a lock ran out.
SCRIPT = [0, 1, 2, 3, 7, 16, 17, 17 + 14 * 60, 17 + 15 * 60, 17 + 30 * 60, 17 + 31 * 60]


def run_script(engine, username: str, place: AccessContext, monkeypatch) -> tuple[list[tuple], list[int]]:
    """The answers, and how many password checks each attempt cost."""
    checks: list[int] = []
    real = login_module.verify_password
    monkeypatch.setattr(login_module, "verify_password", lambda h, p: checks.append(1) or real(h, p))
    answers, costs = [], []
    for second in SCRIPT:
        before = len(checks)
        answers.append(answer(attempt(engine, username, place=place, now=NOW + second * SECOND)))
        costs.append(len(checks) - before)
    return answers, costs


@pytest.mark.parametrize("known", ["anna", "beheer"])
def test_a_known_and_an_unknown_username_get_the_same_answers(engine, users, known, monkeypatch):
    as_known, known_costs = run_script(engine, known, ATTACKER, monkeypatch)
    as_unknown, unknown_costs = run_script(engine, "niemand", ATTACKER_2, monkeypatch)
    assert as_known == as_unknown
    assert known_costs == unknown_costs == [1] * len(SCRIPT)  # one password check each, refused or not
    # and the answers are the rules: slowed from the 3rd failure, refused while slowed,
    # the 5th locks (from that address), each failure after a lock locks again
    five, ten, lock, minute = SLOWDOWN_BASE, 2 * SLOWDOWN_BASE, LOCK_DURATION, 60 * SECOND
    assert as_unknown == [
        ("bad_credentials", dt.timedelta(0), False),
        ("bad_credentials", dt.timedelta(0), False),
        ("bad_credentials", five, False),
        ("locked", five - SECOND, False),  # refused, not counted
        ("bad_credentials", ten, False),
        ("locked", SECOND, False),
        ("locked", lock, True),  # the 5th
        ("locked", minute, True),
        ("locked", lock, True),  # the lock ran out: the next failure locks again
        ("locked", lock, True),
        ("locked", lock - minute, True),
    ]
    # a deactivated account answers the same way too
    with session_scope(engine) as s:
        admin.set_user_active(s, users["beheer"], users["anna"], False)
    assert run_script(engine, "anna", AccessContext(client_address="203.0.113.99"), monkeypatch)[0] == as_unknown


def test_the_attackers_failures_from_one_address_do_not_keep_the_owner_out(engine, users):
    now = NOW
    for _ in range(4):  # locked from the attacker's address, again and again
        for _ in range(MAX_FAILED_LOGINS):
            attempt(engine, "beheer", place=ATTACKER, now=now)
            now += 20 * SECOND
        assert attempt(engine, "beheer", PASSWORD, place=ATTACKER, now=now).outcome == "locked"
        owner = attempt(engine, "beheer", PASSWORD, place=OWNER, now=now)  # the owner, elsewhere
        assert owner.ok, owner
        now += LOCK_DURATION
    def locked_in_the_admins_list() -> bool:
        with session_scope(engine) as s:
            return bool(admin.accounts(s, users["beheer"]).set_index("username").loc["beheer", "locked"])

    assert not locked_in_the_admins_list()  # the owner's login since
    real_now = utcnow()  # the admin's list is read at the real time
    for _ in range(3):
        attempt(engine, "beheer", place=ATTACKER_2, now=real_now)
    assert locked_in_the_admins_list()  # waits from some address


def test_one_address_is_throttled_whatever_the_usernames_another_is_not(engine, users):
    names = ["anna", "niemand", "beheer", "iemand", "nog-iemand", "x-y-z", "marie", "piet", "klaas", "joop"]
    assert len(names) == ADDRESS_BURST
    results = [attempt(engine, name, place=ATTACKER, now=NOW + i * SECOND) for i, name in enumerate(names)]
    assert [answer(r) for r in results[:-1]] == [("bad_credentials", dt.timedelta(0), False)] * (len(names) - 1)
    waits_until = NOW + ADDRESS_INTERVAL  # the bucket drains one failure per interval
    last = NOW + (len(names) - 1) * SECOND
    assert answer(results[-1]) == ("bad_credentials", waits_until - last, False)  # the 10th: the address waits
    now = last + SECOND
    refused = attempt(engine, "anna", PASSWORD, place=ATTACKER, now=now)  # even the right password, any name
    assert answer(refused) == ("locked", waits_until - now, False)
    assert attempt(engine, "nieuw", place=ATTACKER, now=now).outcome == "locked"
    assert attempt(engine, "anna", PASSWORD, place=OWNER, now=now).ok  # another address: not throttled
    # after the wait, one more failure, and the address waits again (a success does not empty it)
    assert attempt(engine, "anna", PASSWORD, place=ATTACKER, now=waits_until).ok
    after = attempt(engine, "nieuw", place=ATTACKER, now=waits_until)
    assert answer(after) == ("bad_credentials", ADDRESS_INTERVAL, False)
    assert failures(engine)[-2].detail == "username 'n****': attempt while this address waits"
    assert failures(engine)[-1].detail == "username 'n****': unknown username; this address waits"
    # drained after BURST intervals without failures
    quiet = waits_until + ADDRESS_BURST * ADDRESS_INTERVAL
    assert [attempt(engine, f"naam-{i}", place=ATTACKER, now=quiet).delay for i in range(ADDRESS_BURST - 1)] == [
        dt.timedelta(0)] * (ADDRESS_BURST - 1)


def test_addresses_as_counted():
    assert counted_as(None) == "127.0.0.1"  # no request (a script, AppTest): one local address
    assert counted_as("192.0.2.7") == counted_as("::ffff:192.0.2.7") == "192.0.2.7"
    assert counted_as("2001:db8:1:2::5") == counted_as("2001:db8:1:2:aaaa::99") == "2001:db8:1:2::/64"
    assert counted_as("2001:db8:1:3::5") == "2001:db8:1:3::/64"
    assert counted_as("not an address") == "not an address"


def test_an_ipv6_network_and_the_local_address_count_as_one(engine, users):
    for i in range(MAX_FAILED_LOGINS):  # from five addresses of one /64 network
        where = AccessContext(client_address=f"2001:db8:1:2::{i + 1}")
        attempt(engine, "anna", place=where, now=NOW + i * LOCK_DURATION)
    assert attempt(engine, "anna", PASSWORD, place=AccessContext(client_address="2001:db8:1:2::ffff"),
                   now=NOW + 4 * LOCK_DURATION).lockout
    assert attempt(engine, "anna", PASSWORD, place=AccessContext(client_address="2001:db8:1:3::1"),
                   now=NOW + 4 * LOCK_DURATION).ok
    for i in range(MAX_FAILED_LOGINS):  # no access context: the local address
        attempt(engine, "beheer", place=None, now=NOW + i * LOCK_DURATION)
    local = attempt(engine, "beheer", PASSWORD, place=AccessContext(client_address="127.0.0.1"),
                    now=NOW + 4 * LOCK_DURATION)
    assert local.outcome == "locked" and local.lockout


def enrol(engine, user_id: int) -> pyotp.TOTP:
    with session_scope(engine) as s:
        secret = start_totp_enrolment(s, user_id).secret
    with session_scope(engine) as s:
        confirm_totp(s, user_id, pyotp.TOTP(secret).at(NOW), now=NOW)
    return pyotp.TOTP(secret)


def test_wrong_codes_count_per_address_and_the_owner_gets_in_with_password_and_code(engine, users):
    totp = enrol(engine, users["beheer"])
    now = NOW + dt.timedelta(minutes=5)
    wrong = f"{(int(totp.at(now)) + 1) % 1_000_000:06d}"
    for wait in (0, 0, 0, 5):  # the password was phished; the code was not
        now += wait * SECOND
        assert attempt(engine, "beheer", PASSWORD, place=ATTACKER, now=now, code=wrong).outcome == "totp_invalid"
    now += 10 * SECOND
    with access_context(ATTACKER), session_scope(engine) as s:  # the second step counts the same way
        locked = authenticate_totp(s, users["beheer"], wrong, now=now)
    assert answer(locked) == ("locked", LOCK_DURATION, True)
    assert attempt(engine, "beheer", PASSWORD, place=ATTACKER, now=now, code=totp.at(now)).outcome == "locked"
    owner = attempt(engine, "beheer", PASSWORD, place=OWNER, now=now + SECOND)
    assert owner.outcome == "totp_required"
    with access_context(OWNER), session_scope(engine) as s:
        assert authenticate_totp(s, users["beheer"], totp.at(now + SECOND), now=now + SECOND).ok
    assert attempt(engine, "beheer", PASSWORD, place=ATTACKER, now=now + SECOND).outcome == "locked"  # still


def again(engine, user_id, password, place, now=NOW):
    with access_context(place), session_scope(engine) as s:
        return reauthenticate(s, user_id, password, now=now)


def test_asking_the_password_again_counts_from_the_sessions_address(engine, users):
    for _ in range(3):
        result = again(engine, users["anna"], "verkeerd", ATTACKER)
    assert answer(result) == ("bad_credentials", SLOWDOWN_BASE, False)
    with pytest.raises(InvalidInput) as refused:  # the change itself refuses while it waits
        with access_context(ATTACKER), session_scope(engine) as s:
            change_password(s, users["anna"], PASSWORD, "een-nieuw-wachtwoord", now=NOW + SECOND)
    assert refused.value.codes == ["password.locked"]
    assert attempt(engine, "anna", PASSWORD, place=ATTACKER, now=NOW + SECOND).outcome == "locked"  # shared
    assert again(engine, users["anna"], PASSWORD, OWNER, NOW + SECOND).ok  # her own session elsewhere
    with access_context(OWNER), session_scope(engine) as s:
        change_password(s, users["anna"], PASSWORD, "een-nieuw-wachtwoord", now=NOW + SECOND)
    assert {line.client_address for line in failures(engine)} == {"203.0.113.66"}
    assert [line.detail for line in failures(engine)][:3] == [
        "username 'anna': wrong password when asked again"] * 3


def test_an_unlock_and_a_new_password_lift_the_locks_from_every_address(engine, users):
    def lock(place, start):
        for i in range(MAX_FAILED_LOGINS):
            attempt(engine, "anna", place=place, now=start + i * LOCK_DURATION)
        return start + (MAX_FAILED_LOGINS - 1) * LOCK_DURATION + SECOND

    now = max(lock(ATTACKER, NOW), lock(ATTACKER_2, NOW))
    assert attempt(engine, "anna", PASSWORD, place=ATTACKER_2, now=now).lockout
    with session_scope(engine) as s:
        admin.unlock(s, users["beheer"], users["anna"])
    assert attempt(engine, "anna", PASSWORD, place=ATTACKER, now=now).ok
    assert attempt(engine, "anna", PASSWORD, place=ATTACKER_2, now=now).ok
    now = lock(ATTACKER, now)  # an admin's temporary password ...
    with access_context(OWNER), session_scope(engine) as s:
        temporary = admin.issue_temporary_password(s, users["beheer"], users["anna"], now=now)
    assert attempt(engine, "anna", temporary, place=ATTACKER, now=now).ok
    now = lock(ATTACKER, now)  # ... the operator's new password ...
    with session_scope(engine) as s:
        set_password(s, "anna", "door-de-beheerder-gezet", now=now)
    assert attempt(engine, "anna", "door-de-beheerder-gezet", place=ATTACKER, now=now).ok
    now = lock(ATTACKER, now)  # ... and the owner's own, from elsewhere, lift them too
    with access_context(OWNER), session_scope(engine) as s:
        change_password(s, users["anna"], "door-de-beheerder-gezet", "mijn-eigen-wachtwoord", now=now)
    assert attempt(engine, "anna", "mijn-eigen-wachtwoord", place=ATTACKER, now=now).ok


def test_a_success_from_the_address_starts_its_count_again(engine, users):
    for i in range(SLOWDOWN_FROM - 1):
        attempt(engine, "anna", place=ATTACKER, now=NOW + i * SECOND)
    assert attempt(engine, "anna", PASSWORD, place=OWNER, now=NOW + 5 * SECOND).ok  # elsewhere: the count holds
    slowed = attempt(engine, "anna", place=ATTACKER, now=NOW + 6 * SECOND)
    assert answer(slowed) == ("bad_credentials", SLOWDOWN_BASE, False)
    assert attempt(engine, "anna", PASSWORD, place=ATTACKER, now=NOW + 11 * SECOND).ok  # from there: again
    for i in range(SLOWDOWN_FROM - 1):
        assert answer(attempt(engine, "anna", place=ATTACKER, now=NOW + (12 + i) * SECOND)) == (
            "bad_credentials", dt.timedelta(0), False)


def test_typed_usernames_never_reach_the_database(engine, users):
    """An unknown "username" is often a password typed into the wrong field: counted in
    memory, logged masked, stored nowhere."""
    typed = "Mijn-Geheime-Zin-42"
    for i in range(MAX_FAILED_LOGINS):
        attempt(engine, typed, place=ATTACKER, now=NOW + i * LOCK_DURATION)
    assert attempt(engine, typed, place=ATTACKER, now=NOW + 4 * LOCK_DURATION + SECOND).lockout
    with session_scope(engine, readonly=True) as s:
        stored = [str(row) for table in Base.metadata.sorted_tables for row in s.execute(select(table))]
    assert stored and not [row for row in stored if typed.lower() in row.lower()]


def test_the_counts_are_forgotten_after_a_day_and_bounded():
    throttle = Throttle(max_entries=6)
    for i in range(MAX_FAILED_LOGINS):
        wait = throttle.failed("anna", "192.0.2.1", NOW + i * SECOND)
    assert wait.lockout and wait.failures == MAX_FAILED_LOGINS
    later = NOW + THROTTLE_FORGET_AFTER + 4 * SECOND
    assert throttle.wait("anna", "192.0.2.1", later) is None
    assert throttle.failed("anna", "192.0.2.1", later) is None  # counting starts again
    assert len(throttle) == 2  # the old entries went when the new one came
    for i in range(20):
        throttle.failed(f"naam-{i}", f"192.0.2.{i}", later)
    assert len(throttle) == 6  # the oldest went first


@pytest.mark.parametrize("username", ["anna", "niemand"])
def test_attempts_at_the_same_moment_are_counted_one_at_a_time(engine, users, username, monkeypatch):
    """A script firing six wrong passwords at once gets what six in a row get: two
    failures, the third's slowdown, three refusals (PostgreSQL: the advisory locks)."""
    real = login_module.verify_password

    def slow(password_hash, password):  # as long as a real check takes
        time.sleep(0.2)
        return real(password_hash, password)

    monkeypatch.setattr(login_module, "verify_password", slow)
    answers: list[tuple] = []
    start = threading.Barrier(6)

    def one() -> None:
        start.wait()
        answers.append(answer(attempt(engine, username, place=ATTACKER)))

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(answers) == Counter({("bad_credentials", dt.timedelta(0), False): 2,
                                        ("bad_credentials", SLOWDOWN_BASE, False): 1,
                                        ("locked", SLOWDOWN_BASE, False): 3})


def test_every_attempt_is_logged_with_its_client_address(engine, users):
    attempt(engine, "anna", place=ATTACKER)
    attempt(engine, "niemand", place=ATTACKER_2)
    for _ in range(3):
        attempt(engine, "niemand", place=ATTACKER_2, now=NOW + SECOND)  # the 3rd waits, then refused
    assert attempt(engine, "anna", PASSWORD, place=OWNER, now=NOW + SECOND).ok
    lines = failures(engine)
    assert [(line.client_address, line.subject_id, line.detail) for line in lines] == [
        ("203.0.113.66", str(users["anna"]), "username 'anna': wrong password"),
        *[("203.0.113.67", None, "username 'n******': unknown username")] * 3,
        ("203.0.113.67", None, "username 'n******': attempt while locked"),
    ]
    with session_scope(engine, readonly=True) as s:
        success = s.scalars(select(AuditEvent).where(AuditEvent.action == "login_success")).one()
        assert s.get(UserAccount, users["anna"]).failed_logins == 0
    assert success.client_address == "198.51.100.7"

"""Logging in, and asking for the password again: the rules that keep guessing slow.

Login (:func:`authenticate`)
    Outcomes ``ok``, ``bad_credentials``, ``locked`` (with ``until``), ``totp_required``
    (password right, now the code: :func:`authenticate_totp`) and ``totp_invalid``.
    An unknown or deactivated username costs the same password check as a real one
    (against a dummy hash), so usernames cannot be probed by timing, and gets the same
    answer as a wrong password. Failures are counted by ``store.accounts.throttle``,
    per username from the request's client address and per address, for every
    username alike, known or not: so the slowdowns and locks, and every later answer,
    are the same for a username that does not exist. From the ``SLOWDOWN_FROM``-th
    failure of a username from one address it waits there (``SLOWDOWN_BASE``,
    doubling), at ``MAX_FAILED_LOGINS`` it is locked there for ``LOCK_DURATION``; an
    address waits after ``ADDRESS_BURST`` failures in a row, whatever the usernames.
    The wait is returned as ``AuthResult.until``/``delay`` for the caller to show (the
    store never sleeps). Attempts while waiting are not checked and not counted. The
    lock holds only where the failures came from: the owner logs in from another
    address as usual, so an attacker cannot keep them out. Attempts with the same
    username and from the same address are taken one at a time (SQLite: its write lock;
    PostgreSQL: advisory locks for the transaction), known usernames or not. Every
    success and failure writes a ``login_success``/``login_failure`` audit event with
    the username attempted (never the password) in the same transaction; the audit
    line carries the client address (``audit.current_context``).

A temporary password is for its account's owner (:func:`authenticate`)
    While the account's password is a temporary one from an admin, a login with it is
    refused (outcome ``temporary_same_place``, not counted as a failure, audited as a
    ``login_failure``) when it comes from where that admin gave it: the same login
    session or the same browser tab (``audit.AccessContext.earlier_session_keys``), or
    the same client address, as on the audit line of the temporary password. So an
    admin cannot give an account a temporary password and log in with it on their own
    device to read its owner's data; the owner is told of every temporary password and
    every login with one at their next login (``AuthResult.notices``). What this does not
    stop, and why, is in docs/operator.md (section 4).

Transparency (``AuthResult.notices``)
    A successful login carries what its owner should know: what someone else (an admin,
    the operator) did to the account and the logins with a temporary password since the
    owner's last login with a password of their own (``history.login_notices``). The
    login line says whether a temporary password was used and, when the caller passes
    it, the device (``store.clients.describe_device``).

Asking for the password again (:func:`reauthenticate`)
    Changing the password or switching the second factor off asks for the current
    password. Those checks count like logins (the account's username from the
    request's address), so a session left open cannot be used to guess the password:
    the caller first calls :func:`reauthenticate` in a unit of work of its own (its
    failure count must be committed, not rolled back with a refused change), then the
    change, which checks the password again (``passwords.check_again``) and refuses
    while the account waits from the request's address.

The account's own ``failed_logins`` and ``locked_until`` are its record for the admin
(consecutive failures from any address, and the latest wait they started, since its last
success); they do not refuse anything, the throttle does.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .. import audit
from ..access import Acting, actor
from ..models import UserAccount, utcnow
from .account import Account, account_of, normalize_username
from .history import DEVICE, SAME_PLACE, WITH_TEMPORARY_PASSWORD, AccountEvent, last_temporary_password, login_notices
from .passwords import MAX_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from .throttle import Wait, client_address, place, throttle_for
from .totp import verify_code

OUTCOMES = ("ok", "bad_credentials", "locked", "totp_required", "totp_invalid", "temporary_same_place")


@dataclass(frozen=True)
class AuthResult:
    """The answer to a login attempt.

    ``account`` is set for ``ok`` and ``totp_required``. ``until`` is when the next
    attempt with this username from this address is accepted (set for ``locked``, and
    for a failure that started a wait); ``delay`` is the wait from now until then;
    ``lockout`` tells a lock (``MAX_FAILED_LOGINS`` reached from this address) from a
    slowdown. ``notices``: for ``ok``, what the owner is told as they log in (see the
    module doc), oldest first.
    """

    outcome: str
    account: Account | None = None
    until: dt.datetime | None = None
    delay: dt.timedelta = dt.timedelta(0)
    lockout: bool = False
    notices: tuple[AccountEvent, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def delay_seconds(self) -> int:
        """The delay in whole seconds, rounded up."""
        return max(0, math.ceil(self.delay.total_seconds()))


@functools.cache
def _dummy_hash() -> str:
    return hash_password("draagkracht-dummy-password-for-unknown-users")


def _for_log(username: str) -> str:
    """The attempted username as it may go into the log: printable, at most 64 chars."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in username)
    return printable[:64]


def _log_failure(session: Session, attempted: str, user: UserAccount | None, reason: str) -> None:
    # An unknown "username" is often a password typed into the wrong field: it is logged
    # masked (its length and first character), a known one by its account. The audit
    # context adds the client address.
    shown = _for_log(attempted) if user is not None else _masked(attempted)
    audit.record(
        session, "login_failure", actor=None,
        subject_type="user_account", subject_id=user.id if user is not None else None,
        detail=f"username {shown!r}: {reason}",
    )


def _masked(text: str) -> str:
    printable = _for_log(text)
    return (printable[:1] + "*" * (len(printable) - 1)) if printable else ""


def _answer(outcome: str, wait: Wait | None, now: dt.datetime) -> AuthResult:
    if wait is None:
        return AuthResult(outcome)
    return AuthResult(outcome, until=wait.until, delay=wait.until - now, lockout=wait.lockout)


def _refused(session: Session, attempted: str, user: UserAccount | None, now: dt.datetime,
             wait: Wait) -> AuthResult:
    _log_failure(session, attempted, user,
                 "attempt while this address waits" if wait.by_address else "attempt while locked")
    return _answer("locked", wait, now)


def _fail(session: Session, attempted: str, user: UserAccount | None, now: dt.datetime,
          outcome: str, reason: str) -> AuthResult:
    """Count a failure (the same for every username, known or not) and log it."""
    known = user is not None and user.active
    wait = throttle_for(session).failed(normalize_username(attempted), client_address(), now,
                                        since=user.password_changed_at if known else None)
    if known:  # the account's record, for the admin
        user.failed_logins = (user.failed_logins or 0) + 1
        if wait is not None and (user.locked_until is None or user.locked_until < wait.until):
            user.locked_until = wait.until
    if wait is not None and wait.lockout:
        outcome, reason = "locked", f"{reason}; locked from this address after {wait.failures} failures"
    elif wait is not None and wait.by_address:
        reason += "; this address waits"
    _log_failure(session, attempted, user, reason)
    return _answer(outcome, wait, now)


def _waiting(session: Session, username: str, user: UserAccount | None, now: dt.datetime) -> Wait | None:
    known = user is not None and user.active
    return throttle_for(session).wait(username, client_address(), now,
                                      since=user.password_changed_at if known else None)


def _one_at_a_time(session: Session, username: str) -> None:
    """Take attempts with this username, and attempts from this address, one at a time
    (until the commit), so that a check and its count are never interleaved, for known
    and unknown usernames alike. SQLite's write transactions are one at a time already;
    on PostgreSQL, transaction-scoped advisory locks (the username's first, then the
    address's, always in that order)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for kind, value in ((1301, username), (1302, place(client_address()))):
        key = int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=4).digest(), "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:kind, :key)"), {"kind": kind, "key": key})


def _succeed(session: Session, attempted: str, user: UserAccount, now: dt.datetime,
             factors: str, device: str | None) -> AuthResult:
    account = account_of(user)  # last_login_at: the previous login, to show the user
    notices = login_notices(session, user)
    throttle_for(session).succeeded(user.username, client_address())
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    detail = f"username {_for_log(attempted)!r}: {factors}"
    if user.password_must_change:
        detail += f"; {WITH_TEMPORARY_PASSWORD}"
    if device:
        detail += "; " + DEVICE.format(device=_for_log(device).replace(";", ","))
    audit.record(session, "login_success", actor=user, subject_type="user_account", subject_id=user.id,
                 detail=detail)
    return AuthResult("ok", account=account, notices=notices)


def _where_it_was_given(session: Session, user: UserAccount) -> bool:
    """The login comes from the session, browser tab or client address in which an
    admin gave the account its temporary password (see the module doc)."""
    here = audit.current_context()
    given = last_temporary_password(session, user.id)
    if here is None or given is None:
        return False
    sessions = {here.session_key, *here.earlier_session_keys} - {None}
    same_session = given.session_key is not None and given.session_key in sessions
    same_address = given.client_address is not None and given.client_address == here.client_address
    return same_session or same_address


def _user_by_name(session: Session, username: str) -> UserAccount | None:
    # FOR UPDATE (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers): the
    # account's record and its second factor's last code are updated below.
    stmt = select(UserAccount).where(UserAccount.username == username).with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def authenticate(
    session: Session,
    username: str,
    password: str,
    totp_code: str | None = None,
    *,
    now: dt.datetime | None = None,
    device: str | None = None,
) -> AuthResult:
    """Check a login attempt (see the module doc for the rules). ``device``: a short
    description of the browser (``store.clients.describe_device``) for the login line;
    where it comes from is read from ``audit.current_context()``."""
    now = now or utcnow()
    dummy = _dummy_hash()  # made at the first attempt of any user, known or not
    attempted = username or ""
    name = normalize_username(attempted)
    password = (password or "")[: MAX_PASSWORD_LENGTH * 4]
    _one_at_a_time(session, name)
    user = _user_by_name(session, name) if name else None
    wait = _waiting(session, name, user, now)
    if wait is not None:
        verify_password(dummy, password)  # refused unchecked, at the same cost
        return _refused(session, attempted, user, now, wait)
    if user is None or not user.active:
        verify_password(dummy, password)  # the same work as for a real account
        return _fail(session, attempted, user, now, "bad_credentials",
                     "unknown username" if user is None else "account deactivated")
    if not verify_password(user.password_hash, password):
        return _fail(session, attempted, user, now, "bad_credentials", "wrong password")
    if user.password_must_change and _where_it_was_given(session, user):
        _log_failure(session, attempted, user, SAME_PLACE)  # not a guess: not counted
        return AuthResult("temporary_same_place")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_secret is None:
        return _succeed(session, attempted, user, now, "password", device)
    if not totp_code:
        return AuthResult("totp_required", account=account_of(user))
    return _check_login_code(session, attempted, user, totp_code, now, device)


def authenticate_totp(
    session: Session, user_id: int, totp_code: str, *, now: dt.datetime | None = None,
    device: str | None = None,
) -> AuthResult:
    """The second step of a login: the code, after :func:`authenticate` answered
    ``totp_required`` for this user **in this same session** less than
    ``TOTP_STEP_TIMEOUT`` ago (the caller keeps that, server-side)."""
    now = now or utcnow()
    user = session.get(UserAccount, user_id, populate_existing=True)
    if user is None or not user.active or user.totp_secret is None:
        _log_failure(session, "" if user is None else user.username, user, "second step without account")
        return AuthResult("bad_credentials")
    _one_at_a_time(session, user.username)  # then the account's row, as authenticate does
    session.refresh(user, with_for_update=True)
    wait = _waiting(session, user.username, user, now)
    if wait is not None:
        return _refused(session, user.username, user, now, wait)
    return _check_login_code(session, user.username, user, totp_code, now, device)


def _check_login_code(session: Session, attempted: str, user: UserAccount, code: str,
                      now: dt.datetime, device: str | None) -> AuthResult:
    step = verify_code(user.totp_secret, code, now, after=user.totp_last_counter)
    if step is None:
        return _fail(session, attempted, user, now, "totp_invalid", "wrong second-factor code")
    user.totp_last_counter = step
    return _succeed(session, attempted, user, now, "password and second factor", device)


def reauthenticate(
    session: Session, user: Acting, password: str, *, now: dt.datetime | None = None
) -> AuthResult:
    """Check the logged-in user's password again (before a password change or switching
    the second factor off), under the login rules: refused unchecked while the account
    waits from this address; a wrong password counts as a failed login (slowdown, then
    lock) and is audited as one; a right one starts the count from this address again.
    Never raises for a wrong password: commit the unit of work so the count holds (see
    the module doc)."""
    now = now or utcnow()
    acting = actor(session, user)
    password = (password or "")[: MAX_PASSWORD_LENGTH * 4]
    _one_at_a_time(session, acting.username)
    wait = _waiting(session, acting.username, acting, now)
    if wait is not None:
        verify_password(_dummy_hash(), password)
        return _refused(session, acting.username, acting, now, wait)
    if not verify_password(acting.password_hash, password):
        return _fail(session, acting.username, acting, now, "bad_credentials", "wrong password when asked again")
    throttle_for(session).succeeded(acting.username, client_address())
    acting.failed_logins = 0
    acting.locked_until = None
    return AuthResult("ok", account=account_of(acting))

"""Logging in, and asking for the password again: the rules that keep guessing slow.

Login (:func:`authenticate`)
    Outcomes ``ok``, ``bad_credentials``, ``locked`` (with ``until``), ``totp_required``
    (password right, now the code: :func:`authenticate_totp`) and ``totp_invalid``.
    An unknown or deactivated username costs the same password check as a real one
    (against a dummy hash), so usernames cannot be probed by timing, and gets the same
    answer as a wrong password. Consecutive failures of an account are counted: from
    the ``SLOWDOWN_FROM``-th one the account refuses attempts for a growing delay
    (``SLOWDOWN_BASE``, doubling), returned as ``AuthResult.until``/``delay`` for the
    caller to show (the store never sleeps); at ``MAX_FAILED_LOGINS`` it is locked for
    ``LOCK_DURATION``. Attempts while refused are not checked and not counted. After a
    lock has run out, the next failure locks again; a success resets the count. Every
    success and failure writes a ``login_success``/``login_failure`` audit event with
    the username attempted (never the password) in the same transaction.

Asking for the password again (:func:`reauthenticate`)
    Changing the password or switching the second factor off asks for the current
    password. Those checks count towards the same slowdown and lock as logins, so a
    session left open cannot be used to guess the password: the caller first calls
    :func:`reauthenticate` in a unit of work of its own (its failure count must be
    committed, not rolled back with a refused change), then the change, which checks
    the password again (``passwords.check_again``) and refuses while the account is
    slowed down or locked.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..access import Acting, actor
from ..models import UserAccount, utcnow
from .account import Account, account_of, normalize_username
from .passwords import MAX_PASSWORD_LENGTH, hash_password, is_locked, needs_rehash, verify_password
from .policy import LOCK_DURATION, MAX_FAILED_LOGINS, SLOWDOWN_BASE, SLOWDOWN_FROM
from .totp import verify_code

OUTCOMES = ("ok", "bad_credentials", "locked", "totp_required", "totp_invalid")


@dataclass(frozen=True)
class AuthResult:
    """The answer to a login attempt.

    ``account`` is set for ``ok`` and ``totp_required``. ``until`` is when the account
    accepts the next attempt (set for ``locked``, and for a failure that started a
    slowdown or a lock); ``delay`` is the wait from now until then; ``lockout`` tells a
    lock (``MAX_FAILED_LOGINS`` reached) from a slowdown.
    """

    outcome: str
    account: Account | None = None
    until: dt.datetime | None = None
    delay: dt.timedelta = dt.timedelta(0)
    lockout: bool = False

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
    # masked (its length and first character), a known one by its account.
    shown = _for_log(attempted) if user is not None else _masked(attempted)
    audit.record(
        session, "login_failure", actor=None,
        subject_type="user_account", subject_id=user.id if user is not None else None,
        detail=f"username {shown!r}: {reason}",
    )


def _masked(text: str) -> str:
    printable = _for_log(text)
    return (printable[:1] + "*" * (len(printable) - 1)) if printable else ""


def _refused(session: Session, attempted: str, user: UserAccount, now: dt.datetime) -> AuthResult:
    _log_failure(session, attempted, user, "attempt while locked")
    return AuthResult("locked", until=user.locked_until, delay=user.locked_until - now,
                      lockout=user.failed_logins >= MAX_FAILED_LOGINS)


def _fail(session: Session, attempted: str, user: UserAccount, now: dt.datetime,
          outcome: str, reason: str) -> AuthResult:
    user.failed_logins = (user.failed_logins or 0) + 1
    count = user.failed_logins
    if count >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCK_DURATION
        outcome, reason = "locked", f"{reason}; locked after {count} failures"
    elif count >= SLOWDOWN_FROM:
        user.locked_until = now + SLOWDOWN_BASE * 2 ** (count - SLOWDOWN_FROM)
    _log_failure(session, attempted, user, reason)
    if user.locked_until is not None and now < user.locked_until:
        return AuthResult(outcome, until=user.locked_until, delay=user.locked_until - now,
                          lockout=count >= MAX_FAILED_LOGINS)
    return AuthResult(outcome)


def _check_password(session: Session, attempted: str, user: UserAccount, password: str,
                    now: dt.datetime, wrong_reason: str) -> AuthResult | None:
    """The login rules for one password check: refused unchecked (but at the same cost)
    while slowed down or locked, a wrong password counted; None when it is right."""
    if is_locked(user, now):
        verify_password(_dummy_hash(), password)
        return _refused(session, attempted, user, now)
    if not verify_password(user.password_hash, password):
        return _fail(session, attempted, user, now, "bad_credentials", wrong_reason)
    return None


def _succeed(session: Session, attempted: str, user: UserAccount, now: dt.datetime,
             factors: str) -> AuthResult:
    account = account_of(user)  # last_login_at: the previous login, to show the user
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(
        session, "login_success", actor=user, subject_type="user_account", subject_id=user.id,
        detail=f"username {_for_log(attempted)!r}: {factors}",
    )
    return AuthResult("ok", account=account)


def _user_by_name(session: Session, username: str) -> UserAccount | None:
    # FOR UPDATE (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers):
    # parallel attempts must not lose failure counts.
    stmt = select(UserAccount).where(UserAccount.username == username).with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def authenticate(
    session: Session,
    username: str,
    password: str,
    totp_code: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> AuthResult:
    """Check a login attempt (see the module doc for the rules)."""
    now = now or utcnow()
    dummy = _dummy_hash()  # made at the first attempt of any user, known or not
    attempted = username or ""
    name = normalize_username(attempted)
    password = (password or "")[: MAX_PASSWORD_LENGTH * 4]
    user = _user_by_name(session, name) if name else None

    if user is None or not user.active:
        verify_password(dummy, password)  # the same work as for a real account
        _log_failure(session, attempted, user, "unknown username" if user is None else "account deactivated")
        return AuthResult("bad_credentials")
    refused = _check_password(session, attempted, user, password, now, "wrong password")
    if refused is not None:
        return refused
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_secret is None:
        return _succeed(session, attempted, user, now, "password")
    if not totp_code:
        return AuthResult("totp_required", account=account_of(user))
    return _check_login_code(session, attempted, user, totp_code, now)


def authenticate_totp(
    session: Session, user_id: int, totp_code: str, *, now: dt.datetime | None = None
) -> AuthResult:
    """The second step of a login: the code, after :func:`authenticate` answered
    ``totp_required`` for this user **in this same session** less than
    ``TOTP_STEP_TIMEOUT`` ago (the caller keeps that, server-side)."""
    now = now or utcnow()
    user = session.get(UserAccount, user_id, populate_existing=True, with_for_update=True)
    if user is None or not user.active or user.totp_secret is None:
        _log_failure(session, "" if user is None else user.username, user, "second step without account")
        return AuthResult("bad_credentials")
    if is_locked(user, now):
        return _refused(session, user.username, user, now)
    return _check_login_code(session, user.username, user, totp_code, now)


def _check_login_code(session: Session, attempted: str, user: UserAccount, code: str,
                      now: dt.datetime) -> AuthResult:
    step = verify_code(user.totp_secret, code, now, after=user.totp_last_counter)
    if step is None:
        return _fail(session, attempted, user, now, "totp_invalid", "wrong second-factor code")
    user.totp_last_counter = step
    return _succeed(session, attempted, user, now, "password and second factor")


def reauthenticate(
    session: Session, user: Acting, password: str, *, now: dt.datetime | None = None
) -> AuthResult:
    """Check the logged-in user's password again (before a password change or switching
    the second factor off), under the login rules: refused unchecked while slowed down
    or locked; a wrong password counts as a failed login (slowdown, then lock) and is
    audited as one; a right one resets the count. Never raises for a wrong password:
    commit the unit of work so the count holds (see the module doc)."""
    now = now or utcnow()
    acting = actor(session, user)
    password = (password or "")[: MAX_PASSWORD_LENGTH * 4]
    refused = _check_password(session, acting.username, acting, password, now, "wrong password when asked again")
    if refused is not None:
        return refused
    acting.failed_logins = 0
    acting.locked_until = None
    return AuthResult("ok", account=account_of(acting))

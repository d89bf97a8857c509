"""Accounts, login and second factor: the store's side of "Login and access".

No Streamlit here: the dashboard (``dashboard/components/auth.py``) keeps the session
and calls these functions, each inside a :func:`store.db.session_scope`.

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

Second factor (TOTP, RFC 6238, 30-second steps, one step of clock drift allowed)
    :func:`start_totp_enrolment` keeps a new secret aside until :func:`confirm_totp`
    sees a valid code from it; :func:`disable_totp` needs the password.

Asking for the password again (:func:`reauthenticate`)
    Changing the password or switching the second factor off asks for the current
    password. Those checks count towards the same slowdown and lock as logins, so a
    session left open cannot be used to guess the password: the caller first calls
    :func:`reauthenticate` in a unit of work of its own (its failure count must be
    committed, not rolled back with a refused change), then the change.
    :func:`change_password` and :func:`disable_totp` check the password again and
    refuse while the account is slowed down or locked. A code is
    accepted once (the time step of the last accepted code is stored).
    ``DRAAGKRACHT_REQUIRE_TOTP_ROLES`` (comma-separated roles, e.g.
    ``supervisor,researcher,admin``; empty or unset = required for nobody) makes a
    second factor compulsory for those roles: such a user without one gets
    ``Account.totp_setup_required`` and the dashboard shows only the set-up page.

Sessions
    ``SESSION_IDLE_TIMEOUT`` and ``SESSION_MAX_AGE`` are the session rules;
    :func:`session_end_reason` applies them. :func:`load_account` re-reads the acting
    user for each request (``None`` when deleted or deactivated).

Accounts
    :func:`create_user` (an admin, or the operator's CLI ``python -m store
    create-admin``), :func:`change_password`, :func:`set_user_active`.

Bad input raises :class:`AccountInputError` (an :class:`~store.errors.InvalidInput`)
whose ``keys`` are message keys of the dashboard's catalog and whose ``problems`` are
the same in English (for the CLI); nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Mapping

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from . import audit
from .errors import InvalidInput, NotFound
from .models import LANGUAGES, ROLES, Therapist, UserAccount, utcnow
from .passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)

# --- policy (the one place for these numbers) -------------------------------------------

MAX_FAILED_LOGINS = 5  # consecutive failures that lock the account
LOCK_DURATION = dt.timedelta(minutes=15)
SLOWDOWN_FROM = 3  # from this consecutive failure on, wait before the next attempt
SLOWDOWN_BASE = dt.timedelta(seconds=5)  # 5 s after the 3rd failure, 10 s after the 4th, ...
SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
SESSION_MAX_AGE = dt.timedelta(hours=12)
TOTP_STEP_TIMEOUT = dt.timedelta(minutes=5)  # to enter the code after the password
TOTP_VALID_WINDOW = 1  # time steps of clock drift accepted either side
TOTP_ISSUER = "Draagkracht"
ENV_REQUIRE_TOTP = "DRAAGKRACHT_REQUIRE_TOTP_ROLES"

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
OUTCOMES = ("ok", "bad_credentials", "locked", "totp_required", "totp_invalid")

# English texts of the message keys this module raises (the dashboard has its own in
# nl.json/en.json; tests check that every key here is in both catalogs).
PROBLEM_TEXTS: dict[str, str] = {
    "password.too_short": "the password must be at least {min} characters long",
    "password.too_long": "the password may be at most {max} characters long",
    "password.spaces_around": "the password may not begin or end with a space",
    "password.contains_username": "the password may not contain the username",
    "password.same_as_current": "the new password must differ from the current one",
    "password.wrong_current": "the current password is not right",
    "password.locked": "too many wrong passwords: wait, then try again",
    "account.username_invalid": (
        "the username must be 3-64 characters: letters, digits and . _ @ - (starting with a "
        "letter or digit)"
    ),
    "account.username_taken": "that username is taken",
    "account.role_invalid": "unknown role (therapist, supervisor, researcher or admin)",
    "account.language_invalid": "unknown language (nl or en)",
    "account.therapist_missing": "a therapist account must be linked to a therapist",
    "account.therapist_not_allowed": "only a therapist account is linked to a therapist",
    "account.therapist_unknown": "no such therapist",
    "account.therapist_taken": "that therapist already has an account",
    "totp.no_enrolment": "start setting up the second factor first",
    "totp.code_invalid": "that code is not right (or was used already)",
    "totp.required_for_role": "your role requires a second factor: it cannot be switched off",
    "totp.not_enabled": "no second factor is set up",
}
PROBLEM_PARAMS: dict[str, object] = {"min": MIN_PASSWORD_LENGTH, "max": MAX_PASSWORD_LENGTH}


class AccountInputError(InvalidInput):
    """Bad input for an account operation. ``keys``: message keys (dashboard catalog);
    ``problems``: the same in English."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = list(keys)
        super().__init__("account input refused", [problem_text(k) for k in self.keys])


def problem_text(key: str) -> str:
    """The English text of a problem key (for the operator's CLI)."""
    return PROBLEM_TEXTS.get(key, key).format(**PROBLEM_PARAMS)


# --- results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    """What the dashboard needs of the acting user, read fresh from the database."""

    id: int
    username: str
    role: str
    therapist_id: int | None
    language: str
    totp_enabled: bool
    totp_setup_required: bool  # the role requires a second factor and none is set up
    password_change_required: bool  # the password is a temporary one from an admin
    password_changed_at: dt.datetime | None
    last_login_at: dt.datetime | None


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


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # base32, to type into an authenticator app
    uri: str  # otpauth:// URI (what a QR code would hold)


# --- configuration ----------------------------------------------------------------------

def totp_required_roles(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The roles that must use a second factor (``DRAAGKRACHT_REQUIRE_TOTP_ROLES``).

    Raises ValueError for an unknown role name: a typo must not silently switch the
    requirement off."""
    raw = (os.environ if environ is None else environ).get(ENV_REQUIRE_TOTP, "")
    roles = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = sorted(roles - set(ROLES))
    if unknown:
        raise ValueError(
            f"{ENV_REQUIRE_TOTP} names unknown roles {unknown}; use a comma-separated "
            f"list of {', '.join(ROLES)}"
        )
    return frozenset(roles)


def normalize_username(username: str) -> str:
    """Usernames are stored and compared in lower case, without surrounding spaces."""
    return unicodedata.normalize("NFKC", username or "").strip().lower()


# --- login ------------------------------------------------------------------------------

@functools.cache
def _dummy_hash() -> str:
    return hash_password("draagkracht-dummy-password-for-unknown-users")


def _account(user: UserAccount) -> Account:
    required = user.role in totp_required_roles()
    return Account(
        id=user.id,
        username=user.username,
        role=user.role,
        therapist_id=user.therapist_id,
        language=user.language,
        totp_enabled=user.totp_secret is not None,
        totp_setup_required=required and user.totp_secret is None,
        password_change_required=bool(user.password_must_change),
        password_changed_at=user.password_changed_at,
        last_login_at=user.last_login_at,
    )


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


def _locked(user: UserAccount, now: dt.datetime) -> bool:
    return user.locked_until is not None and now < user.locked_until


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
    if _locked(user, now):
        verify_password(_dummy_hash(), password)
        return _refused(session, attempted, user, now)
    if not verify_password(user.password_hash, password):
        return _fail(session, attempted, user, now, "bad_credentials", wrong_reason)
    return None


def _succeed(session: Session, attempted: str, user: UserAccount, now: dt.datetime,
             factors: str) -> AuthResult:
    account = _account(user)  # last_login_at: the previous login, to show the user
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
        return AuthResult("totp_required", account=_account(user))
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
    if _locked(user, now):
        return _refused(session, user.username, user, now)
    return _check_login_code(session, user.username, user, totp_code, now)


def _check_login_code(session: Session, attempted: str, user: UserAccount, code: str,
                      now: dt.datetime) -> AuthResult:
    step = _verify_code(user.totp_secret, code, now, after=user.totp_last_counter)
    if step is None:
        return _fail(session, attempted, user, now, "totp_invalid", "wrong second-factor code")
    user.totp_last_counter = step
    return _succeed(session, attempted, user, now, "password and second factor")


def _verify_code(secret: str, code: str | None, now: dt.datetime, *, after: int | None) -> int | None:
    """The time step ``code`` belongs to (within the drift window), or None when it is
    wrong or its step is not later than ``after`` (a code is accepted once)."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step if after is None or step > after else None
    return None


# --- sessions ---------------------------------------------------------------------------

def session_end_reason(started_at: dt.datetime, last_seen: dt.datetime, now: dt.datetime) -> str | None:
    """``"absolute"`` when a session is ``SESSION_MAX_AGE`` old, ``"idle"`` after
    ``SESSION_IDLE_TIMEOUT`` without a request, else None (the session goes on)."""
    if now - started_at >= SESSION_MAX_AGE:
        return "absolute"
    if now - last_seen >= SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def load_account(session: Session, user_id: int) -> Account | None:
    """The account as stored now; None when it was deleted or deactivated."""
    user = session.get(UserAccount, user_id, populate_existing=True)
    if user is None or not user.active:
        return None
    return _account(user)


# --- accounts ---------------------------------------------------------------------------

def _actor(session: Session, user: UserAccount | Account | int) -> UserAccount:
    user_id = user if isinstance(user, int) else user.id
    actor = session.get(UserAccount, user_id, populate_existing=True)
    if actor is None or not actor.active:
        audit.deny(session, user_id, "unknown or deactivated user account", attempted="account")
    return actor


def admin_exists(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(UserAccount.role == "admin", UserAccount.active.is_(True)))))


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    therapist_id: int | None = None,
    language: str = "nl",
    actor: UserAccount | Account | int | None = None,
) -> UserAccount:
    """Add an account. ``actor`` is the admin doing it (None: the operator's CLI or
    the demo set-up, which run with the database's own rights)."""
    acting = None
    if actor is not None:
        acting = _actor(session, actor)
        if acting.role != "admin":
            audit.deny(session, acting, "only an admin can create accounts", attempted="create_user")
    name = normalize_username(username)
    keys: list[str] = []
    if not USERNAME_PATTERN.match(name):
        keys.append("account.username_invalid")
    elif session.scalar(select(exists().where(UserAccount.username == name))):
        keys.append("account.username_taken")
    if role not in ROLES:
        keys.append("account.role_invalid")
    if language not in LANGUAGES:
        keys.append("account.language_invalid")
    if role not in ROLES:
        pass  # the link cannot be judged without a role
    elif role == "therapist" and therapist_id is None:
        keys.append("account.therapist_missing")
    elif role != "therapist" and therapist_id is not None:
        keys.append("account.therapist_not_allowed")
    elif therapist_id is not None:
        if session.get(Therapist, therapist_id) is None:
            keys.append("account.therapist_unknown")
        elif session.scalar(select(exists().where(UserAccount.therapist_id == therapist_id))):
            keys.append("account.therapist_taken")
    keys += password_problems(password or "", username=name)
    if keys:
        raise AccountInputError(keys)
    user = UserAccount(
        username=name, password_hash=hash_password(password), role=role,
        therapist_id=therapist_id, language=language,
    )
    session.add(user)
    session.flush()
    audit.record(session, "create", actor=acting, subject_type="user_account", subject_id=user.id,
                 detail=f"account {name!r} ({role})")
    return user


def reauthenticate(
    session: Session, user: UserAccount | Account | int, password: str, *, now: dt.datetime | None = None
) -> AuthResult:
    """Check the logged-in user's password again (before a password change or switching
    the second factor off), under the login rules: refused unchecked while slowed down
    or locked; a wrong password counts as a failed login (slowdown, then lock) and is
    audited as one; a right one resets the count. Never raises for a wrong password:
    commit the unit of work so the count holds (see the module doc)."""
    now = now or utcnow()
    actor = _actor(session, user)
    password = (password or "")[: MAX_PASSWORD_LENGTH * 4]
    refused = _check_password(session, actor.username, actor, password, now, "wrong password when asked again")
    if refused is not None:
        return refused
    actor.failed_logins = 0
    actor.locked_until = None
    return AuthResult("ok", account=_account(actor))


def _check_again(actor: UserAccount, password: str, now: dt.datetime) -> None:
    if _locked(actor, now):
        raise AccountInputError(["password.locked"])
    if not verify_password(actor.password_hash, password or ""):
        raise AccountInputError(["password.wrong_current"])


def change_password(
    session: Session, user: UserAccount | Account | int, current: str, new: str,
    *, now: dt.datetime | None = None,
) -> dt.datetime:
    """Replace the user's password after checking the current one (call
    :func:`reauthenticate` first, see the module doc). Returns the time stored as
    ``password_changed_at``: sessions that began before it end (the caller renews its
    own session's start to this time)."""
    now = now or utcnow()
    actor = _actor(session, user)
    _check_again(actor, current, now)
    keys = password_problems(new or "", username=actor.username)
    if new == current:
        keys.append("password.same_as_current")
    if keys:
        raise AccountInputError(keys)
    actor.password_hash = hash_password(new)
    actor.password_changed_at = now
    actor.password_must_change = False
    audit.record(session, "change", actor=actor, subject_type="user_account", subject_id=actor.id,
                 detail="password changed")
    return now


def _admin_and_target(session: Session, actor: UserAccount | Account | int, user_id: int,
                      attempted: str, refusal: str) -> tuple[UserAccount, UserAccount]:
    """The acting admin and the account they act on; anyone else is refused (and
    audited), an unknown account is NotFound."""
    acting = _actor(session, actor)
    if acting.role != "admin":
        audit.deny(session, acting, refusal, attempted=attempted, subject_type="user_account", subject_id=user_id)
    target = session.get(UserAccount, user_id, populate_existing=True)
    if target is None:
        raise NotFound(f"no user account {user_id}")
    return acting, target


TEMPORARY_PASSWORD_BYTES = 12  # 16 URL-safe characters, about 96 bits


def issue_temporary_password(
    session: Session, actor: UserAccount | Account | int, user_id: int, *, now: dt.datetime | None = None
) -> str:
    """An admin gives an account a new random password, to pass on to its user once
    (e.g. an account imported without a password, or a forgotten password). Returns
    it; only its hash is stored. The user must choose their own at the next login
    (``Account.password_change_required``); the account's open sessions end and any
    lock is lifted."""
    now = now or utcnow()
    acting, target = _admin_and_target(session, actor, user_id, "issue_temporary_password",
                                       "only an admin gives temporary passwords")
    password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    while password_problems(password, username=target.username):  # e.g. it begins with the username
        password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    _set_password(target, password, now, must_change=True)
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail="temporary password given by an admin")
    return password


def set_password(session: Session, username: str, password: str, *, now: dt.datetime | None = None) -> UserAccount:
    """The operator sets an account's password (``python -m store set-password``), e.g.
    for the only admin, who forgot theirs. Checked like any new password; the account's
    open sessions end and any lock is lifted."""
    now = now or utcnow()
    target = _user_by_name(session, normalize_username(username))
    if target is None:
        raise NotFound(f"no user account {normalize_username(username)!r}")
    keys = password_problems(password or "", username=target.username)
    if keys:
        raise AccountInputError(keys)
    _set_password(target, password, now, must_change=False)
    audit.record(session, "change", actor=None, subject_type="user_account", subject_id=target.id,
                 detail="password set by the operator (command line)")
    return target


def _set_password(target: UserAccount, password: str, now: dt.datetime, *, must_change: bool) -> None:
    target.password_hash = hash_password(password)
    target.password_changed_at = now
    target.password_must_change = must_change
    target.failed_logins = 0
    target.locked_until = None


def set_language(session: Session, user: UserAccount | Account | int, language: str) -> None:
    """Store the user's dashboard language (the dashboard reads it on every run of a
    logged-in session)."""
    if language not in LANGUAGES:
        raise AccountInputError(["account.language_invalid"])
    _actor(session, user).language = language


def set_user_active(session: Session, actor: UserAccount | Account | int, user_id: int, active: bool) -> None:
    """An admin (de)activates an account; a deactivated account's sessions end at once."""
    acting, target = _admin_and_target(session, actor, user_id, "set_user_active",
                                       "only an admin can (de)activate accounts")
    target.active = bool(active)
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail="account activated" if active else "account deactivated")


# --- second factor ----------------------------------------------------------------------

def start_totp_enrolment(session: Session, user: UserAccount | Account | int) -> TotpEnrolment:
    """A new secret for the user's authenticator app, kept aside until
    :func:`confirm_totp` sees a valid code (a running second factor stays active until
    then). Starting again replaces the pending secret."""
    actor = _actor(session, user)
    secret = pyotp.random_base32()
    actor.totp_pending_secret = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=actor.username, issuer_name=TOTP_ISSUER)
    return TotpEnrolment(secret=secret, uri=uri)


def pending_totp_enrolment(session: Session, user: UserAccount | Account | int) -> TotpEnrolment | None:
    """The enrolment in progress (e.g. to show it again after a page reload), if any."""
    actor = _actor(session, user)
    secret = actor.totp_pending_secret
    if secret is None:
        return None
    return TotpEnrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=actor.username, issuer_name=TOTP_ISSUER))


def confirm_totp(
    session: Session, user: UserAccount | Account | int, code: str, *, now: dt.datetime | None = None
) -> None:
    """Switch the second factor on with the pending secret, once ``code`` proves the
    app has it."""
    now = now or utcnow()
    actor = _actor(session, user)
    if actor.totp_pending_secret is None:
        raise AccountInputError(["totp.no_enrolment"])
    step = _verify_code(actor.totp_pending_secret, code, now, after=None)
    if step is None:
        raise AccountInputError(["totp.code_invalid"])
    actor.totp_secret = actor.totp_pending_secret
    actor.totp_pending_secret = None
    actor.totp_last_counter = step
    audit.record(session, "change", actor=actor, subject_type="user_account", subject_id=actor.id,
                 detail="second factor switched on")


def disable_totp(
    session: Session, user: UserAccount | Account | int, password: str, *, now: dt.datetime | None = None
) -> None:
    """Switch the second factor off (needs the password, see :func:`reauthenticate`;
    refused where the role requires a second factor)."""
    actor = _actor(session, user)
    _check_again(actor, password, now or utcnow())
    if actor.totp_secret is None:
        raise AccountInputError(["totp.not_enabled"])
    if actor.role in totp_required_roles():
        raise AccountInputError(["totp.required_for_role"])
    actor.totp_secret = None
    actor.totp_pending_secret = None
    actor.totp_last_counter = None
    audit.record(session, "change", actor=actor, subject_type="user_account", subject_id=actor.id,
                 detail="second factor switched off")


__all__ = [
    "Account", "AccountInputError", "AuthResult", "ENV_REQUIRE_TOTP", "LOCK_DURATION",
    "MAX_FAILED_LOGINS", "OUTCOMES", "PROBLEM_PARAMS", "PROBLEM_TEXTS", "SESSION_IDLE_TIMEOUT",
    "SESSION_MAX_AGE", "SLOWDOWN_BASE", "SLOWDOWN_FROM", "TOTP_STEP_TIMEOUT", "TotpEnrolment",
    "admin_exists", "authenticate", "authenticate_totp", "change_password", "confirm_totp",
    "create_user", "disable_totp", "issue_temporary_password", "load_account", "normalize_username", "pending_totp_enrolment",
    "problem_text", "reauthenticate", "session_end_reason", "set_language", "set_password", "set_user_active",
    "start_totp_enrolment", "totp_required_roles",
]

"""An account's own settings, and making one: create, change the password, language.

Accounts are made by an admin (``actor``) or by the operator's command line
(``python -m store create-admin``, no actor: it runs with the database's own rights).
Every account is validated by data_schema's ``UserAccount`` record: the one username
rule (``data_schema.fields.USERNAME_PATTERN``), a known role and language, and a
therapist account linked to exactly one therapist. What an admin does to *other*
accounts (deactivate, temporary passwords, unlock) is in ``store.admin``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from data_schema import fields as F
from data_schema import records
from data_schema.problems import Problem

from .. import audit
from .. import access
from ..access import Acting
from ..errors import InvalidInput, NotFound
from ..models import Therapist, UserAccount, utcnow
from ..validation import checked
from .account import normalize_username
from .history import PASSWORD_CHANGED, PASSWORD_SET_BY_OPERATOR
from .passwords import check_again, hash_password, password_problems


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
    actor: Acting | None = None,
) -> UserAccount:
    """Add an account. ``actor`` is the admin doing it (None: the operator's CLI
    or the demo set-up, which run with the database's own rights). Every problem is
    listed at once; nothing is stored then."""
    acting = None
    if actor is not None:
        acting = access.actor(session, actor)
        if acting.role != "admin":
            audit.deny(session, acting, "only an admin can create accounts", attempted="create_user")
    name = normalize_username(username)
    try:
        records.validate_record(records.UserAccount, {"username": name, "role": role, "language": language,
                                                      "therapist_id": therapist_id})
        problems: list[Problem] = []
    except records.RecordError as exc:
        problems = list(exc.problems)
    bad = {p.column for p in problems}
    if "username" not in bad and session.scalar(select(exists().where(UserAccount.username == name))):
        problems.append(Problem.make("username_taken", None, "username", value=name))
    if therapist_id is not None and "therapist_id" not in bad and role == "therapist":
        if session.get(Therapist, therapist_id) is None:
            problems.append(Problem.make("unknown_therapist", None, "therapist_id", value=therapist_id))
        elif session.scalar(select(exists().where(UserAccount.therapist_id == therapist_id))):
            problems.append(Problem.make("therapist_has_account", None, "therapist_id", value=therapist_id))
    problems += [p.at(None, "password") for p in password_problems(password or "", username=name)]
    if problems:
        raise InvalidInput(problems)
    user = UserAccount(
        username=name, password_hash=hash_password(password), role=role,
        therapist_id=therapist_id, language=language,
    )
    session.add(user)
    session.flush()
    audit.record(session, "create", actor=acting, subject_type="user_account", subject_id=user.id,
                 detail=f"account {name!r} ({role})")
    return user


def change_password(
    session: Session, user: Acting, current: str, new: str, *, now: dt.datetime | None = None,
) -> dt.datetime:
    """Replace the user's password after checking the current one (call
    ``login.reauthenticate`` first). Returns the time stored as
    ``password_changed_at``: sessions that began before it end (the caller renews its
    own session's start to this time)."""
    now = now or utcnow()
    acting = access.actor(session, user)
    check_again(session, acting, current, now)
    problems = password_problems(new or "", username=acting.username)
    if new == current:
        problems.append(Problem.make("password.same_as_current"))
    if problems:
        raise InvalidInput(problems)
    acting.password_hash = hash_password(new)
    acting.password_changed_at = now
    acting.password_must_change = False
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=acting.id,
                 detail=PASSWORD_CHANGED)
    return now


def set_password(session: Session, username: str, password: str, *, now: dt.datetime | None = None) -> UserAccount:
    """The operator sets an account's password (``python -m store set-password``), e.g.
    for the only admin, who forgot theirs. Checked like any new password; the account's
    open sessions end and any lock is lifted."""
    now = now or utcnow()
    name = normalize_username(username)
    target = session.scalars(select(UserAccount).where(UserAccount.username == name)).one_or_none()
    if target is None:
        raise NotFound(f"no user account {name!r}")
    problems = password_problems(password or "", username=target.username)
    if problems:
        raise InvalidInput(problems)
    replace_password(target, password, now, must_change=False)
    audit.record(session, "change", actor=None, subject_type="user_account", subject_id=target.id,
                 detail=PASSWORD_SET_BY_OPERATOR)
    return target


def replace_password(target: UserAccount, password: str, now: dt.datetime, *, must_change: bool) -> None:
    """A new password for ``target`` (its sessions end: ``password_changed_at``) and no
    lock; ``must_change``: a temporary one the user replaces at the next login."""
    target.password_hash = hash_password(password)
    target.password_changed_at = now
    target.password_must_change = must_change
    target.failed_logins = 0
    target.locked_until = None


def set_language(session: Session, user: Acting, language: str) -> None:
    """Store the user's dashboard language (the dashboard reads it on every run of a
    logged-in session)."""
    acting = access.actor(session, user)
    acting.language = checked(F.LANGUAGE, language)

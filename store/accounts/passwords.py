"""Password hashing with argon2id (RFC 9106 low-memory profile, argon2-cffi's default).

Only hashes are stored (``user_account.password_hash``); a hash made with older
parameters is re-hashed at the next successful login (:func:`needs_rehash`).
"""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from data_schema.problems import Problem

from ..errors import InvalidInput
from ..models import UserAccount
from .throttle import account_wait

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

_HASHER = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (a fresh random salt each call)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for a missing or malformed
    hash (an account without a password cannot log in)."""
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def password_problems(password: str, *, username: str | None = None) -> list[Problem]:
    """What is wrong with a new password (problem codes ``password.*``); empty when it
    is acceptable. With ``username``, a password that contains the username is refused
    too."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Problem.make("password.too_short", min=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(Problem.make("password.too_long", max=MAX_PASSWORD_LENGTH))
    if password and password.strip() != password:
        problems.append(Problem.make("password.spaces_around"))
    if username and len(username) >= 3 and username.casefold() in password.casefold():
        problems.append(Problem.make("password.contains_username"))
    return problems


def check_again(session: Session, acting: UserAccount, password: str, now: dt.datetime) -> None:
    """The password asked again before a change (a new password, the second factor
    off): refused while the account waits from the request's address (slowed down or
    locked, ``throttle``), and when wrong (the failure was counted by
    ``login.reauthenticate`` in its own unit of work)."""
    if account_wait(session, acting, now) is not None:
        raise InvalidInput(Problem.make("password.locked"))
    if not verify_password(acting.password_hash, password or ""):
        raise InvalidInput(Problem.make("password.wrong_current"))

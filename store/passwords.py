"""Password hashing with argon2id (RFC 9106 low-memory profile, argon2-cffi's default).

Only hashes are stored (``user_account.password_hash``); a hash made with older
parameters is re-hashed at the next successful login (:func:`needs_rehash`).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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


def password_problems(password: str, *, username: str | None = None) -> list[str]:
    """Message keys (``password.*`` in the dashboard's catalog) for what is wrong with a
    new password; empty when it is acceptable. With ``username``, a password that
    contains the username is refused too."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("password.too_short")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append("password.too_long")
    if password and password.strip() != password:
        problems.append("password.spaces_around")
    if username and len(username) >= 3 and username.casefold() in password.casefold():
        problems.append("password.contains_username")
    return problems

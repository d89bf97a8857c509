"""The account as the rest of Draagkracht sees it, read fresh from the database.

:class:`Account` is what the dashboard needs of the acting user; :func:`load_account`
re-reads it for each request (``None`` when the account was deleted or deactivated, so
its sessions end at once). Usernames are compared in lower case (:func:`normalize_username`),
and follow the one rule of ``data_schema.fields.USERNAME_PATTERN``.

A second factor must be set up (``totp_setup_required``) where the role requires one
and none is set up, and, for any role, after an admin reset it (``store.admin
.reset_second_factor``) until its owner sets it up again: read from the account's
audit lines (``history.totp_reset_pending``), so a reset needs no column of its own.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session, object_session

from ..models import UserAccount
from .history import totp_reset_pending
from .policy import totp_required_roles


@dataclass(frozen=True)
class Account:
    """What the dashboard needs of the acting user, read fresh from the database."""

    id: int
    username: str
    role: str
    therapist_id: int | None
    language: str
    totp_enabled: bool
    totp_setup_required: bool  # none set up, and the role requires one or an admin reset it
    password_change_required: bool  # the password is a temporary one from an admin
    password_changed_at: dt.datetime | None
    last_login_at: dt.datetime | None
    totp_reset_by_admin: bool = False  # an admin reset the second factor; not set up again yet


def account_of(user: UserAccount) -> Account:
    missing = user.totp_secret is None
    required = user.role in totp_required_roles()
    session = object_session(user)
    reset = missing and session is not None and totp_reset_pending(session, user.id)
    return Account(
        id=user.id,
        username=user.username,
        role=user.role,
        therapist_id=user.therapist_id,
        language=user.language,
        totp_enabled=not missing,
        totp_setup_required=missing and (required or reset),
        password_change_required=bool(user.password_must_change),
        password_changed_at=user.password_changed_at,
        last_login_at=user.last_login_at,
        totp_reset_by_admin=reset,
    )


def normalize_username(username: str) -> str:
    """Usernames are stored and compared in lower case, without surrounding spaces."""
    return unicodedata.normalize("NFKC", username or "").strip().lower()


def load_account(session: Session, user_id: int) -> Account | None:
    """The account as stored now; None when it was deleted or deactivated."""
    user = session.get(UserAccount, user_id, populate_existing=True)
    if user is None or not user.active:
        return None
    return account_of(user)

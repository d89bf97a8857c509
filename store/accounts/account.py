"""The account as the rest of Draagkracht sees it, read fresh from the database.

:class:`Account` is what the dashboard needs of the acting user; :func:`load_account`
re-reads it for each request (``None`` when the account was deleted or deactivated, so
its sessions end at once). Usernames are compared in lower case (:func:`normalize_username`),
and follow the one rule of ``data_schema.fields.USERNAME_PATTERN``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import UserAccount
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
    totp_setup_required: bool  # the role requires a second factor and none is set up
    password_change_required: bool  # the password is a temporary one from an admin
    password_changed_at: dt.datetime | None
    last_login_at: dt.datetime | None


def account_of(user: UserAccount) -> Account:
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


def normalize_username(username: str) -> str:
    """Usernames are stored and compared in lower case, without surrounding spaces."""
    return unicodedata.normalize("NFKC", username or "").strip().lower()


def load_account(session: Session, user_id: int) -> Account | None:
    """The account as stored now; None when it was deleted or deactivated."""
    user = session.get(UserAccount, user_id, populate_existing=True)
    if user is None or not user.active:
        return None
    return account_of(user)

"""What an admin does: other people's accounts (list, activate, deactivate, unlock, a
temporary password); the audit log is read through ``store.audit_log``. No clinical or
wellbeing content.

Every function here is for the admin role only (anyone else is refused and audited). An admin acts on
other accounts: deactivating their own account or giving it a temporary password is
refused (:class:`store.Refused`), whatever page or script asks.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import Acting, require_role
from .accounts.manage import replace_password
from .accounts.passwords import password_problems
from .accounts.policy import TEMPORARY_PASSWORD_BYTES
from .errors import NotFound, Refused
from .models import UserAccount, utcnow


def _admin(session: Session, user: Acting, attempted: str, refusal: str = "for admins only",
           target_id: int | None = None) -> UserAccount:
    return require_role(session, user, "admin", attempted, refusal, subject_type="user_account",
                        subject_id=target_id)


def _admin_and_target(session: Session, user: Acting, user_id: int, attempted: str,
                      refusal: str) -> tuple[UserAccount, UserAccount]:
    """The acting admin and the account they act on; anyone else is refused (and
    audited), an unknown account is NotFound."""
    acting = _admin(session, user, attempted, refusal, user_id)
    target = session.get(UserAccount, user_id, populate_existing=True)
    if target is None:
        raise NotFound(f"no user account {user_id}")
    return acting, target


def accounts(session: Session, user: Acting) -> pd.DataFrame:
    """Every account: id, username, role, language, active, second factor set up,
    locked now, last login."""
    _admin(session, user, "list_accounts")
    now = utcnow()
    rows = session.scalars(select(UserAccount).order_by(UserAccount.role, UserAccount.username)).all()
    return pd.DataFrame({
        "user_id": [u.id for u in rows],
        "username": [u.username for u in rows],
        "role": [u.role for u in rows],
        "language": [u.language for u in rows],
        "active": [bool(u.active) for u in rows],
        "totp": [u.totp_secret is not None for u in rows],
        "locked": [u.locked_until is not None and u.locked_until > now for u in rows],
        "last_login_at": [u.last_login_at for u in rows],
    })


def set_user_active(session: Session, user: Acting, user_id: int, active: bool) -> None:
    """An admin (de)activates an account; a deactivated account's sessions end at once."""
    acting, target = _admin_and_target(session, user, user_id, "set_user_active",
                                       "only an admin can (de)activate accounts")
    if target.id == acting.id and not active:
        raise Refused("refused.own_deactivation")
    target.active = bool(active)
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail="account activated" if active else "account deactivated")


def unlock(session: Session, user: Acting, user_id: int) -> None:
    """Clear an account's failed-login count and lock."""
    acting, target = _admin_and_target(session, user, user_id, "unlock_account", "for admins only")
    target.failed_logins = 0
    target.locked_until = None
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail="account unlocked")


def issue_temporary_password(session: Session, user: Acting, user_id: int, *,
                             now: dt.datetime | None = None) -> str:
    """An admin gives an account a new random password, to pass on to its user once
    (e.g. an account imported without a password, or a forgotten password). Returns
    it; only its hash is stored. The user must choose their own at the next login
    (``Account.password_change_required``); the account's open sessions end and any
    lock is lifted."""
    now = now or utcnow()
    acting, target = _admin_and_target(session, user, user_id, "issue_temporary_password",
                                       "only an admin gives temporary passwords")
    if target.id == acting.id:
        raise Refused("refused.own_temporary_password")
    password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    while password_problems(password, username=target.username):  # e.g. it begins with the username
        password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    replace_password(target, password, now, must_change=True)
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail="temporary password given by an admin")
    return password


__all__ = ["accounts", "issue_temporary_password", "set_user_active", "unlock"]

"""What an admin sees: accounts (no clinical or wellbeing content) and the audit log.

Reading the audit log is itself logged (``read`` of ``audit_log``). Unlocking an account
clears its failed-login counter and lock.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .errors import NotFound
from .models import AUDIT_ACTIONS, AuditEvent, UserAccount, utcnow
from .repository import _actor

AUDIT_PAGE = 500


def _require_admin(session: Session, user, attempted: str) -> UserAccount:
    actor = _actor(session, user)
    if actor.role != "admin":
        audit.deny(session, actor, "for admins only", attempted=attempted, subject_type="user_account")
    return actor


def accounts(session: Session, user) -> pd.DataFrame:
    """Every account: id, username, role, language, active, second factor set up,
    locked now, last login."""
    _require_admin(session, user, "list_accounts")
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


def unlock(session: Session, user, user_id: int) -> None:
    actor = _require_admin(session, user, "unlock_account")
    target = session.get(UserAccount, user_id)
    if target is None:
        raise NotFound(f"no user account {user_id}")
    target.failed_logins = 0
    target.locked_until = None
    audit.record(session, "change", actor=actor, subject_type="user_account", subject_id=user_id,
                 detail="account unlocked")


def audit_log(session: Session, user, *, action: str | None = None, since: dt.date | None = None,
              limit: int = AUDIT_PAGE) -> pd.DataFrame:
    """The newest audit events (``limit`` at most), optionally of one action and since a
    day; with the actor's username where the account still exists."""
    actor = _require_admin(session, user, "audit_log")
    stmt = (select(AuditEvent, UserAccount.username).outerjoin(UserAccount, UserAccount.id == AuditEvent.actor_user_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    if action is not None:
        if action not in AUDIT_ACTIONS:
            raise NotFound(f"no audit action {action!r}")
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.timezone.utc))
    rows = session.execute(stmt).all()
    audit.record(session, "read", actor=actor, subject_type="audit_log",
                 detail=f"audit log ({action or 'all actions'}{f' since {since}' if since else ''})")
    return pd.DataFrame({
        "at": [e.at for e, _ in rows], "actor": [name for _, name in rows],
        "action": [e.action for e, _ in rows], "subject_type": [e.subject_type for e, _ in rows],
        "subject_id": [e.subject_id for e, _ in rows], "detail": [e.detail for e, _ in rows],
    })

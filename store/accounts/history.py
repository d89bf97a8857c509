"""What happened to an account, for its owner: changes to it and logins to it.

Read from the audit log (``audit_event`` lines whose subject is the account), so it
holds what the log holds and nothing else: every login (when, from which address, and
which device where the dashboard could tell), every failed attempt, and every change,
by the owner or by someone else (an admin: a temporary password, a reset second factor,
a role change, edited fields, (de)activation, unlock; the operator: a password set on
the command line).

- :func:`account_events`: the history, for **its owner only** (anyone else is refused
  and audited; reading your own is not logged).
- :func:`login_notices`: what the owner is told when they log in: what someone else did
  to the account, and the logins with a temporary password, since their last login with
  a password of their own (so a temporary password used by someone else is still news
  at the owner's next login).
- :func:`last_temporary_password` and :func:`totp_reset_pending`: what the login rules
  read of the account's history.

The lines' ``detail`` texts below are written by the store (``store.admin``,
``store.accounts``) and read back here: they are the contract between the two.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from .. import audit
from ..access import Acting, actor
from ..models import AuditEvent, UserAccount

# --- what the store writes into the detail of an account's lines ------------------------
TEMPORARY_PASSWORD = "temporary password given by an admin"
PASSWORD_SET_BY_OPERATOR = "password set by the operator (command line)"
PASSWORD_CHANGED = "password changed"
TOTP_ON = "second factor switched on"
TOTP_OFF = "second factor switched off"
TOTP_RESET = "second factor reset by an admin"
ACTIVATED = "account activated"
DEACTIVATED = "account deactivated"
UNLOCKED = "account unlocked"
ROLE_CHANGED = "role changed from {old} to {new}"
EDITED = "account edited by an admin: {fields}"
WITH_TEMPORARY_PASSWORD = "with a temporary password"  # in a login line's detail
DEVICE = "device: {device}"  # in a login line's detail, last
SAME_PLACE = "temporary password used where the admin gave it"  # a refused login's reason

_CHANGES = {TEMPORARY_PASSWORD: "temporary_password", PASSWORD_SET_BY_OPERATOR: "password_set_by_operator",
            PASSWORD_CHANGED: "password_changed", TOTP_ON: "totp_on", TOTP_OFF: "totp_off", TOTP_RESET: "totp_reset",
            ACTIVATED: "activated", DEACTIVATED: "deactivated", UNLOCKED: "unlocked"}
_ROLE_CHANGED = re.compile(r"^role changed from ([a-z]+) to ([a-z]+)")
_EDITED = re.compile(r"^account edited by an admin: ([a-z_, ]+)$")
_DEVICE = re.compile(r"; device: ([^;]+)$")
ACTIONS = ("login_success", "login_failure", "create", "change")  # the lines an owner reads

EVENT_KINDS = ("login", "login_temporary", "login_failed", "temporary_password_refused", "created",
               *_CHANGES.values(), "role_changed", "edited", "changed")
# What the owner is told at login when someone else did it (a login kind: whoever it was).
LOGIN_NOTICE_KINDS = ("login_temporary", "temporary_password_refused")
NOTICE_KINDS = ("temporary_password", "password_set_by_operator", "totp_reset", "role_changed", "edited",
                "activated", "deactivated", "unlocked", *LOGIN_NOTICE_KINDS)
MAX_NOTICES = 10


@dataclass(frozen=True)
class AccountEvent:
    """One line of an account's history. ``kind`` is one of :data:`EVENT_KINDS`;
    ``by`` the username of who did it when that was someone else (None: the owner, the
    operator, nobody logged in as for a failed login, or an account removed since);
    ``by_operator``: a change without an account (the operator's command line, the demo
    set-up); ``params``: ``old``/``new`` of a role change, ``fields`` (names) of an edit."""

    at: dt.datetime
    kind: str
    by_owner: bool
    by: str | None
    client_address: str | None
    device: str | None = None
    params: dict = field(default_factory=dict)
    by_operator: bool = False


def _kind(line: AuditEvent) -> tuple[str, dict]:
    detail = line.detail or ""
    if line.action == "login_success":
        return ("login_temporary" if WITH_TEMPORARY_PASSWORD in detail else "login"), {}
    if line.action == "login_failure":
        return ("temporary_password_refused" if detail.endswith(SAME_PLACE) else "login_failed"), {}
    if line.action == "create":
        return "created", {}
    if detail in _CHANGES:
        return _CHANGES[detail], {}
    if role := _ROLE_CHANGED.match(detail):
        return "role_changed", {"old": role.group(1), "new": role.group(2)}
    if edited := _EDITED.match(detail):
        return "edited", {"fields": [f.strip() for f in edited.group(1).split(",") if f.strip()]}
    return "changed", {}


def _events(session: Session, account_id: int, *, after_id: int | None = None, since: dt.datetime | None = None,
            limit: int | None = None) -> list[AccountEvent]:
    by = aliased(UserAccount)
    stmt = (select(AuditEvent, by.username).outerjoin(by, by.id == AuditEvent.actor_user_id)
            .where(AuditEvent.subject_type == "user_account", AuditEvent.subject_id == str(account_id),
                   AuditEvent.action.in_(ACTIONS))
            .order_by(AuditEvent.id.desc()))
    if after_id is not None:
        stmt = stmt.where(AuditEvent.id > after_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if limit is not None:
        stmt = stmt.limit(limit)
    events = []
    for line, username in session.execute(stmt):
        kind, params = _kind(line)
        own = line.actor_user_id == account_id
        device = _DEVICE.search(line.detail or "") if line.action == "login_success" else None
        events.append(AccountEvent(at=line.at, kind=kind, by_owner=own, by=None if own else username,
                                   client_address=line.client_address,
                                   device=device.group(1) if device else None, params=params,
                                   by_operator=line.actor_user_id is None and line.action in ("create", "change")))
    return events


def account_events(session: Session, user: Acting, account_id: int | None = None, *,
                   since: dt.datetime | None = None, limit: int | None = None) -> list[AccountEvent]:
    """The history of the acting user's own account, newest first (from ``since``, at
    most ``limit`` lines). ``account_id`` another account's: refused (and audited),
    whoever asks, an admin too (an admin reads the audit log instead)."""
    acting = actor(session, user)
    if account_id is not None and account_id != acting.id:
        audit.deny(session, acting, "only its owner reads an account's history", attempted="account_events",
                   subject_type="user_account", subject_id=account_id)
    return _events(session, acting.id, since=since, limit=limit)


def login_notices(session: Session, user: UserAccount) -> tuple[AccountEvent, ...]:
    """What to tell ``user`` as they log in (before their login is recorded): the
    :data:`NOTICE_KINDS` done by someone else, and every login with a temporary password
    or refused one, since their last login with a password of their own; oldest first."""
    own_logins = (select(AuditEvent.id, AuditEvent.detail)
                  .where(AuditEvent.subject_type == "user_account", AuditEvent.subject_id == str(user.id),
                         AuditEvent.action == "login_success")
                  .order_by(AuditEvent.id.desc()))
    after = next((line_id for line_id, detail in session.execute(own_logins)
                  if WITH_TEMPORARY_PASSWORD not in (detail or "")), None)
    notices = [e for e in _events(session, user.id, after_id=after)
               if e.kind in NOTICE_KINDS and (e.kind in LOGIN_NOTICE_KINDS or not e.by_owner)]
    return tuple(reversed(notices[:MAX_NOTICES]))


def last_temporary_password(session: Session, account_id: int) -> AuditEvent | None:
    """The audit line of the account's newest temporary password (who gave it, from
    which session and address)."""
    return session.scalar(
        select(AuditEvent).where(AuditEvent.subject_type == "user_account",
                                 AuditEvent.subject_id == str(account_id), AuditEvent.action == "change",
                                 AuditEvent.detail == TEMPORARY_PASSWORD)
        .order_by(AuditEvent.id.desc()).limit(1))


def totp_reset_pending(session: Session, account_id: int) -> bool:
    """An admin reset the account's second factor and it has not been set up again
    since (the newest of those lines is the reset)."""
    newest = session.scalar(
        select(AuditEvent.detail).where(AuditEvent.subject_type == "user_account",
                                        AuditEvent.subject_id == str(account_id), AuditEvent.action == "change",
                                        AuditEvent.detail.in_((TOTP_RESET, TOTP_ON)))
        .order_by(AuditEvent.id.desc()).limit(1))
    return newest == TOTP_RESET


__all__ = ["ACTIONS", "AccountEvent", "EVENT_KINDS", "NOTICE_KINDS", "account_events", "last_temporary_password",
           "login_notices", "totp_reset_pending"]

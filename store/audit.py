"""The access log (NEN 7513): one ``audit_event`` per access to personal data.

Each line records the event, the time, the subject (type and id), the acting user and
on whose behalf they acted (the actor themselves unless acting as someone's delegate).
Lines never hold clinical or wellbeing content: ``detail`` names what was accessed
(e.g. "weekly load 2025-W01..2025-W12"), not its values.

What the store logs: every create/change of clinical or wellbeing data,
every read of one person's data by another person (a supervisor reading a therapist's
load), and every refused access (``authz_denied``). A therapist reading their own data
is not logged. Authentication (``login_success``/``login_failure``), export and search
events are written by those features with :func:`record`.
"""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from .errors import AccessDenied
from .models import AUDIT_ACTIONS, AuditEvent, UserAccount


def record(
    session: Session,
    action: str,
    *,
    actor: UserAccount | int | None,
    subject_type: str | None = None,
    subject_id: object = None,
    detail: str | None = None,
    on_behalf_of: UserAccount | int | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (it commits with the work it
    describes, so the log never claims something that was rolled back)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor_id = _id(actor)
    event = AuditEvent(
        action=action,
        actor_user_id=actor_id,
        on_behalf_of_user_id=_id(on_behalf_of) if on_behalf_of is not None else actor_id,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        detail=detail,
    )
    session.add(event)
    return event


def latest_event_id(session: Session | Connection) -> int:
    """The id of the newest audit event (0 for none): a cheap stamp of "what changed".

    Every create, change or delete the store makes to a person's data records an event
    in the same transaction, so a cache of derived figures keyed on this stamp sees
    each committed change at once (and recomputes after other events too)."""
    return int(session.scalar(select(func.max(AuditEvent.id))) or 0)


def deny(
    session: Session,
    actor: UserAccount | int | None,
    reason: str,
    *,
    attempted: str,
    subject_type: str | None = None,
    subject_id: object = None,
) -> NoReturn:
    """Refuse an access: roll back the session's transaction, commit an
    ``authz_denied`` event in a transaction of its own, raise :class:`AccessDenied`.

    The refused unit of work is abandoned as a whole; the denial itself is durable
    whatever the caller does with the exception. (A separate connection is no option:
    on SQLite the session may hold the write lock.)
    """
    actor_id = _id(actor)
    session.rollback()
    record(
        session, "authz_denied", actor=actor_id, subject_type=subject_type,
        subject_id=subject_id, detail=f"{attempted}: {reason}",
    )
    session.commit()
    raise AccessDenied(reason)


def _id(user: UserAccount | int | None) -> int | None:
    if user is None or isinstance(user, int):
        return user
    return user.id

"""The admin's view of the access log: filter by period, actor, person, action and
outcome; page through any number of lines; download the selection as CSV (itself logged
as an export). Only admins read it, and every reading is logged (``audit_log``).

"Person" is on whose data the access was: their account (``user_account``) or, for a
therapist, their therapist record (``therapist``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from data_schema.problems import Problem

from . import audit
from .access import require_role
from .errors import InvalidInput
from .models import AUDIT_ACTIONS, AUDIT_OUTCOMES, AuditEvent, UserAccount

PAGE_SIZE = 200
LOG_COLUMNS = ("at", "actor", "actor_role", "action", "outcome", "subject_type", "subject_id", "detail",
               "client_address", "session_key", "seq")


@dataclass(frozen=True)
class AuditFilter:
    """Which lines: from ``since`` through ``until`` (days, inclusive), by ``actor_id``,
    on ``person_id``'s data, of one ``action`` and one ``outcome``; None = any."""

    since: dt.date | None = None
    until: dt.date | None = None
    actor_id: int | None = None
    person_id: int | None = None
    action: str | None = None
    outcome: str | None = None

    def describe(self) -> str:
        """The filter as the log line about reading the log names it."""
        parts = [f"{name}={value}" for name, value in vars(self).items() if value is not None]
        return ", ".join(parts) or "all lines"


@dataclass(frozen=True)
class AuditPage:
    lines: pd.DataFrame  # LOG_COLUMNS, newest first
    total: int  # lines matching the filter
    page: int  # 0-based
    pages: int


def _conditions(session: Session, chosen: AuditFilter) -> list:
    problems = []
    if chosen.action is not None and chosen.action not in AUDIT_ACTIONS:
        problems.append(Problem.make("not_an_option", None, "action", value=chosen.action,
                                     allowed=", ".join(AUDIT_ACTIONS)))
    if chosen.outcome is not None and chosen.outcome not in AUDIT_OUTCOMES:
        problems.append(Problem.make("not_an_option", None, "outcome", value=chosen.outcome,
                                     allowed=", ".join(AUDIT_OUTCOMES)))
    if chosen.since and chosen.until and chosen.since > chosen.until:
        problems.append(Problem.make("period_order", None, "until"))
    if problems:
        raise InvalidInput(problems)
    where = []
    if chosen.since is not None:
        where.append(AuditEvent.at >= dt.datetime.combine(chosen.since, dt.time(), tzinfo=dt.timezone.utc))
    if chosen.until is not None:
        end = chosen.until + dt.timedelta(days=1)
        where.append(AuditEvent.at < dt.datetime.combine(end, dt.time(), tzinfo=dt.timezone.utc))
    if chosen.actor_id is not None:
        where.append(AuditEvent.actor_user_id == chosen.actor_id)
    if chosen.action is not None:
        where.append(AuditEvent.action == chosen.action)
    if chosen.outcome is not None:
        where.append(AuditEvent.outcome == chosen.outcome)
    if chosen.person_id is not None:
        person = session.get(UserAccount, chosen.person_id)
        about = [and_(AuditEvent.subject_type == "user_account", AuditEvent.subject_id == str(chosen.person_id))]
        if person is not None and person.therapist_id is not None:
            about.append(and_(AuditEvent.subject_type == "therapist",
                              AuditEvent.subject_id == str(person.therapist_id)))
        where.append(or_(*about))
    return where


def _select(where: list):
    actor = aliased(UserAccount)
    return (select(AuditEvent, actor.username).outerjoin(actor, actor.id == AuditEvent.actor_user_id)
            .where(*where).order_by(AuditEvent.id.desc()))


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "at": [e.at for e, _ in rows], "actor": [name for _, name in rows],
        **{c: [getattr(e, c) for e, _ in rows] for c in LOG_COLUMNS if c not in ("at", "actor")},
    }, columns=list(LOG_COLUMNS))


def audit_page(session: Session, user, chosen: AuditFilter = AuditFilter(), *, page: int = 0,
               page_size: int = PAGE_SIZE) -> AuditPage:
    """One page of the lines matching ``chosen``, newest first."""
    acting = require_role(session, user, "admin", "audit_page", "the audit log is for admins only")
    where = _conditions(session, chosen)
    total = int(session.scalar(select(func.count()).select_from(AuditEvent).where(*where)))
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    rows = session.execute(_select(where).offset(page * page_size).limit(page_size)).all()
    audit.record(session, "read", actor=acting, subject_type="audit_log",
                 detail=f"audit log ({chosen.describe()}; page {page + 1} of {pages})")
    return AuditPage(_frame(rows), total, page, pages)


def audit_export(session: Session, user, chosen: AuditFilter = AuditFilter()) -> pd.DataFrame:
    """Every line matching ``chosen`` (for the CSV download), logged as an export."""
    acting = require_role(session, user, "admin", "audit_export", "the audit log is for admins only")
    where = _conditions(session, chosen)
    frame = _frame(session.execute(_select(where)).all())
    audit.record(session, "export", actor=acting, subject_type="audit_log",
                 detail=f"audit log as CSV ({chosen.describe()}; {len(frame)} lines)")
    return frame


__all__ = ["AuditFilter", "AuditPage", "LOG_COLUMNS", "PAGE_SIZE", "audit_export", "audit_page"]

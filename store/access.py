"""Who is acting, and what they may touch: the store's access rules, in one place.

Every use case of the store takes the acting user (a ``UserAccount``, the dashboard's
session user, an ``Account``, or an account id) and starts with :func:`actor`, which
re-reads the account from the database: a role changed since login takes effect at once,
and an account that was deleted or **deactivated** is refused, whatever it asks.

The rules of ``shared/design.md``, as the functions below apply them:

- **therapist**: their own cases, ratings, sessions, check-ins, goals and weekly load
  (:func:`own_therapist_id`, :func:`own_case`).
- **supervisor**: caseload figures of therapists in the teams they supervise
  (:func:`supervised_team_ids`), each read audited; never check-in content; a report
  only when a therapist shared it.
- **researcher**: the pooled, pseudonymised research dataset only.
- **admin**: accounts and the audit log (:func:`require_role`); no clinical or
  wellbeing content.

A refusal commits an ``authz_denied`` audit event and raises :class:`store.AccessDenied`
(see ``store.audit.deny``); the refused unit of work is rolled back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_schema.fields import normalize_case_code
from data_schema.problems import Problem

from . import audit
from .errors import InvalidInput, NotFound
from .models import Case, SupervisorTeam, UserAccount


Acting = Any  # the acting user: a UserAccount, the dashboard's session user, an Account or an account id


def user_id_of(user: object) -> int | None:
    """The account id of an acting user in any of its forms (None when it has none)."""
    if isinstance(user, int) and not isinstance(user, bool):
        return user
    return getattr(user, "id", None)


def actor(session: Session, user: object) -> UserAccount:
    """The acting account as stored now (role and links re-read); refused when it no
    longer exists or is deactivated."""
    user_id = user_id_of(user)
    account = session.get(UserAccount, user_id, populate_existing=True) if user_id is not None else None
    if account is None or not account.active:
        audit.deny(session, user_id, "unknown or deactivated user account", attempted="access")
    return account


def require_role(session: Session, user: object, role: str, attempted: str, reason: str, *,
                 subject_type: str | None = None, subject_id: object = None) -> UserAccount:
    """The acting account if it has ``role``; anyone else is refused (and audited)."""
    acting = actor(session, user)
    if acting.role != role:
        audit.deny(session, acting, reason, attempted=attempted, subject_type=subject_type, subject_id=subject_id)
    return acting


def own_therapist_id(session: Session, acting: UserAccount, attempted: str,
                     subject_type: str | None = None, subject_id: object = None) -> int:
    """The therapist the acting account belongs to; only a therapist has one."""
    if acting.role != "therapist" or acting.therapist_id is None:
        audit.deny(
            session, acting, f"only a therapist can {attempted.replace('_', ' ')}",
            attempted=attempted, subject_type=subject_type, subject_id=subject_id,
        )
    return acting.therapist_id


def own_case(session: Session, user: object, case_code: str, attempted: str) -> tuple[UserAccount, Case]:
    """The acting therapist and one of their own cases, by its code as typed."""
    acting = actor(session, user)
    try:
        code = normalize_case_code(case_code)
    except ValueError:
        raise InvalidInput([Problem.make("bad_case_code", None, "case_code", value=case_code)]) from None
    tid = own_therapist_id(session, acting, attempted, "case", code)
    case = session.scalars(select(Case).where(Case.code == code)).one_or_none()
    if case is None:
        raise NotFound(f"no case {code}")
    if case.therapist_id != tid:
        audit.deny(session, acting, "the case belongs to another therapist",
                   attempted=attempted, subject_type="case", subject_id=code)
    return acting, case


def supervised_team_ids(session: Session, acting: UserAccount) -> set[int]:
    """The teams the acting account supervises (none for any other role)."""
    return set(session.scalars(select(SupervisorTeam.team_id).where(SupervisorTeam.user_id == acting.id)))


__all__ = ["Acting", "actor", "own_case", "own_therapist_id", "require_role", "supervised_team_ids", "user_id_of"]

"""The therapist's control over their own data ("My data").

- **Sharing**: a therapist shares their reports of a period with one named supervisor,
  and can revoke that at any time. A supervisor sees a therapist's check-in based
  figures only through such a grant, and each such read is logged.
- **Research consent**: given or withdrawn by the therapist; a consent carries a random
  research id, so pooled research data never carries the therapist's id.
- **Access log**: who (other than the therapist) read or changed their data, and when.
- **Erasure**: the therapist's cases, ratings, sessions, check-ins, goals, grants,
  consents, therapist record and account are deleted after they type their username to
  confirm. The audit log keeps its lines (they hold no content) as the law asks.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from complexity.calendar import monday_of
from data_schema.problems import Problem

from . import audit
from .errors import InvalidInput, NotFound
from .models import (
    AuditEvent,
    Case,
    ResearchConsent,
    ShareGrant,
    SupervisorTeam,
    Therapist,
    UserAccount,
    utcnow,
)
from .access import actor, own_therapist_id

MAX_SHARE_WEEKS = 53


@dataclass(frozen=True)
class ShareRecord:
    id: int
    supervisor: str  # username
    period_start: dt.date
    period_end: dt.date
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class AccessRecord:
    at: dt.datetime
    who: str | None  # username; None when the account was removed
    role: str | None
    action: str
    what: str | None


def _own_team_supervisors(session: Session, therapist_id: int):
    """The active supervisor accounts of the therapist's own team (none without a team)."""
    team_id = session.scalar(select(Therapist.team_id).where(Therapist.id == therapist_id))
    return (select(UserAccount)
            .join(SupervisorTeam, SupervisorTeam.user_id == UserAccount.id)
            .where(SupervisorTeam.team_id == team_id, UserAccount.role == "supervisor",
                   UserAccount.active.is_(True))
            .order_by(UserAccount.username))


def supervisors(session: Session, user: UserAccount) -> list[str]:
    """Usernames of the supervisors a therapist can share a report with: those of their
    own team."""
    tid = own_therapist_id(session, actor(session, user), "list_supervisors")
    return [account.username for account in session.scalars(_own_team_supervisors(session, tid))]


def grant_share(session: Session, user: UserAccount, supervisor: str, period_start: dt.date,
                period_end: dt.date) -> ShareRecord:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "grant_share")
    problems = []
    target = session.scalar(_own_team_supervisors(session, tid).where(UserAccount.username == supervisor))
    if target is None:  # no such supervisor, or not one of the therapist's own team
        problems.append(Problem.make("not_your_supervisor", None, "supervisor", value=supervisor))
    # Reports show whole ISO weeks, so a share covers whole weeks too: what the therapist
    # sees listed is exactly what the supervisor can open.
    period_start = monday_of(period_start)
    period_end = monday_of(period_end) + dt.timedelta(days=6)
    if period_end < period_start:
        problems.append(Problem.make("period_order", None, "period"))
    elif (period_end - period_start).days // 7 + 1 > MAX_SHARE_WEEKS:
        problems.append(Problem.make("period_too_long", None, "period", max=MAX_SHARE_WEEKS))
    if problems:
        raise InvalidInput(problems)
    grant = ShareGrant(therapist_id=tid, supervisor_user_id=target.id, period_start=period_start,
                       period_end=period_end)
    session.add(grant)
    session.flush()
    audit.record(session, "create", actor=acting, subject_type="therapist", subject_id=tid,
                 detail=f"report {period_start}..{period_end} shared with {target.username}")
    return ShareRecord(grant.id, target.username, period_start, period_end, grant.created_at, None)


def revoke_share(session: Session, user: UserAccount, grant_id: int) -> None:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "revoke_share")
    grant = session.get(ShareGrant, grant_id)
    if grant is None or grant.therapist_id != tid:
        raise NotFound(f"no share {grant_id}")
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        audit.record(session, "change", actor=acting, subject_type="therapist", subject_id=tid,
                     detail=f"share {grant_id} revoked")
    session.flush()


def my_shares(session: Session, user: UserAccount) -> list[ShareRecord]:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "my_shares")
    rows = session.execute(
        select(ShareGrant, UserAccount.username).join(UserAccount, UserAccount.id == ShareGrant.supervisor_user_id)
        .where(ShareGrant.therapist_id == tid).order_by(ShareGrant.created_at.desc(), ShareGrant.id.desc())
    ).all()
    return [ShareRecord(g.id, name, g.period_start, g.period_end, g.created_at, g.revoked_at) for g, name in rows]


def research_consent(session: Session, user: UserAccount) -> bool:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "research_consent")
    return session.scalar(select(ResearchConsent.id).where(
        ResearchConsent.therapist_id == tid, ResearchConsent.withdrawn_at.is_(None))) is not None


def set_research_consent(session: Session, user: UserAccount, consent: bool) -> bool:
    """Give (a new random research id) or withdraw consent; returns the new state."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "set_research_consent")
    current = session.scalars(select(ResearchConsent).where(
        ResearchConsent.therapist_id == tid, ResearchConsent.withdrawn_at.is_(None))).all()
    if consent and not current:
        session.add(ResearchConsent(therapist_id=tid, research_id=secrets.token_hex(16)))
        audit.record(session, "create", actor=acting, subject_type="therapist", subject_id=tid,
                     detail="research consent given")
    elif not consent and current:
        for row in current:
            row.withdrawn_at = utcnow()
        audit.record(session, "change", actor=acting, subject_type="therapist", subject_id=tid,
                     detail="research consent withdrawn")
    session.flush()
    return consent


def access_log(session: Session, user: UserAccount, *, limit: int = 500) -> list[AccessRecord]:
    """Who else read, changed or exported the therapist's data, newest first."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "access_log")
    codes = list(session.scalars(select(Case.code).where(Case.therapist_id == tid)))
    about_me = or_(
        and_(AuditEvent.subject_type == "therapist", AuditEvent.subject_id == str(tid)),
        and_(AuditEvent.subject_type == "case", AuditEvent.subject_id.in_(codes)) if codes else False,
    )
    rows = session.execute(
        select(AuditEvent, UserAccount.username, UserAccount.role)
        .outerjoin(UserAccount, UserAccount.id == AuditEvent.actor_user_id)
        .where(about_me, or_(AuditEvent.actor_user_id.is_(None), AuditEvent.actor_user_id != acting.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()
    return [AccessRecord(e.at, name, role, e.action, e.detail) for e, name, role in rows]


def export_my_data(session: Session, user: UserAccount) -> bytes:
    """All of the therapist's data as a zip of CSV files with the codebook (logged)."""
    from .exporter import my_data_zip

    return my_data_zip(session, user)


def erase_my_data(session: Session, user: UserAccount, confirmation: str) -> None:
    """Delete everything of the therapist and their account. ``confirmation`` must be
    the username. The caller must end the login session afterwards."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "erase_my_data")
    if (confirmation or "").strip() != acting.username:
        raise InvalidInput(Problem.make("confirmation", None, "confirmation"))
    session.execute(delete(Case).where(Case.therapist_id == tid))  # ratings and sessions cascade
    session.execute(delete(UserAccount).where(UserAccount.therapist_id == tid))
    session.execute(delete(Therapist).where(Therapist.id == tid))  # check-ins, goals, grants, consents cascade
    audit.record(session, "delete", actor=acting.id, subject_type="therapist", subject_id=tid,
                 detail="therapist erased their data and account")
    session.flush()
    session.expunge_all()

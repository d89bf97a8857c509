"""What a supervisor sees: the caseload load of the teams they supervise, and the
reports therapists chose to share with them.

Caseload figures are work-organisation data (load index, sessions, complex-case counts,
the load flags); wellbeing data (check-ins, the balance flag, goals) never appears here,
only in a report a therapist shares for a period, which the supervisor opens through
:func:`store.overview.period_report` (logged).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, Flag, ModelConfig, therapist_flags
from complexity.calendar import monday_of, today
from complexity.flags import TEAM

from . import audit
from .models import ShareGrant, SupervisorTeam, Team, Therapist, UserAccount
from .access import actor
from .load import team_caseload, team_weekly_load

TEAM_WEEKS = 12


@dataclass(frozen=True)
class TeamOverview:
    team_id: int
    team_name: str
    week_start: dt.date
    load: pd.DataFrame  # team_weekly_load: one row per therapist per week
    caseload: pd.DataFrame  # team_caseload: open cases by band per therapist
    flags: list[Flag]  # load flags (team audience) of the last complete week and this week


@dataclass(frozen=True)
class SharedReport:
    grant_id: int
    therapist_id: int
    therapist: str  # display name
    period_start: dt.date
    period_end: dt.date


def supervised_teams(session: Session, user: UserAccount) -> list[tuple[int, str]]:
    acting = actor(session, user)
    if acting.role != "supervisor":
        audit.deny(session, acting, "teams are for supervisors", attempted="supervised_teams")
    return [tuple(r) for r in session.execute(
        select(Team.id, Team.name).join(SupervisorTeam, SupervisorTeam.team_id == Team.id)
        .where(SupervisorTeam.user_id == acting.id).order_by(Team.name)).all()]


def team_overview(session: Session, user: UserAccount, team_id: int, *, weeks: int = TEAM_WEEKS,
                  as_of: dt.date | None = None, config: ModelConfig = DEFAULT_CONFIG) -> TeamOverview:
    """The team's weekly load and caseload (each therapist's read is logged by the
    store's load functions) with the flags a supervisor may see."""
    as_of = as_of or today()
    load = team_weekly_load(session, user, team_id, weeks, as_of=as_of, config=config)
    caseload = team_caseload(session, user, team_id)
    current = monday_of(as_of)
    flags: list[Flag] = []
    for week in (current, current - dt.timedelta(weeks=1)):
        seen = {(f.code, f.subject) for f in flags}
        flags += [f for f in therapist_flags(load, None, config, as_of=week)
                  if f.audience == TEAM and (f.code, f.subject) not in seen]
    name = session.get(Team, team_id).name
    return TeamOverview(team_id, name, current, load, caseload, flags)


def shared_with_me(session: Session, user: UserAccount, *, on: dt.date | None = None) -> list[SharedReport]:
    """Active shares of therapists' reports with this supervisor."""
    acting = actor(session, user)
    if acting.role != "supervisor":
        audit.deny(session, acting, "shared reports are for supervisors", attempted="shared_with_me")
    rows = session.execute(
        select(ShareGrant.id, ShareGrant.therapist_id, Therapist.display_name, ShareGrant.period_start,
               ShareGrant.period_end)
        .join(Therapist, Therapist.id == ShareGrant.therapist_id)
        .where(ShareGrant.supervisor_user_id == acting.id, ShareGrant.revoked_at.is_(None))
        .order_by(ShareGrant.created_at.desc(), ShareGrant.id.desc())
    ).all()
    return [SharedReport(*r) for r in rows]

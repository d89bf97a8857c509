"""What a supervisor sees: the caseload load of the teams they supervise, and the
reports therapists chose to share with them.

Caseload figures are work-organisation data (load index, sessions, complex-case counts,
the alerts of ``store.alerts``); wellbeing data (check-ins, the balance flag, goals) never appears here,
only in a report a therapist shares for a period, which the supervisor opens through
:func:`store.overview.period_report` (logged).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, ModelConfig
from complexity.calendar import monday_of, today
from complexity.config import BANDS

from . import audit
from .models import ShareGrant, SupervisorTeam, Team, Therapist, UserAccount
from .access import actor
from .alerts import Alert, last_complete_week, team_alerts
from .load import team_caseload, team_weekly_load

TEAM_WEEKS = 12


@dataclass(frozen=True)
class TeamOverview:
    team_id: int
    team_name: str
    week_start: dt.date  # the week in progress
    last_complete: dt.date  # the last week that has ended
    load: pd.DataFrame  # team_weekly_load: one row per therapist per week
    caseload: pd.DataFrame  # team_caseload: open cases by band per therapist
    alerts: list[Alert]  # open first, then those marked as discussed
    glance: pd.DataFrame  # one row per therapist, who needs attention first (team_glance)


@dataclass(frozen=True)
class SharedReport:
    grant_id: int
    therapist_id: int
    therapist: str  # display name
    period_start: dt.date
    period_end: dt.date
    username: str | None = None  # the therapist's account, as their own report file names them


def supervised_teams(session: Session, user: UserAccount) -> list[tuple[int, str]]:
    acting = actor(session, user)
    if acting.role != "supervisor":
        audit.deny(session, acting, "teams are for supervisors", attempted="supervised_teams")
    return [tuple(r) for r in session.execute(
        select(Team.id, Team.name).join(SupervisorTeam, SupervisorTeam.team_id == Team.id)
        .where(SupervisorTeam.user_id == acting.id, Team.archived_on.is_(None)).order_by(Team.name)).all()]


def team_overview(session: Session, user: UserAccount, team_id: int, *, weeks: int = TEAM_WEEKS,
                  as_of: dt.date | None = None, config: ModelConfig = DEFAULT_CONFIG) -> TeamOverview:
    """The team's weekly load and caseload (each therapist's read is logged by the
    store's load functions), its alerts and the table at a glance."""
    as_of = as_of or today()
    load = team_weekly_load(session, user, team_id, weeks, as_of=as_of, config=config)
    caseload = team_caseload(session, user, team_id)
    alerts = team_alerts(session, user, team_id, load=load, as_of=as_of, config=config)
    name = session.get(Team, team_id).name
    current, last = monday_of(as_of), last_complete_week(as_of)
    return TeamOverview(team_id, name, current, last, load, caseload, alerts,
                        team_glance(load, caseload, current, last))


ATTENTION = {"red": 0, "amber": 1}  # the rest after these
TREND_WEEKS = 4  # the slope that orders therapists of the same status


def team_glance(load: pd.DataFrame, caseload: pd.DataFrame, current: dt.date, last: dt.date) -> pd.DataFrame:
    """One row per therapist: load index and status this week (in progress) and in the
    last complete week, the complete weeks' load index as a trend, open and complex
    cases and the band mix. Ordered by who needs attention first: red (this week or last)
    before amber before the rest, then the steepest rise over the last ``TREND_WEEKS``
    complete weeks, then by name."""
    frame = load.assign(week_start=pd.to_datetime(load["week_start"]))
    li = frame.pivot(index="therapist_id", columns="week_start", values="load_index").sort_index(axis=1)
    status = frame.pivot(index="therapist_id", columns="week_start", values="status").reindex(
        index=li.index, columns=li.columns)
    weeks = list(li.columns)
    now = weeks.index(pd.Timestamp(current)) if pd.Timestamp(current) in weeks else None
    before = weeks.index(pd.Timestamp(last)) if pd.Timestamp(last) in weeks else None
    complete = [i for i, w in enumerate(weeks) if w <= pd.Timestamp(last)]
    values, statuses = li.to_numpy(dtype=float), status.to_numpy()  # arrays: no per-cell lookups
    position = {tid: row for row, tid in enumerate(li.index)}
    counts = caseload[["open_cases", "complex_cases", *BANDS, "incomplete", "unrated"]].to_numpy(dtype=int)
    rows = []
    for r, (tid, name) in enumerate(zip(caseload["therapist_id"], caseload["display_name"])):
        row = position.get(tid)
        trend = [] if row is None else [None if v != v else round(float(v), 2) for v in values[row, complete]]
        recent = [v for v in trend[-TREND_WEEKS:] if v is not None]

        def at(week):
            if row is None or week is None:
                return None, None
            v = values[row, week]
            return (None if v != v else float(v)), statuses[row, week]

        (index_now, status_now), (index_last, status_last) = at(now), at(before)
        rows.append({
            "therapist_id": tid, "display_name": name,
            "load_index_now": index_now, "status_now": status_now,
            "load_index_last": index_last, "status_last": status_last,
            "trend": trend,
            "slope": (recent[-1] - recent[0]) / (len(recent) - 1) if len(recent) > 1 else 0.0,
            "attention": min((ATTENTION.get(s, len(ATTENTION)) for s in (status_now, status_last) if s is not None),
                             default=len(ATTENTION)),
            **dict(zip(("open_cases", "complex_cases", *BANDS, "incomplete", "unrated"), counts[r].tolist())),
        })
    glance = pd.DataFrame(rows)
    if glance.empty:
        return glance
    glance = glance.sort_values(["attention", "slope", "display_name"], ascending=[True, False, True])
    return glance.reset_index(drop=True)


def shared_with_me(session: Session, user: UserAccount, *, on: dt.date | None = None) -> list[SharedReport]:
    """Active shares of therapists' reports with this supervisor."""
    acting = actor(session, user)
    if acting.role != "supervisor":
        audit.deny(session, acting, "shared reports are for supervisors", attempted="shared_with_me")
    rows = session.execute(
        select(ShareGrant.id, ShareGrant.therapist_id, Therapist.display_name, ShareGrant.period_start,
               ShareGrant.period_end, UserAccount.username)
        .join(Therapist, Therapist.id == ShareGrant.therapist_id)
        .outerjoin(UserAccount, UserAccount.therapist_id == Therapist.id)
        .where(ShareGrant.supervisor_user_id == acting.id, ShareGrant.revoked_at.is_(None))
        .order_by(ShareGrant.created_at.desc(), ShareGrant.id.desc())
    ).all()
    return [SharedReport(*r) for r in rows]

"""Team history (issue 12): archiving a team, moving a therapist to another team from a
given week, and which therapists a team had in which weeks.

A therapist's history is their ``team_membership`` rows (team, from which Monday on); a
therapist without rows has always been in ``therapist.team_id``. Every change of
``therapist.team_id`` through the ORM, by any writer (an admin's edit, this module),
records a row (:func:`_record_team_changes`): from the date :func:`move_therapist`
passes, or else from this week's Monday. So a team's past weeks keep the therapists it
had then (``store.load.team_weekly_load`` reads :func:`team_weeks`), and a supervisor
of the new team sees the therapist from the move on.

For admins only (anyone else is refused and audited); each change is logged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from complexity.calendar import monday_of, today
from data_schema.problems import Problem

from . import audit
from .access import Acting, require_role
from .errors import InvalidInput, NotFound, Refused
from .models import Team, TeamMembership, Therapist

SINCE_ALWAYS = dt.date(1900, 1, 1)  # the first row of a history that began before any data
_MOVE_FROM = "membership.from"  # session.info: therapist id -> the Monday a move takes effect


def _admin(session: Session, user: Acting, attempted: str, **subject: object):
    return require_role(session, user, "admin", attempted, "the practice's structure is for admins", **subject)


@event.listens_for(Session, "before_flush")
def _record_team_changes(session: Session, flush_context, instances) -> None:
    moves = session.info.get(_MOVE_FROM, {})
    for therapist in [o for o in session.dirty if isinstance(o, Therapist)]:
        history = inspect(therapist).attrs.team_id.history
        if not history.has_changes() or not history.deleted:
            continue
        old, new = history.deleted[0], history.added[0] if history.added else None
        start = moves.pop(therapist.id, None) or monday_of(today())
        rows = {m.valid_from: m for m in session.scalars(
            select(TeamMembership).where(TeamMembership.therapist_id == therapist.id))}
        if not rows:  # the history so far: the old team, since always
            session.add(TeamMembership(therapist_id=therapist.id, team_id=old, valid_from=SINCE_ALWAYS))
        if start in rows:  # two moves in one week: the last one counts
            rows[start].team_id = new
        else:
            session.add(TeamMembership(therapist_id=therapist.id, team_id=new, valid_from=start))


def team_weeks(session: Session, team_id: int, therapists: list[Therapist] | None = None
               ) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """Per active therapist who ever belonged to ``team_id``: the periods they did
    (from a Monday, up to the next change's Monday, or open)."""
    rows = session.execute(select(TeamMembership.therapist_id, TeamMembership.team_id, TeamMembership.valid_from)
                           .join(Therapist, Therapist.id == TeamMembership.therapist_id)
                           .where(Therapist.active.is_(True))
                           .where(TeamMembership.therapist_id.in_(
                               select(TeamMembership.therapist_id).where(TeamMembership.team_id == team_id)))
                           .order_by(TeamMembership.therapist_id, TeamMembership.valid_from)).all()
    by_therapist: dict[int, list[tuple[int | None, dt.date]]] = defaultdict(list)
    for tid, tm, start in rows:
        by_therapist[tid].append((tm, start))
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for tid, history in by_therapist.items():
        ends = [start for _, start in history[1:]] + [None]
        periods[tid] = [(start, end) for (tm, start), end in zip(history, ends) if tm == team_id]
    with_history = select(TeamMembership.therapist_id)
    for tid in session.scalars(select(Therapist.id).where(Therapist.team_id == team_id, Therapist.active.is_(True),
                                                          Therapist.id.not_in(with_history))):
        periods[tid] = [(SINCE_ALWAYS, None)]
    return periods


def team_list(session: Session, user: Acting) -> list[tuple[int, str, bool]]:
    """Every team as ``(id, name, archived)``, by name, for an admin."""
    _admin(session, user, "team_list")
    return [(t.id, t.name, t.archived_on is not None) for t in session.scalars(select(Team).order_by(Team.name))]


def therapist_list(session: Session, user: Acting) -> list[tuple[int, str, int | None]]:
    """Every active therapist as ``(id, display name, current team id)``, for an admin."""
    _admin(session, user, "therapist_list")
    return [tuple(r) for r in session.execute(select(Therapist.id, Therapist.display_name, Therapist.team_id)
                                               .where(Therapist.active.is_(True)).order_by(Therapist.display_name))]


def move_therapist(session: Session, user: Acting, therapist_id: int, team_id: int, from_week: dt.date) -> None:
    """Move a therapist to another (not archived) team from the week of ``from_week``
    on (not in the future, not before their last move); the weeks before stay with the
    team they were in."""
    acting = _admin(session, user, "move_therapist", subject_type="therapist", subject_id=therapist_id)
    therapist, team = session.get(Therapist, therapist_id), session.get(Team, team_id)
    if therapist is None:
        raise NotFound(f"no therapist {therapist_id}")
    start = monday_of(from_week)
    last = session.scalar(select(func.max(TeamMembership.valid_from)).where(TeamMembership.therapist_id == therapist_id))
    problems = []
    if team is None or team.archived_on is not None:
        problems.append(Problem.make("unknown_team", None, "team", value=team_id))
    elif team.id == therapist.team_id:
        problems.append(Problem.make("already_in_team", None, "team", value=team.name))
    if start > monday_of(today()) or (last is not None and start < last):
        problems.append(Problem.make("out_of_range", None, "from_week", value=start.isoformat(),
                                     lo=(last or SINCE_ALWAYS).isoformat(), hi=monday_of(today()).isoformat()))
    if problems:
        raise InvalidInput(problems)
    session.info.setdefault(_MOVE_FROM, {})[therapist.id] = start
    therapist.team_id = team.id
    session.flush()
    audit.record(session, "change", actor=acting, subject_type="therapist", subject_id=therapist_id,
                 detail=f"moved to team {team.id} from {start.isoformat()}")


def archive_team(session: Session, user: Acting, team_id: int) -> None:
    """Archive a team that no active therapist is in any more: it is no longer offered
    (My teams, new accounts, moves); its history stays."""
    acting = _admin(session, user, "archive_team", subject_type="team", subject_id=team_id)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    members = session.scalar(select(func.count()).select_from(Therapist)
                             .where(Therapist.team_id == team_id, Therapist.active.is_(True)))
    if members:
        raise Refused("refused.team_has_therapists", name=team.name, count=members)
    team.archived_on = today()
    audit.record(session, "change", actor=acting, subject_type="team", subject_id=team_id, detail="team archived")


__all__ = ["SINCE_ALWAYS", "archive_team", "move_therapist", "team_list", "team_weeks", "therapist_list"]

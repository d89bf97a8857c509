"""Weekly load from the stored sessions: a therapist's own, and a team's for its
supervisors, summed in SQL (the hot path of the team overview, ``bench/bench_team_load.py``).

The columns are those of ``complexity.load.weekly_load`` (sessions, unscored_sessions,
load, capacity, load_index, status, one row per therapist per ISO week). A therapist
reads their own; a supervisor reads the therapists of the teams they supervise, and each
therapist's figures read is audited (``read``). Counts of open cases by band
(:func:`team_caseload`) identify no case.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, ModelConfig
from complexity.calendar import iso_week_label, monday_of, today
from complexity.config import BANDS
from complexity.load import LOAD_COLUMNS, join_versions, load_from_totals
from data_schema.problems import Problem

from . import audit
from .access import actor, supervised_team_ids
from .errors import InvalidInput
from .membership import SINCE_ALWAYS, team_weeks
from .models import Case, CaseRating, Therapist, TherapySession, UserAccount
from .sql import week_start as sql_week_start

MAX_WEEKS = 520
COMPLEX_BANDS: tuple[str, ...] = ("moderate", "severe")
UNRATED = "unrated"


def week_range(weeks: int | Iterable[dt.date], as_of: dt.date | None = None) -> list[dt.date]:
    """The Mondays asked for: ``weeks`` ISO weeks up to and including the week of
    ``as_of`` (default today), or the weeks of the given dates, sorted."""
    if isinstance(weeks, (int, np.integer)) and not isinstance(weeks, bool):
        n = int(weeks)
        if not 1 <= n <= MAX_WEEKS:
            raise InvalidInput(Problem.make("out_of_range", None, "weeks", value=n, lo=1, hi=MAX_WEEKS))
        last = monday_of(as_of or today())
        return [last - dt.timedelta(weeks=n - 1 - i) for i in range(n)]
    mondays = sorted({monday_of(_as_date(w)) for w in weeks})
    if not mondays:
        raise InvalidInput(Problem.make("required", None, "weeks"))
    if len(mondays) > MAX_WEEKS:
        raise InvalidInput(Problem.make("period_too_long", None, "weeks", max=MAX_WEEKS))
    return mondays


def _as_date(value: object) -> dt.date:
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())
    raise TypeError(f"{value!r} is not a date")


def weekly_totals(session: Session, where, mondays: Sequence[dt.date]) -> pd.DataFrame:
    """Sessions, unscored sessions and summed weight per therapist per ISO week, summed
    in SQL over the sessions matching ``where`` (a condition on ``therapy_session``) in
    the weeks ``mondays``. One aggregation over the session table alone (no join), its
    rows turned into columns in one go. ``model_versions`` names the lowest and highest
    model version that weighed a therapist's week (every one, while a week holds at most
    two: the week of an upgrade)."""
    week = sql_week_start(TherapySession.session_date).label("week_start")
    stmt = (
        select(
            TherapySession.therapist_id,
            week,
            func.count().label("sessions"),
            (func.count() - func.count(TherapySession.complexity)).label("unscored_sessions"),
            func.sum(TherapySession.weight).label("load"),
            func.min(TherapySession.model_version).label("first_model"),
            func.max(TherapySession.model_version).label("last_model"),
        )
        .where(
            where,
            TherapySession.session_date >= mondays[0],
            TherapySession.session_date < mondays[-1] + dt.timedelta(days=7),
        )
        .group_by(TherapySession.therapist_id, week)
    )
    columns = ["therapist_id", "week_start", "sessions", "unscored_sessions", "load", "first_model", "last_model"]
    rows = session.execute(stmt).all()
    by_column = list(zip(*rows)) if rows else [()] * len(columns)
    raw = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in zip(columns, by_column)})
    raw = raw[raw["week_start"].isin(set(mondays))]
    return pd.DataFrame(
        {
            "therapist_id": raw["therapist_id"].astype("int64"),
            "week_start": pd.to_datetime(raw["week_start"].astype(object)),
            "sessions": raw["sessions"].astype("int64"),
            "unscored_sessions": raw["unscored_sessions"].fillna(0).astype("int64"),
            "load": raw["load"].astype("float64"),
            "model_versions": [join_versions((a, b)) for a, b in zip(raw["first_model"], raw["last_model"])],
        }
    ).reset_index(drop=True)


def load_frame(session: Session, therapists: Sequence[Therapist], where, mondays, config) -> pd.DataFrame:
    """The weekly load of ``therapists`` (their sessions matching ``where``) in the
    weeks ``mondays``; no access check (callers check)."""
    info = pd.DataFrame(
        {
            "therapist_id": pd.Series([t.id for t in therapists], dtype="int64"),
            "contracted_sessions": pd.Series([t.contracted_sessions for t in therapists], dtype="int64"),
            "is_starting": pd.Series([t.is_starting for t in therapists], dtype=bool),
        }
    )
    totals = weekly_totals(session, where, mondays)
    return load_from_totals(totals, info, config, weeks=[pd.Timestamp(m) for m in mondays])


def _weeks_detail(mondays: Sequence[dt.date]) -> str:
    first, last = iso_week_label(mondays[0]), iso_week_label(mondays[-1])
    return f"weekly load {first}" if first == last else f"weekly load {first}..{last}"


def therapist_weekly_load(
    session: Session,
    user: UserAccount,
    therapist_id: int,
    weeks: int | Iterable[dt.date],
    *,
    as_of: dt.date | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
) -> pd.DataFrame:
    """One therapist's weekly load: a row per ISO week. ``weeks``: a number of weeks up
    to the week of ``as_of`` (default today), or dates whose weeks to report.

    The therapist reads their own; a supervisor reads a therapist of a team they
    supervise (audited)."""
    acting = actor(session, user)
    mondays = week_range(weeks, as_of)
    therapist = session.get(Therapist, therapist_id)
    if acting.role == "therapist" and acting.therapist_id == therapist_id and therapist is not None:
        pass
    elif (acting.role == "supervisor" and therapist is not None
          and therapist.team_id in supervised_team_ids(session, acting)):
        audit.record(session, "read", actor=acting, subject_type="therapist", subject_id=therapist_id,
                     detail=_weeks_detail(mondays))
    else:
        audit.deny(session, acting, "this weekly load is not yours to read",
                   attempted="therapist_weekly_load", subject_type="therapist", subject_id=therapist_id)
    return load_frame(session, [therapist], TherapySession.therapist_id == therapist_id, mondays, config)


def _team_therapists(session: Session, user: UserAccount, team_id: int,
                     attempted: str) -> tuple[UserAccount, list[Therapist]]:
    acting = actor(session, user)
    if acting.role != "supervisor" or team_id not in supervised_team_ids(session, acting):
        audit.deny(session, acting, "team figures are for the team's supervisors",
                   attempted=attempted, subject_type="team", subject_id=team_id)
    therapists = session.scalars(
        select(Therapist).where(Therapist.team_id == team_id, Therapist.active.is_(True)).order_by(Therapist.id)
    ).all()
    return acting, list(therapists)


def team_weekly_load(
    session: Session,
    user: UserAccount,
    team_id: int,
    weeks: int | Iterable[dt.date],
    *,
    as_of: dt.date | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
) -> pd.DataFrame:
    """Weekly load of every active therapist of a team (one SQL aggregation for the
    team), for its supervisors; columns as :func:`therapist_weekly_load` plus
    ``display_name``. A therapist who moved counts only in the weeks they belonged to
    the team (``store.membership``). Each therapist's figures read are logged (audit
    ``read``)."""
    acting, _current = _team_therapists(session, user, team_id, "team_weekly_load")
    mondays = week_range(weeks, as_of)
    periods = team_weeks(session, team_id)  # who belonged to the team in which weeks
    therapists = list(session.scalars(select(Therapist).where(Therapist.id.in_(list(periods)))
                                      .order_by(Therapist.id))) if periods else []
    ids = [t.id for t in therapists]
    frame = load_frame(
        session, therapists, TherapySession.therapist_id.in_(ids), mondays, config,
    ) if ids else pd.DataFrame({c: [] for c in LOAD_COLUMNS})
    if any(p != [(SINCE_ALWAYS, None)] for p in periods.values()):  # someone moved: their weeks elsewhere go
        week = pd.to_datetime(frame["week_start"]).dt.date
        member = [any(start <= w and (end is None or w < end) for start, end in periods[tid])
                  for tid, w in zip(frame["therapist_id"], week)]
        frame = frame[member].reset_index(drop=True)
    for tid in ids:
        audit.record(session, "read", actor=acting, subject_type="therapist", subject_id=tid,
                     detail=f"{_weeks_detail(mondays)} (team {team_id})")
    names = {t.id: t.display_name for t in therapists}
    frame["display_name"] = frame["therapist_id"].map(names)
    return frame


def team_caseload(session: Session, user: UserAccount, team_id: int) -> pd.DataFrame:
    """Open cases per active therapist of a team by the band of their latest rating,
    for the team's supervisors: ``therapist_id``, ``display_name``, ``open_cases``,
    one column per band plus ``incomplete`` and ``unrated``, and ``complex_cases``
    (moderate + severe). Counts only; no case is identified. Audited per therapist."""
    acting, therapists = _team_therapists(session, user, team_id, "team_caseload")
    rn = func.row_number().over(
        partition_by=CaseRating.case_id, order_by=(CaseRating.rated_on.desc(), CaseRating.id.desc())
    )
    ids = [t.id for t in therapists]
    latest = (
        select(CaseRating.case_id, CaseRating.band, rn.label("rn"))
        .join(Case, Case.id == CaseRating.case_id)
        .where(Case.therapist_id.in_(ids), Case.closed_on.is_(None))
        .subquery()
    )
    band = func.coalesce(latest.c.band, UNRATED).label("band")
    stmt = (
        select(Case.therapist_id, band, func.count().label("n"))
        .outerjoin(latest, and_(latest.c.case_id == Case.id, latest.c.rn == 1))
        .where(Case.therapist_id.in_(ids), Case.closed_on.is_(None))
        .group_by(Case.therapist_id, band)
    )
    columns = list(BANDS) + ["incomplete", UNRATED]
    counts = {tid: dict.fromkeys(columns, 0) for tid in ids}
    for r in session.execute(stmt):
        counts[r.therapist_id][r.band] = int(r.n)
    rows = []
    for t in therapists:
        c = counts[t.id]
        rows.append({"therapist_id": t.id, "display_name": t.display_name, "open_cases": sum(c.values()),
                     **c, "complex_cases": sum(c[b] for b in COMPLEX_BANDS)})
        audit.record(session, "read", actor=acting, subject_type="therapist", subject_id=t.id,
                     detail=f"caseload counts (team {team_id})")
    return pd.DataFrame(rows, columns=["therapist_id", "display_name", "open_cases", *columns, "complex_cases"])


__all__ = [
    "COMPLEX_BANDS", "MAX_WEEKS", "UNRATED", "load_frame", "team_caseload", "team_weekly_load",
    "therapist_weekly_load", "week_range", "weekly_totals",
]

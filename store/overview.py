"""What a therapist's home page ("My week") shows, gathered in one call.

The balance: the last weeks of load (complexity-weighted sessions against capacity) and
capacity (from the weekly check-in) on one time axis, this week's flags with their
reasons, and whether this week's check-in is still open. Everything here is the
therapist's own data, read by that therapist only (nothing is logged for own reads).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, INSTRUMENT, Flag, ModelConfig, therapist_flags
from complexity.scoring import case_flags
from complexity.flags import sort_flags
from complexity.calendar import iso_week_label, monday_of, today

from data_schema.problems import Problem

from . import audit
from .errors import InvalidInput
from .models import Case, CaseRating, SelfcareGoal, ShareGrant, Therapist, TherapySession, UserAccount, WeeklyCheckin
from .access import actor, own_therapist_id
from .alerts import Alert, my_alerts
from .load import load_frame, therapist_weekly_load, week_range
from .selfcare import GoalRecord, goals_to_review
from .cases import RANGE_ITEMS

BALANCE_WEEKS = 12


@dataclass(frozen=True)
class MyWeek:
    """``balance``: one row per week (oldest first) with ``week_start``, ``week``
    (ISO label), ``sessions``, ``load``, ``capacity``, ``load_index``, ``status`` and
    ``capacity_score`` / ``burnout`` (NaN for a week without a check-in)."""

    week_start: dt.date
    week: str
    balance: pd.DataFrame
    flags: list[Flag]  # therapist flags of this week, then case flags of open cases
    checkin_open: bool
    open_cases: int
    goals_to_review: list[GoalRecord] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)  # what their supervisors are alerted to

    @property
    def this_week(self) -> pd.Series:
        return self.balance.iloc[-1]


def _checkin_frame(session: Session, therapist_id: int, mondays: list[dt.date]) -> pd.DataFrame:
    rows = session.execute(
        select(WeeklyCheckin.week_start, WeeklyCheckin.capacity_score, WeeklyCheckin.burnout)
        .where(WeeklyCheckin.therapist_id == therapist_id, WeeklyCheckin.week_start >= mondays[0],
               WeeklyCheckin.week_start <= mondays[-1])
    ).all()
    return pd.DataFrame(
        {
            "therapist_id": pd.Series([therapist_id] * len(rows), dtype="int64"),
            "week_start": pd.to_datetime(pd.Series([r.week_start for r in rows], dtype=object)),
            "capacity_score": pd.Series([r.capacity_score for r in rows], dtype="float64"),
            "burnout": pd.Series([r.burnout for r in rows], dtype="float64"),
        }
    )


def open_case_flags(session: Session, therapist_id: int, config: ModelConfig = DEFAULT_CONFIG) -> list[Flag]:
    """Case flags (consult now, high therapist impact, incomplete) of the latest rating
    of each open case, the case code as subject."""
    latest = _latest_ratings(session, therapist_id)
    if not latest:
        return []
    codes = dict(session.execute(select(Case.id, Case.code).where(Case.id.in_(list(latest)))).all())
    # All cases scored in one pass (one score_case per case cost ~4 ms each).
    items = pd.DataFrame([rating.items() for rating in latest.values()], columns=list(INSTRUMENT.item_ids),
                         dtype="float64")
    items.insert(0, "case_id", [codes[case_id] for case_id in latest])
    return [flag for flags in case_flags(items, config) for flag in flags]


# Flags of the last complete week that stay active while the current week is young: its
# load flags, and its balance flag until this week's check-in replaces it.
CARRIED_OVER = ("load_over_capacity", "load_rising")


def _active_flags(load: pd.DataFrame, checkins: pd.DataFrame, config: ModelConfig, current: dt.date,
                  *, checkin_open: bool) -> list[Flag]:
    """This week's therapist flags, plus last week's load flags (and its balance flag
    while this week's check-in is open) where this week has none of that kind yet: on
    a Monday the week's own sessions are still to come, so last week's overload is the
    news. Each flag names its week."""
    flags = therapist_flags(load, checkins, config, as_of=current)
    have = {f.code for f in flags}
    carried = CARRIED_OVER + (("balance",) if checkin_open else ())
    for flag in therapist_flags(load, checkins, config, as_of=current - dt.timedelta(weeks=1)):
        if flag.code in carried and flag.code not in have:
            flags.append(flag)
    return flags


def my_week(
    session: Session,
    user: UserAccount,
    *,
    as_of: dt.date | None = None,
    weeks: int = BALANCE_WEEKS,
    config: ModelConfig = DEFAULT_CONFIG,
) -> MyWeek:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "my_week")
    as_of = as_of or today()
    mondays = week_range(weeks, as_of)
    load = therapist_weekly_load(session, acting, tid, mondays, config=config)
    checkins = _checkin_frame(session, tid, mondays)
    current = monday_of(as_of)
    checked_in = bool((checkins["week_start"] == pd.Timestamp(current)).any())
    flags = _active_flags(load, checkins, config, current, checkin_open=not checked_in)
    case_flags = open_case_flags(session, tid, config)
    balance = load.copy()
    balance["week_start"] = pd.to_datetime(balance["week_start"])
    balance = balance.merge(checkins.drop(columns="therapist_id"), on="week_start", how="left")
    balance = balance.sort_values("week_start").reset_index(drop=True)
    open_cases = session.scalar(
        select(func.count()).select_from(Case).where(Case.therapist_id == tid, Case.closed_on.is_(None))
    )
    return MyWeek(
        week_start=current,
        week=iso_week_label(current),
        balance=balance,
        flags=sort_flags(flags) + sort_flags(case_flags),
        checkin_open=not checked_in,
        open_cases=int(open_cases or 0),
        goals_to_review=goals_to_review(session, acting, as_of=as_of),
        alerts=my_alerts(session, acting, as_of=as_of, load=load, config=config),
    )


def therapist_of(session: Session, user: UserAccount) -> Therapist:
    """The acting therapist's own record (contracted sessions, starting or not)."""
    acting = actor(session, user)
    return session.get(Therapist, own_therapist_id(session, acting, "therapist_of"))


# --- a report over a period ---------------------------------------------------------------

MAX_REPORT_WEEKS = 104


@dataclass(frozen=True)
class ReportCase:
    """A case open at the end of a report's period, by its latest rating then; no code
    (a report may be shared, and nobody but the therapist sees a case's code)."""

    rated_on: dt.date
    band: str
    complexity: float | None  # None: incomplete
    complexity_low: float | None  # the range (None: a model 1.0 score, not rescored)
    complexity_high: float | None
    unrated_items: int
    model_version: str


@dataclass(frozen=True)
class PeriodReport:
    """A therapist's figures over ``start..end`` for supervision or intervision:
    ``balance`` as in :class:`MyWeek`, ``flags`` one row per flag per week (``week``,
    ``code``, ``severity``, ``param_*``), the self-care goals of the period, the band
    mix of the cases open at the end and those cases with their scores and ranges
    (heaviest first)."""

    therapist_id: int
    start: dt.date
    end: dt.date
    balance: pd.DataFrame
    flags: pd.DataFrame
    goals: list[GoalRecord]
    case_bands: dict[str, int]
    cases: tuple[ReportCase, ...] = ()


def _report_access(session: Session, acting: UserAccount, therapist_id: int | None, start: dt.date,
                   end: dt.date) -> int:
    if acting.role == "therapist" and therapist_id in (None, acting.therapist_id):
        return acting.therapist_id
    if acting.role == "supervisor" and therapist_id is not None:
        grant = session.scalar(select(ShareGrant).where(
            ShareGrant.therapist_id == therapist_id, ShareGrant.supervisor_user_id == acting.id,
            ShareGrant.revoked_at.is_(None), ShareGrant.period_start <= monday_of(start),
            ShareGrant.period_end >= monday_of(end) + dt.timedelta(days=6)))  # reports show whole weeks
        if grant is not None:
            audit.record(session, "read", actor=acting, subject_type="therapist", subject_id=therapist_id,
                         detail=f"shared report {start}..{end} (share {grant.id})")
            return therapist_id
    audit.deny(session, acting, "this report is not shared with you", attempted="period_report",
               subject_type="therapist", subject_id=therapist_id)


def period_report(
    session: Session,
    user: UserAccount,
    start: dt.date,
    end: dt.date,
    *,
    therapist_id: int | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
) -> PeriodReport:
    """The therapist's own report, or one a therapist shared with the acting supervisor
    for a period covering ``start..end`` (that read is logged)."""
    acting = actor(session, user)
    if end < start:
        raise InvalidInput(Problem.make("period_order", None, "period"))
    mondays = week_range([start + dt.timedelta(weeks=i) for i in range((end - start).days // 7 + 1)] + [end])
    if len(mondays) > MAX_REPORT_WEEKS:
        raise InvalidInput(Problem.make("period_too_long", None, "period", max=MAX_REPORT_WEEKS))
    tid = _report_access(session, acting, therapist_id, start, end)
    therapist = session.get(Therapist, tid)
    load = load_frame(session, [therapist], TherapySession.therapist_id == tid, mondays, config)
    checkins = _checkin_frame(session, tid, mondays)
    balance = load.assign(week_start=pd.to_datetime(load["week_start"]))
    balance = balance.merge(checkins.drop(columns="therapist_id"), on="week_start", how="left")
    balance = balance.sort_values("week_start").reset_index(drop=True)
    rows = []
    for monday in mondays:
        for flag in therapist_flags(load, checkins, config, as_of=monday):
            rows.append(flag.as_dict())
    flags = pd.DataFrame(rows, columns=sorted({k for r in rows for k in r}) or ["week", "code", "severity"])
    goals = [GoalRecord(g.id, g.week_start, g.text, g.resource, g.review_week, g.status)
             for g in session.scalars(select(SelfcareGoal).where(
                 SelfcareGoal.therapist_id == tid, SelfcareGoal.week_start >= mondays[0],
                 SelfcareGoal.week_start <= mondays[-1]).order_by(SelfcareGoal.week_start))]
    bands: dict[str, int] = {}
    cases = []
    for rating in _latest_ratings(session, tid, open_on=end).values():
        bands[rating.band] = bands.get(rating.band, 0) + 1
        cases.append(ReportCase(rating.rated_on, rating.band, rating.complexity, rating.complexity_low,
                                rating.complexity_high, sum(getattr(rating, i) is None for i in RANGE_ITEMS),
                                rating.model_version))
    cases.sort(key=lambda c: (c.complexity is None, -(c.complexity or 0.0), c.rated_on))
    return PeriodReport(tid, mondays[0], mondays[-1] + dt.timedelta(days=6), balance, flags, goals, bands,
                        tuple(cases))


def _latest_ratings(session: Session, therapist_id: int, *, open_on: dt.date | None = None) -> dict[int, CaseRating]:
    stmt = (select(CaseRating).join(Case, Case.id == CaseRating.case_id)
            .where(Case.therapist_id == therapist_id)
            .order_by(CaseRating.case_id, CaseRating.rated_on, CaseRating.id))
    if open_on is None:
        stmt = stmt.where(Case.closed_on.is_(None))
    else:
        stmt = stmt.where(Case.opened_on <= open_on,
                          (Case.closed_on.is_(None)) | (Case.closed_on >= open_on),
                          CaseRating.rated_on <= open_on)
    latest: dict[int, CaseRating] = {}
    for rating in session.scalars(stmt):
        latest[rating.case_id] = rating
    return latest


def case_trends(session: Session, user: UserAccount) -> dict[str, list[float | None]]:
    """Case code -> complexity of each rating, oldest first (for the trend column)."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "case_trends")
    out: dict[str, list[float | None]] = {}
    for code, complexity in session.execute(
        select(Case.code, CaseRating.complexity).join(CaseRating, CaseRating.case_id == Case.id)
        .where(Case.therapist_id == tid).order_by(Case.id, CaseRating.rated_on, CaseRating.id)
    ):
        out.setdefault(code, []).append(complexity)
    return out

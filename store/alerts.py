"""Alerts for a supervisor that stay until acted on (issue 12).

Three kinds, each about one therapist of a team the supervisor supervises, computed from
the stored data whenever asked (so an alert is gone as soon as its cause is):

- ``red_two_weeks``: the load status was red in each of the last two complete weeks
  (the week in progress never counts: on a Monday it is nearly empty);
- ``load_rising``: the load index rose week on week ``config.load.rising_weeks`` times
  in a row up to the last complete week, and stands at or above
  ``rising_min_load_index``;
- ``consult_now``: an open case's latest rating has ``safety_concern`` at or above
  ``config.scoring.safety_flag_level`` (the case code and the rating's date only).

An alert is named by its kind, therapist, subject (the case code, or empty) and the
start of its cause (``since``: the Monday of the first red week, or of the first week
whose load rose, or the rating's date). The supervisor marks it as discussed on a date (no free text about
the person): it then leaves the open list, and the therapist's My week says that their
supervisor has seen it. A new run of the cause is a new alert. No check-in data is used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, ModelConfig
from complexity.calendar import iso_week_label, monday_of, today
from data_schema.fields import ALERT_KINDS
from data_schema.problems import Problem

from . import audit
from .access import actor, own_therapist_id, supervised_team_ids
from .errors import InvalidInput, NotFound
from .load import team_weekly_load, therapist_weekly_load
from .models import AlertReview, Case, CaseRating, SupervisorTeam, Therapist, UserAccount

ALERT_WEEKS = 8  # complete weeks of load read to find a run's start


@dataclass(frozen=True)
class Alert:
    kind: str
    therapist_id: int
    therapist: str  # display name
    subject: str  # the case code (consult_now), else ""
    since: dt.date
    params: Mapping[str, object] = field(default_factory=dict)
    discussed_on: dt.date | None = None
    discussed_by: str | None = None  # username; None when the account was removed

    @property
    def key(self) -> tuple[str, int, str, dt.date]:
        return self.kind, self.therapist_id, self.subject, self.since

    @property
    def discussed(self) -> bool:
        return self.discussed_on is not None


def last_complete_week(as_of: dt.date) -> dt.date:
    """The Monday of the last week that has ended before ``as_of``'s week."""
    return monday_of(as_of) - dt.timedelta(weeks=1)


def load_alerts(load: pd.DataFrame, as_of: dt.date, config: ModelConfig = DEFAULT_CONFIG) -> list[tuple]:
    """``(kind, therapist_id, since, params)`` of the load alerts in ``load`` (rows per
    therapist per week, as ``team_weekly_load`` gives them), up to the last complete week
    before ``as_of``. Pure: the same frame gives the same alerts."""
    if load.empty:
        return []
    end = pd.Timestamp(last_complete_week(as_of))
    frame = load.assign(week_start=pd.to_datetime(load["week_start"]))
    frame = frame[frame["week_start"] <= end]
    li = frame.pivot(index="therapist_id", columns="week_start", values="load_index").sort_index(axis=1)
    status = frame.pivot(index="therapist_id", columns="week_start", values="status").sort_index(axis=1)
    if end not in li.columns:
        return []
    lc, found = config.load, []
    weeks = list(li.columns)
    values_all = li.to_numpy(dtype=float)  # row per therapist, column per week (arrays: no per-cell lookups)
    red_all = status.reindex(index=li.index, columns=li.columns).to_numpy() == "red"
    k = lc.rising_weeks
    for row, tid in enumerate(li.index):
        red, values = red_all[row], values_all[row]
        if len(red) >= 2 and red[-1] and red[-2]:
            start = len(red) - 1
            while start > 0 and red[start - 1]:
                start -= 1
            found.append(("red_two_weeks", int(tid), weeks[start].date(),
                          {"first_week": iso_week_label(weeks[start]), "last_week": iso_week_label(end),
                           "load_index": round(float(values[-1]), 2)}))
        rises = values[1:] > values[:-1]  # NaN never rises
        if len(rises) >= k and rises[-k:].all() and values[-1] >= lc.rising_min_load_index:
            start = len(rises) - k
            while start > 0 and rises[start - 1]:
                start -= 1
            first = weeks[start + 1]  # the first week whose load rose
            found.append(("load_rising", int(tid), first.date(),
                          {"weeks": len(rises) - start, "first_week": iso_week_label(first),
                           "last_week": iso_week_label(end), "load_index": round(float(values[-1]), 2)}))
    return found


def consult_cases(session: Session, therapist_ids: Iterable[int],
                  config: ModelConfig = DEFAULT_CONFIG) -> list[tuple[int, str, dt.date]]:
    """``(therapist_id, case code, rated_on)`` of open cases whose latest rating has
    ``safety_concern`` at or above the flag level (one query for all therapists)."""
    ids = list(therapist_ids)
    if not ids:
        return []
    rn = func.row_number().over(partition_by=CaseRating.case_id,
                                order_by=(CaseRating.rated_on.desc(), CaseRating.id.desc()))
    latest = (select(CaseRating.case_id, CaseRating.rated_on, CaseRating.safety_concern.label("safety"), rn.label("rn"))
              .join(Case, Case.id == CaseRating.case_id)
              .where(Case.therapist_id.in_(ids), Case.closed_on.is_(None)).subquery())
    rows = session.execute(
        select(Case.therapist_id, Case.code, latest.c.rated_on).join(latest, latest.c.case_id == Case.id)
        .where(latest.c.rn == 1, latest.c.safety >= config.scoring.safety_flag_level)
        .order_by(latest.c.rated_on, Case.code)).all()
    return [(int(r.therapist_id), r.code, r.rated_on) for r in rows]


def _assemble(session: Session, names: Mapping[int, str], load: pd.DataFrame, as_of: dt.date,
              config: ModelConfig) -> list[Alert]:
    found = [(kind, tid, "", since, params) for kind, tid, since, params in load_alerts(load, as_of, config)
             if tid in names]  # about the team's therapists now (one who moved on is the new team's)
    found += [("consult_now", tid, code, rated_on, {"code": code, "rated_on": rated_on.isoformat()})
              for tid, code, rated_on in consult_cases(session, names, config)]
    reviews = {}
    if names:
        for review, username in session.execute(
                select(AlertReview, UserAccount.username)
                .outerjoin(UserAccount, UserAccount.id == AlertReview.discussed_by_user_id)
                .where(AlertReview.therapist_id.in_(list(names)))):
            reviews[(review.kind, review.therapist_id, review.subject, review.since)] = (review.discussed_on, username)
    alerts = []
    for kind, tid, subject, since, params in found:
        on, by = reviews.get((kind, tid, subject, since), (None, None))
        alerts.append(Alert(kind, tid, names[tid], subject, since, params, on, by))
    order = {kind: i for i, kind in enumerate(("consult_now", "red_two_weeks", "load_rising"))}
    return sorted(alerts, key=lambda a: (a.discussed, order[a.kind], a.therapist, a.since))


def team_alerts(session: Session, user, team_id: int, *, load: pd.DataFrame | None = None,
                as_of: dt.date | None = None, config: ModelConfig = DEFAULT_CONFIG) -> list[Alert]:
    """The alerts about the team's therapists, open ones first, for its supervisors.
    ``load``: the team's weekly load when the caller has read it already (it must reach
    back ``ALERT_WEEKS`` complete weeks for a run's start to be found)."""
    as_of = as_of or today()
    if load is None:
        weeks = [last_complete_week(as_of) - dt.timedelta(weeks=i) for i in range(ALERT_WEEKS)]
        load = team_weekly_load(session, user, team_id, weeks, config=config)  # checks and audits access
    else:
        acting = actor(session, user)
        if acting.role != "supervisor" or team_id not in supervised_team_ids(session, acting):
            audit.deny(session, acting, "team alerts are for the team's supervisors", attempted="team_alerts",
                       subject_type="team", subject_id=team_id)
    names = dict(session.execute(select(Therapist.id, Therapist.display_name)
                                 .where(Therapist.team_id == team_id, Therapist.active.is_(True))).all())
    alerts = _assemble(session, names, load, as_of, config)
    acting = actor(session, user)
    for tid in sorted({a.therapist_id for a in alerts if a.kind == "consult_now"}):
        audit.record(session, "read", actor=acting, subject_type="therapist", subject_id=tid,
                     detail=f"consult-now case codes (team {team_id})")
    return alerts


def my_alerts(session: Session, user, *, as_of: dt.date | None = None, load: pd.DataFrame | None = None,
              config: ModelConfig = DEFAULT_CONFIG) -> list[Alert]:
    """The alerts the therapist's supervisors see about them (none when their team has
    no supervisor), with whether one was marked as discussed. ``load``: their own weekly
    load when the caller has read it already (``ALERT_WEEKS`` complete weeks back)."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "my_alerts")
    as_of = as_of or today()
    therapist = session.get(Therapist, tid)
    if therapist.team_id is None or session.scalar(
            select(func.count()).select_from(SupervisorTeam).where(SupervisorTeam.team_id == therapist.team_id)) == 0:
        return []
    if load is None:
        weeks = [last_complete_week(as_of) - dt.timedelta(weeks=i) for i in range(ALERT_WEEKS)]
        load = therapist_weekly_load(session, acting, tid, weeks, config=config)
    return _assemble(session, {tid: therapist.display_name}, load, as_of, config)


def mark_discussed(session: Session, user, alert_key: tuple[str, int, str, dt.date], discussed_on: dt.date,
                   *, as_of: dt.date | None = None, config: ModelConfig = DEFAULT_CONFIG) -> None:
    """Mark an open alert about a therapist of the supervisor's team as discussed on
    ``discussed_on`` (not before the cause began, not in the future). Logged."""
    kind, tid, subject, since = alert_key
    acting = actor(session, user)
    therapist = session.get(Therapist, tid)
    if (acting.role != "supervisor" or therapist is None
            or therapist.team_id not in supervised_team_ids(session, acting)):
        audit.deny(session, acting, "alerts are marked by the therapist's supervisors", attempted="mark_discussed",
                   subject_type="therapist", subject_id=tid)
    as_of = as_of or today()
    current = {a.key: a for a in team_alerts(session, acting, therapist.team_id, as_of=as_of, config=config)}
    if kind not in ALERT_KINDS or alert_key not in current:
        raise NotFound("no such alert (its cause may be gone)")
    if not since <= discussed_on <= as_of:
        raise InvalidInput([Problem.make("out_of_range", None, "discussed_on", value=discussed_on.isoformat(),
                                         lo=since.isoformat(), hi=as_of.isoformat())])
    review = session.scalar(select(AlertReview).where(
        AlertReview.kind == kind, AlertReview.therapist_id == tid, AlertReview.subject == subject,
        AlertReview.since == since))
    if review is None:
        session.add(AlertReview(kind=kind, therapist_id=tid, subject=subject, since=since,
                                discussed_on=discussed_on, discussed_by_user_id=acting.id))
    else:
        review.discussed_on, review.discussed_by_user_id = discussed_on, acting.id
    audit.record(session, "change", actor=acting, subject_type="therapist", subject_id=tid,
                 detail=f"alert {kind} since {since.isoformat()} marked as discussed on {discussed_on.isoformat()}")


__all__ = ["ALERT_WEEKS", "Alert", "consult_cases", "last_complete_week", "load_alerts", "mark_discussed",
           "my_alerts", "team_alerts"]

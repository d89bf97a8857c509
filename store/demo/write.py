"""Writing the demo's plan in one transaction.

Small tables go in with ``session.execute(insert(Model), rows)``; the big ones (cases,
ratings, sessions, check-ins) with :func:`store.bulk.insert_rows` (PostgreSQL ``COPY``,
SQLite ``executemany``). Teams, therapists, accounts and cases get explicit ids
(following any rows already there), so the rows that refer to them need no round trip;
PostgreSQL's id sequences are moved past them afterwards. Timestamps are fixed hours
of the planned days (the demo is deterministic), in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator, Mapping

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from complexity import BANDS, CHECKIN, DEFAULT_CONFIG, INSTRUMENT

from .. import audit
from ..bulk import insert_rows
from ..models import (
    ACTION_COLUMNS, Case, CaseRating, PracticeRating, PracticeRatingItem, ResearchConsent, SelfcareGoal, ShareGrant,
    SupervisorTeam, Team, Therapist, TherapySession, UserAccount, WeeklyCheckin,
)
from .parameters import FRIDAY
from .people import ADMIN_USERNAME, RESEARCHER_USERNAME, SUPERVISOR_USERNAME
from .plan import DemoPlan

# The hour (UTC) at which each kind of row was "created" on its day.
ACCOUNTS_HOUR = 8  # accounts and research consent: the morning of the first Monday
CASE_HOUR = 9  # a case: the morning it opened
RATING_HOUR = 10  # a rating, and a self-care goal: after the intake
SHARE_HOUR = 12  # the drifter's share grant: noon of her first drift Monday
CHECKIN_HOUR = 16  # a check-in: Friday afternoon (or as_of, if earlier)
SESSION_HOUR = 17  # a session: recorded at the end of its day
ENGLISH_ROLES = ("researcher",)  # their dashboard is in English; everyone else's in Dutch


def write_plan(session: Session, plan: DemoPlan, hashes: Mapping[str, str]) -> dict[str, int]:
    """Insert every row of ``plan`` (``hashes``: role -> password hash); rows written
    per table."""
    first_team, first_therapist, first_user, first_case = (
        _next_id(session, model) for model in (Team, Therapist, UserAccount, Case))
    team_ids = [first_team + k for k in range(len(plan.teams))]
    therapist_ids = [first_therapist + k for k in range(len(plan.therapists))]
    session.execute(insert(Team), [{"id": tid, "name": name} for tid, name in zip(team_ids, plan.teams)])
    session.execute(insert(Therapist), [
        {"id": therapist_ids[i], "display_name": spec.name, "team_id": team_ids[int(plan.team_of[i])],
         "experience": "starting" if spec.starting else "experienced", "contracted_sessions": spec.contracted,
         "started_on": plan.started_on[i], "active": True}
        for i, spec in enumerate(plan.therapists)
    ])
    user_ids, supervisor_id = _write_accounts(session, plan, therapist_ids, team_ids, first_user, hashes)
    case_ids = [first_case + k for k in range(len(plan.cases.therapist))]
    _write_cases(session, plan, case_ids, therapist_ids, user_ids)
    _write_sessions(session, plan, case_ids, therapist_ids)
    _write_checkins(session, plan, therapist_ids)
    _write_goals_and_grants(session, plan, therapist_ids, supervisor_id)
    _write_practice(session, plan, therapist_ids)
    _sync_sequences(session, (Team, Therapist, UserAccount, Case, PracticeRating))
    audit.record(session, "create", actor=None, subject_type="demo", subject_id="practice",
                 detail=f"demo practice: {len(therapist_ids)} therapists, {plan.weeks} weeks up to {plan.as_of}")
    return {
        "team": len(team_ids), "therapist": len(therapist_ids), "user_account": len(user_ids),
        "supervisor_team": len(team_ids), "case": len(case_ids), "case_rating": len(plan.ratings.case),
        "therapy_session": plan.sessions.count, "weekly_checkin": plan.checkins.count,
        "selfcare_goal": len(plan.goals), "share_grant": 1, "research_consent": len(plan.consent),
        "practice_rating": len(plan.practice),
    }


def _write_accounts(session: Session, plan: DemoPlan, therapist_ids: list[int], team_ids: list[int],
                    first_user: int, hashes: Mapping[str, str]) -> tuple[list[int], int]:
    """A login per therapist, then the supervisor (of every team), researcher and admin;
    the account ids and the supervisor's."""
    accounts = [(spec.username, "therapist", therapist_ids[i]) for i, spec in enumerate(plan.therapists)]
    accounts += [(SUPERVISOR_USERNAME, "supervisor", None), (RESEARCHER_USERNAME, "researcher", None),
                 (ADMIN_USERNAME, "admin", None)]
    user_ids = [first_user + k for k in range(len(accounts))]
    created = _utc(plan.start, ACCOUNTS_HOUR)
    session.execute(insert(UserAccount), [
        {"id": uid, "username": username, "password_hash": hashes[role], "role": role,
         "language": "en" if role in ENGLISH_ROLES else "nl", "therapist_id": tid, "failed_logins": 0,
         "created_at": created}
        for uid, (username, role, tid) in zip(user_ids, accounts)
    ])
    supervisor_id = user_ids[len(plan.therapists)]
    session.execute(insert(SupervisorTeam), [{"user_id": supervisor_id, "team_id": t} for t in team_ids])
    return user_ids, supervisor_id


def _write_cases(session: Session, plan: DemoPlan, case_ids: list[int], therapist_ids: list[int],
                 user_ids: list[int]) -> None:
    """The cases and their ratings (each by the case's therapist)."""
    cases, ratings = plan.cases, plan.ratings
    closed = cases.closed.tolist()
    insert_rows(session, Case, ("id", "code", "therapist_id", "opened_on", "closed_on", "created_at"), (
        (case_ids[k], plan.codes[k], therapist_ids[cases.therapist[k]], plan.date(cases.opened[k]),
         None if closed[k] < 0 else plan.date(closed[k]), _utc(plan.date(max(cases.opened[k], 0)), CASE_HOUR))
        for k in range(len(case_ids))
    ))
    instrument_version, model_version = INSTRUMENT.version, DEFAULT_CONFIG.model_version
    levels = np.asarray(ratings.items, dtype=float).reshape(len(ratings.case), len(INSTRUMENT.item_ids))
    levels = np.where(np.isnan(levels), None, levels.astype(object)).tolist()

    def rating_rows() -> Iterator[tuple]:
        for k, case in enumerate(ratings.case):
            day = plan.date(ratings.day[k])
            yield (case_ids[case], day, user_ids[cases.therapist[case]], ratings.complexity[k],
                   BANDS[ratings.band[k]], ratings.interaction[k], ratings.low[k], ratings.high[k],
                   ratings.burden[k], instrument_version, model_version, _utc(day, RATING_HOUR),
                   *(None if level is None else int(level) for level in levels[k]))

    insert_rows(session, CaseRating, ("case_id", "rated_on", "rated_by_user_id", "complexity", "band", "interaction",
                                      "complexity_low", "complexity_high", "burden", "instrument_version",
                                      "model_version", "created_at", *INSTRUMENT.item_ids),
                rating_rows())


def _write_sessions(session: Session, plan: DemoPlan, case_ids: list[int], therapist_ids: list[int]) -> None:
    sessions = plan.sessions
    dates = {day: plan.date(day) for day in np.unique(sessions.day).tolist()}
    stamps = {day: _utc(date, SESSION_HOUR) for day, date in dates.items()}
    complexity = sessions.complexity.astype(object)
    complexity[np.isnan(sessions.complexity)] = None
    model_version = DEFAULT_CONFIG.model_version
    insert_rows(session, TherapySession, ("case_id", "therapist_id", "session_date", "duration_minutes",
                                          "complexity", "model_version", "weight", "created_at"), (
        (case_ids[case], therapist_ids[therapist], dates[day], minutes, rated,
         None if rated is None else model_version, weight, stamps[day])
        for case, therapist, day, minutes, rated, weight in zip(
            sessions.case.tolist(), sessions.therapist.tolist(), sessions.day.tolist(), sessions.minutes.tolist(),
            complexity.tolist(), sessions.weight.tolist())
    ))


def _write_checkins(session: Session, plan: DemoPlan, therapist_ids: list[int]) -> None:
    checkins, scale_ids = plan.checkins, CHECKIN.scale_ids
    answers = np.column_stack([checkins.answers[s] for s in scale_ids]).tolist() if checkins.count else []
    actions = checkins.actions.tolist()

    def checkin_rows() -> Iterator[tuple]:
        for k, (therapist, week) in enumerate(zip(checkins.therapist.tolist(), checkins.week.tolist())):
            monday = plan.monday(week)
            submitted = min(monday + dt.timedelta(days=FRIDAY), plan.as_of)
            yield (therapist_ids[therapist], monday, checkins.reflection[k], float(checkins.capacity[k]),
                   CHECKIN.version, _utc(submitted, CHECKIN_HOUR), *answers[k], *actions[k])

    insert_rows(session, WeeklyCheckin, ("therapist_id", "week_start", "reflection", "capacity_score",
                                         "checkin_version", "created_at", *scale_ids, *ACTION_COLUMNS),
                checkin_rows())


def _write_goals_and_grants(session: Session, plan: DemoPlan, therapist_ids: list[int], supervisor_id: int) -> None:
    """Self-care goals, the drifter's share grant to the supervisor, research consent."""
    if plan.goals:
        session.execute(insert(SelfcareGoal), [
            {"therapist_id": therapist_ids[goal.therapist], "week_start": goal.week_start, "text": goal.text,
             "resource": goal.resource, "review_week": goal.review_week, "status": goal.status,
             "created_at": _utc(goal.week_start, RATING_HOUR)}
            for goal in plan.goals
        ])
    drift_monday = plan.monday(max(0, plan.calendar.drift_start))
    current_monday = plan.monday(plan.calendar.current_week)
    session.execute(insert(ShareGrant), [{
        "therapist_id": therapist_ids[plan.drifter], "supervisor_user_id": supervisor_id,
        "period_start": max(plan.start, drift_monday - dt.timedelta(weeks=plan.parameters.share_weeks_before_drift)),
        "period_end": current_monday + dt.timedelta(days=6),  # up to the current week's Sunday
        "created_at": _utc(drift_monday, SHARE_HOUR), "revoked_at": None,
    }])
    session.execute(insert(ResearchConsent), [
        {"therapist_id": therapist_ids[i], "research_id": token, "given_at": _utc(plan.start, ACCOUNTS_HOUR),
         "withdrawn_at": None}
        for i, token in plan.consent
    ])


def _write_practice(session: Session, plan: DemoPlan, therapist_ids: list[int]) -> None:
    """The rating practice's ratings (``store.demo.practice``), each with its levels."""
    if not plan.practice:
        return
    first = _next_id(session, PracticeRating)
    session.execute(insert(PracticeRating), [
        {"id": first + k, "vignette_key": rating.vignette, "therapist_id": therapist_ids[rating.therapist],
         "instrument_version": rating.instrument_version, "created_at": _utc(rating.rated_on, RATING_HOUR)}
        for k, rating in enumerate(plan.practice)
    ])
    session.execute(insert(PracticeRatingItem), [
        {"rating_id": first + k, "item_id": item, "level": level}
        for k, rating in enumerate(plan.practice) for item, level in rating.levels.items()
    ])


def _utc(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone.utc)


def _next_id(session: Session, model) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0)))) + 1


def _sync_sequences(session: Session, models) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    for model in models:
        table = connection.dialect.identifier_preparer.format_table(model.__table__)
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )

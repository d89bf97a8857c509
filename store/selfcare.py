"""Self-care goals: the *Agree* and *Arrange* steps of the 5A plan.

After the weekly check-in a therapist agrees one concrete goal for the week (a suggested
one or their own words, checked for identifying data), optionally with a resource
(intervisie, supervision, micro-breaks). Next week's check-in reviews it: achieved,
partly or not achieved. Goals are the therapist's own wellbeing data: nobody else reads
them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from complexity.calendar import monday_of, today
from data_schema import fields as F
from data_schema import records
from data_schema.problems import Problem

from . import audit
from .access import actor, own_therapist_id
from .errors import InvalidInput, NotFound
from .models import GOAL_STATUSES, SelfcareGoal, UserAccount
from .validation import checked, validated

REVIEW_STATUSES = tuple(s for s in GOAL_STATUSES if s != "open")


@dataclass(frozen=True)
class GoalRecord:
    id: int
    week_start: dt.date
    text: str
    resource: str | None
    review_week: dt.date
    status: str


def _record(goal: SelfcareGoal) -> GoalRecord:
    return GoalRecord(goal.id, goal.week_start, goal.text, goal.resource, goal.review_week, goal.status)


def save_goal(
    session: Session,
    user: UserAccount,
    text: str,
    *,
    resource: str | None = None,
    week_start: dt.date | None = None,
) -> GoalRecord:
    """Agree this week's goal; reviewed at next week's check-in. One goal per week."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "save_goal")
    week = monday_of(week_start or today())
    goal = validated(records.SelfCareGoal, {"week_start": week, "text": text, "resource": resource,
                                            "review_week": week + dt.timedelta(weeks=1)})
    checked(F.WEEK_START, week)  # a goal is agreed for this week or an earlier one
    existing = session.scalar(
        select(SelfcareGoal.id).where(SelfcareGoal.therapist_id == tid, SelfcareGoal.week_start == week)
    )
    if existing is not None:
        raise InvalidInput(Problem.make("goal_exists", value=week))
    row = SelfcareGoal(therapist_id=tid, week_start=week, text=goal.text, resource=goal.resource,
                       review_week=goal.review_week, status=goal.status)
    session.add(row)
    session.flush()
    audit.record(session, "create", actor=acting, subject_type="therapist", subject_id=tid,
                 detail=f"self-care goal of {week}")
    return _record(row)


def review_goal(session: Session, user: UserAccount, goal_id: int, status: str) -> GoalRecord:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "review_goal")
    checked(F.GOAL_STATUS.but(choices=REVIEW_STATUSES), status)
    goal = session.get(SelfcareGoal, goal_id)
    if goal is None or goal.therapist_id != tid:
        raise NotFound(f"no goal {goal_id}")
    goal.status = status
    audit.record(session, "change", actor=acting, subject_type="therapist", subject_id=tid,
                 detail=f"self-care goal of {goal.week_start} reviewed")
    session.flush()
    return _record(goal)


def goals_to_review(session: Session, user: UserAccount, *, as_of: dt.date | None = None) -> list[GoalRecord]:
    """Open goals whose review week has come."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "goals_to_review")
    due = monday_of(as_of or today())
    return [_record(g) for g in session.scalars(
        select(SelfcareGoal).where(SelfcareGoal.therapist_id == tid, SelfcareGoal.status == "open",
                                   SelfcareGoal.review_week <= due)
        .order_by(SelfcareGoal.week_start)
    )]


def my_goals(session: Session, user: UserAccount, *, since: dt.date | None = None,
             until: dt.date | None = None) -> list[GoalRecord]:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "my_goals")
    stmt = select(SelfcareGoal).where(SelfcareGoal.therapist_id == tid)
    if since is not None:
        stmt = stmt.where(SelfcareGoal.week_start >= monday_of(since))
    if until is not None:
        stmt = stmt.where(SelfcareGoal.week_start <= until)
    return [_record(g) for g in session.scalars(stmt.order_by(SelfcareGoal.week_start))]


def goal_for_week(session: Session, user: UserAccount, week_start: dt.date) -> GoalRecord | None:
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "goal_for_week")
    goal = session.scalar(select(SelfcareGoal).where(
        SelfcareGoal.therapist_id == tid, SelfcareGoal.week_start == monday_of(week_start)))
    return _record(goal) if goal else None

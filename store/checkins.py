"""The weekly check-in: stored once per therapist and ISO week, read by that therapist only.

Check-ins are health data of the therapist (the Dutch DPA: an employer may not process
them): nobody else reads them, supervisors included; a therapist shares figures based on
them only through a report (``store.privacy``). A check-in is validated by data_schema's
``WeeklyCheckin`` record (scales in range, known self-care actions, the reflection's
length and the identifier guard, the week a Monday not in the future) and never
overwritten: a second one for the same week raises :class:`store.CheckinExists`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Iterable, Mapping

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complexity import CHECKIN, DEFAULT_CONFIG, ModelConfig, capacity_score
from complexity.calendar import iso_week_label
from data_schema import records
from data_schema.problems import Problem

from . import audit
from .access import actor, own_therapist_id
from .errors import CheckinExists
from .load import week_range
from .models import ACTION_COLUMNS, SELFCARE_ACTIONS, UserAccount, WeeklyCheckin
from .validation import validated


@dataclass(frozen=True)
class CheckinRecord:
    week_start: dt.date
    answers: Mapping[str, object]  # scale values, selfcare_actions (list), reflection
    capacity_score: float | None
    checkin_version: str
    created_at: dt.datetime

    @property
    def week(self) -> str:
        return iso_week_label(self.week_start)


def save_checkin(
    session: Session,
    user: UserAccount,
    week_start: dt.date,
    answers: Mapping[str, object],
    *,
    config: ModelConfig = DEFAULT_CONFIG,
) -> CheckinRecord:
    """Store the therapist's check-in for the ISO week starting ``week_start`` (a
    Monday, not in the future). ``answers``: scale field ids -> int (None = not
    answered), ``selfcare_actions`` -> option ids, ``reflection`` -> text or None.

    A week has one check-in: a second one raises :class:`store.CheckinExists` and
    changes nothing.
    """
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "save_checkin")
    answers = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in answers.items()}
    if isinstance(answers.get("selfcare_actions"), str):
        answers["selfcare_actions"] = [answers["selfcare_actions"]]
    checkin = validated(records.WeeklyCheckin, {**answers, "week_start": week_start})
    week = checkin.week_start
    values = {f: getattr(checkin, f) for f in CHECKIN.scale_ids}
    actions = set(checkin.selfcare_actions)

    def stored() -> bool:
        return bool(session.scalar(select(exists().where(
            WeeklyCheckin.therapist_id == tid, WeeklyCheckin.week_start == week))))

    exists_problem = Problem.make("checkin_week_taken", None, "week_start", week=iso_week_label(week))
    if stored():
        raise CheckinExists(exists_problem)
    answered = {k: v for k, v in values.items() if v is not None}
    score = capacity_score(answered, config) if answered else float("nan")
    row = WeeklyCheckin(
        therapist_id=tid, week_start=week, reflection=checkin.reflection,
        capacity_score=None if math.isnan(score) else float(score),
        checkin_version=CHECKIN.version, **values,
        **{col: (a in actions) for a, col in zip(SELFCARE_ACTIONS, ACTION_COLUMNS)},
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if stored():  # stored concurrently by another session of the same therapist
            raise CheckinExists(exists_problem) from None
        raise
    audit.record(session, "create", actor=acting, subject_type="therapist", subject_id=tid,
                 detail=f"weekly check-in {iso_week_label(week)}")
    return checkin_record(row)


def checkin_record(row: WeeklyCheckin) -> CheckinRecord:
    return CheckinRecord(week_start=row.week_start, answers=row.answers(), capacity_score=row.capacity_score,
                         checkin_version=row.checkin_version, created_at=row.created_at)


def therapist_checkins(
    session: Session,
    user: UserAccount,
    therapist_id: int | None = None,
    *,
    weeks: int | Iterable[dt.date] | None = None,
    as_of: dt.date | None = None,
) -> list[CheckinRecord]:
    """A therapist's own check-ins (all, or those of ``weeks``), oldest first.

    Check-ins are health data of the therapist: nobody else reads them, supervisors
    included (sharing happens through reports the therapist chooses to share).
    """
    acting = actor(session, user)
    if acting.role == "supervisor":
        audit.deny(session, acting, "supervisors never see check-in content",
                   attempted="therapist_checkins", subject_type="therapist", subject_id=therapist_id)
    tid = own_therapist_id(session, acting, "therapist_checkins", "therapist", therapist_id)
    if therapist_id is not None and therapist_id != tid:
        audit.deny(session, acting, "check-ins are readable by their own therapist only",
                   attempted="therapist_checkins", subject_type="therapist", subject_id=therapist_id)
    stmt = select(WeeklyCheckin).where(WeeklyCheckin.therapist_id == tid).order_by(WeeklyCheckin.week_start)
    if weeks is not None:
        stmt = stmt.where(WeeklyCheckin.week_start.in_(week_range(weeks, as_of)))
    return [checkin_record(r) for r in session.scalars(stmt)]


__all__ = ["CheckinRecord", "checkin_record", "save_checkin", "therapist_checkins"]

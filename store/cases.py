"""A therapist's cases: open, rate, record sessions, close, and read them back.

Only the therapist who owns a case reads or writes it (``store.access``); nobody else
ever sees a case, not even its code. Every write is validated by data_schema's records
(``store.validation``) and then against what is stored (a date within the case's open
period); a broken rule raises :class:`store.InvalidInput` listing every problem, with
nothing stored. Each create or change writes an audit event in the same transaction.
Dates default to today in the practice's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
from sqlalchemy import and_, exists, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, INSTRUMENT, CaseScore, ModelConfig, score_case
from complexity.calendar import today
from complexity.load import session_weight
from data_schema import fields as F
from data_schema import records
from data_schema.problems import Problem

from . import audit
from .access import actor, own_case, own_therapist_id
from .codes import new_case_code
from .errors import InvalidInput
from .load import UNRATED
from .models import Case, CaseRating, Therapist, TherapySession, UserAccount
from .validation import checked, validated


@dataclass(frozen=True)
class CaseOverview:
    """One row of a therapist's case list: the case and its latest rating."""

    code: str
    opened_on: dt.date
    closed_on: dt.date | None
    rated_on: dt.date | None  # of the latest rating; None = never rated
    complexity: float | None  # None = never rated, or incomplete
    band: str  # a complexity band, "incomplete", or "unrated"
    complexity_low: float | None  # the range of the latest rating (None: never rated,
    complexity_high: float | None  # or scored by model 1.0 and not rescored since)
    model_version: str | None  # of the latest rating's score
    sessions: int
    last_session_on: dt.date | None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


RANGE_ITEMS: tuple[str, ...] = (*INSTRUMENT.scored_item_ids, "interplay")  # what the range is over


@dataclass(frozen=True)
class RatingRecord:
    rated_on: dt.date
    items: Mapping[str, int | None]
    complexity: float | None
    band: str
    interaction: float | None
    complexity_low: float | None  # None: scored by model 1.0 and not rescored since
    complexity_high: float | None
    burden: int | None  # 0-10, as the therapist answered; None = not answered
    instrument_version: str
    model_version: str

    @property
    def unrated_items(self) -> int:
        """Unrated items that could move the score: the scored ones and the interplay."""
        return sum(self.items.get(i) is None for i in RANGE_ITEMS)


@dataclass(frozen=True)
class SessionRecord:
    session_date: dt.date
    duration_minutes: int
    complexity: float | None  # the case's complexity when recorded (None = unscored)
    weight: float
    model_version: str | None  # the model that gave that complexity


@dataclass(frozen=True)
class CaseDetail:
    code: str
    opened_on: dt.date
    closed_on: dt.date | None
    ratings: tuple[RatingRecord, ...]  # oldest first
    sessions: tuple[SessionRecord, ...]  # by date

    @property
    def latest_rating(self) -> RatingRecord | None:
        return self.ratings[-1] if self.ratings else None


def _within_case(case: Case, day: dt.date, column: str, row: int | None = None) -> list[Problem]:
    """A date of a rating, session or closing must lie in the case's open period."""
    if day < case.opened_on:
        return [Problem.make("before_opened", row, column, value=day, opened=case.opened_on)]
    if case.closed_on is not None and day > case.closed_on:
        return [Problem.make("after_closed", row, column, value=day, closed=case.closed_on)]
    return []


def add_case(
    session: Session,
    user: UserAccount,
    therapist: Therapist | int | None = None,
    *,
    opened_on: dt.date | None = None,
) -> str:
    """Open a case in the therapist's own caseload; returns its new code."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "add_case")
    wanted = therapist.id if isinstance(therapist, Therapist) else therapist
    if wanted is not None and wanted != tid:
        audit.deny(session, acting, "a therapist opens cases in their own caseload only",
                   attempted="add_case", subject_type="therapist", subject_id=wanted)
    own = session.get(Therapist, tid)
    if own is None or not own.active:
        raise InvalidInput(Problem.make("inactive_therapist"))
    opened_on = checked(F.OPENED_ON, opened_on or today())
    for _ in range(10):
        code = new_case_code()
        if session.scalar(select(exists().where(Case.code == code))):
            continue
        try:
            with session.begin_nested():
                session.add(Case(code=code, therapist_id=tid, opened_on=opened_on))
        except IntegrityError:  # the same code drawn concurrently (1 in 2^40)
            continue
        audit.record(session, "create", actor=acting, subject_type="case", subject_id=code)
        return code
    raise RuntimeError("could not draw a free case code")  # pragma: no cover


def rate_case(
    session: Session,
    user: UserAccount,
    case_code: str,
    ratings: Mapping[str, object],
    rated_on: dt.date | None = None,
    *,
    config: ModelConfig = DEFAULT_CONFIG,
) -> CaseScore:
    """Store a dated rating of a case (item id -> 0-3, missing/None = not rated; and
    optionally ``burden``, 0-10: how heavy the case feels to the therapist now, which is
    not part of the score) with the model's score and range; returns the score with its
    explanation."""
    acting, case = own_case(session, user, case_code, "rate_case")
    rating = validated(records.CaseRating, {"case_code": case.code, "rated_on": rated_on or today(), **ratings})
    problems = _within_case(case, rating.rated_on, "rated_on")
    if problems:
        raise InvalidInput(problems)
    items = {i: getattr(rating, i) for i in INSTRUMENT.item_ids}
    score = score_case(items, config, case_id=case.code)
    session.add(
        CaseRating(
            case_id=case.id,
            rated_on=rating.rated_on,
            rated_by_user_id=acting.id,
            complexity=score.complexity,
            band=score.band,
            interaction=score.interaction if score.complete else None,
            complexity_low=score.low,
            complexity_high=score.high,
            burden=rating.burden,
            instrument_version=score.instrument_version,
            model_version=score.model_version,
            **items,
        )
    )
    audit.record(session, "create", actor=acting, subject_type="case", subject_id=case.code,
                 detail=f"rating of {rating.rated_on}")
    session.flush()
    return score


@dataclass(frozen=True)
class LatestScore:
    """What a case's latest rating says now: the complexity a session is weighed with."""

    complexity: float | None  # None: incomplete
    model_version: str


_IDS_PER_QUERY = 5_000  # keys per IN (...) list: under every backend's parameter limit


def latest_scores(session: Session, case_ids: Iterable[int]) -> dict[int, LatestScore]:
    """Each case's latest rating (by date, then as stored); cases never rated are left out."""
    out: dict[int, LatestScore] = {}
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), _IDS_PER_QUERY):
        rn = func.row_number().over(
            partition_by=CaseRating.case_id, order_by=(CaseRating.rated_on.desc(), CaseRating.id.desc())
        )
        ranked = (
            select(CaseRating.case_id, CaseRating.complexity, CaseRating.model_version, rn.label("rn"))
            .where(CaseRating.case_id.in_(ids[start:start + _IDS_PER_QUERY]))
            .subquery()
        )
        for case_id, complexity, model_version in session.execute(
            select(ranked.c.case_id, ranked.c.complexity, ranked.c.model_version).where(ranked.c.rn == 1)
        ):
            out[case_id] = LatestScore(complexity, model_version)
    return out


def record_sessions(
    session: Session,
    user: UserAccount,
    case_code: str,
    sessions: Iterable[tuple[object, object] | Mapping[str, object]],
    *,
    config: ModelConfig = DEFAULT_CONFIG,
) -> int:
    """Record sessions of a case: ``(date, minutes)`` pairs or mappings with
    ``session_date`` and ``duration_minutes``. All or nothing: one bad entry stores
    none and the error lists every problem (by row when there are several). Returns the
    number stored.

    Each session's ``weight`` is ``session_weight`` of the case's latest complexity now
    (a snapshot: a later re-rating changes later sessions only), stored with the model
    version that gave it.
    """
    acting, case = own_case(session, user, case_code, "record_sessions")
    entries = list(sessions)
    if not entries:
        raise InvalidInput(Problem.make("required", None, "session_date"))
    problems: list[Problem] = []
    parsed: list[tuple[dt.date, int]] = []
    for n, entry in enumerate(entries, start=1):
        row = n if len(entries) > 1 else None  # "row n" only when several sessions are recorded
        if not isinstance(entry, Mapping):
            try:
                day, minutes = entry
            except (TypeError, ValueError):
                problems.append(Problem.make("invalid", row, "session_date", value=entry))
                continue
            entry = {"session_date": day, "duration_minutes": minutes}
        try:
            record = validated(records.TherapySession, {"case_code": case.code, **entry}, row=row)
        except InvalidInput as exc:
            problems += exc.problems
            continue
        within = _within_case(case, record.session_date, "session_date", row)
        problems += within
        if not within:
            parsed.append((record.session_date, record.duration_minutes))
    if problems:
        raise InvalidInput(problems)
    latest = latest_scores(session, [case.id]).get(case.id)
    complexity = None if latest is None else latest.complexity
    model_version = None if complexity is None else latest.model_version
    weight = float(session_weight(np.nan if complexity is None else complexity, config))
    with session.begin_nested():
        session.add_all(
            TherapySession(case_id=case.id, therapist_id=case.therapist_id, session_date=day,
                           duration_minutes=minutes, complexity=complexity, model_version=model_version,
                           weight=weight)
            for day, minutes in parsed
        )
    audit.record(session, "create", actor=acting, subject_type="case", subject_id=case.code,
                 detail=f"{len(parsed)} sessions")
    return len(parsed)


def close_case(session: Session, user: UserAccount, case_code: str, closed_on: dt.date | None = None) -> None:
    """Close a case (no sessions or ratings after ``closed_on``, default today)."""
    acting, case = own_case(session, user, case_code, "close_case")
    if case.closed_on is not None:
        raise InvalidInput(Problem.make("already_closed", closed=case.closed_on))
    closed_on = checked(F.CLOSED_ON, closed_on or today())
    if closed_on < case.opened_on:
        raise InvalidInput(Problem.make("before_opened", None, "closed_on", value=closed_on, opened=case.opened_on))
    later = session.scalar(
        select(func.max(TherapySession.session_date)).where(
            TherapySession.case_id == case.id, TherapySession.session_date > closed_on
        )
    )
    if later is not None:
        raise InvalidInput(Problem.make("session_after", None, "closed_on", other=later))
    rated_later = session.scalar(
        select(func.max(CaseRating.rated_on)).where(CaseRating.case_id == case.id, CaseRating.rated_on > closed_on)
    )
    if rated_later is not None:
        raise InvalidInput(Problem.make("rating_after", None, "closed_on", other=rated_later))
    case.closed_on = closed_on
    audit.record(session, "change", actor=acting, subject_type="case", subject_id=case.code,
                 detail=f"closed on {closed_on}")
    session.flush()


def my_cases(session: Session, user: UserAccount, *, include_closed: bool = True) -> list[CaseOverview]:
    """The therapist's own cases with their latest rating: open cases first, newest first."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "my_cases")
    rn = func.row_number().over(
        partition_by=CaseRating.case_id, order_by=(CaseRating.rated_on.desc(), CaseRating.id.desc())
    )
    latest = (
        select(CaseRating.case_id, CaseRating.rated_on, CaseRating.complexity, CaseRating.band,
               CaseRating.complexity_low, CaseRating.complexity_high, CaseRating.model_version, rn.label("rn"))
        .join(Case, Case.id == CaseRating.case_id)
        .where(Case.therapist_id == tid)
        .subquery()
    )
    counts = (
        select(TherapySession.case_id, func.count().label("n"),
               func.max(TherapySession.session_date).label("last"))
        .where(TherapySession.therapist_id == tid)
        .group_by(TherapySession.case_id)
        .subquery()
    )
    stmt = (
        select(Case.code, Case.opened_on, Case.closed_on, latest.c.rated_on, latest.c.complexity,
               latest.c.band, latest.c.complexity_low, latest.c.complexity_high, latest.c.model_version,
               counts.c.n, counts.c.last)
        .outerjoin(latest, and_(latest.c.case_id == Case.id, latest.c.rn == 1))
        .outerjoin(counts, counts.c.case_id == Case.id)
        .where(Case.therapist_id == tid)
        .order_by(sql_case((Case.closed_on.is_(None), 0), else_=1), Case.opened_on.desc(), Case.id.desc())
    )
    if not include_closed:
        stmt = stmt.where(Case.closed_on.is_(None))
    return [
        CaseOverview(code=r.code, opened_on=r.opened_on, closed_on=r.closed_on, rated_on=r.rated_on,
                     complexity=r.complexity, band=r.band or UNRATED, complexity_low=r.complexity_low,
                     complexity_high=r.complexity_high, model_version=r.model_version, sessions=int(r.n or 0),
                     last_session_on=r.last)
        for r in session.execute(stmt)
    ]


def get_case(session: Session, user: UserAccount, case_code: str) -> CaseDetail:
    """One of the therapist's own cases with every rating and session."""
    _, case = own_case(session, user, case_code, "get_case")
    ratings = session.scalars(
        select(CaseRating).where(CaseRating.case_id == case.id).order_by(CaseRating.rated_on, CaseRating.id)
    ).all()
    sessions = session.scalars(
        select(TherapySession).where(TherapySession.case_id == case.id)
        .order_by(TherapySession.session_date, TherapySession.id)
    ).all()
    return CaseDetail(
        code=case.code, opened_on=case.opened_on, closed_on=case.closed_on,
        ratings=tuple(
            RatingRecord(rated_on=r.rated_on, items=r.items(), complexity=r.complexity, band=r.band,
                         interaction=r.interaction, complexity_low=r.complexity_low,
                         complexity_high=r.complexity_high, burden=r.burden,
                         instrument_version=r.instrument_version, model_version=r.model_version)
            for r in ratings
        ),
        sessions=tuple(
            SessionRecord(session_date=s.session_date, duration_minutes=s.duration_minutes,
                          complexity=s.complexity, weight=s.weight, model_version=s.model_version)
            for s in sessions
        ),
    )


__all__ = [
    "CaseDetail", "CaseOverview", "RatingRecord", "SessionRecord", "add_case", "close_case", "get_case",
    "LatestScore", "latest_scores", "my_cases", "rate_case", "record_sessions",
]

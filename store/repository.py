"""Cases, ratings, sessions, check-ins and load: the store's use cases, with the role
rules of ``shared/design.md`` enforced here, below every page.

Every function takes a :class:`~sqlalchemy.orm.Session` (see ``store.db.session_scope``)
and the acting :class:`~store.models.UserAccount`. The actor's role is re-read from
the database on each call, so a role changed since login takes effect at once.

Role rules:

- **therapist**: reads and writes only their own cases, ratings, sessions, check-ins
  and weekly load.
- **supervisor**: reads caseload figures (weekly load, session counts, complex-case
  counts) of therapists in the teams they supervise; each such read is logged as an
  audit ``read`` per therapist. Never check-in content, never a case.
- **admin**: accounts and the audit log only; nothing here.
- **researcher**: nothing here (the research dataset is a separate, pseudonymised
  export).

A refused call raises :class:`store.AccessDenied` after committing an ``authz_denied``
audit event (and rolling back the session's transaction: see ``store.audit.deny``).
Invalid input raises :class:`store.InvalidInput` listing every problem, with nothing
stored. Dates default to today (local time).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import and_, exists, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complexity import CHECKIN, DEFAULT_CONFIG, INSTRUMENT, CaseScore, ModelConfig, RatingsInputError
from complexity import capacity_score, score_case
from complexity.config import BANDS
from complexity.calendar import iso_week_label, monday_of, today
from complexity.load import LOAD_COLUMNS, load_from_totals, session_weight

from data_schema.guard import check_free_text
from data_schema.problems import Problem

from . import audit
from .codes import new_case_code, normalize_case_code
from .errors import CheckinExists, InvalidInput, NotFound
from .models import (
    ACTION_COLUMNS,
    MAX_SESSION_MINUTES,
    REFLECTION_MAX,
    SELFCARE_ACTIONS,
    Case,
    CaseRating,
    SupervisorTeam,
    Therapist,
    TherapySession,
    UserAccount,
    WeeklyCheckin,
)
from .sql import week_start as sql_week_start

MAX_WEEKS = 520
COMPLEX_BANDS: tuple[str, ...] = ("moderate", "severe")
UNRATED = "unrated"


# --- results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseOverview:
    """One row of a therapist's case list: the case and its latest rating."""

    code: str
    opened_on: dt.date
    closed_on: dt.date | None
    rated_on: dt.date | None  # of the latest rating; None = never rated
    complexity: float | None  # None = never rated, or incomplete
    band: str  # a complexity band, "incomplete", or "unrated"
    sessions: int
    last_session_on: dt.date | None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


@dataclass(frozen=True)
class RatingRecord:
    rated_on: dt.date
    items: Mapping[str, int | None]
    complexity: float | None
    band: str
    interaction: float | None
    instrument_version: str
    model_version: str


@dataclass(frozen=True)
class SessionRecord:
    session_date: dt.date
    duration_minutes: int
    complexity: float | None  # the case's complexity when recorded (None = unscored)
    weight: float


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


# --- dates ------------------------------------------------------------------------------

def week_range(weeks: int | Iterable[dt.date], as_of: dt.date | None = None) -> list[dt.date]:
    """The Mondays asked for: ``weeks`` ISO weeks up to and including the week of
    ``as_of`` (default today), or the weeks of the given dates, sorted."""
    if isinstance(weeks, (int, np.integer)) and not isinstance(weeks, bool):
        n = int(weeks)
        if not 1 <= n <= MAX_WEEKS:
            raise InvalidInput(f"weeks must be 1-{MAX_WEEKS}, not {n}")
        last = monday_of(as_of or today())
        return [last - dt.timedelta(weeks=n - 1 - i) for i in range(n)]
    mondays = sorted({monday_of(_as_date(w)) for w in weeks})
    if not mondays:
        raise InvalidInput("no weeks asked for")
    if len(mondays) > MAX_WEEKS:
        raise InvalidInput(f"at most {MAX_WEEKS} weeks at a time")
    return mondays


def _as_date(value: object) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())
    raise TypeError(f"{value!r} is not a date")


def _parse_date(value: object, column: str, problems: list, row: int | None = None) -> dt.date | None:
    try:
        return _as_date(value)
    except (TypeError, ValueError):
        problems.append(Problem.make("bad_date", row, column, value=value))
        return None


# --- access -----------------------------------------------------------------------------

def _actor(session: Session, user: UserAccount) -> UserAccount:
    """The acting account as stored now (role and links re-read)."""
    user_id = getattr(user, "id", None)
    actor = session.get(UserAccount, user_id, populate_existing=True) if user_id is not None else None
    if actor is None:
        audit.deny(session, user_id, "unknown user account", attempted="access")
    return actor


def _own_therapist_id(session: Session, actor: UserAccount, attempted: str,
                      subject_type: str | None = None, subject_id: object = None) -> int:
    if actor.role != "therapist" or actor.therapist_id is None:
        audit.deny(
            session, actor, f"only a therapist can {attempted.replace('_', ' ')}",
            attempted=attempted, subject_type=subject_type, subject_id=subject_id,
        )
    return actor.therapist_id


def _own_case(session: Session, user: UserAccount, case_code: str, attempted: str) -> tuple[UserAccount, Case]:
    actor = _actor(session, user)
    try:
        code = normalize_case_code(case_code)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    tid = _own_therapist_id(session, actor, attempted, "case", code)
    case = session.scalars(select(Case).where(Case.code == code)).one_or_none()
    if case is None:
        raise NotFound(f"no case {code}")
    if case.therapist_id != tid:
        audit.deny(session, actor, "the case belongs to another therapist",
                   attempted=attempted, subject_type="case", subject_id=code)
    return actor, case


def _supervised_team_ids(session: Session, actor: UserAccount) -> set[int]:
    return set(session.scalars(select(SupervisorTeam.team_id).where(SupervisorTeam.user_id == actor.id)))


# --- cases ------------------------------------------------------------------------------

def add_case(
    session: Session,
    user: UserAccount,
    therapist: Therapist | int | None = None,
    *,
    opened_on: dt.date | None = None,
) -> str:
    """Open a case in the therapist's own caseload; returns its new code."""
    actor = _actor(session, user)
    tid = _own_therapist_id(session, actor, "add_case")
    wanted = therapist.id if isinstance(therapist, Therapist) else therapist
    if wanted is not None and wanted != tid:
        audit.deny(session, actor, "a therapist opens cases in their own caseload only",
                   attempted="add_case", subject_type="therapist", subject_id=wanted)
    own = session.get(Therapist, tid)
    if own is None or not own.active:
        raise InvalidInput("case not opened", [Problem.make("inactive_therapist")])
    opened_on = opened_on or today()
    if opened_on > today():
        raise InvalidInput(f"opened on {opened_on}: a case cannot open in the future")
    for _ in range(10):
        code = new_case_code()
        if session.scalar(select(exists().where(Case.code == code))):
            continue
        try:
            with session.begin_nested():
                session.add(Case(code=code, therapist_id=tid, opened_on=opened_on))
        except IntegrityError:  # the same code drawn concurrently (1 in 2^40)
            continue
        audit.record(session, "create", actor=actor, subject_type="case", subject_id=code)
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
    """Store a dated rating of a case (item id -> 0-3, missing/None = not rated) with
    the model's score; returns the score with its explanation."""
    actor, case = _own_case(session, user, case_code, "rate_case")
    problems: list[str] = []
    unknown = sorted(set(ratings) - set(INSTRUMENT.item_ids))
    if unknown:
        problems.append(f"unknown items {unknown}: use the instrument's item ids")
    rated_on = rated_on or today()
    if rated_on > today():
        problems.append(Problem.make("future_date", None, "rated_on", value=rated_on))
    if rated_on < case.opened_on:
        problems.append(Problem.make("before_opened", None, "rated_on", value=rated_on, opened=case.opened_on))
    if case.closed_on is not None and rated_on > case.closed_on:
        problems.append(Problem.make("after_closed", None, "rated_on", value=rated_on, closed=case.closed_on))
    if problems:
        raise InvalidInput(f"rating of {case.code} not stored", problems)
    try:
        score = score_case(dict(ratings), config, case_id=case.code)
    except RatingsInputError as exc:
        raise InvalidInput(
            f"rating of {case.code} not stored", [p.describe() for p in exc.problems]
        ) from exc
    items = {i: (None if ratings.get(i) is None else int(ratings[i])) for i in INSTRUMENT.item_ids}
    session.add(
        CaseRating(
            case_id=case.id,
            rated_on=rated_on,
            rated_by_user_id=actor.id,
            complexity=score.complexity,
            band=score.band,
            interaction=score.interaction if score.complete else None,
            instrument_version=score.instrument_version,
            model_version=score.model_version,
            **items,
        )
    )
    audit.record(session, "create", actor=actor, subject_type="case", subject_id=case.code,
                 detail=f"rating of {rated_on}")
    session.flush()
    return score


def _latest_complexity(session: Session, case_id: int) -> float | None:
    return session.scalar(
        select(CaseRating.complexity)
        .where(CaseRating.case_id == case_id)
        .order_by(CaseRating.rated_on.desc(), CaseRating.id.desc())
        .limit(1)
    )


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
    none and the error lists every problem. Returns the number stored.

    Each session's ``weight`` is ``session_weight`` of the case's latest complexity now
    (a snapshot: a later re-rating changes later sessions only).
    """
    actor, case = _own_case(session, user, case_code, "record_sessions")
    entries = list(sessions)
    if not entries:
        raise InvalidInput("no sessions to record")
    problems: list[str] = []
    parsed: list[tuple[dt.date, int]] = []
    now = today()
    for n, entry in enumerate(entries, start=1):
        if isinstance(entry, Mapping):
            raw_date, raw_minutes = entry.get("session_date"), entry.get("duration_minutes")
        else:
            try:
                raw_date, raw_minutes = entry
            except (TypeError, ValueError):
                problems.append(f"session {n}: expected (date, minutes), got {entry!r}")
                continue
        row = n if len(entries) > 1 else None  # "row n" only when several sessions are recorded
        day = _parse_date(raw_date, "session_date", problems, row)
        if day is not None:
            if day < case.opened_on:
                problems.append(Problem.make("before_opened", row, "session_date", value=day, opened=case.opened_on))
            elif case.closed_on is not None and day > case.closed_on:
                problems.append(Problem.make("after_closed", row, "session_date", value=day, closed=case.closed_on))
            elif day > now:
                problems.append(Problem.make("future_date", row, "session_date", value=day))
        minutes = _whole_number(raw_minutes)
        if minutes is None or not 1 <= minutes <= MAX_SESSION_MINUTES:
            problems.append(Problem.make("out_of_range", row, "duration_minutes", value=raw_minutes, lo=1,
                                         hi=MAX_SESSION_MINUTES))
        if day is not None and minutes is not None:
            parsed.append((day, minutes))
    if problems:
        raise InvalidInput(f"no sessions of {case.code} stored", problems)
    complexity = _latest_complexity(session, case.id)
    weight = float(session_weight(np.nan if complexity is None else complexity, config))
    with session.begin_nested():
        session.add_all(
            TherapySession(case_id=case.id, therapist_id=case.therapist_id, session_date=day,
                           duration_minutes=minutes, complexity=complexity, weight=weight)
            for day, minutes in parsed
        )
    audit.record(session, "create", actor=actor, subject_type="case", subject_id=case.code,
                 detail=f"{len(parsed)} sessions")
    return len(parsed)


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def close_case(session: Session, user: UserAccount, case_code: str, closed_on: dt.date | None = None) -> None:
    """Close a case (no sessions or ratings after ``closed_on``, default today)."""
    actor, case = _own_case(session, user, case_code, "close_case")
    closed_on = closed_on or today()
    if case.closed_on is not None:
        raise InvalidInput(f"{case.code} not closed", [Problem.make("already_closed", closed=case.closed_on)])
    if closed_on < case.opened_on:
        raise InvalidInput(f"{case.code} not closed", [
            Problem.make("before_opened", None, "closed_on", value=closed_on, opened=case.opened_on)])
    if closed_on > today():
        raise InvalidInput(f"{case.code} not closed", [Problem.make("future_date", None, "closed_on", value=closed_on)])
    later = session.scalar(
        select(func.max(TherapySession.session_date)).where(
            TherapySession.case_id == case.id, TherapySession.session_date > closed_on
        )
    )
    if later is not None:
        raise InvalidInput(f"{case.code} not closed", [Problem.make("session_after", None, "closed_on", other=later)])
    rated_later = session.scalar(
        select(func.max(CaseRating.rated_on)).where(CaseRating.case_id == case.id, CaseRating.rated_on > closed_on)
    )
    if rated_later is not None:
        raise InvalidInput(f"{case.code} not closed", [Problem.make("rating_after", None, "closed_on", other=rated_later)])
    case.closed_on = closed_on
    audit.record(session, "change", actor=actor, subject_type="case", subject_id=case.code,
                 detail=f"closed on {closed_on}")
    session.flush()


def my_cases(session: Session, user: UserAccount, *, include_closed: bool = True) -> list[CaseOverview]:
    """The therapist's own cases with their latest rating: open cases first, newest first."""
    actor = _actor(session, user)
    tid = _own_therapist_id(session, actor, "my_cases")
    rn = func.row_number().over(
        partition_by=CaseRating.case_id, order_by=(CaseRating.rated_on.desc(), CaseRating.id.desc())
    )
    latest = (
        select(CaseRating.case_id, CaseRating.rated_on, CaseRating.complexity, CaseRating.band, rn.label("rn"))
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
               latest.c.band, counts.c.n, counts.c.last)
        .outerjoin(latest, and_(latest.c.case_id == Case.id, latest.c.rn == 1))
        .outerjoin(counts, counts.c.case_id == Case.id)
        .where(Case.therapist_id == tid)
        .order_by(sql_case((Case.closed_on.is_(None), 0), else_=1), Case.opened_on.desc(), Case.id.desc())
    )
    if not include_closed:
        stmt = stmt.where(Case.closed_on.is_(None))
    return [
        CaseOverview(code=r.code, opened_on=r.opened_on, closed_on=r.closed_on, rated_on=r.rated_on,
                     complexity=r.complexity, band=r.band or UNRATED, sessions=int(r.n or 0),
                     last_session_on=r.last)
        for r in session.execute(stmt)
    ]


def get_case(session: Session, user: UserAccount, case_code: str) -> CaseDetail:
    """One of the therapist's own cases with every rating and session."""
    _, case = _own_case(session, user, case_code, "get_case")
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
                         interaction=r.interaction, instrument_version=r.instrument_version,
                         model_version=r.model_version)
            for r in ratings
        ),
        sessions=tuple(
            SessionRecord(session_date=s.session_date, duration_minutes=s.duration_minutes,
                          complexity=s.complexity, weight=s.weight)
            for s in sessions
        ),
    )


# --- check-ins --------------------------------------------------------------------------

_SCALES = {f.id: f for f in CHECKIN.scale_fields}


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
    actor = _actor(session, user)
    tid = _own_therapist_id(session, actor, "save_checkin")
    problems: list[str] = []
    week = _parse_date(week_start, "week_start", problems)
    if week is not None:
        if week.weekday() != 0:
            problems.append(f"week_start {week} is a {week:%A}, not the Monday of its week")
        elif week > monday_of(today()):
            problems.append(f"week_start {week}: the week has not begun")
    known = set(_SCALES) | {"selfcare_actions", "reflection"}
    unknown = sorted(set(answers) - known)
    if unknown:
        problems.append(f"unknown check-in fields {unknown}")
    values: dict[str, int | None] = {}
    for fid, f in _SCALES.items():
        raw = answers.get(fid)
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            values[fid] = None
            continue
        v = _whole_number(raw)
        if v is None or not f.min <= v <= f.max:
            problems.append(Problem.make("out_of_range" if v is not None else "not_a_whole_number", None, fid,
                                         value=raw, lo=f.min, hi=f.max))
        values[fid] = v
    actions = answers.get("selfcare_actions") or ()
    if isinstance(actions, str):
        actions = [actions]
    actions = list(actions)
    bad_actions = sorted(set(actions) - set(SELFCARE_ACTIONS))
    if bad_actions:
        problems.append(f"unknown self-care actions {bad_actions}")
    reflection = answers.get("reflection")
    if reflection is not None:
        if not isinstance(reflection, str):
            problems.append("reflection must be text")
        else:
            reflection = reflection.strip() or None
            if reflection is not None and len(reflection) > REFLECTION_MAX:
                problems.append(Problem.make("too_long", None, "reflection", length=len(reflection),
                                             max=REFLECTION_MAX))
            elif reflection is not None:
                problems += check_free_text(reflection, "reflection")
    if problems:
        raise InvalidInput("check-in not stored", problems)

    def _exists() -> bool:
        return bool(session.scalar(select(exists().where(
            WeeklyCheckin.therapist_id == tid, WeeklyCheckin.week_start == week))))

    label = iso_week_label(week)
    if _exists():
        raise CheckinExists(f"there is already a check-in for week {label}; it is kept as it was")
    answered = {k: v for k, v in values.items() if v is not None}
    score = capacity_score(answered, config) if answered else float("nan")
    row = WeeklyCheckin(
        therapist_id=tid, week_start=week, reflection=reflection,
        capacity_score=None if math.isnan(score) else float(score),
        checkin_version=CHECKIN.version, **values,
        **{col: (a in actions) for a, col in zip(SELFCARE_ACTIONS, ACTION_COLUMNS)},
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if _exists():  # stored concurrently by another session of the same therapist
            raise CheckinExists(f"there is already a check-in for week {label}; it is kept as it was") from None
        raise
    audit.record(session, "create", actor=actor, subject_type="therapist", subject_id=tid,
                 detail=f"weekly check-in {label}")
    return _checkin_record(row)


def _checkin_record(row: WeeklyCheckin) -> CheckinRecord:
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
    actor = _actor(session, user)
    if actor.role == "supervisor":
        audit.deny(session, actor, "supervisors never see check-in content",
                   attempted="therapist_checkins", subject_type="therapist", subject_id=therapist_id)
    tid = _own_therapist_id(session, actor, "therapist_checkins", "therapist", therapist_id)
    if therapist_id is not None and therapist_id != tid:
        audit.deny(session, actor, "check-ins are readable by their own therapist only",
                   attempted="therapist_checkins", subject_type="therapist", subject_id=therapist_id)
    stmt = select(WeeklyCheckin).where(WeeklyCheckin.therapist_id == tid).order_by(WeeklyCheckin.week_start)
    if weeks is not None:
        stmt = stmt.where(WeeklyCheckin.week_start.in_(week_range(weeks, as_of)))
    return [_checkin_record(r) for r in session.scalars(stmt)]


# --- load -------------------------------------------------------------------------------

def _weekly_totals(session: Session, where, mondays: Sequence[dt.date]) -> pd.DataFrame:
    """Sessions, unscored sessions and summed weight per therapist per ISO week, summed
    in SQL over the sessions matching ``where`` (a condition on ``therapy_session``) in
    the weeks ``mondays``. One aggregation over the session table alone (no join), its
    rows turned into columns in one go: this is the hot path of the team overview
    (bench/bench_team_load.py)."""
    week = sql_week_start(TherapySession.session_date).label("week_start")
    stmt = (
        select(
            TherapySession.therapist_id,
            week,
            func.count().label("sessions"),
            (func.count() - func.count(TherapySession.complexity)).label("unscored_sessions"),
            func.sum(TherapySession.weight).label("load"),
        )
        .where(
            where,
            TherapySession.session_date >= mondays[0],
            TherapySession.session_date < mondays[-1] + dt.timedelta(days=7),
        )
        .group_by(TherapySession.therapist_id, week)
    )
    columns = ["therapist_id", "week_start", "sessions", "unscored_sessions", "load"]
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
        }
    ).reset_index(drop=True)


def _load_frame(session: Session, therapists: Sequence[Therapist], where, mondays, config) -> pd.DataFrame:
    info = pd.DataFrame(
        {
            "therapist_id": pd.Series([t.id for t in therapists], dtype="int64"),
            "contracted_sessions": pd.Series([t.contracted_sessions for t in therapists], dtype="int64"),
            "is_starting": pd.Series([t.is_starting for t in therapists], dtype=bool),
        }
    )
    totals = _weekly_totals(session, where, mondays)
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
    """One therapist's weekly load: a row per ISO week with the columns of
    ``complexity.load.weekly_load`` (sessions, unscored_sessions, load, capacity,
    load_index, status). ``weeks``: a number of weeks up to the week of ``as_of``
    (default today), or dates whose weeks to report.

    The therapist reads their own; a supervisor reads a therapist of a team they
    supervise (audited).
    """
    actor = _actor(session, user)
    mondays = week_range(weeks, as_of)
    therapist = session.get(Therapist, therapist_id)
    if actor.role == "therapist" and actor.therapist_id == therapist_id and therapist is not None:
        pass
    elif actor.role == "supervisor" and therapist is not None and therapist.team_id in _supervised_team_ids(session, actor):
        audit.record(session, "read", actor=actor, subject_type="therapist", subject_id=therapist_id,
                     detail=_weeks_detail(mondays))
    else:
        audit.deny(session, actor, "this weekly load is not yours to read",
                   attempted="therapist_weekly_load", subject_type="therapist", subject_id=therapist_id)
    return _load_frame(session, [therapist], TherapySession.therapist_id == therapist_id, mondays, config)


def _team_therapists(session: Session, user: UserAccount, team_id: int, attempted: str) -> tuple[UserAccount, list[Therapist]]:
    actor = _actor(session, user)
    if actor.role != "supervisor" or team_id not in _supervised_team_ids(session, actor):
        audit.deny(session, actor, "team figures are for the team's supervisors",
                   attempted=attempted, subject_type="team", subject_id=team_id)
    therapists = session.scalars(
        select(Therapist).where(Therapist.team_id == team_id, Therapist.active.is_(True)).order_by(Therapist.id)
    ).all()
    return actor, list(therapists)


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
    ``display_name``. Each therapist's figures read are logged (audit ``read``)."""
    actor, therapists = _team_therapists(session, user, team_id, "team_weekly_load")
    mondays = week_range(weeks, as_of)
    ids = [t.id for t in therapists]
    frame = _load_frame(
        session, therapists, TherapySession.therapist_id.in_(ids), mondays, config,
    ) if ids else pd.DataFrame({c: [] for c in LOAD_COLUMNS})
    for tid in ids:
        audit.record(session, "read", actor=actor, subject_type="therapist", subject_id=tid,
                     detail=f"{_weeks_detail(mondays)} (team {team_id})")
    names = {t.id: t.display_name for t in therapists}
    frame["display_name"] = frame["therapist_id"].map(names)
    return frame


def team_caseload(session: Session, user: UserAccount, team_id: int) -> pd.DataFrame:
    """Open cases per active therapist of a team by the band of their latest rating,
    for the team's supervisors: ``therapist_id``, ``display_name``, ``open_cases``,
    one column per band plus ``incomplete`` and ``unrated``, and ``complex_cases``
    (moderate + severe). Counts only; no case is identified. Audited per therapist."""
    actor, therapists = _team_therapists(session, user, team_id, "team_caseload")
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
        audit.record(session, "read", actor=actor, subject_type="therapist", subject_id=t.id,
                     detail=f"caseload counts (team {team_id})")
    return pd.DataFrame(rows, columns=["therapist_id", "display_name", "open_cases", *columns, "complex_cases"])


__all__ = [
    "CaseDetail", "CaseOverview", "CheckinRecord", "RatingRecord", "SessionRecord", "add_case",
    "close_case", "get_case", "monday_of", "my_cases", "rate_case", "record_sessions", "save_checkin",
    "team_caseload", "team_weekly_load", "therapist_checkins", "therapist_weekly_load", "week_range",
]

"""The demo practice's plan: every row to write, computed without the database.

:func:`plan_practice` draws the therapists (contracts, start dates, teams), then each
therapist's cases and ratings (:mod:`store.demo.caseload`), the weekly sessions of
those cases, when cases close, the check-ins and self-care goals
(:mod:`store.demo.checkins`), research consent and case codes.

Every part draws from its own random stream, spawned from the seed in a fixed order,
and within a stream always in the same order: the same arguments and seed give the
same plan. (Changing the order of the draws changes the demo's data.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from complexity import DEFAULT_CONFIG
from complexity.load import capacity_of, session_weight

from ..codes import ALPHABET
from .caseload import CaseloadPlanner, CaseTable, PlanCalendar
from .checkins import CheckinPlan, GoalPlan, plan_checkins, plan_goals, weekly_load_index
from .parameters import DEMO_PARAMETERS, DRIFT_WEEKS, DemoParameters
from .people import TherapistSpec, drifter_index, team_count, team_names, therapist_specs
from .practice import PracticeRatingPlan, plan_practice_ratings
from .ratings import RatingPool, RatingTable

# Random streams, in the order they are spawned from the seed.
STREAMS = ("people", "ratings", "sessions", "checkins", "misc", "codes", "practice")  # new ones last: the earlier streams stay the same
# The per-therapist streams come from their own seed sequence [seed, THERAPIST_STREAM],
# so a therapist's cases do not depend on how many therapists come after her.
THERAPIST_STREAM = 7
# Case codes: C-XXXX-XXXX, eight symbols of five bits (store.codes); the demo draws a
# few spare ones so that removing duplicates rarely needs a second draw.
CODE_SYMBOLS, SYMBOL_BITS, SPARE_CODES = 8, 5, 64
RESEARCH_ID_BYTES = 16  # a research id: 32 hex digits


@dataclass(frozen=True)
class SessionPlan:
    """Every planned therapy session, one entry per session in each array."""

    case: np.ndarray  # case number
    therapist: np.ndarray  # therapist number
    day: np.ndarray  # day offset from the first Monday
    week: np.ndarray  # week number
    minutes: np.ndarray
    complexity: np.ndarray  # the case's latest complexity on the day, NaN = never rated
    weight: np.ndarray  # session_weight of that complexity

    @property
    def count(self) -> int:
        return int(self.case.size)


@dataclass
class DemoPlan:
    """The whole demo practice, ready to write (:func:`store.demo.write.write_plan`)."""

    calendar: PlanCalendar
    parameters: DemoParameters
    teams: list[str]
    therapists: list[TherapistSpec]  # with their contracts drawn
    team_of: np.ndarray  # per therapist, index into teams
    started_on: list[dt.date]  # per therapist
    drifter: int  # therapist number of the drifting starter
    cases: CaseTable
    ratings: RatingTable
    sessions: SessionPlan
    checkins: CheckinPlan
    goals: list[GoalPlan]
    consent: list[tuple[int, str]]  # therapist number, research id
    codes: list[str]  # per case
    practice: list[PracticeRatingPlan]  # the rating practice (store.demo.practice)

    @property
    def start(self) -> dt.date:
        return self.calendar.start

    @property
    def weeks(self) -> int:
        return self.calendar.weeks

    @property
    def as_of(self) -> dt.date:
        return self.calendar.as_of

    def date(self, day: int) -> dt.date:
        return self.calendar.date(day)

    def monday(self, week: int) -> dt.date:
        return self.calendar.start + dt.timedelta(weeks=int(week))


def plan_practice(therapists: int, weeks: int, seed: int, as_of: dt.date,
                  parameters: DemoParameters = DEMO_PARAMETERS) -> DemoPlan:
    """The demo practice of ``therapists`` therapists over ``weeks`` weeks up to ``as_of``."""
    streams = dict(zip(STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS)))))
    therapist_seeds = np.random.SeedSequence([seed, THERAPIST_STREAM]).spawn(therapists)
    calendar = PlanCalendar.ending(as_of, weeks, DRIFT_WEEKS)
    drifter = drifter_index(therapists)

    specs = _draw_contracts(streams["people"], therapist_specs(therapists), parameters)
    teams = team_count(therapists)
    team_of = (np.arange(therapists) * teams) // therapists
    started_on = [calendar.start - dt.timedelta(weeks=_tenure_weeks(streams["people"], spec.starting, parameters))
                  for spec in specs]
    starting = np.array([spec.starting for spec in specs])
    capacity = capacity_of(np.array([spec.contracted for spec in specs], dtype=float), starting, DEFAULT_CONFIG)

    planner = CaseloadPlanner(calendar, parameters, RatingPool(streams["ratings"], parameters), drifter)
    holidays = np.stack([planner.plan_therapist(i, np.random.default_rng(therapist_seeds[i]), starting[i], capacity[i])
                         for i in range(therapists)])
    cases, ratings = planner.cases, planner.ratings
    sessions = _plan_sessions(streams["sessions"], cases, ratings, holidays, calendar, drifter, parameters)
    cases.closed = _closing_days(cases, ratings, sessions, calendar)

    load_index = weekly_load_index(sessions.therapist, sessions.week, sessions.weight, capacity, weeks)
    checkins = plan_checkins(streams["checkins"], load_index, holidays, calendar, drifter, parameters)
    goals = plan_goals(streams["misc"], therapists, calendar, parameters)
    consent = [(i, streams["misc"].bytes(RESEARCH_ID_BYTES).hex())
               for i in range(therapists) if i % parameters.consent_group != parameters.consent_group - 1]
    codes = _case_codes(streams["codes"], len(cases.therapist))
    practice = plan_practice_ratings(streams["practice"], specs, drifter,
                                     calendar.start + dt.timedelta(weeks=calendar.current_week))
    return DemoPlan(calendar=calendar, parameters=parameters, teams=team_names(teams), therapists=specs,
                    team_of=team_of, started_on=started_on, drifter=drifter, cases=cases, ratings=ratings,
                    sessions=sessions, checkins=checkins, goals=goals, consent=consent, codes=codes,
                    practice=practice)


def _draw_contracts(rng: np.random.Generator, specs: list[TherapistSpec],
                    parameters: DemoParameters) -> list[TherapistSpec]:
    """The therapists with a contract drawn for each one who has none yet."""
    out = []
    for spec in specs:
        if spec.contracted is None:
            low, high = parameters.starter_contract if spec.starting else parameters.experienced_contract
            spec = spec._replace(contracted=int(rng.integers(low, high + 1)))
        out.append(spec)
    return out


def _tenure_weeks(rng: np.random.Generator, starting: bool, parameters: DemoParameters) -> int:
    """How many weeks before the demo's first week a therapist started."""
    low, high = parameters.starter_tenure_weeks if starting else parameters.experienced_tenure_weeks
    return int(rng.integers(low, high + 1))


def _plan_sessions(rng: np.random.Generator, cases: CaseTable, ratings: RatingTable, holidays: np.ndarray,
                   calendar: PlanCalendar, drifter: int, parameters: DemoParameters) -> SessionPlan:
    """One session per case per week from its first to its last week, except holidays,
    cancellations and days after ``as_of``. The intake (first session of a new case) is
    always on the day the case opened and always takes place; so does every session of
    the drifting starter's drift weeks."""
    columns = cases.arrays()
    last_week = np.minimum(columns["end_week"], calendar.current_week)
    lengths = np.maximum(last_week - columns["first_week"] + 1, 0)
    case = np.repeat(np.arange(lengths.size), lengths)
    offset = np.arange(case.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    week = columns["first_week"][case] + offset
    day = 7 * week + columns["weekday"][case]
    therapist = columns["therapist"][case]
    intake = (offset == 0) & ~columns["initial"][case]
    attended = rng.random(case.size) < parameters.attendance
    attended |= intake | columns["drift"][case] | (therapist == drifter) & (week >= calendar.drift_start)
    keep = attended & ~holidays[therapist, week] & (day <= calendar.as_of_day)
    case, week, day, therapist, intake = case[keep], week[keep], day[keep], therapist[keep], intake[keep]
    minutes = rng.choice(np.array(parameters.session_minutes), size=case.size, p=list(parameters.session_minutes_p))
    minutes = np.where(intake, parameters.intake_minutes, minutes)

    rated = np.asarray(ratings.complexity, dtype=float)
    rated_day = np.asarray(ratings.day, dtype=np.int64)
    first_rating, rerating = columns["rating"][case], columns["rerating"][case]
    complexity = np.where(first_rating >= 0, rated[np.maximum(first_rating, 0)], np.nan)
    after_rerating = (rerating >= 0) & (day >= rated_day[np.maximum(rerating, 0)])
    complexity = np.where(after_rerating, rated[np.maximum(rerating, 0)], complexity)
    return SessionPlan(case=case, therapist=therapist, day=day, week=week, minutes=minutes,
                       complexity=complexity, weight=session_weight(complexity))


def _closing_days(cases: CaseTable, ratings: RatingTable, sessions: SessionPlan,
                  calendar: PlanCalendar) -> np.ndarray:
    """Per case, the day it closed (-1: still open). A case whose planned end lies before
    the current week is closed on its last day with a session or rating (never before it
    opened)."""
    closed = np.full(len(cases.therapist), -10**9, dtype=np.int64)  # below any day: "nothing yet"
    np.maximum.at(closed, sessions.case, sessions.day)
    rated_case = np.asarray(ratings.case, dtype=np.int64)
    if rated_case.size:
        np.maximum.at(closed, rated_case, np.asarray(ratings.day, dtype=np.int64))
    closed = np.maximum(closed, np.asarray(cases.opened))
    return np.where(np.asarray(cases.end_week) < calendar.current_week, closed, -1)


def _case_codes(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct case codes in random order."""
    code_space = 2 ** (CODE_SYMBOLS * SYMBOL_BITS)
    values = np.unique(rng.integers(0, code_space, size=count + SPARE_CODES, dtype=np.int64))
    while values.size < count:  # pragma: no cover - 2^40 codes
        values = np.unique(np.concatenate([values, rng.integers(0, code_space, size=count, dtype=np.int64)]))
    values = rng.permutation(values)[:count]
    shifts = SYMBOL_BITS * np.arange(CODE_SYMBOLS - 1, -1, -1)
    symbols = np.array(list(ALPHABET))[(values[:, None] >> shifts) & (2**SYMBOL_BITS - 1)]
    return [f"C-{''.join(code[:4])}-{''.join(code[4:])}" for code in symbols]

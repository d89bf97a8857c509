"""Each therapist's cases, planned week by week towards a target load index.

A therapist's weekly target load (a base level plus an autoregressive wobble, the
drifting starter's rising path at the end) times her capacity is the weighted
sessions she should see. She starts with enough running cases to meet week 0's target;
every later week, cases whose treatment ended drop out and new ones open until the
expected load (attendance times the open cases' session weights) meets the week's
target again. A case's band, length, weekday and ratings come from one block of
uniform draws per case (:data:`~store.demo.parameters.UNIFORMS_PER_CASE`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from complexity import BANDS, DEFAULT_CONFIG

from .columns import ColumnTable
from .parameters import FRIDAY, UNIFORMS_PER_CASE, WORKDAYS, DemoParameters, pick
from .ratings import RatingPool, RatingTable

NOT_RATED = -1  # a rating number or re-rating week that does not exist


@dataclass(frozen=True)
class PlanCalendar:
    """The demo's weeks, numbered from 0 (the first Monday) to ``weeks - 1`` (the week
    of ``as_of``); days are offsets from the first Monday."""

    start: dt.date  # Monday of week 0
    weeks: int
    as_of: dt.date  # the last day with sessions
    drift_start: int  # the drifting starter's first week of overload

    @classmethod
    def ending(cls, as_of: dt.date, weeks: int, drift_weeks: int) -> "PlanCalendar":
        start = as_of - dt.timedelta(days=as_of.weekday()) - dt.timedelta(weeks=weeks - 1)
        return cls(start=start, weeks=weeks, as_of=as_of, drift_start=weeks - drift_weeks)

    @property
    def current_week(self) -> int:
        return self.weeks - 1

    @property
    def as_of_day(self) -> int:
        return (self.as_of - self.start).days

    @property
    def last_weekday(self) -> int:
        """The last workday of the current week that has happened."""
        return min(FRIDAY, self.as_of.weekday())

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))


@dataclass
class CaseTable(ColumnTable):
    """Every planned case, one entry per case in each list (index = case number)."""

    therapist: list[int] = field(default_factory=list)  # therapist number
    opened: list[int] = field(default_factory=list)  # day offset from the first Monday
    first_week: list[int] = field(default_factory=list)  # first week with a session in the demo
    end_week: list[int] = field(default_factory=list)  # planned last week of sessions
    weekday: list[int] = field(default_factory=list)  # weekday of its sessions
    initial: list[bool] = field(default_factory=list)  # already running at the start
    drift: list[bool] = field(default_factory=list)  # no cancellations (overloaded starter)
    rating: list[int] = field(default_factory=list)  # rating number or NOT_RATED
    rerating: list[int] = field(default_factory=list)  # rating number or NOT_RATED
    rerate_week: list[int] = field(default_factory=list)  # NOT_RATED = not re-rated
    closed: np.ndarray | None = None  # day closed, -1 = still open (set after the sessions)

    def arrays(self) -> dict[str, np.ndarray]:
        """The planned columns as arrays (without ``closed``)."""
        return {name: np.asarray(values) for name, values in vars(self).items() if name != "closed"}


@dataclass
class _Caseload:
    """One therapist's state while her weeks are planned."""

    therapist: int
    rng: np.random.Generator
    drifting: bool
    # case -> (session weight, week of its re-rating or NOT_RATED, session weight after it)
    weights: dict[int, tuple[float, int, float]] = field(default_factory=dict)
    open_cases: list[int] = field(default_factory=list)

    def weight(self, case: int, week: int) -> float:
        """The case's session weight in ``week`` (after a re-rating, the new one)."""
        before, rerate_week, after = self.weights[case]
        return after if 0 <= rerate_week <= week else before


class CaseloadPlanner:
    """Plans every therapist's cases and their ratings (:meth:`plan_therapist`, one
    therapist after the other: the shared rating pool hands out vectors in that order)."""

    def __init__(self, calendar: PlanCalendar, parameters: DemoParameters, pool: RatingPool,
                 drifter: int) -> None:
        self.calendar = calendar
        self.parameters = parameters
        self.pool = pool
        self.drifter = drifter
        self.cases = CaseTable()
        self.ratings = RatingTable()
        self.mix_edges = parameters.mix_edges(drifting=False)
        self.drift_mix_edges = parameters.mix_edges(drifting=True)
        self.reference_weight = DEFAULT_CONFIG.load.reference_weight
        self.weight_per_point = DEFAULT_CONFIG.load.session_weight_per_point

    def session_weight(self, complexity: float) -> float:
        """:func:`complexity.load.session_weight` of one rated case, inlined for speed."""
        return 1.0 + self.weight_per_point * complexity

    def plan_therapist(self, therapist: int, rng: np.random.Generator, starting: bool,
                       capacity: float) -> np.ndarray:
        """Plan one therapist's cases; her holiday weeks (a boolean per week)."""
        p, weeks = self.parameters, self.calendar.weeks
        drift_start = self.calendar.drift_start
        caseload = _Caseload(therapist, rng, drifting=therapist == self.drifter)
        target = self._load_target(rng, starting)
        holidays = self._holidays(rng, caseload.drifting)
        if caseload.drifting:
            target[:drift_start] = np.minimum(target[:drift_start], p.drift_ceiling)
            target[drift_start:] = p.drift_ceiling + p.drift_rise_per_week * np.arange(1, weeks - drift_start + 1)

        expected, needed = 0.0, target[0] * capacity
        while expected < needed:
            expected += p.attendance * self._open_case(caseload, 0, initial=True)
        for week in range(weeks):
            in_drift = caseload.drifting and week >= drift_start
            if in_drift and week == drift_start:  # from now on none of her cases closes
                for case in caseload.open_cases:
                    self.cases.end_week[case] = max(self.cases.end_week[case], weeks - 1)
            caseload.open_cases[:] = [case for case in caseload.open_cases if self.cases.end_week[case] >= week]
            if holidays[week]:
                continue
            attendance = 1.0 if in_drift else p.attendance
            expected = attendance * sum(caseload.weight(case, week) for case in caseload.open_cases)
            needed = target[week] * capacity
            forced = 1 if in_drift else 0  # at least one new case a week: her load keeps rising
            while expected < needed or forced > 0:
                expected += attendance * self._open_case(caseload, week, initial=False)
                forced -= 1
        return holidays

    def _load_target(self, rng: np.random.Generator, starting: bool) -> np.ndarray:
        """The weekly target load index: the therapist's base plus an autoregressive wobble."""
        p, weeks = self.parameters, self.calendar.weeks
        base = (p.experienced_load if not starting else p.starter_load) + rng.normal(0.0, p.base_load_sd)
        wobble = np.zeros(weeks)
        for week in range(1, weeks):
            wobble[week] = p.load_persistence * wobble[week - 1] + rng.normal(0.0, p.load_noise_sd)
        return base + wobble

    def _holidays(self, rng: np.random.Generator, drifting: bool) -> np.ndarray:
        p, weeks = self.parameters, self.calendar.weeks
        holidays = np.zeros(weeks, dtype=bool)
        count = weeks // p.weeks_per_holiday
        free = p.holiday_free_weeks + (weeks - self.calendar.drift_start if drifting else 0)
        candidates = np.arange(0, max(1, weeks - free))
        if count and len(candidates) > count:
            holidays[rng.choice(candidates, count, replace=False)] = True
        return holidays

    def _open_case(self, caseload: _Caseload, week: int, initial: bool) -> float:
        """Open a case in ``week`` (``initial``: one already running before week 0) and
        rate it; its session weight."""
        p, calendar = self.parameters, self.calendar
        (band_draw, length_draw, weekday_draw, progress_draw, unrated_draw, rerate_draw, rerate_week_draw,
         shift_draw, _spare) = caseload.rng.random(UNIFORMS_PER_CASE).tolist()
        case = len(self.cases.therapist)
        in_drift = caseload.drifting and week >= calendar.drift_start
        band = pick(self.drift_mix_edges if in_drift else self.mix_edges, band_draw)
        shortest, longest = p.treatment_weeks[band]
        duration = shortest + int(length_draw * (longest - shortest))
        if initial:
            weekday = int(weekday_draw * WORKDAYS)
            weeks_done = int(progress_draw * duration)
            opened, first, end = weekday - 7 * (weeks_done + 1), 0, duration - weeks_done - 1
            rated_day = 0
        else:
            last_weekday = calendar.last_weekday if week == calendar.current_week else FRIDAY
            weekday = int(weekday_draw * (last_weekday + 1))
            opened, first, end = 7 * week + weekday, week, week + duration - 1
            rated_day = opened
        if in_drift:
            end = max(end, calendar.current_week)

        weight = weight_after = self.reference_weight
        first_rating = rerating = rerate_week = NOT_RATED
        if unrated_draw >= p.unrated_share:
            first_rating, complexity = self.ratings.add(self.pool, case, band, rated_day)
            weight = weight_after = self.session_weight(complexity)
            span = min(end, calendar.current_week) - first
            if rerate_draw < p.rerate_share and span >= p.rerate_min_span_weeks:
                window = span - p.rerate_earliest_week - p.rerate_latest_before_end + 1
                candidate_week = first + p.rerate_earliest_week + int(rerate_week_draw * window)
                candidate_day = 7 * candidate_week + weekday
                drift_blocked = (caseload.drifting
                                 and candidate_week >= calendar.drift_start - p.drift_rerating_stop_weeks)
                if candidate_day <= calendar.as_of_day and not drift_blocked:
                    down_edge, same_edge = p.rerate_shift_edges
                    shift = -1 if shift_draw < down_edge else (0 if shift_draw < same_edge else 1)
                    new_band = min(len(BANDS) - 1, max(0, band + shift))
                    rerating, new_complexity = self.ratings.add(self.pool, case, new_band, candidate_day)
                    rerate_week, weight_after = candidate_week, self.session_weight(new_complexity)
        self.cases.append_row(therapist=caseload.therapist, opened=opened, first_week=first, end_week=end,
                              weekday=weekday, initial=initial, drift=in_drift, rating=first_rating,
                              rerating=rerating, rerate_week=rerate_week)
        caseload.weights[case] = (weight, rerate_week, weight_after)
        caseload.open_cases.append(case)
        return weight

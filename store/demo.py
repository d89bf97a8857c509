"""``python -m store demo``: a deterministic, realistic demo practice in an empty database.

What it builds (defaults: 8 therapists, 26 weeks up to the week of ``as_of``):

- Two teams ("Team Noord", "Team Zuid"; one team per 50 therapists beyond 100),
  therapists alternating starting / experienced (starters contract 16-28 sessions).
- Cases that open and close over time, rated at intake (and about a third re-rated
  later) with item ratings drawn so that the scored complexity falls in the intended
  band: the mix covers uncomplicated, mild, moderate and severe; a few cases are never
  rated. Each therapist's caseload follows a weekly target load index (with noise and
  a few holiday weeks); sessions are weekly per case with some cancellations.
- Session weight snapshots follow the store's rule (``store.cases.record_sessions``): ``session_weight`` of the
  case's latest complexity on the session date (NULL complexity = never rated).
- Weekly check-ins that respond to load: capacity dips when ``load_index`` is high
  (plus noise); holiday weeks and a few other weeks have no check-in.
- One starting therapist (username ``demo-starter``, "Eva", Team Zuid) drifts into
  overload over the last six weeks: a case is added every week and none closes, so her
  load index rises every week past 1.1 while her check-ins fall below the low-capacity
  line; the load-over-capacity (red), rising-load and balance flags fire for the week
  of ``as_of`` (once that week's sessions are in, i.e. from Friday) and for the last
  complete week. She shares her reports with the supervisor.
- Self-care goals, research consent for three in four therapists.
- Logins for every role, with fixed demo passwords (:data:`DEMO_PASSWORDS`).

Same arguments and seed give the same data (timestamps included, except the seeding's
own audit event and the password hashes, which are salted). The plan is computed first
(NumPy; ratings scored in batches with ``complexity.score_cases``), then written in one
transaction: small tables with ``session.execute(insert(Model), rows)``, the big ones
(cases, ratings, sessions, check-ins) with :func:`store.bulk.insert_rows` (PostgreSQL ``COPY``,
SQLite ``executemany``), so ``--therapists 1000 --weeks 104`` (about 1.7 million
sessions: some 18 a week per therapist after holidays and cancellations) takes about a
minute on SQLite and a minute and a half on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from complexity import BANDS, CHECKIN, DEFAULT_CONFIG, INSTRUMENT, capacity_score, score_cases
from complexity.load import capacity_of, session_weight
from complexity.calendar import today as practice_today
from data_schema.problems import Problem

from . import audit
from .bulk import insert_rows as bulk_insert
from .codes import ALPHABET
from .db import session_scope
from .errors import InvalidInput, StoreError
from .models import (
    ACTION_COLUMNS,
    SELFCARE_ACTIONS,
    Case,
    CaseRating,
    ResearchConsent,
    SelfcareGoal,
    ShareGrant,
    SupervisorTeam,
    Team,
    Therapist,
    TherapySession,
    UserAccount,
    WeeklyCheckin,
)
from .accounts.passwords import hash_password, verify_password

DEFAULT_SEED = 2026
DEFAULT_THERAPISTS = 8
DEFAULT_WEEKS = 26
MIN_WEEKS = 8
MAX_WEEKS = 520
MAX_THERAPISTS = 10_000
DRIFT_WEEKS = 6  # the drifting starter's overload builds over the last six weeks

DEMO_PASSWORDS: Mapping[str, str] = MappingProxyType({
    "therapist": "demo-therapist-2026",
    "supervisor": "demo-supervisor-2026",
    "researcher": "demo-researcher-2026",
    "admin": "demo-admin-2026",
})
DRIFTING_USERNAME = "demo-starter"
SUPERVISOR_USERNAME = "supervisor"
RESEARCHER_USERNAME = "researcher"
ADMIN_USERNAME = "admin"

# The first eight therapists: (display name, username, starting?, contracted sessions).
# Index 4 (Eva, "demo-starter") is the starter who drifts into overload.
_NAMED = (
    ("Anouk", "anouk", True, 24),
    ("Bram", "bram", False, 28),
    ("Chantal", "chantal", True, 18),
    ("Daan", "daan", False, 26),
    ("Eva", DRIFTING_USERNAME, True, 20),
    ("Floor", "floor", True, 16),
    ("Gijs", "gijs", False, 30),
    ("Hanna", "hanna", False, 22),
)
_TEAM_NAMES = ("Team Noord", "Team Zuid")
THERAPISTS_PER_TEAM = 50

# Case mix over the bands (uncomplicated, mild, moderate, severe) and the latent item
# level that makes each band likely; rejection sampling makes it certain.
_CASE_MIX = np.array([0.22, 0.36, 0.28, 0.14])
_DRIFT_MIX = np.array([0.05, 0.25, 0.40, 0.30])  # the overloaded starter takes on heavier cases
_MIX_CUM = tuple(np.cumsum(_CASE_MIX).tolist())
_DRIFT_CUM = tuple(np.cumsum(_DRIFT_MIX).tolist())
_BAND_LEVEL = ((0.0, 0.45), (0.5, 1.2), (1.3, 2.0), (2.1, 2.9))
_DURATION_WEEKS = ((3, 9), (5, 13), (8, 21), (12, 31))  # planned treatment length by band
UNRATED_SHARE = 0.04
RERATE_SHARE = 0.35
ATTENDANCE = 0.9  # share of planned weekly sessions that take place
MISSED_CHECKIN_SHARE = 0.04

_REFLECTIONS = (
    ("Zware week. Veel complexe casussen achter elkaar, ik neem het werk mee naar huis.",
     "Ik merk dat ik slecht slaap en blijf piekeren over een paar patiënten.",
     "Te weinig pauzes gehad; morgen bespreek ik mijn planning."),
    ("Drukke week, maar goed volgehouden.",
     "Wisselend: een lastige intake, verder rustig.",
     "Intervisie hielp om een casus anders te bekijken."),
    ("Fijne week, goede pauzes genomen.",
     "Energiek, mooie vooruitgang bij een paar patiënten.",
     "Rustige week met ruimte voor verslaglegging."),
)
_GOALS = (
    ("Elke werkdag een wandeling van tien minuten tussen de middag", "wandelroute rond de praktijk"),
    ("Na de laatste patiënt vijf minuten ademhalingsoefening", "ademhalingsapp"),
    ("Eén avond per week geen werkmail", None),
    ("Complexe casussen inbrengen bij intervisie", "intervisiegroep"),
    ("Maximaal twee nieuwe intakes per week", "planning met de praktijkhouder"),
    ("Twee keer per week sporten", "sportschool"),
)


class DemoNotEmpty(StoreError):
    """The database already holds therapists: the demo only fills an empty one."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str
    note: str = ""


@dataclass(frozen=True)
class DemoSummary:
    logins: tuple[DemoLogin, ...]
    counts: Mapping[str, int]  # table -> rows written
    first_week: dt.date  # Monday of the first week with sessions
    as_of: dt.date  # sessions and check-ins up to this day
    seed: int
    drifting_username: str = DRIFTING_USERNAME


def demo_logins(therapists: int = DEFAULT_THERAPISTS) -> tuple[DemoLogin, ...]:
    """The logins :func:`build_demo` creates for ``therapists`` therapists."""
    out = []
    for i, (name, username, starting, _) in enumerate(_therapist_specs(therapists)):
        note = f"{name}, {'starting' if starting else 'experienced'}"
        if i == _drifter_index(therapists):
            note += ", drifting into overload (last 6 weeks)"
        out.append(DemoLogin(username, "therapist", DEMO_PASSWORDS["therapist"], note))
    out.append(DemoLogin(SUPERVISOR_USERNAME, "supervisor", DEMO_PASSWORDS["supervisor"], "supervises every team"))
    out.append(DemoLogin(RESEARCHER_USERNAME, "researcher", DEMO_PASSWORDS["researcher"]))
    out.append(DemoLogin(ADMIN_USERNAME, "admin", DEMO_PASSWORDS["admin"]))
    return tuple(out)


# --- the plan: every row, computed without the database ---------------------------------

def _therapist_specs(n: int) -> list[tuple[str, str, bool, int | None]]:
    specs = list(_NAMED[:n])
    for i in range(len(specs), n):
        specs.append((f"Therapeut {i + 1:04d}", f"therapist{i + 1:04d}", i % 2 == 0, None))
    return specs


def _pick(cumulative: tuple[float, ...], u: float) -> int:
    for k, edge in enumerate(cumulative):
        if u < edge:
            return k
    return len(cumulative) - 1


def _drifter_index(n: int) -> int:
    return 4 if n > 4 else 0


def _team_count(n: int) -> int:
    return max(2, math.ceil(n / THERAPISTS_PER_TEAM)) if n > 100 else 2


def _team_names(k: int) -> list[str]:
    return list(_TEAM_NAMES) + [f"Team {i + 1:02d}" for i in range(2, k)]


class _RatingPool:
    """Scored item vectors per band, drawn in batches and scored with ``score_cases``
    (rejection sampling: a vector is kept only in the band it was drawn for)."""

    BATCH = 4096

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.items: list[list[np.ndarray]] = [[] for _ in BANDS]
        self.scores: list[list[tuple[float, float]]] = [[] for _ in BANDS]
        self.pos = [0] * len(BANDS)
        self.n_items = len(INSTRUMENT.item_ids)
        self.n_scored = len(INSTRUMENT.scored_item_ids)
        starts = np.cumsum((0,) + INSTRUMENT.domain_sizes[:-1])
        self.domain_of_item = np.repeat(np.arange(len(INSTRUMENT.domain_sizes)), INSTRUMENT.domain_sizes)
        self.starts = starts

    def take(self, band: int) -> tuple[np.ndarray, float, float]:
        if self.pos[band] >= len(self.items[band]):
            self._refill(band)
        k = self.pos[band]
        self.pos[band] += 1
        c, inter = self.scores[band][k]
        return self.items[band][k], c, inter

    def _refill(self, band: int) -> None:
        rng, n = self.rng, self.BATCH
        lo, hi = _BAND_LEVEL[band]
        level = rng.uniform(lo, hi, n)
        domain_shift = rng.normal(0.0, 0.45, (n, len(INSTRUMENT.domain_sizes)))
        raw = level[:, None] + domain_shift[:, self.domain_of_item] + rng.normal(0.0, 0.5, (n, self.n_scored))
        scored = np.clip(np.rint(raw), 0, 3)
        scored[rng.random(scored.shape) < 0.02] = np.nan  # an item now and then not rated
        safety = np.where(rng.random(n) < 0.03 * band, rng.integers(1, 3, n), 0).astype(float)
        meaning = rng.integers(0, 4, n).astype(float)
        items = np.column_stack([scored, safety, meaning])
        frame = pd.DataFrame(items, columns=list(INSTRUMENT.item_ids))
        frame.insert(0, "case_id", np.arange(n))
        scores = score_cases(frame)
        keep = (scores["band"].astype(str).to_numpy() == BANDS[band]) & scores["complete"].to_numpy()
        if not keep.any():  # cannot happen with these levels; a uniform vector is exact
            items = np.full((1, self.n_items), float(band))
            items[0, self.n_scored:] = 0.0
            frame = pd.DataFrame(items, columns=list(INSTRUMENT.item_ids))
            frame.insert(0, "case_id", [0])
            scores, keep = score_cases(frame), np.array([True])
        self.items[band] = list(items[keep])
        self.scores[band] = list(zip(scores["complexity"].to_numpy()[keep].tolist(),
                                     scores["interaction"].to_numpy()[keep].tolist()))
        self.pos[band] = 0


@dataclass
class _Cases:
    therapist: list[int] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)  # day offset from the first Monday
    first_week: list[int] = field(default_factory=list)
    end_week: list[int] = field(default_factory=list)  # planned last week of sessions
    slot: list[int] = field(default_factory=list)  # weekday of its sessions
    initial: list[bool] = field(default_factory=list)  # already running at the start
    drift: list[bool] = field(default_factory=list)  # no cancellations (overloaded starter)
    rating: list[int] = field(default_factory=list)  # rating index or -1 (never rated)
    rerating: list[int] = field(default_factory=list)  # rating index or -1
    rerate_week: list[int] = field(default_factory=list)  # -1 = not re-rated
    closed: np.ndarray | None = None  # day closed, -1 = still open (set after the sessions)


@dataclass
class _Ratings:
    case: list[int] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    items: list[np.ndarray] = field(default_factory=list)
    complexity: list[float] = field(default_factory=list)
    interaction: list[float] = field(default_factory=list)


@dataclass
class _Plan:
    start: dt.date  # Monday of week 0
    as_of: dt.date
    weeks: int
    teams: list[str]
    specs: list[tuple[str, str, bool, int]]  # display name, username, starting, contracted
    team_of: np.ndarray
    started_on: list[dt.date]
    drifter: int
    cases: _Cases
    ratings: _Ratings
    band: list[int]  # per rating
    sessions: dict[str, np.ndarray]
    checkins: dict[str, np.ndarray]
    goals: list[dict]
    consent: list[tuple[int, str]]  # therapist index, research id
    codes: list[str]

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))


def _plan(therapists: int, weeks: int, seed: int, as_of: dt.date) -> _Plan:
    root = np.random.SeedSequence(seed)
    rng_people, rng_pool, rng_sessions, rng_checkins, rng_misc, rng_codes = (
        np.random.default_rng(s) for s in root.spawn(6)
    )
    therapist_seeds = np.random.SeedSequence([seed, 7]).spawn(therapists)
    W = weeks
    start = as_of - dt.timedelta(days=as_of.weekday()) - dt.timedelta(weeks=W - 1)
    last_slot = min(4, as_of.weekday())  # weekdays of the current week that have happened
    as_of_day = (as_of - start).days
    drifter = _drifter_index(therapists)
    drift_start = W - DRIFT_WEEKS

    specs = []
    for name, username, starting, contracted in _therapist_specs(therapists):
        if contracted is None:
            contracted = int(rng_people.integers(16, 29) if starting else rng_people.integers(22, 33))
        specs.append((name, username, starting, contracted))
    n_teams = _team_count(therapists)
    team_of = (np.arange(therapists) * n_teams) // therapists
    started_on = []
    for _, _, starting, _ in specs:
        back = int(rng_people.integers(4, 40)) if starting else int(rng_people.integers(150, 1200))
        started_on.append(start - dt.timedelta(weeks=back))
    starting = np.array([s[2] for s in specs])
    contracted = np.array([s[3] for s in specs], dtype=float)
    capacity = capacity_of(contracted, starting, DEFAULT_CONFIG)
    ref_weight = DEFAULT_CONFIG.load.reference_weight
    per_point = DEFAULT_CONFIG.load.session_weight_per_point  # session_weight, inlined for speed

    pool = _RatingPool(rng_pool)
    cases, ratings, bands = _Cases(), _Ratings(), []
    vacation = np.zeros((therapists, W), dtype=bool)

    def rate(case: int, band: int, day: int) -> tuple[int, float]:
        items, c, inter = pool.take(band)
        ratings.case.append(case)
        ratings.day.append(day)
        ratings.items.append(items)
        ratings.complexity.append(c)
        ratings.interaction.append(inter)
        bands.append(band)
        return len(ratings.case) - 1, c

    for i in range(therapists):
        rng = np.random.default_rng(therapist_seeds[i])
        is_drifter = i == drifter
        base = (0.84 if not starting[i] else 0.77) + rng.normal(0.0, 0.03)
        noise = np.zeros(W)
        for w in range(1, W):
            noise[w] = 0.6 * noise[w - 1] + rng.normal(0.0, 0.03)
        target = base + noise
        holiday_weeks = W // 13
        candidates = np.arange(0, max(1, W - (DRIFT_WEEKS + 3 if is_drifter else 3)))
        if holiday_weeks and len(candidates) > holiday_weeks:
            vacation[i, rng.choice(candidates, holiday_weeks, replace=False)] = True
        if is_drifter:
            target[:drift_start] = np.minimum(target[:drift_start], 0.92)
            target[drift_start:] = 0.92 + 0.065 * np.arange(1, DRIFT_WEEKS + 1)
        weights: dict[int, tuple[float, int, float]] = {}  # case -> (weight, rerate week, weight after)
        open_cases: list[int] = []

        def open_case(week: int, initial: bool) -> float:
            # One block of uniforms per case (much faster than a generator call per draw).
            u = rng.random(9).tolist()
            case = len(cases.therapist)
            in_drift = is_drifter and week >= drift_start
            band = _pick(_DRIFT_CUM if in_drift else _MIX_CUM, u[0])
            lo, hi = _DURATION_WEEKS[band]
            duration = lo + int(u[1] * (hi - lo))
            if initial:
                slot = int(u[2] * 5)
                done = int(u[3] * duration)
                opened, first, end = slot - 7 * (done + 1), 0, duration - done - 1
                rated_day = 0
            else:
                slot = int(u[2] * ((last_slot if week == W - 1 else 4) + 1))
                opened, first, end = 7 * week + slot, week, week + duration - 1
                rated_day = opened
            if in_drift:
                end = max(end, W - 1)
            cases.therapist.append(i)
            cases.opened.append(opened)
            cases.first_week.append(first)
            cases.end_week.append(end)
            cases.slot.append(slot)
            cases.initial.append(initial)
            cases.drift.append(in_drift)
            weight, rerate_week, weight_after, first_rating, second = ref_weight, -1, ref_weight, -1, -1
            if u[4] >= UNRATED_SHARE:
                first_rating, c = rate(case, band, rated_day)
                weight = weight_after = 1.0 + per_point * c
                span = min(end, W - 1) - first
                if u[5] < RERATE_SHARE and span >= 6:
                    week_r = first + 3 + int(u[6] * (span - 4))
                    day_r = 7 * week_r + slot
                    if day_r <= as_of_day and not (is_drifter and week_r >= drift_start - 1):
                        shift = -1 if u[7] < 0.45 else (0 if u[7] < 0.8 else 1)
                        second, c2 = rate(case, min(3, max(0, band + shift)), day_r)
                        rerate_week, weight_after = week_r, 1.0 + per_point * c2
            cases.rating.append(first_rating)
            cases.rerating.append(second)
            cases.rerate_week.append(rerate_week)
            weights[case] = (weight, rerate_week, weight_after)
            open_cases.append(case)
            return weight

        def current_weight(case: int, week: int) -> float:
            w0, rw, w1 = weights[case]
            return w1 if 0 <= rw <= week else w0

        need = target[0] * capacity[i]
        expected = 0.0
        while expected < need:
            expected += ATTENDANCE * open_case(0, initial=True)
        for w in range(W):
            in_drift = is_drifter and w >= drift_start
            if in_drift and w == drift_start:
                for c in open_cases:
                    cases.end_week[c] = max(cases.end_week[c], W - 1)
            open_cases[:] = [c for c in open_cases if cases.end_week[c] >= w]
            if vacation[i, w]:
                continue
            attendance = 1.0 if in_drift else ATTENDANCE
            expected = attendance * sum(current_weight(c, w) for c in open_cases)
            need = target[w] * capacity[i]
            forced = 1 if in_drift else 0  # at least one new case a week: load keeps rising
            while expected < need or forced > 0:
                expected += attendance * open_case(w, initial=False)
                forced -= 1

    c_arr = {k: np.asarray(v) for k, v in vars(cases).items() if k != "closed"}
    n_cases = len(cases.therapist)
    r_complexity = np.asarray(ratings.complexity, dtype=float)
    r_day = np.asarray(ratings.day, dtype=np.int64)

    # Sessions: one per case per week from its first to its last week, except holidays,
    # cancellations and days after as_of. The intake (first session of a new case) is
    # always on the day the case opened.
    last = np.minimum(c_arr["end_week"], W - 1)
    lengths = np.maximum(last - c_arr["first_week"] + 1, 0)
    case_of = np.repeat(np.arange(n_cases), lengths)
    offset = np.arange(case_of.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    week = c_arr["first_week"][case_of] + offset
    day = 7 * week + c_arr["slot"][case_of]
    ther = c_arr["therapist"][case_of]
    intake = (offset == 0) & ~c_arr["initial"][case_of]
    attend = rng_sessions.random(case_of.size) < ATTENDANCE
    attend |= intake | c_arr["drift"][case_of] | (ther == drifter) & (week >= drift_start)
    keep = attend & ~vacation[ther, week] & (day <= as_of_day)
    case_of, week, day, ther, intake = case_of[keep], week[keep], day[keep], ther[keep], intake[keep]
    minutes = rng_sessions.choice(np.array([30, 45, 60]), size=case_of.size, p=[0.15, 0.65, 0.20])
    minutes = np.where(intake, 60, minutes)
    first_r, second_r = c_arr["rating"][case_of], c_arr["rerating"][case_of]
    complexity = np.where(first_r >= 0, r_complexity[np.maximum(first_r, 0)], np.nan)
    later = (second_r >= 0) & (day >= r_day[np.maximum(second_r, 0)])
    complexity = np.where(later, r_complexity[np.maximum(second_r, 0)], complexity)
    sessions = {"case": case_of, "therapist": ther, "day": day, "week": week, "minutes": minutes,
                "complexity": complexity, "weight": session_weight(complexity)}

    # A case whose planned end lies before the current week is closed on its last day
    # with a session or rating (never before it opened).
    closed = np.full(n_cases, -10**9, dtype=np.int64)
    np.maximum.at(closed, case_of, day)
    rc = np.asarray(ratings.case, dtype=np.int64)
    if rc.size:
        np.maximum.at(closed, rc, r_day)
    closed = np.maximum(closed, c_arr["opened"])
    closed = np.where(c_arr["end_week"] < W - 1, closed, -1)  # -1 = still open
    cases.closed = closed

    checkins = _plan_checkins(rng_checkins, sessions, capacity, vacation, therapists, W, as_of,
                              drifter, drift_start)
    goals = _plan_goals(rng_misc, therapists, W, start, as_of)
    consent = [(i, rng_misc.bytes(16).hex()) for i in range(therapists) if i % 4 != 3]
    codes = _case_codes(rng_codes, n_cases)
    return _Plan(start=start, as_of=as_of, weeks=W, teams=_team_names(n_teams), specs=specs,
                 team_of=team_of, started_on=started_on, drifter=drifter, cases=cases,
                 ratings=ratings, band=bands, sessions=sessions, checkins=checkins, goals=goals,
                 consent=consent, codes=codes)


def _plan_checkins(rng, sessions, capacity, vacation, n, W, as_of, drifter, drift_start) -> dict[str, np.ndarray]:
    load = np.zeros((n, W))
    np.add.at(load, (sessions["therapist"], sessions["week"]), sessions["weight"])
    li = load / capacity[:, None]
    base = rng.uniform(0.58, 0.8, n)
    base[drifter] = max(base[drifter], 0.72)  # a healthy starter before the drift
    wellbeing = np.zeros((n, W))
    ar = np.zeros(n)
    for w in range(W):
        ar = 0.5 * ar + rng.normal(0.0, 0.05, n)
        strain = 0.5 * np.maximum(li[:, w] - 0.95, 0) + (0.2 * np.maximum(li[:, w - 1] - 0.95, 0) if w else 0)
        rest = 0.06 * vacation[:, w - 1] if w else 0
        wellbeing[:, w] = base + ar - strain + rest
    drift_weeks = np.arange(drift_start, W)
    wellbeing[drifter, drift_weeks] -= 0.025 * (drift_weeks - drift_start + 1)
    wellbeing = np.clip(wellbeing, 0.05, 0.95)

    has = ~vacation & (rng.random((n, W)) >= MISSED_CHECKIN_SHARE)
    has[drifter, max(0, drift_start - 2):] = True
    if as_of.weekday() < 4:  # this week's check-in is due on Friday
        has[:, W - 1] = False
    t_idx, w_idx = np.nonzero(has)
    wb = wellbeing[t_idx, w_idx]
    answers: dict[str, np.ndarray] = {}
    for f in CHECKIN.scale_fields:
        oriented = wb if f.direction == "up" else 1.0 - wb
        value = f.min + (f.max - f.min) * oriented + rng.normal(0.0, 0.08 * (f.max - f.min), wb.size)
        answers[f.id] = np.clip(np.rint(value), f.min, f.max).astype(np.int64)
    score = capacity_score(pd.DataFrame(answers)).to_numpy()
    base_p = np.array([0.5, 0.5, 0.3, 0.25, 0.15, 0.2, 0.45, 0.06])[: len(SELFCARE_ACTIONS)]
    actions = rng.random((wb.size, len(SELFCARE_ACTIONS))) < base_p * (0.5 + wb[:, None])
    tone = np.digitize(wb, [0.4, 0.65])
    pick = rng.integers(0, 3, wb.size)
    with_text = rng.random(wb.size) < 0.12
    reflection = np.array([(_REFLECTIONS[k][p] if t else None) for k, p, t in zip(tone, pick, with_text)],
                          dtype=object)
    return {"therapist": t_idx, "week": w_idx, "answers": answers, "capacity": score,
            "actions": actions, "reflection": reflection}


def _plan_goals(rng, n, W, start, as_of) -> list[dict]:
    current = as_of - dt.timedelta(days=as_of.weekday())
    goals = []
    for i in range(n):
        for g in rng.choice(len(_GOALS), int(rng.integers(1, 4)), replace=False):
            week = start + dt.timedelta(weeks=int(rng.integers(0, W)))
            review = week + dt.timedelta(weeks=4)
            status = "open" if review >= current else str(rng.choice(["achieved", "partly", "not_achieved"],
                                                                     p=[0.5, 0.35, 0.15]))
            text, resource = _GOALS[int(g)]
            goals.append({"therapist": i, "week_start": week, "text": text, "resource": resource,
                          "review_week": review, "status": status})
    return goals


def _case_codes(rng, n: int) -> list[str]:
    values = np.unique(rng.integers(0, 2**40, size=n + 64, dtype=np.int64))
    while values.size < n:  # pragma: no cover - 2^40 codes
        values = np.unique(np.concatenate([values, rng.integers(0, 2**40, size=n, dtype=np.int64)]))
    values = rng.permutation(values)[:n]
    symbols = np.array(list(ALPHABET))[(values[:, None] >> (5 * np.arange(7, -1, -1))) & 31]
    return [f"C-{''.join(s[:4])}-{''.join(s[4:])}" for s in symbols]


# --- writing ----------------------------------------------------------------------------



def _utc(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone.utc)


def _next_id(s: Session, model) -> int:
    return int(s.scalar(select(func.coalesce(func.max(model.id), 0)))) + 1


def _sync_sequences(s: Session, models) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return
    for model in models:
        table = conn.dialect.identifier_preparer.format_table(model.__table__)
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def _write(s: Session, plan: _Plan, hashes: Mapping[str, str]) -> dict[str, int]:
    start_ts = _utc(plan.start, 8)
    team0, ther0, user0, case0 = (_next_id(s, m) for m in (Team, Therapist, UserAccount, Case))
    team_ids = [team0 + k for k in range(len(plan.teams))]
    tids = [ther0 + k for k in range(len(plan.specs))]
    s.execute(insert(Team), [{"id": tid, "name": t} for tid, t in zip(team_ids, plan.teams)])
    s.execute(insert(Therapist), [
        {"id": tids[i], "display_name": name, "team_id": team_ids[int(plan.team_of[i])],
         "experience": "starting" if starting else "experienced", "contracted_sessions": contracted,
         "started_on": plan.started_on[i], "active": True}
        for i, (name, _, starting, contracted) in enumerate(plan.specs)
    ])
    accounts = [(username, "therapist", tids[i]) for i, (_, username, _, _) in enumerate(plan.specs)]
    accounts += [(SUPERVISOR_USERNAME, "supervisor", None), (RESEARCHER_USERNAME, "researcher", None),
                 (ADMIN_USERNAME, "admin", None)]
    uids = [user0 + k for k in range(len(accounts))]
    s.execute(insert(UserAccount), [
        {"id": uid, "username": username, "password_hash": hashes[role], "role": role,
         "language": "en" if role == "researcher" else "nl", "therapist_id": tid, "failed_logins": 0,
         "created_at": start_ts}
        for uid, (username, role, tid) in zip(uids, accounts)
    ])
    supervisor_id = uids[len(plan.specs)]
    s.execute(insert(SupervisorTeam), [{"user_id": supervisor_id, "team_id": t} for t in team_ids])

    c = plan.cases
    n_cases = len(c.therapist)
    closed = c.closed.tolist()
    bulk_insert(s, Case, ("id", "code", "therapist_id", "opened_on", "closed_on", "created_at"), (
        (case0 + k, plan.codes[k], tids[c.therapist[k]], plan.date(c.opened[k]),
         None if closed[k] < 0 else plan.date(closed[k]), _utc(plan.date(max(c.opened[k], 0)), 9))
        for k in range(n_cases)
    ))

    r = plan.ratings
    instrument_version, model_version = INSTRUMENT.version, DEFAULT_CONFIG.model_version
    levels = np.asarray(r.items, dtype=float).reshape(len(r.case), len(INSTRUMENT.item_ids))
    levels = np.where(np.isnan(levels), None, levels.astype(object)).tolist()

    def rating_rows() -> Iterator[tuple]:
        for k, case in enumerate(r.case):
            day = plan.date(r.day[k])
            yield (case0 + case, day, uids[c.therapist[case]], r.complexity[k], BANDS[plan.band[k]],
                   r.interaction[k], instrument_version, model_version, _utc(day, 10),
                   *(None if v is None else int(v) for v in levels[k]))

    bulk_insert(s, CaseRating, ("case_id", "rated_on", "rated_by_user_id", "complexity", "band", "interaction",
                          "instrument_version", "model_version", "created_at", *INSTRUMENT.item_ids),
          rating_rows())

    ss = plan.sessions
    dates = {day: plan.date(day) for day in np.unique(ss["day"]).tolist()}
    stamps = {day: _utc(d, 17) for day, d in dates.items()}
    complexity = ss["complexity"].astype(object)
    complexity[np.isnan(ss["complexity"])] = None
    bulk_insert(s, TherapySession, ("case_id", "therapist_id", "session_date", "duration_minutes", "complexity",
                              "weight", "created_at"), (
        (case0 + case, tids[ther], dates[day], minutes, cx, weight, stamps[day])
        for case, ther, day, minutes, cx, weight in zip(
            ss["case"].tolist(), ss["therapist"].tolist(), ss["day"].tolist(), ss["minutes"].tolist(),
            complexity.tolist(), ss["weight"].tolist())
    ))

    ck = plan.checkins
    scale_ids = CHECKIN.scale_ids
    answers = np.column_stack([ck["answers"][f] for f in scale_ids]).tolist() if ck["week"].size else []
    actions = ck["actions"].tolist()

    def checkin_rows() -> Iterator[tuple]:
        for k, (t, w) in enumerate(zip(ck["therapist"].tolist(), ck["week"].tolist())):
            week = plan.start + dt.timedelta(weeks=w)
            yield (tids[t], week, ck["reflection"][k], float(ck["capacity"][k]), CHECKIN.version,
                   _utc(min(week + dt.timedelta(days=4), plan.as_of), 16), *answers[k], *actions[k])

    bulk_insert(s, WeeklyCheckin, ("therapist_id", "week_start", "reflection", "capacity_score", "checkin_version",
                             "created_at", *scale_ids, *ACTION_COLUMNS), checkin_rows())

    if plan.goals:
        s.execute(insert(SelfcareGoal), [
            {"therapist_id": tids[g["therapist"]], "week_start": g["week_start"], "text": g["text"],
             "resource": g["resource"], "review_week": g["review_week"], "status": g["status"],
             "created_at": _utc(g["week_start"], 10)}
            for g in plan.goals
        ])
    drift_monday = plan.start + dt.timedelta(weeks=max(0, plan.weeks - DRIFT_WEEKS))
    current_monday = plan.start + dt.timedelta(weeks=plan.weeks - 1)
    s.execute(insert(ShareGrant), [{
        "therapist_id": tids[plan.drifter], "supervisor_user_id": supervisor_id,
        "period_start": max(plan.start, drift_monday - dt.timedelta(weeks=4)),
        "period_end": current_monday + dt.timedelta(days=6),
        "created_at": _utc(drift_monday, 12), "revoked_at": None,
    }])
    s.execute(insert(ResearchConsent), [
        {"therapist_id": tids[i], "research_id": token, "given_at": start_ts, "withdrawn_at": None}
        for i, token in plan.consent
    ])
    _sync_sequences(s, (Team, Therapist, UserAccount, Case))
    counts = {
        "team": len(team_ids), "therapist": len(tids), "user_account": len(uids),
        "supervisor_team": len(team_ids), "case": n_cases, "case_rating": len(r.case),
        "therapy_session": int(ss["case"].size), "weekly_checkin": int(ck["therapist"].size),
        "selfcare_goal": len(plan.goals), "share_grant": 1, "research_consent": len(plan.consent),
    }
    audit.record(s, "create", actor=None, subject_type="demo", subject_id="practice",
                 detail=f"demo practice: {len(tids)} therapists, {plan.weeks} weeks up to {plan.as_of}")
    return counts


def build_demo(
    engine: Engine,
    *,
    therapists: int = DEFAULT_THERAPISTS,
    weeks: int = DEFAULT_WEEKS,
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
) -> DemoSummary:
    """Fill an empty (migrated) database with the demo practice; see the module text.

    Raises :class:`DemoNotEmpty` if the database holds any therapist, and
    :class:`store.InvalidInput` for arguments out of range. All or nothing: one
    transaction.
    """
    problems = []
    if not 2 <= therapists <= MAX_THERAPISTS:
        problems.append(Problem.make("out_of_range", None, "therapists", value=therapists, lo=2, hi=MAX_THERAPISTS))
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        problems.append(Problem.make("out_of_range", None, "weeks", value=weeks, lo=MIN_WEEKS, hi=MAX_WEEKS))
    if seed < 0:
        problems.append(Problem.make("out_of_range", None, "seed", value=seed, lo=0, hi="…"))
    if as_of is not None and as_of > practice_today():
        problems.append(Problem.make("future_date", None, "as_of", value=as_of))
    if problems:
        raise InvalidInput(problems)
    as_of = as_of or practice_today()
    logins = demo_logins(therapists)
    usernames = [login.username for login in logins]
    with session_scope(engine, readonly=True) as s:
        _refuse_if_not_empty(s, usernames)
    plan = _plan(therapists, weeks, seed, as_of)
    hashes = {role: hash_password(pw) for role, pw in DEMO_PASSWORDS.items()}  # once per password
    with session_scope(engine) as s:
        _refuse_if_not_empty(s, usernames)  # again, now holding the write lock / in the writing transaction
        counts = _write(s, plan, hashes)
    return DemoSummary(logins=logins, counts=MappingProxyType(counts),
                       first_week=plan.start, as_of=as_of, seed=seed)


def _refuse_if_not_empty(s: Session, usernames: list[str]) -> None:
    n = s.scalar(select(func.count()).select_from(Therapist))
    if n:
        raise DemoNotEmpty(
            f"the database already holds {n} therapist(s): the demo practice only fills an empty database"
        )
    taken = s.scalars(select(UserAccount.username).where(UserAccount.username.in_(usernames))).all()
    if taken:
        raise DemoNotEmpty(f"the database already has accounts named {', '.join(sorted(taken))}: "
                           "the demo practice only fills an empty database")


def present_demo_logins(engine: Engine) -> list[DemoLogin]:
    """The default demo logins that exist in the database with their demo password
    (each distinct hash is verified once)."""
    wanted = {login.username: login for login in demo_logins()}
    with session_scope(engine, readonly=True) as s:
        rows = s.execute(
            select(UserAccount.username, UserAccount.role, UserAccount.password_hash)
            .where(UserAccount.username.in_(list(wanted)))
        ).all()
    verified: dict[tuple[str, str], bool] = {}
    out = []
    for username, role, password_hash in rows:
        login = wanted[username]
        if role != login.role or not password_hash:
            continue
        key = (password_hash, login.password)
        if key not in verified:
            verified[key] = verify_password(password_hash, login.password)
        if verified[key]:
            out.append(login)
    order = list(wanted)
    return sorted(out, key=lambda login: order.index(login.username))


def format_logins(logins, shown_therapists: int = 8) -> str:
    """The logins as an aligned table (the first ``shown_therapists`` therapist accounts,
    then a count of the others)."""
    logins = list(logins)
    therapists = [x for x in logins if x.role == "therapist"]
    hidden = therapists[shown_therapists:]
    hidden_names = {x.username for x in hidden}
    shown = [x for x in logins if x.username not in hidden_names]
    width = max([len("username")] + [len(x.username) for x in shown])
    lines = ["Demo logins (demo passwords: never use them for real data):",
             f"  {'username':<{width}}  {'role':<10}  {'password':<22}  note"]
    lines += [f"  {x.username:<{width}}  {x.role:<10}  {x.password:<22}  {x.note}".rstrip() for x in shown]
    if hidden:
        lines.append(f"  ... and {len(hidden)} more therapist accounts ({hidden[0].username} .. "
                     f"{hidden[-1].username}), password {DEMO_PASSWORDS['therapist']}")
    return "\n".join(lines)


# --- command line -----------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--therapists", type=int, default=DEFAULT_THERAPISTS, metavar="N",
                        help=f"number of therapists (default {DEFAULT_THERAPISTS})")
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS, metavar="W",
                        help=f"weeks of sessions up to the current week (default {DEFAULT_WEEKS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                        help=f"random seed; the same seed gives the same practice (default {DEFAULT_SEED})")
    parser.add_argument("--as-of", type=_iso_date, default=None, metavar="DATE",
                        help="last day with data, YYYY-MM-DD (default today)")
    parser.add_argument("--if-empty", action="store_true",
                        help="if the database already holds therapists, say so and exit 0 (for `make run`)")


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    import sys
    import time

    from .db import current_revision, get_engine
    from .db import head_revision

    engine = get_engine()
    try:
        revision = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - unreachable database: a message, not a traceback
        print(f"cannot open the database: {exc}", file=sys.stderr)
        return 2
    if revision != head_revision():
        print(f"the database is at revision {revision or '(empty)'}, not {head_revision()}: "
              "run `python -m store upgrade` first", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        summary = build_demo(engine, therapists=args.therapists, weeks=args.weeks, seed=args.seed,
                             as_of=args.as_of)
    except DemoNotEmpty as exc:
        if args.if_empty:
            print("demo practice already present (the database is not empty); nothing added")
            logins = present_demo_logins(engine)
            if logins:
                print(format_logins(logins))
            return 0
        print(f"{exc}; use an empty database (or `--if-empty` to skip quietly)", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    counts = ", ".join(f"{v:,} {k}" for k, v in summary.counts.items())
    print(f"demo practice built in {time.perf_counter() - t0:.1f} s: weeks {summary.first_week} .. "
          f"{summary.as_of}, seed {summary.seed}\n  {counts}")
    print(format_logins(summary.logins))
    return 0

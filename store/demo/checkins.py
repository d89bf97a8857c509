"""The demo's weekly check-ins and self-care goals, planned without the database.

Check-ins respond to load: a latent wellbeing per therapist and week (her usual level,
an autoregressive wobble, strain when her load index is high, a better week after a
holiday) becomes the answers to every check-in scale, the self-care actions ticked and
now and then a reflection. Self-care goals are drawn from a few realistic ones, each
with a resource of the self-care plan (``complexity/selfcare.toml``) or none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from complexity import CHECKIN, capacity_score
from data_schema.fields import SELFCARE_ACTIONS

from .caseload import PlanCalendar
from .parameters import FRIDAY, DemoParameters

# Reflections by tone of the week: heavy, mixed, good (the wellbeing edges are in
# DemoParameters.reflection_tone_edges).
REFLECTIONS = (
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
# Self-care goals in the therapist's words, each with the resource of the self-care plan
# that helps (an id of complexity.selfcare.SELFCARE_RULES.resource_ids, as the store
# requires of a goal) or None.
GOALS = (
    ("Elke werkdag een wandeling van tien minuten tussen de middag", "micro_breaks"),
    ("Na de laatste patiënt vijf minuten ademhalingsoefening", "breathing"),
    ("Eén avond per week geen werkmail", None),
    ("Complexe casussen inbrengen bij intervisie", "intervision"),
    ("Maximaal twee nieuwe intakes per week", "intake_planning"),
    ("Twee keer per week sporten", None),  # the self-care plan has no resource for sport
)
GOAL_OUTCOMES = ("achieved", "partly", "not_achieved")


@dataclass(frozen=True)
class CheckinPlan:
    """Every planned check-in, one entry per check-in in each array."""

    therapist: np.ndarray  # therapist number
    week: np.ndarray  # week number
    answers: dict[str, np.ndarray]  # scale id -> answers
    capacity: np.ndarray  # capacity score of the answers
    actions: np.ndarray  # check-ins x SELFCARE_ACTIONS, ticked or not
    reflection: np.ndarray  # text or None (object array)

    @property
    def count(self) -> int:
        return int(self.therapist.size)


@dataclass(frozen=True)
class GoalPlan:
    therapist: int  # therapist number
    week_start: dt.date
    text: str
    resource: str | None
    review_week: dt.date
    status: str


def weekly_load_index(therapist: np.ndarray, week: np.ndarray, weight: np.ndarray, capacity: np.ndarray,
                      weeks: int) -> np.ndarray:
    """Therapists x weeks: the summed session weights over each therapist's capacity."""
    load = np.zeros((capacity.size, weeks))
    np.add.at(load, (therapist, week), weight)
    return load / capacity[:, None]


def plan_checkins(rng: np.random.Generator, load_index: np.ndarray, holidays: np.ndarray,
                  calendar: PlanCalendar, drifter: int, parameters: DemoParameters) -> CheckinPlan:
    """Check-ins of every therapist (rows of ``load_index`` and ``holidays``) and week."""
    p = parameters
    wellbeing = _wellbeing(rng, load_index, holidays, calendar, drifter, p)
    therapists, weeks = load_index.shape
    checked_in = ~holidays & (rng.random((therapists, weeks)) >= p.missed_checkin_share)
    checked_in[drifter, max(0, calendar.drift_start - p.drifter_checkin_weeks_before_drift):] = True
    if calendar.as_of.weekday() < FRIDAY:  # this week's check-in is due on Friday
        checked_in[:, calendar.current_week] = False
    therapist, week = np.nonzero(checked_in)
    level = wellbeing[therapist, week]
    answers: dict[str, np.ndarray] = {}
    for scale in CHECKIN.scale_fields:
        oriented = level if scale.direction == "up" else 1.0 - level
        spread = scale.max - scale.min
        value = scale.min + spread * oriented + rng.normal(0.0, p.answer_noise * spread, level.size)
        answers[scale.id] = np.clip(np.rint(value), scale.min, scale.max).astype(np.int64)
    capacity = capacity_score(pd.DataFrame(answers)).to_numpy()
    chance = p.action_probabilities(SELFCARE_ACTIONS)
    actions = rng.random((level.size, len(SELFCARE_ACTIONS))) < chance * (p.action_scale_base + level[:, None])
    tone = np.digitize(level, p.reflection_tone_edges)
    text_number = rng.integers(0, len(REFLECTIONS[0]), level.size)
    with_text = rng.random(level.size) < p.reflection_share
    reflection = np.array([(REFLECTIONS[t][k] if written else None)
                           for t, k, written in zip(tone, text_number, with_text)], dtype=object)
    return CheckinPlan(therapist=therapist, week=week, answers=answers, capacity=capacity, actions=actions,
                       reflection=reflection)


def _wellbeing(rng: np.random.Generator, load_index: np.ndarray, holidays: np.ndarray,
               calendar: PlanCalendar, drifter: int, p: DemoParameters) -> np.ndarray:
    """Therapists x weeks: the latent wellbeing (0-1) the check-in answers follow."""
    therapists, weeks = load_index.shape
    usual = rng.uniform(*p.base_wellbeing, therapists)
    usual[drifter] = max(usual[drifter], p.drifter_wellbeing_floor)  # a healthy starter before the drift
    wellbeing = np.zeros((therapists, weeks))
    wobble = np.zeros(therapists)
    for week in range(weeks):
        wobble = p.wellbeing_persistence * wobble + rng.normal(0.0, p.wellbeing_noise_sd, therapists)
        strain = p.strain_now * np.maximum(load_index[:, week] - p.strain_threshold, 0) + (
            p.strain_last_week * np.maximum(load_index[:, week - 1] - p.strain_threshold, 0) if week else 0)
        rest = p.rest_after_holiday * holidays[:, week - 1] if week else 0
        wellbeing[:, week] = usual + wobble - strain + rest
    drift_weeks = np.arange(calendar.drift_start, weeks)
    wellbeing[drifter, drift_weeks] -= p.drift_wellbeing_decline * (drift_weeks - calendar.drift_start + 1)
    return np.clip(wellbeing, *p.wellbeing_range)


def plan_goals(rng: np.random.Generator, therapists: int, calendar: PlanCalendar,
               parameters: DemoParameters) -> list[GoalPlan]:
    """One to three self-care goals per therapist, set in a random week; a goal whose
    review week has passed is achieved, partly achieved or not."""
    p = parameters
    current_monday = calendar.as_of - dt.timedelta(days=calendar.as_of.weekday())
    fewest, most = p.goals_per_therapist
    goals = []
    for therapist in range(therapists):
        for goal in rng.choice(len(GOALS), int(rng.integers(fewest, most + 1)), replace=False):
            week = calendar.start + dt.timedelta(weeks=int(rng.integers(0, calendar.weeks)))
            review = week + dt.timedelta(weeks=p.goal_review_weeks)
            status = ("open" if review >= current_monday
                      else str(rng.choice(list(GOAL_OUTCOMES), p=list(p.goal_outcome_p))))
            text, resource = GOALS[int(goal)]
            goals.append(GoalPlan(therapist, week, text, resource, review, status))
    return goals

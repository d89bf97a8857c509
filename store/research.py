"""The research dataset: pooled, pseudonymised data of therapists who consented.

For the **researcher** role only (each request is logged). What it holds and why:

- Only therapists with research consent that has not been withdrawn; a therapist
  appears under the random ``research_id`` of their consent, never their id or name.
- Cases appear under a key local to this dataset (``K0001``, ...), not their case code
  (which the therapist knows and could link); dates are coarsened to ISO weeks.
- No free text at all (no reflections, no goal texts), no team, no account data.
- Disclosure control: with fewer than :data:`MIN_GROUP` consenting therapists the
  request is refused, as staff-survey tools hide groups below five.

Tables: ``therapists`` (research_id, experience, contracted_sessions), ``ratings``
(research_id, case_key, week, every item, burden (the therapist's "how heavy does this
case feel to you right now?", 0-10, the criterion ``complexity.calibration`` learns
from), complexity with its range (complexity_low, complexity_high), band, interaction,
instrument_version, model_version), ``checkins`` (research_id, week, every scale,
capacity_score, checkin_version) and ``weekly_load`` (research_id, week, sessions,
load, capacity, load_index, status, model_versions: the models whose scores weighed the
week's sessions).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from complexity import CHECKIN, DEFAULT_CONFIG, INSTRUMENT, ModelConfig
from complexity.calendar import iso_week_label

from data_schema.problems import Problem

from . import audit
from .errors import InvalidInput
from .models import Case, CaseRating, ResearchConsent, Therapist, TherapySession, UserAccount, WeeklyCheckin
from .access import actor
from .load import load_frame, week_range

MIN_GROUP = 5
DEFAULT_WEEKS = 52


@dataclass(frozen=True)
class ResearchDataset:
    therapists: pd.DataFrame
    ratings: pd.DataFrame
    checkins: pd.DataFrame
    weekly_load: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"therapists": self.therapists, "ratings": self.ratings, "checkins": self.checkins,
                "weekly_load": self.weekly_load}


def _weeks(dates: pd.Series) -> list[str]:
    return [iso_week_label(d) for d in dates]


def research_dataset(
    session: Session,
    user: UserAccount,
    *,
    weeks: int = DEFAULT_WEEKS,
    as_of: dt.date | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
) -> ResearchDataset:
    acting = actor(session, user)
    if acting.role != "researcher":
        audit.deny(session, acting, "the research dataset is for researchers", attempted="research_dataset",
                   subject_type="research_dataset")
    consents = dict(session.execute(
        select(ResearchConsent.therapist_id, ResearchConsent.research_id)
        .where(ResearchConsent.withdrawn_at.is_(None))).all())
    if len(consents) < MIN_GROUP:
        raise InvalidInput(Problem.make("too_few_consents", count=len(consents), minimum=MIN_GROUP))
    ids = sorted(consents)
    therapists = session.scalars(select(Therapist).where(Therapist.id.in_(ids)).order_by(Therapist.id)).all()
    rid = pd.Series(consents)

    items = list(INSTRUMENT.item_ids)
    r = CaseRating.__table__.c
    rows = session.execute(
        select(Case.therapist_id, Case.id.label("case_id"), r.rated_on, *[r[i] for i in items], r.burden,
               r.complexity, r.complexity_low, r.complexity_high, r.band, r.interaction, r.instrument_version,
               r.model_version)
        .join(Case, Case.id == CaseRating.case_id).where(Case.therapist_id.in_(ids))
        .order_by(Case.therapist_id, Case.id, r.rated_on, r.id)
    ).all()
    ratings = pd.DataFrame(rows, columns=["therapist_id", "case_id", "rated_on", *items, "burden", "complexity",
                                          "complexity_low", "complexity_high", "band", "interaction",
                                          "instrument_version", "model_version"])
    cases = list(dict.fromkeys(ratings["case_id"]))
    secrets.SystemRandom().shuffle(cases)  # a case key says nothing about when the case began
    keys = {case: f"K{n:04d}" for n, case in enumerate(cases, start=1)}
    ratings.insert(0, "research_id", ratings["therapist_id"].map(rid))
    ratings.insert(1, "case_key", ratings["case_id"].map(keys))
    ratings.insert(2, "week", _weeks(ratings["rated_on"]))
    ratings = ratings.drop(columns=["therapist_id", "case_id", "rated_on"])

    scales = list(CHECKIN.scale_ids)
    c = WeeklyCheckin.__table__.c
    mondays = week_range(weeks, as_of)
    rows = session.execute(
        select(c.therapist_id, c.week_start, *[c[f] for f in scales], c.capacity_score, c.checkin_version)
        .where(c.therapist_id.in_(ids), c.week_start >= mondays[0], c.week_start <= mondays[-1])
        .order_by(c.therapist_id, c.week_start)
    ).all()
    checkins = pd.DataFrame(rows, columns=["therapist_id", "week_start", *scales, "capacity_score", "checkin_version"])
    checkins.insert(0, "research_id", checkins["therapist_id"].map(rid))
    checkins.insert(1, "week", _weeks(checkins["week_start"]))
    checkins = checkins.drop(columns=["therapist_id", "week_start"])

    load = load_frame(session, therapists, TherapySession.therapist_id.in_(ids), mondays, config)
    weekly_load = pd.DataFrame({
        "research_id": load["therapist_id"].map(rid).to_numpy(), "week": load["week"].to_numpy(),
        **{k: load[k].to_numpy() for k in ("sessions", "load", "capacity", "load_index", "status",
                                           "model_versions")},
    })
    people = pd.DataFrame({
        "research_id": [consents[t.id] for t in therapists],
        "experience": [t.experience for t in therapists],
        "contracted_sessions": [t.contracted_sessions for t in therapists],
    })
    # Rows in research-id order (random), never in the order therapists joined the practice.
    people = people.sort_values("research_id", kind="stable")
    ratings = ratings.sort_values(["research_id", "case_key", "week"], kind="stable")
    checkins = checkins.sort_values(["research_id", "week"], kind="stable")
    weekly_load = weekly_load.sort_values(["research_id", "week"], kind="stable").reset_index(drop=True)
    audit.record(session, "read", actor=acting, subject_type="research_dataset",
                 detail=f"research dataset: {len(ids)} consenting therapists, {len(mondays)} weeks")
    for tid in ids:  # NEN 7513: each data subject's line, which they see in My data
        audit.record(session, "read", actor=acting, subject_type="therapist", subject_id=tid,
                     detail=f"research dataset ({len(mondays)} weeks, pseudonymised)")
    return ResearchDataset(people.reset_index(drop=True), ratings.reset_index(drop=True),
                           checkins.reset_index(drop=True), weekly_load)

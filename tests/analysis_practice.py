"""A small practice of consenting therapists whose ratings have a known structure, for the
research analyses' tests (store and dashboard).

Each case has a latent level per domain: the case's profile (light, mean -1, or heavy,
mean +1; half of the cases each) plus a domain deviation, and each item is its domain's
level plus noise, cut to 0-3. So the five domains are five correlated factors (EFA must
recover them), their items are consistent (alpha well above 0.8), and the cases fall in
two profiles. The burden follows the complexity. Ratings are written straight into the
tables (scored by ``complexity.score_cases``, as the store would).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from complexity import DEFAULT_CONFIG, INSTRUMENT, score_cases
from store.db import session_scope
from store.models import Case, CaseRating, ResearchConsent, Therapist
from store.research_analyses import version_items

AS_OF = dt.date(2026, 3, 1)  # a Sunday: the weeks end with ISO week 2026-W09


@dataclass(frozen=True)
class Seeded:
    therapist_ids: list[int]
    ratings: int


def item_table(n: int, rng: np.random.Generator, *, version: str = INSTRUMENT.version) -> pd.DataFrame:
    """``n`` cases' item levels (NaN: not in ``version``) with the known structure."""
    profile = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    items = {}
    rated = set(version_items(version).items)
    for domain in INSTRUMENT.domains:
        level = profile + rng.normal(0.0, 0.5, n)
        for item in domain.items:
            values = np.clip(np.rint(1.5 + 0.9 * level + rng.normal(0.0, 0.45, n)), 0, 3)
            items[item.id] = values if item.id in rated else np.full(n, np.nan)
    for item in INSTRUMENT.extra_items:  # interplay is new in 2.0.0
        older = item.purpose == "interplay" and version != INSTRUMENT.version
        items[item.id] = np.full(n, np.nan) if older else rng.integers(0, 2, n).astype(float)
    return pd.DataFrame(items)


def seed_practice(engine: Engine, *, therapists: int = 8, cases_each: int = 15, as_of: dt.date = AS_OF,
                  weeks_back: int = 8, version: str = INSTRUMENT.version, burden: bool = True, consent: bool = True,
                  seed: int = 0, first: int = 0) -> Seeded:
    """``therapists`` therapists (consenting unless told not), each with ``cases_each``
    cases rated once in the ``weeks_back`` weeks up to ``as_of`` with ``version``."""
    rng = np.random.default_rng(seed)
    n = therapists * cases_each
    items = item_table(n, rng, version=version)
    scored = score_cases(items.assign(case_id=np.arange(n)))
    burdens = np.clip(np.rint(scored["complexity"].fillna(0) / 10 + rng.normal(0, 0.6, n)), 0, 10)
    days = rng.integers(0, 7 * weeks_back, n)
    ids = []
    with session_scope(engine) as s:
        for t in range(therapists):
            therapist = Therapist(display_name=f"Onderzoek {first + t}", experience="experienced",
                                  contracted_sessions=20)
            s.add(therapist)
            s.flush()
            ids.append(therapist.id)
            if consent:
                s.add(ResearchConsent(therapist_id=therapist.id, research_id=f"{seed:08x}{first + t:024x}"))
            for c in range(cases_each):
                k = t * cases_each + c
                rated_on = as_of - dt.timedelta(days=int(days[k]))
                case = Case(code=f"C-{first + t:04d}-{seed % 100:02d}{c:02d}", therapist_id=therapist.id,
                            opened_on=rated_on - dt.timedelta(days=30))
                s.add(case)
                s.flush()
                row = scored.iloc[k]
                s.add(CaseRating(
                    case_id=case.id, rated_on=rated_on, complexity=_float(row["complexity"]), band=str(row["band"]),
                    interaction=_float(row["interaction"]), complexity_low=_float(row["complexity_low"]),
                    complexity_high=_float(row["complexity_high"]),
                    burden=int(burdens[k]) if burden else None, instrument_version=version,
                    model_version=DEFAULT_CONFIG.model_version,
                    **{i: (None if np.isnan(v) else int(v)) for i, v in items.iloc[k].items()}))
    return Seeded(ids, n)


def _float(value) -> float | None:
    return None if pd.isna(value) else float(value)

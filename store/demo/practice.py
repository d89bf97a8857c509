"""The demo's rating practice: some of its therapists have rated some of the shipped
vignettes, so that a demo researcher's Rating agreement has raters to show and a demo
therapist who rates one of those vignettes sees the group's median.

- The rated vignettes are :data:`RATED_VIGNETTES`: v01 and v02 are left for a visitor
  (the Rating practice page offers the first vignette not yet rated, and no one else has
  rated it, so a first try shows the comparison with the reference alone).
- The raters are the first :data:`MAX_RATERS` therapists except the drifting starter
  (``demo-starter`` keeps a practice page on which nothing is rated yet). Whether the
  researcher sees them is their research consent's business, as for everyone.
- A rater's level of an item is the reference level, moved one up or down with
  probability :data:`SHIFT_STARTING` for a starter and :data:`SHIFT_EXPERIENCED` for an
  experienced therapist (kept within 0-3): raters agree mostly, starters a little less.
- Each rater rated on a Monday of the last :data:`WITHIN_WEEKS` weeks before the week of
  ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from complexity.instrument import MAX_LEVEL, MIN_LEVEL

from ..rating_practice import shipped_vignettes
from .people import TherapistSpec

RATED_VIGNETTES = ("v03", "v04", "v05", "v06", "v07", "v08")
MAX_RATERS = 12
SHIFT_STARTING = 0.35
SHIFT_EXPERIENCED = 0.2
WITHIN_WEEKS = 8


@dataclass(frozen=True)
class PracticeRatingPlan:
    therapist: int  # therapist number
    vignette: str
    instrument_version: str
    rated_on: dt.date
    levels: dict[str, int]  # item id -> level, every item of the vignette's instrument


def plan_practice_ratings(rng: np.random.Generator, therapists: list[TherapistSpec], drifter: int,
                          current_monday: dt.date) -> list[PracticeRatingPlan]:
    vignettes = [v for v in shipped_vignettes() if v.key in RATED_VIGNETTES]
    raters = [i for i in range(min(len(therapists), MAX_RATERS)) if i != drifter]
    plans = []
    for i in raters:
        shift = SHIFT_STARTING if therapists[i].starting else SHIFT_EXPERIENCED
        rated_on = current_monday - dt.timedelta(weeks=int(rng.integers(1, WITHIN_WEEKS + 1)))
        for vignette in vignettes:
            items = list(vignette.reference)
            steps = rng.choice([-1, 0, 1], size=len(items), p=[shift / 2, 1 - shift, shift / 2])
            levels = {item: int(np.clip(vignette.reference[item] + step, MIN_LEVEL, MAX_LEVEL))
                      for item, step in zip(items, steps)}
            plans.append(PracticeRatingPlan(i, vignette.key, vignette.instrument_version, rated_on, levels))
    return plans


__all__ = ["MAX_RATERS", "RATED_VIGNETTES", "PracticeRatingPlan", "plan_practice_ratings"]

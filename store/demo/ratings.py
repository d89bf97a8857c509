"""The demo's complexity ratings: item vectors whose scored complexity falls in the
band a case was planned in, and the table of ratings the plan collects.

Vectors are drawn in batches around a latent level per band
(:attr:`~store.demo.parameters.DemoParameters.band_item_level`), scored with
:func:`complexity.score_cases`, and kept only in the band they were drawn for
(rejection sampling), so a case planned as "moderate" is rated moderate by the real
scoring model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from complexity import BANDS, INSTRUMENT, score_cases
from data_schema.fields import BURDEN_MAX

from .columns import ColumnTable
from .parameters import DemoParameters


class RatingPool:
    """Scored item vectors per band, refilled a batch at a time from ``rng``."""

    def __init__(self, rng: np.random.Generator, parameters: DemoParameters) -> None:
        self.rng = rng
        self.parameters = parameters
        self.items: list[list[np.ndarray]] = [[] for _ in BANDS]  # per band, kept vectors
        self.scores: list[list[RatedVector]] = [[] for _ in BANDS]
        self.position = [0] * len(BANDS)  # per band, the next vector to hand out
        self.item_count = len(INSTRUMENT.item_ids)
        self.scored_count = len(INSTRUMENT.scored_item_ids)
        self.domain_of_item = np.repeat(np.arange(len(INSTRUMENT.domain_sizes)), INSTRUMENT.domain_sizes)

    def take(self, band: int) -> tuple[np.ndarray, "RatedVector"]:
        """The next item vector of ``band`` with its score and burden."""
        if self.position[band] >= len(self.items[band]):
            self._refill(band)
        k = self.position[band]
        self.position[band] += 1
        return self.items[band][k], self.scores[band][k]

    def _refill(self, band: int) -> None:
        rng, batch, p = self.rng, self.parameters.rating_batch, self.parameters
        lowest, highest = p.band_item_level[band]
        level = rng.uniform(lowest, highest, batch)
        domain_shift = rng.normal(0.0, p.domain_shift_sd, (batch, len(INSTRUMENT.domain_sizes)))
        raw = (level[:, None] + domain_shift[:, self.domain_of_item]
               + rng.normal(0.0, p.item_noise_sd, (batch, self.scored_count)))
        scored = np.clip(np.rint(raw), 0, p.item_max)
        scored[rng.random(scored.shape) < p.missing_item_share] = np.nan
        low_safety, high_safety = p.safety_levels
        safety = np.where(rng.random(batch) < p.safety_share_per_band * band,
                          rng.integers(low_safety, high_safety + 1, batch), 0).astype(float)
        low_meaning, high_meaning = p.meaning_levels
        meaning = rng.integers(low_meaning, high_meaning + 1, batch).astype(float)
        interplay = np.clip(np.rint(level + rng.normal(0.0, p.interplay_noise_sd, batch)), 0, p.item_max)
        interplay[rng.random(batch) < p.interplay_unrated_share] = np.nan
        items = np.column_stack([scored, safety, meaning, interplay])
        scores = _score(items)
        keep = (scores["band"].astype(str).to_numpy() == BANDS[band]) & scores["complete"].to_numpy()
        if not keep.any():  # cannot happen with these levels
            raise RuntimeError(f"no demo rating of band {BANDS[band]} in {batch} draws")
        complexity = scores["complexity"].to_numpy()
        burden = np.clip(np.rint(complexity * p.burden_per_point + rng.normal(0.0, p.burden_noise_sd, batch)),
                         0, BURDEN_MAX)
        burden[rng.random(batch) >= p.burden_answered_share] = np.nan
        self.items[band] = list(items[keep])
        self.scores[band] = [RatedVector(*values) for values in zip(
            complexity[keep].tolist(), scores["interaction"].to_numpy()[keep].tolist(),
            scores["complexity_low"].to_numpy()[keep].tolist(), scores["complexity_high"].to_numpy()[keep].tolist(),
            [None if np.isnan(b) else int(b) for b in burden[keep]])]
        self.position[band] = 0


@dataclass(frozen=True)
class RatedVector:
    """What the model (and the therapist) said of a drawn item vector."""

    complexity: float
    interaction: float
    low: float
    high: float
    burden: int | None  # 0-10, None = not answered


def _score(items: np.ndarray) -> pd.DataFrame:
    """:func:`complexity.score_cases` of item vectors (one row each)."""
    frame = pd.DataFrame(items, columns=list(INSTRUMENT.item_ids))
    frame.insert(0, "case_id", np.arange(len(items)))
    return score_cases(frame)


@dataclass
class RatingTable(ColumnTable):
    """Every planned rating, one entry per rating in each list (index = rating number)."""

    case: list[int] = field(default_factory=list)  # case number
    day: list[int] = field(default_factory=list)  # day offset from the first Monday
    items: list[np.ndarray] = field(default_factory=list)  # item levels (NaN = not rated)
    complexity: list[float] = field(default_factory=list)
    interaction: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)  # the range: unrated items at 0 ...
    high: list[float] = field(default_factory=list)  # ... and at 3
    burden: list[int | None] = field(default_factory=list)  # 0-10, None = not answered
    band: list[int] = field(default_factory=list)  # index into complexity.BANDS

    def add(self, pool: RatingPool, case: int, band: int, day: int) -> tuple[int, float]:
        """Rate ``case`` on ``day`` with the next vector of ``band``; its rating number
        and complexity."""
        items, rated = pool.take(band)
        number = self.append_row(case=case, day=day, items=items, complexity=rated.complexity,
                                 interaction=rated.interaction, low=rated.low, high=rated.high, burden=rated.burden,
                                 band=band)
        return number, rated.complexity

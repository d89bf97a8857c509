"""Model configuration: weights, interaction strength, band cut-offs and thresholds.

Every number the model uses lives here, with its default and the reason for it; nothing
in the scoring or flag code is a magic number. ``docs/model.md`` explains the model
around these settings. A non-default configuration changes the ``model_version`` stamp
on every score (``MODEL_VERSION+cfg.<hash>``) so scores made under different settings
can never be mixed up.
"""

from __future__ import annotations

import hashlib
import json
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .instrument import INSTRUMENT

MODEL_VERSION = "2.0.0"

BANDS: tuple[str, ...] = ("uncomplicated", "mild", "moderate", "severe")
INCOMPLETE = "incomplete"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BandCutoffs(_Frozen):
    """Lower bounds (inclusive, on the 0-100 scale) of the referral bands.

    The Dutch referral levels are *ongecompliceerd / licht / matig / zwaar
    gecompliceerd*; the last two are PSF territory. Where a case lands is set by the
    index cut-offs below (``IndexCutoffs``): these numbers only name the scale.
    """

    mild: float = Field(15.0, ge=0, le=100)
    moderate: float = Field(35.0, ge=0, le=100)
    severe: float = Field(60.0, ge=0, le=100)

    @model_validator(mode="after")
    def _increasing(self) -> "BandCutoffs":
        if not (0 < self.mild < self.moderate < self.severe <= 100):
            raise ValueError("band cut-offs must satisfy 0 < mild < moderate < severe <= 100")
        return self


class IndexCutoffs(_Frozen):
    """Where on the index (0..1: the weighted domain loads, before the interplay) each
    band starts. They follow from the anchor cases (``complexity.anchors`` computes
    them, and a test checks these values against it):

    - ``moderate`` (0.043): INTERMED calls a case complex from 35 % of the maximum item
      total; the lowest index of any fully rated case with that total spread over three
      or more domains is 0.044, just above it; a case with every item at 1 ("keep an eye
      on it", 0.028) and a case with a single item at 3 and nothing else (0.037) stay below.
    - ``mild`` (0.019): a case with three quarters of its items at 1 and the rest at 0
      (0.022 at the least) is mild; below it the problems are few or slight.
    - ``severe`` (0.32): above every case with all items at 2 ("shapes the treatment",
      0.269, which stays moderate even with the strongest interplay) and at or below two
      whole domains at 3, the smallest two (0.340): two dominating domains are severe.

    The values hold for instrument 2.0 and the default level exponent and curvature;
    changing either means deriving them again (``complexity.anchors.derived_cutoffs``).
    """

    mild: float = Field(0.019, gt=0, lt=1)
    moderate: float = Field(0.043, gt=0, lt=1)
    severe: float = Field(0.32, gt=0, lt=1)

    @model_validator(mode="after")
    def _increasing(self) -> "IndexCutoffs":
        if not (0 < self.mild < self.moderate < self.severe < 1):
            raise ValueError("index cut-offs must satisfy 0 < mild < moderate < severe < 1")
        return self


def _default_domain_weights() -> dict[str, float]:
    return {d: 1.0 for d in INSTRUMENT.domain_ids}


class ScoringConfig(_Frozen):
    """How item ratings become a case's complexity (``complexity.scoring`` has the
    formulas, ``docs/model.md`` the reasons).

    ``level_exponent`` p: a level L weighs ``(L/3)**p``. The anchors are meanings, not
    counts: 3 "dominates the treatment", 2 "shapes it", 1 "keep an eye on it". With
    3.6, two whole domains at 3 outweigh every item at 2 (so that the bands can read
    like the anchors), and a 1 weighs about 2 % of a 3.

    ``domain_curvature`` r (< 1): a domain's load counts as ``u**r``, so its first
    problems count more than its last and the same items spread over more domains weigh
    more. 0.9 is just strong enough for that, and keeps one whole domain at 3 from
    outweighing what its items are worth.

    ``domain_weights`` are per-item multipliers of each domain's mass (items per
    domain); 1.0 each: every item counts the same. Calibration
    (``complexity.calibration``) can learn other weights from therapists' own burden
    ratings.

    ``interplay_strengths``: how much the interaction between domains counts for a case
    whose interplay item is rated 0, 1, 2 or 3 (0: the problems stand apart, so none);
    ``interplay_default`` is the level used when it is not rated (1: some interplay, as
    in most cases a PSF sees). The strongest (0.27) adds under 4 points to a case with
    every item at 2, which stays moderate.
    """

    domain_weights: dict[str, float] = Field(default_factory=_default_domain_weights)
    level_exponent: float = Field(3.6, ge=1.0, le=8.0)
    domain_curvature: float = Field(0.9, gt=0.0, le=1.0)
    index_cutoffs: IndexCutoffs = Field(default_factory=IndexCutoffs)
    interplay_strengths: tuple[float, float, float, float] = (0.0, 0.09, 0.18, 0.27)
    interplay_default: int = Field(1, ge=0, le=3)
    bands: BandCutoffs = Field(default_factory=BandCutoffs)
    min_rated_domains: int = Field(
        4,
        ge=2,
        le=5,
        description="A case with fewer counting domains is 'incomplete' instead of scored low.",
    )
    min_rated_share: float = Field(
        0.5, gt=0.0, le=1.0, description="A domain counts when at least this share of its items is rated."
    )
    safety_flag_level: int = Field(
        2, ge=1, le=3, description="safety_concern at or above this raises 'consult now'."
    )
    therapist_impact_flag_level: float = Field(
        2.0,
        ge=0,
        le=3,
        description="A therapist-impact domain score (mean level) at or above this suggests "
        "intervisie or supervision (2 = the case moderately affects you on average).",
    )

    @model_validator(mode="after")
    def _check_weights(self) -> "ScoringConfig":
        expected = set(INSTRUMENT.domain_ids)
        if set(self.domain_weights) != expected:
            raise ValueError(f"domain_weights must name exactly the domains {sorted(expected)}")
        if any(w <= 0 for w in self.domain_weights.values()):
            raise ValueError("domain weights must be positive")
        strengths = self.interplay_strengths
        if strengths[0] != 0.0 or any(b < a for a, b in zip(strengths, strengths[1:])) or strengths[-1] >= 1:
            raise ValueError("interplay_strengths must start at 0, never fall, and stay below 1")
        return self


class LoadConfig(_Frozen):
    """How sessions become weekly load, and when load is too high.

    A session weighs ``1 + session_weight_per_point * complexity``: an uncomplicated
    case weighs 1, a case at 50 weighs 2, the most complex case weighs 3 (as in
    social-care weighting schemes, a heavy case counts as several light ones).
    Capacity is the contracted sessions per week times the weight of a session at
    ``reference_complexity`` (the start of the moderate band: a full week of such
    sessions is a full week). Starting therapists get a protected capacity
    (``starter_capacity_factor``, after the 90-instead-of-100 points of social-care
    schemes for newly qualified workers).

    Traffic light after the probation workload tool: red at 10 % or more over capacity,
    amber from capacity up to 10 % over, green from 95 %, blue below.
    """

    session_weight_per_point: float = Field(0.02, ge=0)
    reference_complexity: float = Field(35.0, ge=0, le=100)
    starter_capacity_factor: float = Field(0.9, gt=0, le=1)
    green_from: float = Field(0.95, gt=0)
    amber_from: float = Field(1.0, gt=0)
    red_from: float = Field(1.10, gt=0)
    rising_weeks: int = Field(3, ge=2, description="Week-on-week rises in a row that raise a flag.")
    rising_min_load_index: float = Field(
        0.85, ge=0, description="A rise only flags once load is at least this near capacity."
    )

    @model_validator(mode="after")
    def _ordered(self) -> "LoadConfig":
        if not (self.green_from <= self.amber_from < self.red_from):
            raise ValueError("load thresholds must satisfy green_from <= amber_from < red_from")
        return self

    @property
    def reference_weight(self) -> float:
        return 1.0 + self.session_weight_per_point * self.reference_complexity


class CapacityConfig(_Frozen):
    """How the weekly check-in becomes a capacity score and when the balance tips.

    ``item_weights`` weigh the check-in items (defined in ``complexity.checkin``);
    equal by default, since no item is known to predict exhaustion better. The single
    burnout item signals burnout symptoms from 3 (single-item measure concept); the
    balance flag is raised when load is at or over capacity while capacity is under
    ``low_capacity`` or the burnout item signals symptoms.
    """

    item_weights: dict[str, float] | None = None  # None: every check-in item weighs 1
    low_capacity: float = Field(50.0, ge=0, le=100)
    burnout_signal_level: int = Field(3, ge=1, le=5)
    balance_load_index: float = Field(1.0, gt=0)
    missed_checkin_weeks: int = Field(
        2, ge=1, description="Completed weeks in a row without a check-in that raise a flag."
    )


class ModelConfig(_Frozen):
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    load: LoadConfig = Field(default_factory=LoadConfig)
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)

    @property
    def fingerprint(self) -> str:
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:8]

    @property
    def model_version(self) -> str:
        if self == DEFAULT_CONFIG:
            return MODEL_VERSION
        return f"{MODEL_VERSION}+cfg.{self.fingerprint}"

    @classmethod
    def from_mapping(cls, data: Mapping) -> "ModelConfig":
        """Build a configuration from a (partial) mapping, e.g. a parsed TOML file."""
        return cls.model_validate(dict(data))


DEFAULT_CONFIG = ModelConfig()

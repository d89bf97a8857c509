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

MODEL_VERSION = "1.0.0"

BANDS: tuple[str, ...] = ("uncomplicated", "mild", "moderate", "severe")
INCOMPLETE = "incomplete"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BandCutoffs(_Frozen):
    """Lower bounds (inclusive, on the 0-100 scale) of the referral bands.

    The Dutch referral levels are *ongecompliceerd / licht / matig / zwaar
    gecompliceerd*; the last two are PSF territory. ``moderate`` starts at 35 because
    INTERMED calls a case complex from 21 of 60 points (35 %); ``severe`` at 60 lies just
    above a case with every item at "moderate: shapes the treatment" (58.9 with the
    default interaction strength), so the bands read like the anchors: all items 1 is
    mild (25.6), all items 2 is moderate, and severe needs domains that dominate;
    ``mild`` at 15 is roughly one domain clearly involved or every domain just
    noticeable.
    """

    mild: float = Field(15.0, ge=0, le=100)
    moderate: float = Field(35.0, ge=0, le=100)
    severe: float = Field(60.0, ge=0, le=100)

    @model_validator(mode="after")
    def _increasing(self) -> "BandCutoffs":
        if not (0 < self.mild < self.moderate < self.severe <= 100):
            raise ValueError("band cut-offs must satisfy 0 < mild < moderate < severe <= 100")
        return self


def _default_domain_weights() -> dict[str, float]:
    return {d: 1.0 for d in INSTRUMENT.domain_ids}


class ScoringConfig(_Frozen):
    """How item ratings become a case's complexity.

    ``domain_weights`` are per-item-point multipliers. With all weights 1.0 every item
    point counts the same in the additive part, as in INTERMED's item total; a domain's
    share then follows its number of items. Calibration (``complexity.calibration``)
    can learn other weights from therapists' own burden ratings.

    ``interaction_strength`` (0-1) is the share of the score that comes from the
    pairwise interaction between domains. The thesis on starting PSF (seed 004) says
    complexity rises with how many factors play a role *and how they influence each
    other*: 0.35 makes two moderately raised domains clearly outscore one domain with
    the same item total, while a single dominating domain still lands in a visible band.
    """

    domain_weights: dict[str, float] = Field(default_factory=_default_domain_weights)
    interaction_strength: float = Field(0.35, ge=0.0, lt=1.0)
    bands: BandCutoffs = Field(default_factory=BandCutoffs)
    min_rated_domains: int = Field(
        4,
        ge=2,
        le=5,
        description="A case with fewer rated domains is 'incomplete' instead of scored low.",
    )
    min_rated_items_per_domain: int = Field(
        1, ge=1, description="A domain counts as rated from this many rated items."
    )
    safety_flag_level: int = Field(
        2, ge=1, le=3, description="safety_concern at or above this raises 'consult now'."
    )
    therapist_impact_flag_level: float = Field(
        2.0,
        ge=0,
        le=3,
        description="A therapist-impact domain score at or above this suggests intervisie "
        "or supervision (2 = the case moderately affects you on average).",
    )

    @model_validator(mode="after")
    def _check_weights(self) -> "ScoringConfig":
        expected = set(INSTRUMENT.domain_ids)
        if set(self.domain_weights) != expected:
            raise ValueError(f"domain_weights must name exactly the domains {sorted(expected)}")
        if any(w <= 0 for w in self.domain_weights.values()):
            raise ValueError("domain weights must be positive")
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

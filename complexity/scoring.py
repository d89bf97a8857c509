"""Case complexity: weighted domain scores plus a pairwise interaction between domains.

For a case, let ``x_k`` be domain k's score (mean of its rated items) divided by 3, and
``m_k = w_k * n_k`` the domain's mass (per-point weight times number of items), over the
rated domains only. With ``y_k = m_k * x_k``::

    additive    A = sum_k y_k / sum_k m_k                          (0..1)
    interaction I = sum_{j<k} y_j y_k / sum_{j<k} m_j m_k          (0..1)
    complexity    = 100 * ((1 - g) * A + g * I)                    (0..100)

``g`` is the interaction strength. Both parts are 0 when nothing is raised and 1 when
everything is at 3, so the score is bounded and hits 0 and 100 exactly there; every
coefficient is non-negative, so raising an item never lowers it. For a fixed item total
the additive part is fixed (with equal weights) while ``I`` grows as the points spread
over more domains: several domains that feed each other outscore one domain.

The explanation is exact: domain k contributes ``100 (1 - g) y_k / sum m`` and the
pair (j, k) contributes ``100 g y_j y_k / sum m_j m_k``; they add up to the score.
Domains without enough rated items drop out of both sums (the score is renormalised
over what was rated); too few rated domains make the case ``incomplete``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .config import BANDS, DEFAULT_CONFIG, INCOMPLETE, ModelConfig
from .flags import Flag, sort_flags
from .instrument import INSTRUMENT, MAX_LEVEL
from .validation import CASE_ID, item_matrix

DOMAINS: tuple[str, ...] = INSTRUMENT.domain_ids
_STARTS = np.cumsum((0,) + INSTRUMENT.domain_sizes[:-1])
_SIZES = np.asarray(INSTRUMENT.domain_sizes, dtype=float)
_IMPACT = DOMAINS.index("therapist_impact")
_SAFETY = INSTRUMENT.extra_item_ids.index("safety_concern")
BAND_CATEGORIES: tuple[str, ...] = BANDS + (INCOMPLETE,)

# Case-level flag codes in bit order; the flags column is looked up from the bits.
_CASE_FLAG_BITS: tuple[str, ...] = ("consult_now", "therapist_impact_high", "incomplete")
_FLAG_STRINGS: tuple[str, ...] = tuple(
    "|".join(c for b, c in enumerate(_CASE_FLAG_BITS) if code >> b & 1) for code in range(8)
)


def domain_masses(config: ModelConfig = DEFAULT_CONFIG) -> np.ndarray:
    weights = np.array([config.scoring.domain_weights[d] for d in DOMAINS], dtype=float)
    return weights * _SIZES


@dataclass(frozen=True)
class ScoreArrays:
    """Everything the model computes for n cases, as arrays (n,) or (n, 5)."""

    domain_scores: np.ndarray  # 0-3, NaN where a domain has too few rated items
    rated: np.ndarray  # bool (n, 5)
    contributions: np.ndarray  # points per domain (n, 5), 0 for unrated domains
    interaction: np.ndarray  # points (n,)
    complexity: np.ndarray  # 0-100, NaN where incomplete
    complete: np.ndarray  # bool (n,)
    weighted: np.ndarray  # y = m * x  (n, 5), for pair contributions
    pair_mass: np.ndarray  # sum_{j<k} m_j m_k over rated domains (n,)


def combine(x: np.ndarray, masses: np.ndarray, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """The model's functional form on normalised domain scores ``x`` (n, p) in [0, 1].

    ``masses`` is (p,) or (n, p), zero for a domain that does not take part. Returns
    ``(contributions (n, p), interaction (n,))`` in points; their sum is the complexity.
    Shared by scoring and calibration so that both use one definition of the model.
    """
    masses = np.broadcast_to(masses, x.shape)
    y = masses * x
    m1 = masses.sum(axis=1)
    sy = y.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        contributions = y * ((100.0 * (1.0 - gamma)) / m1)[:, None]
        m2 = (m1 * m1 - np.einsum("ij,ij->i", masses, masses)) * 0.5
        pairs = (sy * sy - np.einsum("ij,ij->i", y, y)) * 0.5
        interaction = np.where(m2 > 0, (100.0 * gamma) * pairs / np.where(m2 > 0, m2, 1.0), 0.0)
    return contributions, interaction


def score_arrays(scored: np.ndarray, config: ModelConfig = DEFAULT_CONFIG) -> ScoreArrays:
    """Score an item matrix (n, 29) in instrument order, NaN = not rated."""
    sc = config.scoring
    valid = ~np.isnan(scored)
    sums = np.add.reduceat(np.where(valid, scored, 0.0), _STARTS, axis=1)
    counts = np.add.reduceat(valid, _STARTS, axis=1, dtype=np.int32)
    rated = counts >= sc.min_rated_items_per_domain
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    domain_scores = np.where(rated, means, np.nan)
    x = np.where(rated, means, 0.0) * (1.0 / MAX_LEVEL)
    masses = rated * domain_masses(config)
    contributions, interaction = combine(x, masses, sc.interaction_strength)
    complete = rated.sum(axis=1) >= sc.min_rated_domains
    complexity = contributions.sum(axis=1) + interaction
    complexity = np.where(complete, np.clip(complexity, 0.0, 100.0), np.nan)
    m1 = masses.sum(axis=1)
    pair_mass = (m1 * m1 - np.einsum("ij,ij->i", masses, masses)) * 0.5
    return ScoreArrays(
        domain_scores=domain_scores,
        rated=rated,
        contributions=np.where(complete[:, None], contributions, np.nan),
        interaction=np.where(complete, interaction, np.nan),
        complexity=complexity,
        complete=complete,
        weighted=masses * x,
        pair_mass=pair_mass,
    )


def band_codes(complexity: np.ndarray, config: ModelConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Index into :data:`BAND_CATEGORIES` for each complexity (NaN -> incomplete)."""
    b = config.scoring.bands
    codes = (
        (complexity >= b.mild).astype(np.int8)
        + (complexity >= b.moderate)
        + (complexity >= b.severe)
    )
    return np.where(np.isnan(complexity), len(BANDS), codes).astype(np.int8)


def band_of(complexity: float, config: ModelConfig = DEFAULT_CONFIG) -> str:
    return BAND_CATEGORIES[int(band_codes(np.array([complexity], dtype=float), config)[0])]


def _flag_bits(arrays: ScoreArrays, extras: np.ndarray, config: ModelConfig) -> np.ndarray:
    sc = config.scoring
    with np.errstate(invalid="ignore"):
        safety = extras[:, _SAFETY] >= sc.safety_flag_level
        impact = arrays.domain_scores[:, _IMPACT] >= sc.therapist_impact_flag_level
    return safety.astype(np.int8) | (impact.astype(np.int8) << 1) | ((~arrays.complete).astype(np.int8) << 2)


def score_cases(
    df: pd.DataFrame,
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    ignore_columns: Iterable[str] = (),
) -> pd.DataFrame:
    """Score a wide table of cases: ``case_id`` plus any subset of item columns.

    A missing column or an empty cell means "not rated". Returns one row per case, in
    input order, with ``case_id``, ``complexity`` (0-100, NaN when incomplete),
    ``band``, one column per domain (its score 0-3), ``contrib_<domain>`` and
    ``interaction`` (points of the complexity; with the contributions they add up to
    it), ``interaction_share`` (the interaction's fraction of the complexity),
    ``rated_domains``, ``complete``, ``safety_concern``, ``case_meaning``, ``flags``
    (codes joined by ``|``), ``instrument_version`` and ``model_version``.

    Raises :class:`complexity.RatingsInputError` naming every bad row and column.
    Columns in ``ignore_columns`` are allowed and left out.
    """
    scored, extras = item_matrix(df, ignore_columns=ignore_columns)
    arrays = score_arrays(scored, config)
    n = len(df)
    out: dict[str, object] = {CASE_ID: df[CASE_ID]}
    out["complexity"] = arrays.complexity
    out["band"] = pd.Categorical.from_codes(band_codes(arrays.complexity, config), BAND_CATEGORIES)
    for k, d in enumerate(DOMAINS):
        out[d] = arrays.domain_scores[:, k]
    for k, d in enumerate(DOMAINS):
        out[f"contrib_{d}"] = arrays.contributions[:, k]
    out["interaction"] = arrays.interaction
    with np.errstate(invalid="ignore", divide="ignore"):
        out["interaction_share"] = np.where(
            arrays.complexity > 0, arrays.interaction / arrays.complexity, 0.0
        )
    out["interaction_share"] = np.where(arrays.complete, out["interaction_share"], np.nan)
    out["rated_domains"] = arrays.rated.sum(axis=1).astype(np.int8)
    out["complete"] = arrays.complete
    for j, item_id in enumerate(INSTRUMENT.extra_item_ids):
        out[item_id] = extras[:, j]
    out["flags"] = pd.Categorical.from_codes(_flag_bits(arrays, extras, config), _FLAG_STRINGS)
    zeros = np.zeros(n, dtype=np.int8)
    out["instrument_version"] = pd.Categorical.from_codes(zeros, [INSTRUMENT.version])
    out["model_version"] = pd.Categorical.from_codes(zeros, [config.model_version])
    return pd.DataFrame(out, index=df.index, copy=False)


@dataclass(frozen=True)
class CaseScore:
    """One case's score with its full explanation."""

    case_id: str
    complexity: float | None  # None when incomplete
    band: str
    complete: bool
    domain_scores: Mapping[str, float | None]
    contributions: Mapping[str, float]  # points per domain
    interaction: float  # points
    pair_contributions: Mapping[tuple[str, str], float]  # points; they sum to interaction
    rated_domains: int
    flags: tuple[Flag, ...]
    safety_concern: int | None
    case_meaning: int | None
    instrument_version: str
    model_version: str

    @property
    def interaction_share(self) -> float:
        if not self.complexity:
            return 0.0
        return self.interaction / self.complexity

    def explanation(self) -> list[tuple[str, float]]:
        """Components (domain ids and ``"interaction"``) with their points, largest first."""
        parts = list(self.contributions.items()) + [("interaction", self.interaction)]
        return sorted(parts, key=lambda kv: -kv[1])

    def top_pairs(self, n: int = 3) -> list[tuple[tuple[str, str], float]]:
        ranked = sorted(self.pair_contributions.items(), key=lambda kv: -kv[1])
        return [(pair, pts) for pair, pts in ranked[:n] if pts > 0]


def score_case(
    ratings: Mapping[str, object], config: ModelConfig = DEFAULT_CONFIG, *, case_id: str | None = None
) -> CaseScore:
    """Score one case from a mapping of item id to level (missing or None = not rated)."""
    row = {CASE_ID: case_id or str(ratings.get(CASE_ID, "case"))}
    row.update({k: (np.nan if v is None else v) for k, v in ratings.items() if k != CASE_ID})
    scored, extras = item_matrix(pd.DataFrame([row]))
    arrays = score_arrays(scored, config)
    complete = bool(arrays.complete[0])
    complexity = float(arrays.complexity[0]) if complete else None
    masses_gamma = 100.0 * config.scoring.interaction_strength
    y = arrays.weighted[0]
    pm = float(arrays.pair_mass[0])
    pairs = {
        (DOMAINS[j], DOMAINS[k]): (masses_gamma * y[j] * y[k] / pm if complete and pm > 0 else 0.0)
        for j, k in combinations(range(len(DOMAINS)), 2)
    }
    flags = _case_flags(row[CASE_ID], arrays, extras, config)
    extra = {
        item_id: (None if np.isnan(extras[0, j]) else int(extras[0, j]))
        for j, item_id in enumerate(INSTRUMENT.extra_item_ids)
    }
    return CaseScore(
        case_id=row[CASE_ID],
        complexity=complexity,
        band=BAND_CATEGORIES[int(band_codes(arrays.complexity, config)[0])],
        complete=complete,
        domain_scores={
            d: (None if np.isnan(arrays.domain_scores[0, k]) else float(arrays.domain_scores[0, k]))
            for k, d in enumerate(DOMAINS)
        },
        contributions={
            d: (float(arrays.contributions[0, k]) if complete else 0.0) for k, d in enumerate(DOMAINS)
        },
        interaction=float(arrays.interaction[0]) if complete else 0.0,
        pair_contributions=pairs,
        rated_domains=int(arrays.rated[0].sum()),
        flags=tuple(flags),
        safety_concern=extra["safety_concern"],
        case_meaning=extra["case_meaning"],
        instrument_version=INSTRUMENT.version,
        model_version=config.model_version,
    )


def case_flags(df: pd.DataFrame, config: ModelConfig = DEFAULT_CONFIG) -> list[tuple[Flag, ...]]:
    """The flags of each case in a wide table (as :func:`score_cases` takes it), in input
    order: for each row what ``score_case(...).flags`` gives, computed in one pass."""
    scored, extras = item_matrix(df)
    arrays = score_arrays(scored, config)
    bits = _flag_bits(arrays, extras, config)
    ids = [str(c) for c in df[CASE_ID]]
    return [tuple(_case_flags(ids[i], arrays, extras, config, row=i, bits=int(bits[i]))) for i in range(len(ids))]


def _case_flags(case_id: str, arrays: ScoreArrays, extras: np.ndarray, config: ModelConfig, *,
                row: int = 0, bits: int | None = None) -> list[Flag]:
    if bits is None:
        bits = int(_flag_bits(arrays, extras, config)[row])
    flags = []
    if bits & 1:
        flags.append(Flag("consult_now", "red", {"level": int(extras[row, _SAFETY])}, subject=case_id))
    if bits & 2:
        flags.append(
            Flag(
                "therapist_impact_high",
                "amber",
                {"score": round(float(arrays.domain_scores[row, _IMPACT]), 2)},
                subject=case_id,
            )
        )
    if bits & 4:
        flags.append(
            Flag(
                "incomplete",
                "info",
                {"rated": int(arrays.rated[row].sum()), "needed": config.scoring.min_rated_domains},
                subject=case_id,
            )
        )
    return sort_flags(flags)

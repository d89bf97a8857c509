"""Case complexity, model 2.0: how much the case's problems weigh, how many domains they
touch, and how much they feed each other.

For a case (``docs/model.md`` says the same in words, with the reasons):

1. **An item's weight** follows its anchor, not its number: level ``L`` weighs
   ``(L/3)**p`` (``level_exponent`` p): 3 ("dominates the treatment") weighs 1, 2
   ("shapes the treatment") about a quarter, 1 ("keep an eye on it") about 2 %. Three
   items at 1 are not one item at 3.
2. **A domain's load** ``u_k`` is the mean weight of its items (an item not rated counts
   as the mean of the rated items of its domain; see "unrated" below).
3. **The index** ``x = sum_k m_k * u_k**r / sum_k m_k`` with ``r < 1``
   (``domain_curvature``) and the domain masses ``m_k = (n_k * w_k)**r`` (items per
   domain times a per-item weight): a domain's part is ``(w_k * sum of its item
   weights)**r``, so its first problems count more than its last and the same items
   spread over more domains weigh more ("the more factors play a role ...", seed 004),
   whatever the domains' sizes.
4. **The base** ``B = h(x)``: a monotone curve through the anchor cases, placed so that
   the bands read like the anchors (``IndexCutoffs``): items mostly at 1 are mild, mostly
   at 2 moderate, mostly at 3 severe; one domain entirely at 3 is moderate and two are
   severe; INTERMED's cut-off (35 % of the maximum item total, spread over three or more
   domains) is where moderate starts.
5. **The interplay** (item ``interplay``, 0-3, outside the domains: "... and the more
   they influence each other") adds ``boost = g(interplay) * J * (1 - B)``, with ``J``
   the mass-weighted mean of the products ``b_j b_k`` over pairs of domains (``b_k =
   h(u_k**r)``: each domain on the base's scale): it counts only where several domains
   are raised, never lowers the score, and vanishes at the top. Not rated: the
   documented default level.
6. ``complexity = 100 * (B + boost)``, 0..100: 0 when nothing is raised, 100 when every
   item is 3, never lower when an item rises.

The explanation is exact: domain k contributes ``100 * B * c_k / sum(c)`` (``c_k`` its
share of the index) and the pair (j, k) ``100 * boost * m_j m_k b_j b_k / sum(...)`` (``b_k
= h(v_k)``, as in the interplay's ``J``); they add up to the score.

**Unrated items.** A domain counts when at least half its items are rated
(``min_rated_share``); a case is scored when at least ``min_rated_domains`` domains
count, and is ``incomplete`` otherwise. Every result also gives the **range** the score
could take if the unrated items were rated: ``complexity_low`` with every unrated item
(the interplay included) at 0, ``complexity_high`` with every one at 3, and
``unrated_items``. The score itself (complete cases) counts an unrated item as the mean
of its domain's rated items, or of the case's rated items where its domain does not
count, so it lies within the range; rating an item can only narrow the range.
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
_DOMAIN_OF_ITEM = np.repeat(np.arange(len(DOMAINS)), INSTRUMENT.domain_sizes)
_IMPACT = DOMAINS.index("therapist_impact")
_SAFETY = INSTRUMENT.extra_item_ids.index("safety_concern")
_INTERPLAY = INSTRUMENT.extra_item_ids.index("interplay")
_PAIRS = tuple(combinations(range(len(DOMAINS)), 2))
BAND_CATEGORIES: tuple[str, ...] = BANDS + (INCOMPLETE,)

# Case-level flag codes in bit order; the flags column is looked up from the bits.
_CASE_FLAG_BITS: tuple[str, ...] = ("consult_now", "therapist_impact_high", "incomplete")
_FLAG_STRINGS: tuple[str, ...] = tuple(
    "|".join(c for b, c in enumerate(_CASE_FLAG_BITS) if code >> b & 1) for code in range(8)
)


def domain_masses(config: ModelConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Each domain's mass: (its number of items times its per-item weight) ** r, so that
    a domain's part of the index, ``m_k * u_k**r = (weight * sum of its item weights)**r``,
    depends on what is raised in it and not on how many items it has besides."""
    weights = np.array([config.scoring.domain_weights[d] for d in DOMAINS], dtype=float)
    return (weights * _SIZES) ** config.scoring.domain_curvature


def level_weights(config: ModelConfig = DEFAULT_CONFIG) -> np.ndarray:
    """The weight of each level 0..3: ``(L/3)**level_exponent``."""
    return (np.arange(MAX_LEVEL + 1) / MAX_LEVEL) ** config.scoring.level_exponent


def index_curve(x: np.ndarray, config: ModelConfig = DEFAULT_CONFIG) -> np.ndarray:
    """``h``: the index 0..1 to the base score 0..1, through the band cut-offs."""
    sc = config.scoring
    knots_x = (0.0, sc.index_cutoffs.mild, sc.index_cutoffs.moderate, sc.index_cutoffs.severe, 1.0)
    knots_y = (0.0, sc.bands.mild / 100, sc.bands.moderate / 100, sc.bands.severe / 100, 1.0)
    return np.interp(x, knots_x, knots_y)


def combine(values: np.ndarray, masses: np.ndarray, gamma: np.ndarray | float,
            config: ModelConfig = DEFAULT_CONFIG) -> tuple[np.ndarray, np.ndarray]:
    """The model's functional form on domain values ``v_k = u_k**r`` (n, p) in [0, 1].

    ``masses`` is (p,) or (n, p); ``gamma`` the interplay strength per case (or one).
    Returns ``(contributions (n, p), interaction (n,))`` in points; their sum is the
    complexity. Shared by scoring and calibration: one definition of the model."""
    masses = np.broadcast_to(np.asarray(masses, dtype=float), values.shape)
    weighted = masses * values
    total_mass = masses.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(total_mass > 0, weighted.sum(axis=1) / total_mass, 0.0)
        base = index_curve(index, config)
        share = np.where(weighted.sum(axis=1, keepdims=True) > 0,
                         weighted / weighted.sum(axis=1, keepdims=True), 0.0)
        pair_mass = (total_mass ** 2 - np.einsum("ij,ij->i", masses, masses)) * 0.5
        raised = masses * index_curve(values, config)  # each domain on the base's own scale
        pair_sum = (raised.sum(axis=1) ** 2 - np.einsum("ij,ij->i", raised, raised)) * 0.5
        cooccurrence = np.where(pair_mass > 0, pair_sum / np.where(pair_mass > 0, pair_mass, 1.0), 0.0)
    boost = np.asarray(gamma, dtype=float) * cooccurrence * (1.0 - base)
    return 100.0 * base[:, None] * share, 100.0 * boost


@dataclass(frozen=True)
class ScoreArrays:
    """Everything the model computes for n cases, as arrays (n,) or (n, 5)."""

    domain_scores: np.ndarray  # mean level 0-3 of the rated items; NaN where the domain does not count
    rated: np.ndarray  # bool (n, 5): the domain counts (at least half its items rated)
    contributions: np.ndarray  # points per domain (n, 5); NaN where incomplete
    interaction: np.ndarray  # points (n,); NaN where incomplete
    complexity: np.ndarray  # 0-100, NaN where incomplete
    complete: np.ndarray  # bool (n,)
    low: np.ndarray  # 0-100: every unrated item (interplay included) at 0
    high: np.ndarray  # 0-100: every unrated item at 3
    unrated: np.ndarray  # int (n,): unrated scored items, plus the interplay when not rated
    values: np.ndarray  # domain values v = u**r (n, 5), for pair contributions
    masses: np.ndarray  # (5,)
    interplay_strength: np.ndarray  # (n,) the g the score used


def _domain_values(weights: np.ndarray, config: ModelConfig) -> np.ndarray:
    """v_k = (mean item weight of domain k) ** r, for a complete weight matrix (n, items)."""
    loads = np.add.reduceat(weights, _STARTS, axis=1) / _SIZES
    return loads ** config.scoring.domain_curvature


def _strength(interplay: np.ndarray, config: ModelConfig) -> np.ndarray:
    strengths = np.asarray(config.scoring.interplay_strengths, dtype=float)
    levels = np.where(np.isnan(interplay), config.scoring.interplay_default, interplay)
    return strengths[levels.astype(np.int64)]


def score_arrays(scored: np.ndarray, config: ModelConfig = DEFAULT_CONFIG,
                 interplay: np.ndarray | None = None) -> ScoreArrays:
    """Score an item matrix (n, scored items) in instrument order, NaN = not rated;
    ``interplay`` (n,) the interplay item (NaN or None: not rated)."""
    sc = config.scoring
    n = scored.shape[0]
    interplay = np.full(n, np.nan) if interplay is None else np.asarray(interplay, dtype=float)
    valid = ~np.isnan(scored)
    levels = np.where(valid, scored, 0.0)
    table = level_weights(config)
    weights = table[levels.astype(np.int64)]
    counts = np.add.reduceat(valid, _STARTS, axis=1, dtype=np.int32)
    sums = np.add.reduceat(np.where(valid, weights, 0.0), _STARTS, axis=1)
    level_sums = np.add.reduceat(levels, _STARTS, axis=1)
    rated = counts >= np.ceil(_SIZES * sc.min_rated_share)
    complete = rated.sum(axis=1) >= sc.min_rated_domains
    with np.errstate(invalid="ignore", divide="ignore"):
        domain_mean = sums / counts  # mean weight of the rated items of each domain
        case_mean = sums.sum(axis=1) / counts.sum(axis=1)
        domain_scores = np.where(rated, level_sums / counts, np.nan)
    fill = np.where(rated, domain_mean, np.nan_to_num(case_mean)[:, None])  # per domain
    imputed = np.where(valid, weights, np.nan_to_num(fill)[:, _DOMAIN_OF_ITEM])
    masses = domain_masses(config)
    values = _domain_values(imputed, config)
    gamma = _strength(interplay, config)
    contributions, interaction = combine(values, masses, gamma, config)
    complexity = np.clip(contributions.sum(axis=1) + interaction, 0.0, 100.0)

    unrated_play = np.isnan(interplay)
    low_parts = combine(_domain_values(np.where(valid, weights, 0.0), config), masses,
                        _strength(np.where(unrated_play, 0.0, interplay), config), config)
    high_parts = combine(_domain_values(np.where(valid, weights, 1.0), config), masses,
                         _strength(np.where(unrated_play, float(MAX_LEVEL), interplay), config), config)
    low = np.clip(low_parts[0].sum(axis=1) + low_parts[1], 0.0, 100.0)
    high = np.clip(high_parts[0].sum(axis=1) + high_parts[1], 0.0, 100.0)
    return ScoreArrays(
        domain_scores=domain_scores,
        rated=rated,
        contributions=np.where(complete[:, None], contributions, np.nan),
        interaction=np.where(complete, interaction, np.nan),
        complexity=np.where(complete, complexity, np.nan),
        complete=complete,
        low=low,
        high=high,
        unrated=(~valid).sum(axis=1) + unrated_play,
        values=values,
        masses=masses,
        interplay_strength=gamma,
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
    ``complexity_low`` and ``complexity_high`` (the range the score could take once the
    unrated items are rated), ``unrated_items``, ``band``, one column per domain (its
    mean level 0-3), ``contrib_<domain>`` and ``interaction`` (points of the complexity;
    with the contributions they add up to it), ``interaction_share``,
    ``rated_domains``, ``complete``, ``safety_concern``, ``case_meaning``, ``interplay``,
    ``flags`` (codes joined by ``|``), ``instrument_version`` and ``model_version``.

    Raises :class:`complexity.RatingsInputError` naming every bad row and column.
    Columns in ``ignore_columns`` are allowed and left out.
    """
    scored, extras = item_matrix(df, ignore_columns=ignore_columns)
    arrays = score_arrays(scored, config, extras[:, _INTERPLAY])
    n = len(df)
    out: dict[str, object] = {CASE_ID: df[CASE_ID]}
    out["complexity"] = arrays.complexity
    out["complexity_low"] = arrays.low
    out["complexity_high"] = arrays.high
    out["unrated_items"] = arrays.unrated.astype(np.int16)
    out["band"] = pd.Categorical.from_codes(band_codes(arrays.complexity, config), BAND_CATEGORIES)
    for k, d in enumerate(DOMAINS):
        out[d] = arrays.domain_scores[:, k]
    for k, d in enumerate(DOMAINS):
        out[f"contrib_{d}"] = arrays.contributions[:, k]
    out["interaction"] = arrays.interaction
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(arrays.complexity > 0, arrays.interaction / arrays.complexity, 0.0)
    out["interaction_share"] = np.where(arrays.complete, share, np.nan)
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
    """One case's score with its full explanation and its range."""

    case_id: str
    complexity: float | None  # None when incomplete
    band: str
    complete: bool
    low: float  # the score with every unrated item at 0
    high: float  # ... at 3
    unrated_items: int
    domain_scores: Mapping[str, float | None]
    contributions: Mapping[str, float]  # points per domain
    interaction: float  # points
    pair_contributions: Mapping[tuple[str, str], float]  # points; they sum to interaction
    interplay: int | None  # the interplay item as rated (None: the default was used)
    interplay_strength: float  # the g the score used
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

    @property
    def range_width(self) -> float:
        return self.high - self.low

    def explanation(self) -> list[tuple[str, float]]:
        """Components (domain ids and ``"interaction"``) with their points, largest first."""
        parts = list(self.contributions.items()) + [("interaction", self.interaction)]
        return sorted(parts, key=lambda kv: -kv[1])

    def top_pairs(self, n: int = 3) -> list[tuple[tuple[str, str], float]]:
        ranked = sorted(self.pair_contributions.items(), key=lambda kv: -kv[1])
        return [(pair, pts) for pair, pts in ranked[:n] if pts > 0]


def _pair_points(arrays: ScoreArrays, row: int, config: ModelConfig | None = None) -> dict[tuple[str, str], float]:
    """The interaction of one case split over the pairs of domains (they add up to it)."""
    if not arrays.complete[row]:
        return {(DOMAINS[j], DOMAINS[k]): 0.0 for j, k in _PAIRS}
    raised = arrays.masses * index_curve(arrays.values[row], DEFAULT_CONFIG if config is None else config)
    terms = np.array([raised[j] * raised[k] for j, k in _PAIRS])
    total = terms.sum()
    interaction = float(arrays.interaction[row])
    return {(DOMAINS[j], DOMAINS[k]): (interaction * t / total if total > 0 else 0.0)
            for (j, k), t in zip(_PAIRS, terms)}


def score_case(
    ratings: Mapping[str, object], config: ModelConfig = DEFAULT_CONFIG, *, case_id: str | None = None
) -> CaseScore:
    """Score one case from a mapping of item id to level (missing or None = not rated)."""
    row = {CASE_ID: case_id or str(ratings.get(CASE_ID, "case"))}
    row.update({k: (np.nan if v is None else v) for k, v in ratings.items() if k != CASE_ID})
    scored, extras = item_matrix(pd.DataFrame([row]))
    arrays = score_arrays(scored, config, extras[:, _INTERPLAY])
    complete = bool(arrays.complete[0])
    extra = {
        item_id: (None if np.isnan(extras[0, j]) else int(extras[0, j]))
        for j, item_id in enumerate(INSTRUMENT.extra_item_ids)
    }
    return CaseScore(
        case_id=row[CASE_ID],
        complexity=float(arrays.complexity[0]) if complete else None,
        band=BAND_CATEGORIES[int(band_codes(arrays.complexity, config)[0])],
        complete=complete,
        low=float(arrays.low[0]),
        high=float(arrays.high[0]),
        unrated_items=int(arrays.unrated[0]),
        domain_scores={
            d: (None if np.isnan(arrays.domain_scores[0, k]) else float(arrays.domain_scores[0, k]))
            for k, d in enumerate(DOMAINS)
        },
        contributions={
            d: (float(arrays.contributions[0, k]) if complete else 0.0) for k, d in enumerate(DOMAINS)
        },
        interaction=float(arrays.interaction[0]) if complete else 0.0,
        pair_contributions=_pair_points(arrays, 0, config),
        interplay=extra["interplay"],
        interplay_strength=float(arrays.interplay_strength[0]),
        rated_domains=int(arrays.rated[0].sum()),
        flags=tuple(_case_flags(row[CASE_ID], arrays, extras, config)),
        safety_concern=extra["safety_concern"],
        case_meaning=extra["case_meaning"],
        instrument_version=INSTRUMENT.version,
        model_version=config.model_version,
    )


def case_flags(df: pd.DataFrame, config: ModelConfig = DEFAULT_CONFIG) -> list[tuple[Flag, ...]]:
    """The flags of each case in a wide table (as :func:`score_cases` takes it), in input
    order: for each row what ``score_case(...).flags`` gives, computed in one pass."""
    scored, extras = item_matrix(df)
    arrays = score_arrays(scored, config, extras[:, _INTERPLAY])
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

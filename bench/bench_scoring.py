"""Scoring one million cases vs a plain NumPy computation of the same numbers.

Target (issues 2 and 11): ``complexity.score_cases`` on a DataFrame of 1,000,000 cases
(every item column, ~10 % unrated cells) takes at most 3x the time of plain NumPy
computing the same complexity (model 2.0) on the same array. ``score_cases`` does more
than the baseline (validation with row-and-column reports, the range with every unrated
item at 0 and at 3, bands, flags, version stamps, a DataFrame out); the ratio says what
that costs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from complexity import DEFAULT_CONFIG, INSTRUMENT, score_cases

from .harness import Comparison, compare

N_CASES = 1_000_000


def make_cases(n: int = N_CASES, seed: int = 2026) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(n, len(INSTRUMENT.item_ids))).astype(float)
    X[rng.random(X.shape) < 0.10] = np.nan
    df = pd.DataFrame(X, columns=INSTRUMENT.item_ids)
    df.insert(0, "case_id", pd.array([f"C{i:07d}" for i in range(n)], dtype="string"))
    scored = len(INSTRUMENT.scored_item_ids)
    return df, X[:, :scored].copy(), X[:, INSTRUMENT.item_ids.index("interplay")].copy()


def numpy_baseline(items: np.ndarray, interplay: np.ndarray) -> np.ndarray:
    """Model 2.0's complexity in plain NumPy: level weights, unrated items imputed from
    their domain (or the case), domain values, index, the curve through the cut-offs,
    and the interplay's boost over pairs of domains."""
    sc = DEFAULT_CONFIG.scoring
    sizes = np.asarray(INSTRUMENT.domain_sizes, dtype=float)
    starts = np.cumsum((0,) + INSTRUMENT.domain_sizes[:-1])
    valid = ~np.isnan(items)
    weights = (np.nan_to_num(items) / 3) ** sc.level_exponent * valid
    counts = np.add.reduceat(valid, starts, axis=1)
    sums = np.add.reduceat(weights, starts, axis=1)
    rated = counts >= np.ceil(sizes * sc.min_rated_share)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(rated, sums / counts, (sums.sum(axis=1) / counts.sum(axis=1))[:, None])
    loads = (sums + (sizes - counts) * np.nan_to_num(fill)) / sizes
    values = loads ** sc.domain_curvature
    masses = (sizes * np.array([sc.domain_weights[d] for d in INSTRUMENT.domain_ids])) ** sc.domain_curvature
    cut, bands = sc.index_cutoffs, sc.bands
    knots = ((0, cut.mild, cut.moderate, cut.severe, 1), (0, bands.mild / 100, bands.moderate / 100,
                                                          bands.severe / 100, 1))
    base = np.interp(values @ masses / masses.sum(), *knots)
    raised = masses * np.interp(values, *knots)
    pair_mass = (masses.sum() ** 2 - masses @ masses) / 2
    cooccurrence = ((raised.sum(axis=1) ** 2 - (raised ** 2).sum(axis=1)) / 2) / pair_mass
    strengths = np.asarray(sc.interplay_strengths)
    gamma = strengths[np.where(np.isnan(interplay), sc.interplay_default, interplay).astype(int)]
    complexity = 100 * (base + gamma * cooccurrence * (1 - base))
    return np.where(rated.sum(axis=1) >= sc.min_rated_domains, complexity, np.nan)


def run() -> list[Comparison]:
    df, items, interplay = make_cases()
    # The two must agree, or the comparison means nothing.
    ours = score_cases(df)["complexity"].to_numpy()
    base = numpy_baseline(items, interplay)
    assert np.array_equal(np.isnan(ours), np.isnan(base)), "benchmark subject and baseline disagree on completeness"
    both = ~np.isnan(base)
    assert np.allclose(ours[both], base[both]), "benchmark subject and baseline disagree"
    return [
        compare(
            f"score {N_CASES:,} cases",
            ("complexity.score_cases(DataFrame)", lambda: score_cases(df)),
            ("plain NumPy: the same complexity", lambda: numpy_baseline(items, interplay)),
            target=3.0,
        )
    ]

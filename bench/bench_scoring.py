"""Scoring one million cases vs a plain NumPy computation of the same numbers.

Target (issue 2): ``complexity.score_cases`` on a DataFrame of 1,000,000 cases (all 31
item columns, ~10 % unrated cells) takes at most 3x the time of plain NumPy computing
the same domain means, interaction and total on the same array. ``score_cases`` does
more than the baseline (validation with row-and-column reports, bands, flags, version
stamps, a DataFrame out); the ratio says what that costs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from complexity import DEFAULT_CONFIG, INSTRUMENT, score_cases
from complexity.scoring import domain_masses

from .harness import Comparison, compare

N_CASES = 1_000_000


def make_cases(n: int = N_CASES, seed: int = 2026) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(n, len(INSTRUMENT.item_ids))).astype(float)
    X[rng.random(X.shape) < 0.10] = np.nan
    df = pd.DataFrame(X, columns=INSTRUMENT.item_ids)
    df.insert(0, "case_id", pd.array([f"C{i:07d}" for i in range(n)], dtype="string"))
    return df, X[:, : len(INSTRUMENT.scored_item_ids)].copy()


def numpy_baseline(items: np.ndarray) -> np.ndarray:
    """Domain means (nanmean), additive part, pairwise interaction and total."""
    sizes = INSTRUMENT.domain_sizes
    masses = domain_masses(DEFAULT_CONFIG)
    gamma = DEFAULT_CONFIG.scoring.interaction_strength
    bounds = np.cumsum((0,) + sizes)
    x = np.column_stack([np.nanmean(items[:, a:b], axis=1) for a, b in zip(bounds[:-1], bounds[1:])]) / 3
    y = x * masses
    additive = y.sum(axis=1) / masses.sum()
    pairs = np.zeros(len(items))
    pair_mass = 0.0
    for j in range(len(sizes)):
        for k in range(j + 1, len(sizes)):
            pairs += y[:, j] * y[:, k]
            pair_mass += masses[j] * masses[k]
    return 100 * ((1 - gamma) * additive + gamma * pairs / pair_mass)


def run() -> list[Comparison]:
    df, items = make_cases()
    # The two must agree where every domain is rated, or the comparison means nothing.
    ours = score_cases(df)["complexity"].to_numpy()
    base = numpy_baseline(items)
    both = ~np.isnan(base) & ~np.isnan(ours)
    assert np.allclose(ours[both], base[both]), "benchmark subject and baseline disagree"
    return [
        compare(
            f"score {N_CASES:,} cases",
            ("complexity.score_cases(DataFrame)", lambda: score_cases(df)),
            ("plain NumPy: nanmean + interaction + total", lambda: numpy_baseline(items)),
            target=3.0,
        )
    ]

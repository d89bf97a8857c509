"""Cluster-bootstrap reliability from therapists' moments: the same table as
:func:`complexity.psychometrics.reliability_table` with ``groups`` (the same resamples,
the same statistics, the same intervals), in time that grows with the number of
therapists rather than the number of cases.

Why: ``reliability_table`` resamples whole therapists and recomputes alpha and omega on
the resampled rows, so each replicate costs as much as the whole table (with 140,000
cases and 200 replicates, minutes). Alpha and omega depend on the rows only through
their covariance matrix, and a resample of whole therapists has the covariance that
follows from each therapist's count, sum and cross-products of the items, weighted by how
often the therapist was drawn. So each therapist's moments are taken once, and a
replicate costs a few small matrix sums.

Each replicate's statistics are computed from its covariance matrix with the definitions
of :mod:`complexity.psychometrics` (its one-factor fit, ``_one_factor``, for omega) and
its rules: a replicate with fewer than ``MIN_CASES`` complete cases, fewer than two
varying items (three for omega), no variance of the sum or singular correlations is
skipped, constant items are left out. Both statistics are unchanged by a common scale of
the covariance, so the divisor does not matter. The draws are those of ``bootstrap_ci``
(``numpy.random.default_rng(seed)``, therapists in the order of their first complete
case), so the intervals agree with ``reliability_table``'s to rounding (the tests
compare the two tables).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .psychometrics import (  # private: the table's rows, omega with its Heywood flag, the one-factor fit
    MAX_FAILED_SHARE, MIN_CASES, PsychometricsError, _omega, _one_factor, _reliability_rows, cronbach_alpha,
)

__all__ = ["reliability_table_by_moments"]


class _Moments:
    """Per therapist (in order of first appearance): count, item sums, cross-products."""

    def __init__(self, complete: pd.DataFrame, groups: pd.Series) -> None:
        labels = groups.reindex(complete.index)
        if labels.isna().any():
            raise ValueError("groups must give a group for every row of items")
        codes = pd.factorize(labels.to_numpy())[0]
        x = complete.to_numpy(dtype=float)
        self.n_groups, p = int(codes.max()) + 1, x.shape[1]
        self.counts = np.bincount(codes, minlength=self.n_groups).astype(float)
        self.sums = np.column_stack([np.bincount(codes, weights=x[:, j], minlength=self.n_groups) for j in range(p)])
        self.cross = np.empty((self.n_groups, p, p))
        for j in range(p):
            for k in range(j, p):
                self.cross[:, j, k] = self.cross[:, k, j] = np.bincount(codes, weights=x[:, j] * x[:, k],
                                                                        minlength=self.n_groups)
        self.columns = complete.columns

    def replicate(self, draws: np.ndarray) -> tuple[float, np.ndarray]:
        """Cases and covariance matrix (ddof 1) of the rows of the drawn therapists."""
        w = np.bincount(draws, minlength=self.n_groups).astype(float)
        n = float(w @ self.counts)
        if n < 2:
            return n, np.zeros((len(self.columns),) * 2)
        total = w @ self.sums
        return n, (np.tensordot(w, self.cross, axes=1) - np.outer(total, total) / n) / (n - 1)


def _statistics(n: float, covariance: np.ndarray) -> tuple[float, float]:
    """Alpha and omega of a replicate (NaN where psychometrics would raise)."""
    if n < MIN_CASES:
        return np.nan, np.nan  # complete_cases would refuse the resample
    variances = np.diag(covariance)
    varying = variances > 1e-12 * max(1.0, float(variances.max(initial=0.0)))
    k = int(varying.sum())
    if k < 2:
        return np.nan, np.nan
    s = covariance[np.ix_(varying, varying)]
    total = float(s.sum())
    alpha = k / (k - 1) * (1 - float(np.trace(s)) / total) if total > 0 else np.nan
    if k < 3:
        return alpha, np.nan
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    if np.linalg.eigvalsh(r)[0] < 1e-10:
        return alpha, np.nan
    loadings, uniquenesses = _one_factor(r)
    common = (loadings * sd).sum() ** 2
    return alpha, float(common / (common + (uniquenesses * sd**2).sum()))


def _intervals(moments: _Moments, n_boot: int, level: float, seed: int) -> tuple[list[float], list[float]]:
    """The replicates' alphas and omegas (finite ones), as ``bootstrap_ci`` draws them."""
    rng = np.random.default_rng(seed)
    alphas, omegas = [], []
    for _ in range(n_boot):
        alpha, omega = _statistics(*moments.replicate(rng.integers(0, moments.n_groups, moments.n_groups)))
        alphas += [alpha] if np.isfinite(alpha) else []
        omegas += [omega] if np.isfinite(omega) else []
    return alphas, omegas


def _bounds(stats: list[float], n_boot: int, level: float) -> tuple[float, float]:
    if n_boot - len(stats) > MAX_FAILED_SHARE * n_boot:
        raise PsychometricsError("bootstrap_failed", f"failed on {n_boot - len(stats)} of {n_boot} resamples")
    low, high = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def reliability_table_by_moments(items_by_domain: Mapping[str, pd.DataFrame], groups: pd.Series,
                                 n_boot: int = 1000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """The table of :func:`~complexity.psychometrics.reliability_table` with ``groups``
    (a Series of therapist labels on the cases' index): per domain ``n_cases``,
    ``k_items``, ``constant_items``, ``alpha`` and ``omega`` with their cluster-bootstrap
    bounds, ``heywood`` and ``problem``. Point estimates are computed on the cases
    themselves; only the replicates go through the moments (module docstring)."""
    if not 0 < level < 1 or n_boot < 1:
        raise ValueError("level must be between 0 and 1 and n_boot at least 1")
    def fill(row: dict, complete: pd.DataFrame) -> None:
        row["alpha"] = cronbach_alpha(complete)
        alphas, omegas = _intervals(_Moments(complete, groups), n_boot, level, seed)
        row["alpha_low"], row["alpha_high"] = _bounds(alphas, n_boot, level)
        row["omega"], row["heywood"] = _omega(complete)
        row["omega_low"], row["omega_high"] = _bounds(omegas, n_boot, level)

    return _reliability_rows(items_by_domain, fill)


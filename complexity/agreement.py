"""Inter-rater agreement for the rating practice (issue 14): several therapists rate the
same written case vignettes, and we ask how alike they rate. Pure functions on a
**ratings matrix**: a row per target (a vignette), a column per rater (a therapist), the
level given (0-3 for an item; a domain score may be any number), NaN where a rater did
not rate that target. :func:`rating_matrices` turns a long table of practice ratings into
one matrix per item.

How to read the figures:

- **ICC(A,1)** (:func:`icc_a1`; Shrout & Fleiss 1979 ICC(2,1), McGraw & Wong 1996
  ICC(A,1)): two-way random effects, absolute agreement, a single rater. The share of the
  variance of one rating that lies between the targets: 1 means any two raters give the
  same number, 0 that the number says more about the rater than about the vignette. A
  rater who rates everything one level higher than the others lowers it (absolute
  agreement, not just the same order). Read the 95 % interval, not the point: below 0.5
  poor, 0.5-0.75 moderate, 0.75-0.9 good, above 0.9 excellent (Koo & Li 2016, J Chiropr
  Med 15:155). A negative estimate means less agreement than none at all: read as 0. The
  interval is McGraw & Wong's F-based one (their Table 7, case 2A); with few vignettes it
  is wide, and that is the honest answer.
- **Weighted kappa** (:func:`weighted_kappa`; Cohen 1968): agreement on the levels beyond
  what the raters' own level frequencies would give by chance; a rating one level off
  counts as partly agreeing. Linear weights: disagreement proportional to the levels
  apart; quadratic: to its square (one level off nearly agrees; close to the ICC). With
  more than two raters it is the **mean over all pairs of raters** of the pair's weighted
  kappa (Light 1971, with weights), each pair on the targets both rated. Read roughly as
  0.21-0.40 fair, 0.41-0.60 moderate, 0.61-0.80 substantial, above 0.80 almost perfect
  (Landis & Koch 1977). Its interval is a percentile bootstrap over targets.
- **Disagreement** (:func:`rank_disagreement`): per item, the mean absolute distance in
  levels of a rating from its vignette's median rating (0: everyone gave the median; 1:
  on average a full level off), the items with the most disagreement first: the anchors
  to look at, or to discuss in the group.

**Missing ratings.** The ICC needs a complete block: by default only targets every rater
rated are used (``drop="targets"``); with ``drop="raters"``, only raters who rated every
target (the right choice when the vignettes are fixed and some therapists did not finish).
Raters and targets without any rating are left out first. Kappa uses, per pair, the
targets both rated; the disagreement uses every rating of a target with 2 or more.

Errors are :class:`complexity.psychometrics.PsychometricsError` (a ``ValueError``) with a
``code``: ``too_few_raters``, ``too_few_targets``, ``no_variance``, ``outside_levels``,
``bootstrap_failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import f as f_distribution

from .psychometrics import PsychometricsError, bootstrap_ci

__all__ = ["ICCResult", "KappaResult", "MIN_RATERS", "MIN_TARGETS", "icc_a1", "mean_absolute_deviation",
           "rank_disagreement", "rating_matrices", "weighted_kappa"]

MIN_TARGETS = 5  # targets (vignettes) needed: complete ones for the ICC, shared by a pair for kappa
MIN_RATERS = 2
LEVELS = (0, 1, 2, 3)
_DISAGREEMENT_COLUMNS = ["mad", "icc", "icc_low", "icc_high", "n_targets", "n_raters", "kappa", "kappa_low",
                         "kappa_high", "problem"]


@dataclass(frozen=True)
class ICCResult:
    """ICC(A,1) with its interval, the ANOVA mean squares it came from (``ms_targets``,
    ``ms_raters``, ``ms_error``: Shrout & Fleiss's BMS, JMS, EMS) and the block used."""

    icc: float
    low: float
    high: float
    n_targets: int
    n_raters: int
    ms_targets: float
    ms_raters: float
    ms_error: float


@dataclass(frozen=True)
class KappaResult:
    """Weighted kappa (mean over ``n_pairs`` rater pairs) with its bootstrap interval."""

    kappa: float
    low: float
    high: float
    weights: str
    n_targets: int
    n_raters: int
    n_pairs: int


def rating_matrices(ratings: pd.DataFrame, target: str = "target", rater: str = "rater", item: str = "item",
                    value: str = "level") -> dict[str, pd.DataFrame]:
    """A long table (a row per rating) to a ratings matrix per item (targets x raters).
    Two ratings of the same item, target and rater are an error: keep the one to use first."""
    if ratings.duplicated([item, target, rater]).any():
        raise ValueError("more than one rating of the same item, target and rater")
    return {str(name): group.pivot(index=target, columns=rater, values=value).astype(float)
            for name, group in ratings.groupby(item, sort=True)}


def _block(ratings: pd.DataFrame, drop: str) -> np.ndarray:
    x = ratings.astype(float)
    x = x.loc[x.notna().any(axis=1), x.notna().any(axis=0)]
    if drop == "targets":
        x = x.dropna(axis=0, how="any")
    elif drop == "raters":
        x = x.dropna(axis=1, how="any")
    else:
        raise ValueError('drop must be "targets" or "raters"')
    if x.shape[1] < MIN_RATERS:
        raise PsychometricsError("too_few_raters", f"{x.shape[1]} rater(s) in the complete block; "
                                 f"at least {MIN_RATERS} are needed")
    if x.shape[0] < MIN_TARGETS:
        raise PsychometricsError("too_few_targets", f"{x.shape[0]} target(s) in the complete block; "
                                 f"at least {MIN_TARGETS} are needed")
    return x.to_numpy()


def icc_a1(ratings: pd.DataFrame, level: float = 0.95, drop: Literal["targets", "raters"] = "targets") -> ICCResult:
    """ICC(A,1), two-way random, absolute agreement, single rater, with McGraw & Wong's
    (1996) F-based interval at ``level``, on the complete block (module docstring). With
    ``n`` targets and ``k`` raters, from the two-way ANOVA without replication:
    ``(MSR - MSE) / (MSR + (k - 1) MSE + k / n (MSC - MSE))``. Perfect agreement (no error
    and no rater variance) gives 1 with NaN bounds: the F interval is not defined there."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    y = _block(ratings, drop)
    n, k = y.shape
    grand = y.mean()
    ss_rows = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_error = max(((y - grand) ** 2).sum() - ss_rows - ss_cols, 0.0)
    msr, msc, mse = ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k / n * (msc - mse)
    if denominator <= 0 or msr == 0:
        raise PsychometricsError("no_variance", "the targets do not differ: agreement is not defined")
    icc = (msr - mse) / denominator
    low = high = np.nan
    if mse > 0:
        a = k * icc / (n * (1 - icc))
        b = 1 + k * icc * (n - 1) / (n * (1 - icc))
        v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
        f_low = f_distribution.ppf((1 + level) / 2, n - 1, v)
        f_high = f_distribution.ppf((1 + level) / 2, v, n - 1)
        c = k * msc + (k * n - k - n) * mse
        low = n * (msr - f_low * mse) / (f_low * c + n * msr)
        high = n * (f_high * msr - mse) / (c + n * f_high * msr)
    return ICCResult(float(icc), float(low), float(high), n, k, float(msr), float(msc), float(mse))


def _weight_matrix(levels: Sequence[int], weights: str) -> np.ndarray:
    span = np.subtract.outer(np.arange(len(levels)), np.arange(len(levels))) / (len(levels) - 1)
    if weights == "linear":
        return np.abs(span)
    if weights == "quadratic":
        return span**2
    raise ValueError('weights must be "linear" or "quadratic"')


def _one_hot(ratings: pd.DataFrame, levels: Sequence[int]) -> np.ndarray:
    """Targets x raters x levels indicators (all 0 where not rated)."""
    x = ratings.astype(float).to_numpy()
    if not (np.isnan(x) | np.isin(x, list(levels))).all():
        raise PsychometricsError("outside_levels", f"values other than {tuple(levels)} or NaN")
    return (x[:, :, None] == np.asarray(levels, dtype=float)[None, None, :]).astype(float)


def _pair_kappas(onehot: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted kappa of every rater pair (a < b) on the targets both rated, all pairs at
    once: ``1 - observed / expected`` weighted disagreement, the expected one from the two
    raters' level frequencies on those targets. Also the number of shared targets."""
    rated = onehot.sum(axis=2)  # targets x raters, 1 where rated
    shared = rated.T @ rated  # raters x raters: targets both rated
    observed = np.einsum("tai,ij,tbj->ab", onehot, w, onehot)
    counts = np.einsum("tai,tb->abi", onehot, rated)  # a's levels on the targets b also rated
    expected = np.einsum("abi,ij,baj->ab", counts, w, counts)
    a, b = np.triu_indices(len(shared), k=1)
    n_ab = shared[a, b]
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = 1 - observed[a, b] * n_ab / expected[a, b]  # (obs / n) / (exp / n**2)
    return kappa, n_ab


def _mean_kappa(onehot: np.ndarray, w: np.ndarray) -> tuple[float, int]:
    kappa, n_ab = _pair_kappas(onehot, w)
    usable = (n_ab >= MIN_TARGETS) & np.isfinite(kappa)
    return (float(kappa[usable].mean()) if usable.any() else np.nan), int(usable.sum())


def weighted_kappa(ratings: pd.DataFrame, weights: Literal["linear", "quadratic"] = "quadratic",
                   levels: Sequence[int] = LEVELS, n_boot: int = 1000, level: float = 0.95,
                   seed: int = 0) -> KappaResult:
    """Weighted kappa on the fixed scale ``levels`` (weights use the whole scale, also
    levels nobody used), for two raters Cohen's, for more the mean over the pairs that
    share at least ``MIN_TARGETS`` targets and whose kappa is defined (not when both
    raters gave one and the same level throughout). Interval: percentile bootstrap over
    targets (:func:`complexity.psychometrics.bootstrap_ci`, ``n_boot`` resamples, ``seed``);
    ``n_boot=0`` gives NaN bounds."""
    w = _weight_matrix(levels, weights)
    onehot = _one_hot(ratings, levels)
    raters = onehot.sum(axis=(0, 2)) > 0
    if raters.sum() < MIN_RATERS:
        raise PsychometricsError("too_few_raters", f"{int(raters.sum())} rater(s); at least {MIN_RATERS} are needed")
    kappa, n_pairs = _mean_kappa(onehot, w)
    if n_pairs == 0:
        raise PsychometricsError("too_few_targets", f"no pair of raters shares {MIN_TARGETS} targets "
                                 "with a defined kappa")

    def statistic(resampled: pd.DataFrame) -> float:
        return _mean_kappa(onehot[resampled.index.to_numpy()], w)[0]

    low = high = np.nan
    if n_boot:
        positions = pd.DataFrame(index=pd.RangeIndex(len(onehot)))  # resampled rows keep their position
        low, high = bootstrap_ci(statistic, positions, n_boot, level, seed)
    n_targets = int((onehot.sum(axis=(1, 2)) > 0).sum())
    return KappaResult(kappa, low, high, weights, n_targets, int(raters.sum()), n_pairs)


def mean_absolute_deviation(ratings: pd.DataFrame) -> float:
    """Mean over all ratings of targets with at least 2 ratings of ``|rating - the
    target's median rating|`` (in levels). NaN if no target has 2 ratings."""
    x = ratings.astype(float)
    x = x[x.notna().sum(axis=1) >= 2]
    if x.empty:
        return np.nan
    return float((x.sub(x.median(axis=1), axis=0)).abs().stack().mean())


def rank_disagreement(matrices: Mapping[str, pd.DataFrame], weights: Literal["linear", "quadratic"] = "quadratic",
                      levels: Sequence[int] = LEVELS, n_boot: int = 1000, level: float = 0.95, seed: int = 0,
                      drop: Literal["targets", "raters"] = "targets") -> pd.DataFrame:
    """One row per item (``matrices`` as from :func:`rating_matrices`), most disagreement
    first: ``mad`` (:func:`mean_absolute_deviation`), ``icc`` with ``icc_low`` /
    ``icc_high`` and the block's ``n_targets`` / ``n_raters``, ``kappa`` with ``kappa_low``
    / ``kappa_high``, and ``problem``: the error code when the ICC or kappa could not be
    computed (then NaN; the first problem is named), else missing. Sorted by ``mad`` descending, ties by
    ``icc`` ascending (lowest agreement first)."""
    rows = {}
    for name, ratings in matrices.items():
        row = dict.fromkeys(_DISAGREEMENT_COLUMNS, np.nan) | {"n_targets": 0, "n_raters": 0, "problem": None}
        row["mad"] = mean_absolute_deviation(ratings)
        try:
            icc = icc_a1(ratings, level, drop)
            row.update(icc=icc.icc, icc_low=icc.low, icc_high=icc.high, n_targets=icc.n_targets,
                       n_raters=icc.n_raters)
        except PsychometricsError as error:
            row["problem"] = error.code
        try:
            kappa = weighted_kappa(ratings, weights, levels, n_boot, level, seed)
            row.update(kappa=kappa.kappa, kappa_low=kappa.low, kappa_high=kappa.high)
        except PsychometricsError as error:
            row["problem"] = row["problem"] or error.code
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=_DISAGREEMENT_COLUMNS)
    return table.sort_values(["mad", "icc"], ascending=[False, True], na_position="last", kind="stable")

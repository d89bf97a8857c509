"""Psychometrics of the instrument (shared/domain.md section 7): item distributions,
alpha and omega per domain, item-rest correlations, alpha if dropped, bootstrap intervals.
Pure functions on item tables: a row per case, a column per item, levels 0-3, NaN unrated.

Choices, with their sources:
- **Complete cases** (listwise deletion): alpha, omega and the item statistics use the
  cases with every item of the table rated, the same cases for every item (pairwise
  deletion mixes samples in one covariance matrix). Fewer than ``MIN_CASES`` of them, or
  fewer than 2 items, is an error.
- **Constant items** (one level in every complete case) are left out of alpha and omega:
  they add no variance, yet would change alpha's ``k / (k - 1)``. Their item-rest
  correlation is NaN; :func:`reliability_table` lists them.
- **Omega total** (McDonald 1999) = ``(sum l)**2 / ((sum l)**2 + sum u)``, loadings ``l``
  and uniquenesses ``u`` of a one-factor maximum-likelihood fit to the correlations, with
  R ``factanal``'s start and bounds (uniquenesses in [0.005, 1]: a Heywood case stops at
  the bound): the likelihood concentrated on ``u`` (Joreskog 1967), minimized by Fisher
  scoring. ML is the usual estimator of CFA-based omega and scale-equivariant: ``l`` and
  ``u`` are rescaled by the items' standard deviations, so omega is the reliability of
  the raw sum score (the domain score), as alpha is. Needs 3 varying items (with 2 the
  model is not identified), not linearly dependent. Not scikit-learn's EM
  ``FactorAnalysis``: near a Heywood case it stops early (omega off by up to 0.008 at its
  default tolerance). Pearson, not polychoric, correlations: ordinal alpha and omega
  describe latent responses, not the observed sum (Chalmers 2018, Educ Psychol Meas
  78:1056). Alpha (Cronbach 1951) equals omega for equal (tau-equivalent) loadings and
  underestimates it when they differ. A Heywood case makes omega doubtful: for nearly
  uncorrelated items ML makes one item the factor and omega is about ``1/k``, not 0.
- **Floor and ceiling**: more than 15 % of the rated cases at the lowest or highest level
  (Terwee et al. 2007, J Clin Epidemiol 60:34, written for scale scores and commonly
  applied to items); configurable.
- **Intervals**: percentile bootstrap over cases (Efron & Tibshirani 1993), for omega
  acceptable from about 100 cases (Padilla & Divers 2016, Educ Psychol Meas 76:436).
  Cases are nested in therapists, so ``groups`` resamples whole therapists (cluster
  bootstrap, Field & Welsh 2007, JRSS B 69:369); under about 20 therapists its intervals
  tend to be too narrow.

Errors are :class:`PsychometricsError` (a ``ValueError``) with a ``code`` (no user-facing
text here): ``too_few_cases``, ``too_few_items``, ``no_total_variance``,
``singular_correlations``, ``outside_levels``, ``bootstrap_failed``.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["FLOOR_CEILING_THRESHOLD", "MIN_CASES", "PsychometricsError", "alpha_if_dropped", "bootstrap_ci",
           "complete_cases", "cronbach_alpha", "item_distributions", "item_rest_correlations", "mcdonald_omega",
           "reliability_table"]

MIN_CASES = 10  # complete cases needed for alpha, omega and the item statistics
FLOOR_CEILING_THRESHOLD = 0.15  # Terwee et al. 2007
MIN_UNIQUENESS = 0.005  # the lower bound of a uniqueness (standardized), as in R's factanal
MAX_FAILED_SHARE = 0.10  # bootstrap: at most this share of resamples may be unusable
_STATISTICS = ("alpha", "alpha_low", "alpha_high", "omega", "omega_low", "omega_high")


class PsychometricsError(ValueError):
    """The statistic cannot be computed on this table; ``code`` says why."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code


def item_distributions(items: pd.DataFrame, levels: Sequence[int] = (0, 1, 2, 3),
                       threshold: float = FLOOR_CEILING_THRESHOLD) -> pd.DataFrame:
    """Per item (rows): the share of all cases at each level (``share_0`` ..) and not
    rated (``share_unrated``), which sum to 1; ``n_rated``; and ``floor`` / ``ceiling``,
    True when the share of the *rated* cases at the lowest / highest level is more than
    ``threshold`` (default 15 %, Terwee et al. 2007). An item nobody rated has NaN shares
    of the rated cases and no flags. A value outside ``levels`` is an error."""
    values = items.apply(pd.to_numeric, errors="coerce")
    if (values.notna() != items.notna()).any().any() or not (values.isna() | values.isin(list(levels))).all().all():
        raise PsychometricsError("outside_levels", f"values other than {tuple(levels)} or NaN")
    n, rows = len(values), {}
    for column in values.columns:
        counts, n_rated = values[column].value_counts(), int(values[column].notna().sum())
        row = {f"share_{level}": counts.get(level, 0) / n if n else np.nan for level in levels}
        row |= {"share_unrated": (n - n_rated) / n if n else np.nan, "n_rated": n_rated}
        low, high = (counts.get(level, 0) / n_rated if n_rated else np.nan for level in (levels[0], levels[-1]))
        rows[column] = row | {"floor": bool(low > threshold), "ceiling": bool(high > threshold)}
    return pd.DataFrame.from_dict(rows, orient="index")


def complete_cases(items: pd.DataFrame) -> pd.DataFrame:
    """The cases with every item rated, as floats; errors if fewer than ``MIN_CASES``
    or fewer than 2 items."""
    if items.shape[1] < 2:
        raise PsychometricsError("too_few_items", f"{items.shape[1]} item(s); at least 2 are needed")
    complete = items.astype(float).dropna(how="any")
    if len(complete) < MIN_CASES:
        raise PsychometricsError("too_few_cases", f"{len(complete)} complete case(s); at least {MIN_CASES} are needed")
    return complete


def _varying(items: pd.DataFrame) -> np.ndarray:
    """Complete cases of the non-constant items, as an array (cases x items)."""
    complete = complete_cases(items)
    x = complete.to_numpy()[:, complete.var().to_numpy() > 0]
    if x.shape[1] < 2:
        raise PsychometricsError("too_few_items", f"{x.shape[1]} item(s) vary; at least 2 are needed")
    return x


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    total = x.sum(axis=1).var(ddof=1)
    if total <= 0:
        raise PsychometricsError("no_total_variance", "the sum score is the same for every case")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total))


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha, ``k/(k-1) * (1 - sum of item variances / variance of the sum)``,
    on the complete cases, constant items left out (module docstring)."""
    return _alpha(_varying(items))


def _concentrated(r: np.ndarray, psi: np.ndarray):
    """ML discrepancy at uniquenesses ``psi`` (loadings concentrated out), gradient, loadings."""
    values, vectors = np.linalg.eigh(r / np.sqrt(np.outer(psi, psi)))
    loadings = np.sqrt(psi) * vectors[:, -1] * np.sqrt(max(values[-1] - 1, 0))
    return np.sum(values[:-1] - np.log(values[:-1])), (loadings**2 + psi - 1) / psi**2, loadings


def _one_factor(r: np.ndarray, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Loadings and uniquenesses of the one-factor ML model of the correlation matrix ``r``:
    Fisher scoring (expected Hessian ``P * P``, ``P`` the inverse model covariance with the
    factor projected out), a backtracking line search, and the bounds of ``MIN_UNIQUENESS``
    and 1 (a variable at a bound it pushes against is held there)."""
    psi = np.clip((1 - 0.5 / len(r)) / np.diag(np.linalg.inv(r)), MIN_UNIQUENESS, 1)  # factanal's start
    f, g, loadings = _concentrated(r, psi)
    for _ in range(max_iter):
        free = ~(((psi <= MIN_UNIQUENESS) & (g > 0)) | ((psi >= 1) & (g < 0)))  # not pushing against a bound
        if np.abs(g[free]).max(initial=0) < 1e-9:
            break
        inv = np.linalg.inv(np.outer(loadings, loadings) + np.diag(psi))
        il = inv @ loadings
        proj = inv - np.outer(il, il) / (loadings @ il) if loadings @ il > 0 else inv
        step = np.zeros_like(psi)
        step[free] = np.linalg.solve((proj * proj)[np.ix_(free, free)], g[free])
        t = 1.0
        while True:
            new = np.clip(psi - t * step, MIN_UNIQUENESS, 1)
            f_new, g_new, l_new = _concentrated(r, new)
            if f_new <= f + 1e-4 * g @ (new - psi) or t < 1e-10:
                break
            t /= 2
        psi, f, g, loadings, previous = new, f_new, g_new, l_new, f
        if previous - f < 1e-14:
            break
    return loadings, psi


def _omega(items: pd.DataFrame) -> tuple[float, bool]:
    """Omega and whether the fit is a Heywood case (a uniqueness at its lower bound)."""
    x = _varying(items)
    if x.shape[1] < 3:
        raise PsychometricsError("too_few_items", "2 items vary; a one-factor model needs at least 3")
    r = np.corrcoef(x, rowvar=False)
    if np.linalg.eigvalsh(r)[0] < 1e-10:
        raise PsychometricsError("singular_correlations", "the items are linearly dependent")
    loadings, uniquenesses = _one_factor(r)
    sd = x.std(axis=0)
    common = (loadings * sd).sum() ** 2  # the factor's sign is arbitrary; squared it is not
    return float(common / (common + (uniquenesses * sd**2).sum())), bool(uniquenesses.min() <= MIN_UNIQUENESS)


def mcdonald_omega(items: pd.DataFrame) -> float:
    """McDonald's omega total of the sum score from a one-factor ML model on the complete
    cases, constant items left out (module docstring)."""
    return _omega(items)[0]


def item_rest_correlations(items: pd.DataFrame) -> pd.Series:
    """Corrected item-total correlations: each item against the sum of the other items,
    on the complete cases. NaN for a constant item (or constant rest)."""
    complete = complete_cases(items)
    total = complete.sum(axis=1)
    out = {}
    for column in complete.columns:
        item, rest = complete[column], total - complete[column]
        out[column] = np.nan if item.var() == 0 or rest.var() == 0 else float(np.corrcoef(item, rest)[0, 1])
    return pd.Series(out, name="item_rest_r", dtype=float)


def alpha_if_dropped(items: pd.DataFrame) -> pd.Series:
    """Alpha of the other items when each item is dropped, on the complete cases of the whole
    table (comparable with :func:`cronbach_alpha`); NaN if fewer than 2 varying items are left."""
    complete = complete_cases(items)
    out = {}
    for column in complete.columns:
        x = complete.drop(columns=column).to_numpy()
        x = x[:, x.var(axis=0) > 0]
        out[column] = _alpha(x) if x.shape[1] >= 2 else np.nan
    return pd.Series(out, name="alpha_if_dropped", dtype=float)


def _group_rows(groups, items: pd.DataFrame) -> list[np.ndarray]:
    labels = groups.reindex(items.index) if isinstance(groups, pd.Series) else pd.Series(np.asarray(groups))
    if len(labels) != len(items) or labels.isna().any():
        raise ValueError("groups must give a group for every row of items")
    codes = pd.factorize(labels.to_numpy())[0]
    return [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]


def bootstrap_ci(statistic: Callable[[pd.DataFrame], float], items: pd.DataFrame, n_boot: int = 1000,
                 level: float = 0.95, seed: int = 0, groups=None) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(items)``: ``n_boot`` resamples of the
    rows with replacement or, with ``groups`` (a label per row: by position, or a Series
    aligned on the index), of whole groups with all their rows (cluster bootstrap). The
    resampled rows keep their index. A resample on which the statistic raises a
    ``ValueError`` (say too few complete cases) or gives NaN is skipped; more than 10 %
    skipped is an error. Deterministic for a given ``seed``."""
    if not 0 < level < 1 or n_boot < 1:
        raise ValueError("level must be between 0 and 1 and n_boot at least 1")
    rng = np.random.default_rng(seed)
    blocks = _group_rows(groups, items) if groups is not None else None
    stats = []
    for _ in range(n_boot):
        if blocks is None:
            rows = rng.integers(0, len(items), len(items))
        else:
            rows = np.concatenate([blocks[g] for g in rng.integers(0, len(blocks), len(blocks))])
        try:
            stats.append(float(statistic(items.iloc[rows])))
        except ValueError:
            continue
    stats = [value for value in stats if np.isfinite(value)]
    if n_boot - len(stats) > MAX_FAILED_SHARE * n_boot:
        raise PsychometricsError("bootstrap_failed", f"failed on {n_boot - len(stats)} of {n_boot} resamples")
    low, high = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def reliability_table(items_by_domain: Mapping[str, pd.DataFrame], n_boot: int = 1000, level: float = 0.95,
                      seed: int = 0, groups: pd.Series | None = None) -> pd.DataFrame:
    """One row per domain: ``n_cases`` (complete), ``k_items`` (used), ``constant_items``
    (left out), ``alpha`` and ``omega`` with their bootstrap bounds (``alpha_low``, ...),
    ``heywood`` (the one-factor fit has a uniqueness at its bound: read omega with care),
    and ``problem``: the :class:`PsychometricsError` code when something could not be
    computed (it is then NaN), else missing. ``groups`` is a Series of therapist labels on
    the cases' index, for the cluster bootstrap."""
    def fill(row: dict, complete: pd.DataFrame) -> None:
        clusters = None if groups is None else groups.reindex(complete.index)
        row["alpha"] = cronbach_alpha(complete)
        row["alpha_low"], row["alpha_high"] = bootstrap_ci(cronbach_alpha, complete, n_boot, level, seed, clusters)
        row["omega"], row["heywood"] = _omega(complete)
        row["omega_low"], row["omega_high"] = bootstrap_ci(mcdonald_omega, complete, n_boot, level, seed, clusters)

    return _reliability_rows(items_by_domain, fill)


def _reliability_rows(items_by_domain: Mapping[str, pd.DataFrame],
                      fill: Callable[[dict, pd.DataFrame], None]) -> pd.DataFrame:
    """The reliability table's frame: per domain its complete cases, the items used and
    left out, and what ``fill(row, complete)`` computes; a :class:`PsychometricsError`
    on the way leaves the rest NaN and its code in ``problem``. (Shared with
    ``complexity.reliability_moments``.)"""
    rows = {}
    for domain, items in items_by_domain.items():
        row = {"n_cases": 0, "k_items": 0, "constant_items": ()} | dict.fromkeys(_STATISTICS, np.nan)
        row |= {"heywood": None, "problem": None}
        try:
            complete = complete_cases(items)
            constant = tuple(c for c in complete.columns if complete[c].var() == 0)
            row.update(n_cases=len(complete), k_items=complete.shape[1] - len(constant), constant_items=constant)
            fill(row, complete)
        except PsychometricsError as error:
            row["problem"] = error.code
        rows[domain] = row
    return pd.DataFrame.from_dict(rows, orient="index")

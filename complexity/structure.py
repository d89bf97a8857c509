"""Structure of the instrument (issue 14): exploratory factor analysis (EFA) of the item
scores, how well it recovers the five intended domains, and the correlations of the
domain scores. Pure functions on an item table (a row per case, a column per item, levels
0-3, NaN unrated), as in :mod:`complexity.psychometrics`, whose floor/ceiling flags
(:func:`~complexity.psychometrics.item_distributions`) and errors this module shares.

How to read the figures:

- **Scree plot** (``FactorSolution.eigenvalues``): the eigenvalues of the items'
  correlation matrix, largest first. Each is the variance (in items) one more dimension
  would explain; the number of factors worth keeping is where the curve flattens (the
  "elbow"). :func:`parallel_analysis` makes this less a matter of taste: keep the factors
  whose eigenvalue is above what random data of the same size gives (Horn 1965; the
  95th percentile, Glorfeld 1995). If the instrument works as designed, about five.
- **Loadings** (items x factors): roughly the correlation of an item with a factor (with
  promax, the item's regression weight on it). An item "belongs" to the factor it loads
  highest on; 0.40 or more is a clear loading, under 0.30 weak. An item loading 0.30 or
  more on a second factor (a cross-loading) measures two things. Factors have no names:
  :func:`domain_recovery` says which domain each one is.
- **Communality**: the share of an item's variance the factors explain together; low
  (under about 0.2) means the item mostly measures something of its own.
- **Domain recovery**: each domain is matched to its own factor (no two domains to one),
  so that as many items as possible load highest on their domain's factor (Hungarian
  algorithm, ``scipy.optimize.linear_sum_assignment``; ties by the sum of squared
  loadings). ``share_recovered`` is the share of items that do: 1.0 is the intended
  structure exactly; an item that does not is worth a look (its wording or its domain).

Choices:

- **Estimation**: scikit-learn ``FactorAnalysis`` (maximum likelihood, Gaussian latent
  factors), rotations ``"varimax"`` and ``"quartimax"`` from scikit-learn (orthogonal:
  uncorrelated factors) and ``"promax"`` here (Hendrickson & White 1964, power 4, from the
  varimax solution as R's ``promax``, without Kaiser normalisation): oblique, so factors may
  correlate, as the domains are expected to; ``factor_correlations`` gives how much.
  Pearson correlations of the standardised items (on a 0-3 scale a polychoric EFA would
  describe latent responses rather than the scores, as for omega). ML EFA depends on the
  data only through that correlation matrix, so scikit-learn is given a matrix of ``2p``
  rows (``p`` items) with exactly those correlations: the fit costs the same for 100 or
  100,000 cases. Factors are ordered by the variance they explain, signed so that their
  loadings sum to a positive number.
- **Missing ratings**: listwise deletion (the cases with every item rated; one sample for
  one correlation matrix), ``n_dropped`` says how many cases were left out. Constant items
  are left out and listed. Needs ``MIN_CASES`` complete cases and a non-singular
  correlation matrix (more cases than items); a sample of 5-10 cases per item is the
  usual minimum for a stable solution.

Errors are :class:`~complexity.psychometrics.PsychometricsError` with a ``code``:
``too_few_cases``, ``too_few_items``, ``too_many_factors``, ``singular_correlations``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import wishart
from sklearn.decomposition import FactorAnalysis
from sklearn.exceptions import ConvergenceWarning

from .psychometrics import MIN_CASES, MIN_UNIQUENESS, PsychometricsError, complete_cases

__all__ = ["DomainRecovery", "FactorSolution", "domain_correlations", "domain_recovery", "efa",
           "parallel_analysis"]

SALIENT = 0.30  # a loading at least this large counts (for cross-loadings)
PROMAX_POWER = 4
TOL = 1e-8  # convergence: change of the log-likelihood per case (scikit-learn's default is about 1e-6 at 10,000 cases)
MAX_ITER = 10_000


@dataclass(frozen=True)
class FactorSolution:
    """An EFA (:func:`efa`). ``loadings`` items x factors (``F1`` ..), ``communalities`` and
    ``uniquenesses`` per item, ``eigenvalues`` of the correlation matrix (index 1..p, for
    the scree plot), ``variance_explained`` per factor (share of the items' total variance;
    with promax the factors overlap, so these do not add up), ``factor_correlations``
    (the identity for orthogonal rotations), the cases used and left out, the constant
    items left out, ``heywood`` (an item's uniqueness at about 0: read with care) and
    ``converged``."""

    loadings: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    eigenvalues: pd.Series
    variance_explained: pd.Series
    factor_correlations: pd.DataFrame
    rotation: str | None
    n_cases: int
    n_dropped: int
    constant_items: tuple[str, ...]
    heywood: bool
    converged: bool


@dataclass(frozen=True)
class DomainRecovery:
    """How an EFA recovers the intended domains (:func:`domain_recovery`).

    ``domains``: per domain ``n_items``, ``factor`` (matched; missing when there are more
    domains than factors), ``modal_factor`` (the factor most of its items load highest on),
    ``share_on_factor`` (of its items, the share loading highest on ``factor``) and
    ``mean_loading`` (of its items on ``factor``). ``items``: per item ``domain``,
    ``primary_factor`` and ``primary_loading`` (its highest absolute loading, signed),
    ``domain_factor``, ``loading_on_domain_factor``, ``recovered`` and ``cross_loading``
    (a second loading of at least 0.30 in absolute value). ``unmatched_factors``: factors
    no domain was matched to."""

    domains: pd.DataFrame
    items: pd.DataFrame
    share_recovered: float
    unmatched_factors: tuple[str, ...]


def _correlations(items: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame, tuple[str, ...]]:
    complete = complete_cases(items)
    constant = tuple(str(c) for c in complete.columns if complete[c].var() == 0)
    varying = complete.drop(columns=list(constant))
    if varying.shape[1] < 2:
        raise PsychometricsError("too_few_items", f"{varying.shape[1]} item(s) vary; at least 2 are needed")
    r = np.corrcoef(varying.to_numpy(), rowvar=False)
    return r, varying, constant


def _promax(loadings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Promax pattern loadings and factor correlations from varimax loadings."""
    target = loadings * np.abs(loadings) ** (PROMAX_POWER - 1)
    u = np.linalg.lstsq(loadings, target, rcond=None)[0]
    u = u @ np.diag(np.sqrt(np.diag(np.linalg.inv(u.T @ u))))
    return loadings @ u, np.linalg.inv(u.T @ u)


def efa(items: pd.DataFrame, n_factors: int,
        rotation: Literal["varimax", "quartimax", "promax"] | None = "varimax") -> FactorSolution:
    """Exploratory factor analysis with ``n_factors`` factors (module docstring)."""
    if rotation not in ("varimax", "quartimax", "promax", None):
        raise ValueError('rotation must be "varimax", "quartimax", "promax" or None')
    r, varying, constant = _correlations(items)
    p = r.shape[0]
    if not 1 <= n_factors < p:
        raise PsychometricsError("too_many_factors",
                                 f"{n_factors} factor(s) from {p} items; 1 to {p - 1} can be fitted")
    values, vectors = np.linalg.eigh(r)
    if values[0] < 1e-10:
        raise PsychometricsError("singular_correlations",
                                 "the items are linearly dependent (or there are fewer cases than items)")
    root = vectors @ np.diag(np.sqrt(values)) @ vectors.T * np.sqrt(p)
    stand_in = np.vstack([root, -root])  # mean 0, covariance (ddof 0) exactly r
    # tol: the log-likelihood (summed over the 2p stand-in rows) changes by under TOL per row
    model = FactorAnalysis(n_factors, tol=TOL * 2 * p, max_iter=MAX_ITER, svd_method="lapack",
                           rotation="varimax" if rotation == "promax" else rotation)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(stand_in)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    loadings = model.components_.T
    communalities = (loadings**2).sum(axis=1)  # the same for every rotation
    loadings, phi = _promax(loadings) if rotation == "promax" else (loadings, np.eye(n_factors))
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    loadings, phi = loadings * signs, phi * np.outer(signs, signs)
    order = np.argsort(-(loadings**2).sum(axis=0), kind="stable")
    loadings, phi = loadings[:, order], phi[np.ix_(order, order)]
    names = [f"F{j + 1}" for j in range(n_factors)]
    index = pd.Index([str(c) for c in varying.columns], name="item")
    return FactorSolution(
        loadings=pd.DataFrame(loadings, index=index, columns=names),
        communalities=pd.Series(communalities, index=index, name="communality"),
        uniquenesses=pd.Series(model.noise_variance_, index=index, name="uniqueness"),
        eigenvalues=pd.Series(values[::-1], index=pd.RangeIndex(1, p + 1, name="dimension"), name="eigenvalue"),
        variance_explained=pd.Series((loadings**2).sum(axis=0) / p, index=names, name="variance_explained"),
        factor_correlations=pd.DataFrame(phi, index=names, columns=names),
        rotation=rotation, n_cases=len(varying), n_dropped=len(items) - len(varying), constant_items=constant,
        heywood=bool(model.noise_variance_.min() <= MIN_UNIQUENESS), converged=converged)


def parallel_analysis(items: pd.DataFrame, n_draws: int = 200, quantile: float = 0.95,
                      seed: int = 0) -> tuple[pd.DataFrame, int]:
    """Horn's parallel analysis on the complete cases: per dimension (index 1..p) the
    ``observed`` eigenvalue of the correlation matrix and the ``random`` one (``quantile``
    of ``n_draws`` correlation matrices of as many uncorrelated normal cases, drawn as
    Wishart matrices), and the suggested number of factors: the leading eigenvalues above
    their random counterpart (counting stops at the first that is not)."""
    r, varying, _ = _correlations(items)
    n, p = varying.shape
    if n <= p:
        raise PsychometricsError("singular_correlations", f"{n} complete cases for {p} items: more cases are needed")
    draws = wishart.rvs(df=n - 1, scale=np.eye(p), size=n_draws, random_state=seed).reshape(n_draws, p, p)
    scale = np.sqrt(np.einsum("dii->di", draws))
    random = np.linalg.eigvalsh(draws / scale[:, :, None] / scale[:, None, :])[:, ::-1]
    table = pd.DataFrame({"observed": np.linalg.eigvalsh(r)[::-1], "random": np.quantile(random, quantile, axis=0)},
                         index=pd.RangeIndex(1, p + 1, name="dimension"))
    above = (table["observed"] > table["random"]).to_numpy()
    return table, int(p if above.all() else np.argmin(above))


def domain_recovery(loadings: pd.DataFrame, item_domain: Mapping[str, str]) -> DomainRecovery:
    """How well the factors of ``loadings`` (items x factors, as from :func:`efa`) recover
    the domains ``item_domain`` says the items belong to (module docstring). Items without
    a domain, or without loadings (left out as constant), are left out."""
    items = [i for i in loadings.index if i in item_domain]
    if not items:
        raise ValueError("no item of loadings has a domain in item_domain")
    absolute = loadings.loc[items].abs()
    factors = list(loadings.columns)
    primary = absolute.idxmax(axis=1)
    domain_of = pd.Series({i: item_domain[i] for i in items})
    domains = list(dict.fromkeys(domain_of))
    counts = pd.crosstab(domain_of, primary).reindex(index=domains, columns=factors, fill_value=0)
    squares = (loadings.loc[items] ** 2).groupby(domain_of).sum().reindex(index=domains, columns=factors)
    # Lexicographic: the number of primary loadings first; sum of squares <= p breaks ties only.
    rows, cols = linear_sum_assignment(-(counts.to_numpy() * (len(items) + 1) + squares.to_numpy()))
    matched = {domains[d]: factors[f] for d, f in zip(rows, cols)}
    item_table = pd.DataFrame({"domain": domain_of, "primary_factor": primary,
                               "primary_loading": [loadings.at[i, primary[i]] for i in items]})
    own = [matched.get(item_domain[i]) for i in items]
    item_table["domain_factor"] = pd.Series(own, index=items, dtype=object)
    item_table["loading_on_domain_factor"] = [np.nan if f is None else loadings.at[i, f] for i, f in zip(items, own)]
    item_table["recovered"] = item_table["primary_factor"] == item_table["domain_factor"]
    second = np.sort(absolute.to_numpy(), axis=1)[:, -2] if len(factors) > 1 else np.zeros(len(items))
    item_table["cross_loading"] = second >= SALIENT
    by_domain = item_table.groupby("domain", sort=False)
    domain_table = pd.DataFrame({
        "n_items": by_domain.size(),
        "factor": pd.Series(matched, dtype=object),
        "modal_factor": counts.idxmax(axis=1),
        "share_on_factor": by_domain["recovered"].mean(),
        "mean_loading": by_domain["loading_on_domain_factor"].mean(),
    }).reindex(domains)
    domain_table.index.name = "domain"
    return DomainRecovery(domain_table, item_table, float(item_table["recovered"].mean()),
                          tuple(f for f in factors if f not in matched.values()))


def domain_correlations(domain_scores: pd.DataFrame,
                        method: Literal["pearson", "spearman"] = "pearson") -> pd.DataFrame:
    """Correlation matrix of the domain scores (a column per domain) on the cases with
    every domain scored (listwise, one sample for the whole matrix; at least ``MIN_CASES``).
    Spearman for rank correlations. A constant domain has NaN correlations."""
    complete = domain_scores.astype(float).dropna(how="any")
    if len(complete) < MIN_CASES:
        raise PsychometricsError("too_few_cases", f"{len(complete)} complete case(s); at least {MIN_CASES} are needed")
    return complete.corr(method=method)

"""Case profiles (issue 14): groups of cases with a similar pattern over the five domain
scores, found by clustering, and how those groups relate to the complexity bands. Pure
functions on a table of domain scores (a row per case, a column per domain, the mean level
0-3 as :func:`complexity.score_cases` gives it).

How to read the figures:

- **Profiles** (``Profiles.profiles``): per cluster the mean score of each domain, best
  drawn as one line per cluster over the domains. Clusters are numbered 1..k from the
  lowest mean over the domains to the highest, so cluster 1 is the lightest profile. Two
  clusters with about the same mean but different shapes (say high emotions and behaviour
  against high case content) are the interesting finding: the same complexity for
  different reasons.
- **Choosing k** (``criterion``): the number of clusters with the highest mean
  silhouette width (Rousseeuw 1987) among ``k_range``: how much closer a case is to its
  own cluster than to the next one, -1 to 1. The best value also says how real the groups
  are (Kaufman & Rousseeuw 1990): above 0.70 strong, 0.51-0.70 reasonable, 0.26-0.50 weak
  (possibly artificial), 0.25 or less no substantial structure (``Profiles.strength``).
  Clustering always returns clusters, even from data without any: read the strength
  before the profiles. The silhouette cannot say "one group" (k = 1): a weak or absent
  structure is that answer.
- **Bands against clusters** (``bands``): a crosstab of the cases' bands (rows) and
  clusters (columns), and Cramér's V (0: the clusters say nothing about the band; 1: each
  band is one cluster). The bands order cases by how complex they are; clusters that cut
  across the bands describe a difference the score does not show.

Choices: k-means (scikit-learn ``KMeans``, ``n_init`` starts, ``random_state``, so the
same data gives the same clusters) on the raw domain scores: every domain is on the same
0-3 scale, and standardising would weigh a domain that varies little as much as one that
varies a lot (``standardize=True`` does it anyway). Cases with a domain unscored are left
out (``n_dropped``). Above ``sample_size`` cases, k is chosen on a random sample of that
many cases (the silhouette's cost grows with the square of the cases), and the chosen k is
then fitted to every case. ``KMeans`` runs OpenMP threads, which on a machine busier than
its cores can be many times slower than one thread: limit them there (``OMP_NUM_THREADS=1``
or threadpoolctl, in the process that calls this). Errors are
:class:`~complexity.psychometrics.PsychometricsError` with a ``code``: ``too_few_cases``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
from scipy.stats.contingency import association
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from .psychometrics import MIN_CASES, PsychometricsError

__all__ = ["Profiles", "STRENGTHS", "case_profiles"]

STRENGTHS = ((0.70, "strong"), (0.50, "reasonable"), (0.25, "weak"), (-1.0, "none"))  # Kaufman & Rousseeuw 1990
DEFAULT_K = range(2, 9)


@dataclass(frozen=True)
class Profiles:
    """Clusters of cases (:func:`case_profiles`). ``labels``: the cluster (1..k) of every
    case used, on its index. ``profiles``: per cluster (rows) the mean of each domain, and
    ``n_cases``. ``criterion``: the mean silhouette width per k tried (NaN where k was more
    than the distinct cases). ``strength``: the best silhouette read as ``"strong"``,
    ``"reasonable"``, ``"weak"`` or ``"none"``. ``bands``: crosstab of band (rows, every
    band) and cluster (columns), and ``cramers_v``, when bands were given, else None."""

    k: int
    labels: pd.Series
    profiles: pd.DataFrame
    criterion: pd.Series
    strength: str
    n_cases: int
    n_dropped: int
    bands: pd.DataFrame | None
    cramers_v: float | None


def _strength(silhouette: float) -> str:
    return next(name for bound, name in STRENGTHS if silhouette > bound)


def _kmeans(x: np.ndarray, k: int, n_init: int, random_state: int) -> np.ndarray:
    return KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit_predict(x)


def case_profiles(domain_scores: pd.DataFrame, k_range: Iterable[int] = DEFAULT_K,
                  bands: pd.Series | None = None, *, standardize: bool = False, n_init: int = 10,
                  random_state: int = 0, sample_size: int | None = 3000) -> Profiles:
    """Cluster the cases on their domain scores with k-means for each k in ``k_range``
    (each at least 2) and keep the k with the highest mean silhouette width (module
    docstring). ``bands``: each case's band on the same index (a categorical keeps its
    order and every category in the crosstab). Needs ``MIN_CASES`` complete cases and
    more cases than the largest k."""
    ks = sorted(set(int(k) for k in k_range))
    if not ks or ks[0] < 2:
        raise ValueError("k_range must hold numbers of clusters of at least 2")
    complete = domain_scores.astype(float).dropna(how="any")
    n = len(complete)
    if n < max(MIN_CASES, ks[-1] + 1):
        raise PsychometricsError("too_few_cases", f"{n} complete case(s); at least {max(MIN_CASES, ks[-1] + 1)} "
                                 f"are needed for up to {ks[-1]} clusters")
    x = complete.to_numpy()
    if standardize:
        sd = x.std(axis=0)
        x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    distinct = len(np.unique(x, axis=0))
    if distinct < 2:
        raise PsychometricsError("too_few_cases", "every case has the same scores: there is nothing to cluster")
    sampled = bool(sample_size) and n > sample_size
    points = x[np.random.default_rng(random_state).choice(n, sample_size, replace=False)] if sampled else x
    distinct_points = len(np.unique(points, axis=0))
    criterion, fits = {}, {}
    for k in ks:
        if k > distinct_points:
            criterion[k] = np.nan
            continue
        fits[k] = _kmeans(points, k, n_init, random_state)
        criterion[k] = float(silhouette_score(points, fits[k])) if len(np.unique(fits[k])) > 1 else np.nan
    criterion = pd.Series(criterion, name="silhouette", dtype=float).rename_axis("k")
    if criterion.isna().all():
        raise PsychometricsError("too_few_cases", "no k in the range could be fitted to these cases")
    k = int(criterion.idxmax())
    # Renumber 1..k by the cluster's mean over the domains (ties: by the first domain, ...).
    raw = pd.Series(_kmeans(x, k, n_init, random_state) if sampled else fits[k], index=complete.index)
    means = complete.groupby(raw).mean()
    order = sorted(means.index, key=lambda c: (means.loc[c].mean(), *means.loc[c]))
    labels = raw.map({old: new for new, old in enumerate(order, start=1)}).rename("cluster")
    profiles = complete.groupby(labels).mean()
    profiles["n_cases"] = labels.value_counts().sort_index()
    crosstab = cramers_v = None
    if bands is not None:
        band = bands.reindex(complete.index)
        if not isinstance(band.dtype, pd.CategoricalDtype):
            band = band.astype("category")
        crosstab = pd.crosstab(band.rename("band"), labels, dropna=False)
        used = crosstab.loc[crosstab.sum(axis=1) > 0]
        cramers_v = float(association(used.to_numpy(), method="cramer")) if len(used) > 1 else np.nan
    return Profiles(k, labels, profiles, criterion, _strength(float(criterion.max())), n, len(domain_scores) - n,
                    crosstab, cramers_v)

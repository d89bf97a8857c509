"""The anchor cases the band cut-offs are read from, computed for an instrument and a
configuration (no data: pure arithmetic on the model's index).

Each anchor is a fully rated case described by its item levels; its value here is the
model's index ``x`` (0..1, before the interplay: ``complexity.scoring``). The
configured ``IndexCutoffs`` must sit between them as ``docs/model.md`` explains:

============================  =====================================================
anchor                        what it pins
============================  =====================================================
``mostly_1``                  three quarters of the items at 1, the rest 0: mild
``uniform_1``                 every item at 1: still below moderate
``single_3``                  one item at 3, nothing else: below moderate
``intermed``                  the lowest index of a case with 35 % of the maximum
                              item total spread over three or more domains: moderate
``one_domain_full``           one whole domain at 3 (the smallest domain): moderate
``uniform_2``                 every item at 2: moderate (also with the strongest interplay)
``two_domains_full``          two whole domains at 3 (the smallest two): severe
``mostly_3``                  three quarters of the items at 3, the rest 2: severe
============================  =====================================================

:func:`derived_cutoffs` proposes cut-offs from these; the default configuration holds
them, and a test recomputes and compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .config import DEFAULT_CONFIG, IndexCutoffs, ModelConfig
from .instrument import INSTRUMENT, MAX_LEVEL, Instrument

INTERMED_SHARE = 0.35  # INTERMED: complex from 21 of 60 points


@dataclass(frozen=True)
class Anchors:
    mostly_1: float
    uniform_1: float
    single_3: float
    intermed: float
    one_domain_full: float
    uniform_2: float
    two_domains_full: float
    mostly_3: float


def _index(loads: np.ndarray, sizes: np.ndarray, weights: np.ndarray, r: float) -> np.ndarray:
    masses = (sizes * weights) ** r
    return (masses * loads ** r).sum(axis=-1) / masses.sum()


def anchors(instrument: Instrument = INSTRUMENT, config: ModelConfig = DEFAULT_CONFIG) -> Anchors:
    sc = config.scoring
    sizes = np.asarray(instrument.domain_sizes, dtype=float)
    weights = np.array([sc.domain_weights[d] for d in instrument.domain_ids], dtype=float)
    r = sc.domain_curvature
    level = (np.arange(MAX_LEVEL + 1) / MAX_LEVEL) ** sc.level_exponent
    k = len(sizes)

    def even(loads: float) -> float:
        return float(_index(np.full(k, loads), sizes, weights, r))

    def full(domains) -> float:
        return float(_index(np.array([1.0 if j in domains else 0.0 for j in range(k)]), sizes, weights, r))

    single = max(float(_index(np.array([1.0 / sizes[j] if j == i else 0.0 for j in range(k)]), sizes, weights, r))
                 for i in range(k))
    # The fewest points of three quarters at 1: put every 0 into the largest domain first.
    zeros = int(np.floor(sizes.sum() / 4))
    loads = np.full(k, level[1])
    for j in np.argsort(-sizes):
        moved = min(zeros, int(sizes[j]))
        loads[j] = level[1] * (sizes[j] - moved) / sizes[j]
        zeros -= moved
    mostly_1 = min(float(_index(loads, sizes, weights, r)), even(0.75 * level[1]))
    return Anchors(
        mostly_1=mostly_1,
        uniform_1=even(level[1]),
        single_3=single,
        intermed=intermed_minimum(sizes, weights, level, r),
        one_domain_full=min(full({j}) for j in range(k)),
        uniform_2=even(level[2]),
        two_domains_full=min(full(set(pair)) for pair in combinations(range(k), 2)),
        mostly_3=even(0.75 * level[3] + 0.25 * level[2]),
    )


def intermed_minimum(sizes: np.ndarray, weights: np.ndarray, level: np.ndarray, r: float) -> float:
    """The lowest index of a fully rated case whose item total is at least
    ``INTERMED_SHARE`` of the maximum and whose points lie in three or more domains.
    A domain holding P points has its lowest load with the points spread evenly over
    its items (the level weights are convex); the search runs over every split of the
    points between the domains."""
    tables = []
    for n in sizes.astype(int):
        loads = []
        for points in range(MAX_LEVEL * n + 1):
            q, rest = divmod(points, n)
            loads.append(1.0 if q >= MAX_LEVEL else ((n - rest) * level[q] + rest * level[q + 1]) / n)
        tables.append(np.asarray(loads))
    masses = (sizes * weights) ** r
    parts = [masses[j] * tables[j] ** r / masses.sum() for j in range(len(sizes))]
    grids = np.meshgrid(*[np.arange(len(t)) for t in tables], indexing="ij", sparse=True)
    total = sum(grids)
    spread = sum((g > 0).astype(np.int8) for g in grids)
    index = sum(parts[j][grids[j]] for j in range(len(sizes)))
    target = int(np.ceil(INTERMED_SHARE * MAX_LEVEL * sizes.sum()))
    return float(index[(total >= target) & (spread >= 3)].min())


def derived_cutoffs(found: Anchors) -> IndexCutoffs:
    """Cut-offs that respect the anchors, rounded down to what is written in the
    configuration: mild just under ``mostly_1``, moderate just under ``intermed``,
    severe just under ``two_domains_full``."""
    return IndexCutoffs(mild=np.floor(found.mostly_1 * 1000 - 2) / 1000,
                        moderate=np.floor(found.intermed * 1000 - 1) / 1000,
                        severe=np.floor(found.two_domains_full * 100 - 1) / 100)


__all__ = ["Anchors", "INTERMED_SHARE", "anchors", "derived_cutoffs", "intermed_minimum"]

"""complexity.reliability_moments against complexity.psychometrics: the cluster bootstrap
by therapists' moments gives the table reliability_table gives with the same groups (the
same point estimates, the same intervals to rounding, the same problem codes), and a
replicate's covariance is that of the resampled rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from complexity.psychometrics import reliability_table
from complexity.reliability_moments import _Moments, reliability_table_by_moments


def simulated(n: int = 300, therapists: int = 25, seed: int = 0) -> tuple[dict[str, pd.DataFrame], pd.Series]:
    """Three domains on a 0-3 scale (one with gaps, one with a constant item, one of two
    items) and a therapist per case; the cases' index is not 0..n-1."""
    rng = np.random.default_rng(seed)
    factor = rng.standard_normal((n, 2))
    index = pd.Index(rng.permutation(n) * 7 + 3, name="case")

    def items(names, column, loading):
        x = factor[:, [column]] * loading + rng.standard_normal((n, len(names)))
        return pd.DataFrame(np.clip(np.rint(x + 1.5), 0, 3), columns=list(names), index=index)

    domains = {"a": items("pqrs", 0, 1.2), "b": items("tuvw", 1, 0.9), "c": items("xy", 1, 0.6)}
    domains["a"].iloc[::9, 1] = np.nan
    domains["b"]["w"] = 2.0
    groups = pd.Series([f"t{g}" for g in rng.integers(0, therapists, n)], index=index)
    return domains, groups


@pytest.mark.parametrize("seed", [0, 1])
def test_the_table_is_reliability_tables_with_the_same_groups(seed):
    domains, groups = simulated(seed=seed)
    expected = reliability_table(domains, n_boot=120, seed=seed, groups=groups)
    found = reliability_table_by_moments(domains, groups, n_boot=120, seed=seed)
    pd.testing.assert_frame_equal(found, expected, rtol=1e-9)
    assert found.loc["a", "alpha_low"] < found.loc["a", "alpha"] < found.loc["a", "alpha_high"]
    assert found.loc["b", "constant_items"] == ("w",) and found.loc["c", "problem"] == "too_few_items"


def test_a_failing_bootstrap_is_reported_as_reliability_table_reports_it():
    # Two therapists: most resamples hold one therapist's few cases, too few to compute.
    domains, _ = simulated(n=24)
    groups = pd.Series(["t0"] * 20 + ["t1"] * 4, index=domains["a"].index)
    expected = reliability_table(domains, n_boot=40, groups=groups)
    found = reliability_table_by_moments(domains, groups, n_boot=40)
    pd.testing.assert_frame_equal(found, expected, rtol=1e-9)


def test_a_replicates_covariance_is_that_of_the_resampled_rows():
    domains, groups = simulated()
    complete = domains["a"].dropna()
    moments = _Moments(complete, groups)
    draws = np.random.default_rng(5).integers(0, moments.n_groups, moments.n_groups)
    labels = pd.factorize(groups.reindex(complete.index).to_numpy())[0]
    rows = np.concatenate([np.flatnonzero(labels == g) for g in draws])
    n, covariance = moments.replicate(draws)
    assert n == len(rows)
    np.testing.assert_allclose(covariance, np.cov(complete.to_numpy()[rows], rowvar=False), rtol=1e-10)


def test_a_therapist_missing_from_groups_is_an_error():
    domains, groups = simulated()
    with pytest.raises(ValueError, match="groups"):
        reliability_table_by_moments(domains, groups.iloc[1:], n_boot=10)

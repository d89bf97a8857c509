"""complexity.psychometrics against known answers: a worked example by hand, and large
simulated samples from a one-factor model whose reliability is known in closed form."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from complexity.psychometrics import (
    MIN_CASES, PsychometricsError, alpha_if_dropped, bootstrap_ci, cronbach_alpha, item_distributions,
    item_rest_correlations, mcdonald_omega, reliability_table,
)

# Ten cases, three items. Item variances (ddof 1) 7/6, 52/45, 7/6: sum 157/45; the sum
# score's variance 382/45. Alpha = 3/2 * (1 - 157/382) = 3/2 * 225/382 = 675/764.
WORKED = pd.DataFrame([(0, 0, 1), (1, 1, 1), (2, 1, 2), (3, 2, 3), (1, 0, 0), (2, 2, 1), (3, 3, 2), (0, 1, 0),
                       (2, 3, 3), (1, 1, 2)], columns=["a", "b", "c"])


def one_factor(loadings, n, seed=0) -> pd.DataFrame:
    """Items ``l * f + e`` with unit variance: f and e standard normal, var(e) = 1 - l**2."""
    rng = np.random.default_rng(seed)
    loadings = np.asarray(loadings, dtype=float)
    x = rng.standard_normal((n, 1)) * loadings + rng.standard_normal((n, len(loadings))) * np.sqrt(1 - loadings**2)
    return pd.DataFrame(x, columns=[f"i{j}" for j in range(len(loadings))])


def theory(loadings) -> tuple[float, float]:
    """Population alpha and omega of the unit-variance one-factor items above."""
    loadings = np.asarray(loadings, dtype=float)
    k, common, unique = len(loadings), loadings.sum() ** 2, (1 - loadings**2).sum()
    total = common + unique  # variance of the sum score
    return k / (k - 1) * (1 - k / total), common / total


def test_alpha_of_the_worked_example_is_675_over_764():
    assert cronbach_alpha(WORKED) == pytest.approx(675 / 764, abs=1e-12)
    # Independently, with exact fractions, and in the covariance form k^2 * mean covariance / var(sum).
    def var(xs):
        mean = Fraction(sum(xs), len(xs))
        return sum((Fraction(x) - mean) ** 2 for x in xs) / (len(xs) - 1)
    columns, totals = [list(WORKED[c]) for c in WORKED], list(WORKED.sum(axis=1))
    assert Fraction(3, 2) * (1 - sum(map(var, columns)) / var(totals)) == Fraction(675, 764)
    cov = np.cov(WORKED.to_numpy(), rowvar=False)
    mean_cov = cov[~np.eye(3, dtype=bool)].mean()
    assert cronbach_alpha(WORKED) == pytest.approx(9 * mean_cov / cov.sum())


def test_identical_items_have_alpha_one():
    item = WORKED["a"]
    assert cronbach_alpha(pd.DataFrame({"x": item, "y": item, "z": item})) == pytest.approx(1.0)


def test_item_rest_correlations_of_the_worked_example():
    result = item_rest_correlations(WORKED)
    for column in WORKED:
        rest = WORKED.drop(columns=column).sum(axis=1)
        assert result[column] == pytest.approx(np.corrcoef(WORKED[column], rest)[0, 1])


def test_parallel_items_follow_spearman_brown():
    k, loading = 6, 0.6
    r = loading**2  # inter-item correlation of parallel items
    items = one_factor([loading] * k, 20_000, seed=1)
    spearman_brown = k * r / (1 + (k - 1) * r)
    assert theory([loading] * k) == pytest.approx((spearman_brown, spearman_brown))
    assert cronbach_alpha(items) == pytest.approx(spearman_brown, abs=0.01)
    assert mcdonald_omega(items) == pytest.approx(spearman_brown, abs=0.01)


def test_congeneric_items_alpha_underestimates_omega():
    loadings = [0.9, 0.8, 0.3, 0.2]
    alpha_true, omega_true = theory(loadings)  # 0.599 and 0.667
    items = one_factor(loadings, 20_000, seed=2)
    alpha, omega = cronbach_alpha(items), mcdonald_omega(items)
    assert alpha == pytest.approx(alpha_true, abs=0.01)
    assert omega == pytest.approx(omega_true, abs=0.01)
    assert omega > alpha + 0.04


def test_omega_is_the_maximum_likelihood_one_factor_fit():
    """Against an independent fit: the full one-factor model of the correlations (loadings
    and log uniquenesses free) minimizing the ML discrepancy log|S| + tr(S^-1 R) by BFGS,
    rescaled to the raw sum score."""
    items = one_factor([0.8, 0.7, 0.6, 0.5, 0.4], 500, seed=11)
    r = np.corrcoef(items.to_numpy(), rowvar=False)

    def discrepancy(p):
        model = np.outer(p[:5], p[:5]) + np.diag(np.exp(p[5:]))
        return np.linalg.slogdet(model)[1] + np.trace(np.linalg.solve(model, r))

    fit = minimize(discrepancy, np.r_[np.full(5, 0.5), np.log(np.full(5, 0.5))], method="BFGS", options={"gtol": 1e-10})
    sd = items.std(ddof=0).to_numpy()  # back from correlations to the items' own scale
    common, unique = (fit.x[:5] * sd).sum() ** 2, (np.exp(fit.x[5:]) * sd**2).sum()
    assert mcdonald_omega(items) == pytest.approx(common / (common + unique), abs=1e-6)


def test_uncorrelated_items_give_a_heywood_case():
    """ML makes one item the factor (its uniqueness at the bound): omega about 1/k, alpha about 0."""
    items = one_factor([0.0] * 4, 2_000, seed=12)
    assert cronbach_alpha(items) == pytest.approx(0, abs=0.1)
    assert mcdonald_omega(items) == pytest.approx(1 / 4, abs=0.05)
    assert reliability_table({"noise": items}, n_boot=10).loc["noise", "heywood"]


def test_omega_does_not_depend_on_the_items_unit_or_the_factors_sign():
    items = one_factor([0.7, 0.6, 0.5, 0.4], 2_000, seed=3)
    assert mcdonald_omega(items * 3 + 1) == pytest.approx(mcdonald_omega(items), abs=1e-4)
    assert mcdonald_omega(-items) == pytest.approx(mcdonald_omega(items), abs=1e-4)


def test_a_noise_item_has_no_item_rest_correlation_and_raises_alpha_when_dropped():
    items = one_factor([0.7, 0.7, 0.7, 0.7, 0.0], 20_000, seed=4)
    rest, dropped, alpha = item_rest_correlations(items), alpha_if_dropped(items), cronbach_alpha(items)
    assert abs(rest["i4"]) < 0.03
    assert (rest[["i0", "i1", "i2", "i3"]] > 0.5).all()
    assert dropped["i4"] > alpha
    assert (dropped[["i0", "i1", "i2", "i3"]] < alpha).all()
    assert dropped["i4"] == pytest.approx(cronbach_alpha(items.drop(columns="i4")))


def test_bootstrap_interval_contains_the_population_value_and_narrows_with_n():
    loadings = [0.6] * 6
    alpha_true = theory(loadings)[0]
    low, high = bootstrap_ci(cronbach_alpha, one_factor(loadings, 300, seed=5), n_boot=500)
    assert low < alpha_true < high
    small = np.subtract(*bootstrap_ci(cronbach_alpha, one_factor(loadings, 100, seed=6), n_boot=500)[::-1])
    large = np.subtract(*bootstrap_ci(cronbach_alpha, one_factor(loadings, 1_000, seed=6), n_boot=500)[::-1])
    assert large < small / 2  # about 1 / sqrt(10)


def test_omega_interval_contains_the_population_value():
    loadings = [0.9, 0.8, 0.3, 0.2]
    low, high = bootstrap_ci(mcdonald_omega, one_factor(loadings, 300, seed=7), n_boot=200)
    assert low < theory(loadings)[1] < high


def test_bootstrap_is_deterministic_for_a_seed():
    items = one_factor([0.6] * 4, 200, seed=8)
    first = bootstrap_ci(cronbach_alpha, items, n_boot=200, seed=3)
    assert bootstrap_ci(cronbach_alpha, items, n_boot=200, seed=3) == first
    assert bootstrap_ci(cronbach_alpha, items, n_boot=200, seed=4) != first


def duplicated_cases(distinct=60, copies=5):
    """Each of ``distinct`` cases copied ``copies`` times; the group is the original case.
    Index ``case * copies + copy``."""
    base = one_factor([0.6] * 5, distinct, seed=9)
    items = base.loc[base.index.repeat(copies)].reset_index(drop=True)
    return items, pd.Series(np.repeat(np.arange(distinct), copies), index=items.index)


def test_cluster_bootstrap_resamples_whole_groups():
    items, groups = duplicated_cases()
    seen = []
    bootstrap_ci(lambda resample: seen.append(resample.index) or cronbach_alpha(resample), items, n_boot=20,
                 groups=groups)
    for index in seen:
        counts = Counter(index)
        for group in set(index // 5):  # every row of a drawn group, each as often as the others
            assert len({counts[group * 5 + copy] for copy in range(5)}) == 1
        assert len(index) == len(items)  # groups of equal size: as many rows as the sample


def test_cluster_interval_is_wider_than_the_naive_one_for_duplicated_cases():
    items, groups = duplicated_cases()
    naive = bootstrap_ci(cronbach_alpha, items, n_boot=500)
    cluster = bootstrap_ci(cronbach_alpha, items, n_boot=500, groups=groups)
    cluster_positional = bootstrap_ci(cronbach_alpha, items, n_boot=500, groups=groups.to_numpy())
    assert cluster == cluster_positional
    assert cluster[1] - cluster[0] > 1.6 * (naive[1] - naive[0])  # about sqrt(5) = 2.2


def test_groups_must_cover_every_row():
    items, groups = duplicated_cases()
    with pytest.raises(ValueError, match="groups"):
        bootstrap_ci(cronbach_alpha, items, n_boot=5, groups=groups.iloc[:-1])


def test_item_distributions_shares_and_floor_ceiling_flags_at_the_threshold():
    items = pd.DataFrame({
        "at_threshold": [0] * 3 + [1] * 14 + [3] * 3,  # 15 % at 0 and at 3: not more than 15 %
        "above": [0] * 4 + [1] * 12 + [3] * 4,  # 20 %
        "half_rated": [3] * 2 + [1] * 8 + [np.nan] * 10,  # 2 of 10 rated at 3: 20 % of the rated
    })
    result = item_distributions(items)
    shares = result[["share_0", "share_1", "share_2", "share_3", "share_unrated"]]
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert result.loc["half_rated", "share_unrated"] == 0.5 and result.loc["half_rated", "share_3"] == 0.1
    assert result["n_rated"].tolist() == [20, 20, 10]
    assert result["floor"].tolist() == [False, True, False]
    assert result["ceiling"].tolist() == [False, True, True]
    assert item_distributions(items, threshold=0.10)["floor"].tolist() == [True, True, False]


def test_item_distributions_reject_values_outside_the_levels():
    for bad in (4, "x", 1.5):
        with pytest.raises(PsychometricsError) as error:
            item_distributions(pd.DataFrame({"a": [0, 1, bad]}, dtype=object))
        assert error.value.code == "outside_levels"


def test_too_few_cases_and_too_few_items_are_errors():
    few = WORKED.astype(float).copy()
    few.iloc[MIN_CASES - 1, 0] = np.nan  # 9 complete cases
    for function in (cronbach_alpha, mcdonald_omega, item_rest_correlations, alpha_if_dropped):
        with pytest.raises(PsychometricsError, match="complete case") as error:
            function(few)
        assert error.value.code == "too_few_cases"
        with pytest.raises(ValueError, match="at least 2") as error:
            function(WORKED[["a"]])
        assert error.value.code == "too_few_items"


def test_constant_items_are_left_out():
    items = WORKED.assign(constant=2)
    assert cronbach_alpha(items) == pytest.approx(cronbach_alpha(WORKED))
    assert mcdonald_omega(items) == pytest.approx(mcdonald_omega(WORKED))
    assert np.isnan(item_rest_correlations(items)["constant"])
    assert alpha_if_dropped(items)["constant"] == pytest.approx(cronbach_alpha(WORKED))
    with pytest.raises(PsychometricsError) as error:
        cronbach_alpha(WORKED[["a"]].assign(constant=2))
    assert error.value.code == "too_few_items"


def test_omega_needs_three_varying_items():
    with pytest.raises(PsychometricsError, match="at least 3") as error:
        mcdonald_omega(WORKED[["a", "b"]].assign(constant=1))
    assert error.value.code == "too_few_items"


def test_omega_of_linearly_dependent_items_is_an_error():
    with pytest.raises(PsychometricsError) as error:
        mcdonald_omega(WORKED.assign(copy=WORKED["a"]))
    assert error.value.code == "singular_correlations"


def test_a_sum_without_variance_is_an_error():
    with pytest.raises(PsychometricsError) as error:
        cronbach_alpha(pd.DataFrame({"a": WORKED["a"], "b": 3 - WORKED["a"]}))
    assert error.value.code == "no_total_variance"


def test_reliability_table():
    good = one_factor([0.7, 0.6, 0.5], 150, seed=10).assign(flat=0.0)
    sparse = good.copy()
    sparse.iloc[MIN_CASES - 1:, 0] = np.nan
    therapists = pd.Series(np.arange(150) % 15, index=good.index)
    table = reliability_table({"content": good, "emotion": sparse}, n_boot=50, seed=1, groups=therapists)
    assert list(table.index) == ["content", "emotion"]
    row = table.loc["content"]
    assert (row["n_cases"], row["k_items"], row["constant_items"]) == (150, 3, ("flat",)) and pd.isna(row["problem"])
    assert not row["heywood"]
    assert row["alpha"] == pytest.approx(cronbach_alpha(good))
    assert row["omega"] == pytest.approx(mcdonald_omega(good))
    assert row["alpha_low"] < row["alpha"] < row["alpha_high"] and row["omega_low"] < row["omega"] < row["omega_high"]
    assert (row["alpha_low"], row["alpha_high"]) == bootstrap_ci(cronbach_alpha, good, 50, seed=1, groups=therapists)
    assert table.loc["emotion", "problem"] == "too_few_cases" and np.isnan(table.loc["emotion", "alpha"])
    two_items = reliability_table({"pair": good[["i0", "i1"]]}, n_boot=20).loc["pair"]
    assert two_items["problem"] == "too_few_items" and two_items["alpha_low"] < two_items["alpha"]
    assert np.isnan(two_items["omega"])
    assert table.equals(reliability_table({"content": good, "emotion": sparse}, n_boot=50, seed=1, groups=therapists))

"""complexity.agreement against known answers: Shrout & Fleiss's (1979) 6 targets x 4
judges (their mean squares and ICC(2,1), and the interval R's psych::ICC prints for it),
scikit-learn's weighted kappa, and hand-computed disagreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from complexity.agreement import (
    MIN_TARGETS, icc_a1, mean_absolute_deviation, rank_disagreement, rating_matrices, weighted_kappa,
)
from complexity.psychometrics import PsychometricsError

SHROUT_FLEISS = pd.DataFrame([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
                             columns=["j1", "j2", "j3", "j4"])


def ordinal_ratings(n_targets: int, n_raters: int, noise: float, seed: int = 0, bias=None) -> pd.DataFrame:
    """Levels 0-3: a true level per target plus each rater's noise (and bias), rounded and clipped."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(-0.4, 3.4, (n_targets, 1))
    shift = np.zeros(n_raters) if bias is None else np.asarray(bias, dtype=float)
    x = np.clip(np.rint(truth + shift + noise * rng.standard_normal((n_targets, n_raters))), 0, 3)
    return pd.DataFrame(x, columns=[f"r{j}" for j in range(n_raters)])


def test_icc_of_shrout_and_fleiss_example():
    result = icc_a1(SHROUT_FLEISS)
    # Their Table 2: BMS 11.24, JMS 32.49, EMS 1.02; ICC(2,1) = .29.
    assert (result.ms_targets, result.ms_raters, result.ms_error) == pytest.approx((11.24, 32.49, 1.02), abs=0.005)
    assert result.icc == pytest.approx(0.290, abs=0.0005)
    # psych::ICC, "Single_random_raters": lower bound 0.019, upper bound 0.761.
    assert (result.low, result.high) == pytest.approx((0.019, 0.761), abs=0.0005)
    assert (result.n_targets, result.n_raters) == (6, 4)


def test_icc_is_absolute_agreement_a_rater_bias_lowers_it():
    consistent = icc_a1(SHROUT_FLEISS.sub(SHROUT_FLEISS.mean()))  # the judges' mean differences removed
    assert consistent.ms_raters == pytest.approx(0)
    assert (consistent.ms_targets, consistent.ms_error) == pytest.approx((11.2417, 1.0194), abs=1e-4)  # unchanged
    # (BMS - EMS) / (BMS + (k - 1) EMS + k/n (0 - EMS)) = 10.2222 / 13.6204
    assert consistent.icc == pytest.approx(0.7505, abs=0.0001)


def test_icc_interval_narrows_with_more_targets_and_covers_the_population_value():
    # Two-way random model: target effect variance 0.75, rater effect 0.09, error 0.25, so
    # ICC(A,1) = 0.75 / 1.09 = 0.688.
    rng = np.random.default_rng(4)
    def sample(n):
        targets, raters = rng.normal(0, np.sqrt(0.75), (n, 1)), rng.normal(0, 0.3, (1, 4))
        return pd.DataFrame(targets + raters + rng.normal(0, 0.5, (n, 4)))
    few, many = icc_a1(sample(10)), icc_a1(sample(1000))
    # Narrower, but not narrow: with 4 raters the rater variance stays uncertain however many targets.
    assert (few.high - few.low) / 4 < many.high - many.low < (few.high - few.low) / 2
    covered = sum(r.low < 0.75 / 1.09 < r.high for r in (icc_a1(sample(12)) for _ in range(400)))
    assert 368 <= covered <= 392  # nominal 95 %: 380 of 400


def test_icc_missing_ratings_use_the_complete_block():
    ratings = SHROUT_FLEISS.astype(float)
    ratings.loc[len(ratings)] = [5, np.nan, 4, 6]  # a seventh target, one judge missing
    assert icc_a1(ratings).icc == pytest.approx(icc_a1(SHROUT_FLEISS).icc)
    with_rater = ratings.assign(j5=[1, 2, 3, 4, 5, 6, np.nan])
    assert icc_a1(with_rater, drop="raters").n_raters == 3  # j2 and j5 left out, all 7 targets kept
    assert icc_a1(with_rater, drop="raters").icc == pytest.approx(icc_a1(ratings.drop(columns="j2")).icc)


def test_icc_refuses_too_few_raters_or_targets_or_no_variance():
    with pytest.raises(PsychometricsError, match="too_few_raters") as error:
        icc_a1(SHROUT_FLEISS[["j1"]])
    assert isinstance(error.value, ValueError) and error.value.code == "too_few_raters"
    with pytest.raises(PsychometricsError, match="too_few_targets"):
        icc_a1(SHROUT_FLEISS.head(MIN_TARGETS - 1))
    with pytest.raises(PsychometricsError, match="no_variance"):
        icc_a1(pd.DataFrame(np.ones((6, 3))))


def test_icc_of_perfect_agreement_is_one():
    same = pd.DataFrame({"a": [0, 1, 2, 3, 1, 2], "b": [0, 1, 2, 3, 1, 2]})
    result = icc_a1(same)
    assert result.icc == 1 and np.isnan(result.low)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_kappa_of_two_raters_is_scikit_learns(weights):
    ratings = ordinal_ratings(60, 2, 0.7, seed=3)
    ratings.loc[ratings["r1"] == 3, "r1"] = 2  # r1 never uses level 3: the weights must still span 0-3
    expected = cohen_kappa_score(ratings["r0"], ratings["r1"], weights=weights, labels=[0, 1, 2, 3])
    result = weighted_kappa(ratings, weights, n_boot=0)
    assert result.kappa == pytest.approx(expected, abs=1e-12)
    assert result.n_pairs == 1 and np.isnan(result.low)


def test_weighted_kappa_of_more_raters_is_the_mean_over_pairs_on_shared_targets():
    ratings = ordinal_ratings(40, 3, 0.8, seed=5)
    ratings.iloc[:7, 2] = np.nan  # r2 rated only the last 33 targets
    pairs = []
    for a, b in [("r0", "r1"), ("r0", "r2"), ("r1", "r2")]:
        both = ratings[[a, b]].dropna()
        pairs.append(cohen_kappa_score(both[a], both[b], weights="linear", labels=[0, 1, 2, 3]))
    result = weighted_kappa(ratings, "linear", n_boot=0)
    assert result.kappa == pytest.approx(np.mean(pairs), abs=1e-12)
    assert (result.n_raters, result.n_pairs, result.n_targets) == (3, 3, 40)


def test_weighted_kappa_bootstrap_interval():
    ratings = ordinal_ratings(80, 3, 0.6, seed=1)
    result = weighted_kappa(ratings, n_boot=300, seed=2)
    assert result.low < result.kappa < result.high < 1
    assert weighted_kappa(ratings, n_boot=300, seed=2) == result  # deterministic for a seed
    wide = weighted_kappa(ratings.head(15), n_boot=300, seed=2)
    assert wide.high - wide.low > result.high - result.low


def test_quadratic_kappa_is_close_to_the_icc_for_two_raters():
    # Fleiss & Cohen (1973): quadratic weighted kappa and the ICC agree in large samples.
    ratings = ordinal_ratings(2000, 2, 0.6, seed=7, bias=[0, 0.3])
    assert weighted_kappa(ratings, n_boot=0).kappa == pytest.approx(icc_a1(ratings).icc, abs=0.01)


def test_weighted_kappa_refuses_too_few_raters_targets_or_levels_outside_the_scale():
    ratings = ordinal_ratings(20, 2, 0.5)
    with pytest.raises(PsychometricsError, match="too_few_raters"):
        weighted_kappa(ratings[["r0"]])
    with pytest.raises(PsychometricsError, match="too_few_raters"):
        weighted_kappa(ratings.assign(r1=np.nan))
    with pytest.raises(PsychometricsError, match="too_few_targets"):
        weighted_kappa(ratings.head(MIN_TARGETS - 1))
    with pytest.raises(PsychometricsError, match="outside_levels"):
        weighted_kappa(ratings.replace(3.0, 4.0))


def test_disagreement_ranks_the_items_raters_disagree_on_first():
    # Target medians 1, 2 and 0; deviations by hand.
    sharp = pd.DataFrame({"a": [1, 2, 0], "b": [1, 2, 0], "c": [1, 3, 0]})  # 1 of 9 ratings one off: 1/9
    fuzzy = pd.DataFrame({"a": [0, 2, 0], "b": [1, 0, 2], "c": [3, 2, 0]})  # medians 1, 2, 0: (1+0+2+0+2+0+0+2+0)/9
    assert mean_absolute_deviation(sharp) == pytest.approx(1 / 9)
    assert mean_absolute_deviation(fuzzy) == pytest.approx(7 / 9)
    assert np.isnan(mean_absolute_deviation(pd.DataFrame({"a": [1, np.nan], "b": [np.nan, 2]})))
    good, poor = ordinal_ratings(30, 4, 0.2, seed=1), ordinal_ratings(30, 4, 1.2, seed=1)
    table = rank_disagreement({"good": good, "poor": poor, "few": good.head(3)}, n_boot=50)
    assert table.index[0] == "poor" and set(table.index) == {"good", "poor", "few"}
    assert table.loc["poor", "mad"] > table.loc["good", "mad"]
    assert table.loc["poor", "icc"] < table.loc["good", "icc"]
    assert table.loc["poor", "kappa_low"] < table.loc["poor", "kappa"] < table.loc["poor", "kappa_high"]
    assert table.loc["few", "problem"] == "too_few_targets" and np.isnan(table.loc["few", "icc"])
    assert pd.isna(table.loc["good", "problem"])


def test_rating_matrices_pivot_a_long_table_per_item():
    long = pd.DataFrame({"target": ["v1", "v1", "v2", "v2", "v1"], "rater": ["t1", "t2", "t1", "t2", "t1"],
                         "item": ["x", "x", "x", "y", "y"], "level": [0, 1, 2, 3, 1]})
    matrices = rating_matrices(long)
    assert list(matrices) == ["x", "y"]
    assert matrices["x"].loc["v1", "t1"] == 0 and matrices["x"].loc["v1", "t2"] == 1
    assert matrices["x"].loc["v2", "t1"] == 2 and np.isnan(matrices["x"].loc["v2", "t2"])
    assert matrices["y"].loc["v2", "t2"] == 3 and np.isnan(matrices["y"].loc["v2", "t1"])
    with pytest.raises(ValueError, match="more than one rating"):
        rating_matrices(pd.concat([long, long.head(1)]))

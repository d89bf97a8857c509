"""Tests of complexity.calibration: the scikit-learn estimator checks, recovery of known
weights from synthetic burden ratings, the ModelConfig hand-over and compare_weights.

No estimator check is excluded (no ``expected_failed_checks``). One check,
``check_array_api_input`` (numpy namespace), is *skipped by scikit-learn itself* unless
the environment variable ``SCIPY_ARRAY_API=1`` is set before scipy is imported; with it
set the check passes too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from complexity import score_cases
from complexity.calibration import ComplexityCalibrator, WeightComparison, _objective, compare_weights
from complexity.config import DEFAULT_CONFIG, ModelConfig
from complexity.instrument import INSTRUMENT
from complexity.scoring import DOMAINS, combine, domain_masses

SIZES = np.asarray(INSTRUMENT.domain_sizes, dtype=float)
TRUE_W = np.array([1.6, 0.5, 1.0, 1.3, 0.6])  # normalised masses, mean 1
TRUE_GAMMA = 0.6


def synthetic(weights, gamma, *, n=400, noise=0.2, seed=0, intercept=1.0, scale=8.0, integer=False):
    """Domain scores drawn like item means (multiples of 1/6) and burden from the model's form."""
    rng = np.random.default_rng(seed)
    p = len(weights)
    if integer:
        X = rng.integers(0, 4, size=(n, p)).astype(float)
    else:
        X = rng.integers(0, 19, size=(n, p)) / 6.0
    contributions, interaction = combine(X / 3.0, np.asarray(weights, dtype=float), gamma)
    y = intercept + scale * (contributions.sum(axis=1) + interaction) / 100.0
    return X, y + rng.normal(0.0, noise, n)


@pytest.fixture(scope="module")
def recovered():
    X, y = synthetic(TRUE_W, TRUE_GAMMA)
    return ComplexityCalibrator().fit(X, y), X, y


# --- scikit-learn conventions -------------------------------------------------------


@parametrize_with_checks([ComplexityCalibrator()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_tags_declare_positive_only_no_nan_and_poor_score():
    tags = ComplexityCalibrator().__sklearn_tags__()
    assert tags.input_tags.positive_only
    assert not tags.input_tags.allow_nan
    assert tags.regressor_tags.poor_score


def test_init_stores_parameters_unchanged():
    est = ComplexityCalibrator(max_score=4, max_interaction=0.5, alpha=0.1, max_iter=7, tol=1e-3)
    assert est.get_params() == {
        "max_score": 4, "max_interaction": 0.5, "alpha": 0.1, "max_iter": 7, "tol": 1e-3,
    }


def test_analytic_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (60, 5))
    y = rng.normal(size=60)
    theta = np.concatenate([rng.uniform(0.2, 3.0, 5), [0.4, 1.3, -0.2]])
    for alpha in (0.0, 0.7):
        err = check_grad(
            lambda t: _objective(t, x, y, alpha)[0],
            lambda t: _objective(t, x, y, alpha)[1],
            theta,
            epsilon=1e-7,
        )
        assert err < 1e-5


# --- recovery -------------------------------------------------------------------------


def test_recovers_known_weights_and_interaction(recovered):
    est, X, y = recovered
    assert est.domain_weights_.shape == (5,)
    assert est.domain_weights_.mean() == pytest.approx(1.0)
    np.testing.assert_allclose(est.domain_weights_, TRUE_W, atol=0.15)
    assert est.interaction_strength_ == pytest.approx(TRUE_GAMMA, abs=0.1)
    assert est.intercept_ == pytest.approx(1.0, abs=0.3)
    assert est.scale_ == pytest.approx(8.0, abs=0.5)
    assert est.score(X, y) > 0.95
    assert est.n_iter_ >= 1


@pytest.mark.parametrize("gamma", [0.0, 0.3, 0.9])
def test_recovers_interaction_across_its_range(gamma):
    X, y = synthetic(TRUE_W, gamma, seed=11)
    est = ComplexityCalibrator().fit(X, y)
    assert est.interaction_strength_ == pytest.approx(gamma, abs=0.1)
    np.testing.assert_allclose(est.domain_weights_, TRUE_W, atol=0.15)


def test_link_maps_complexity_0_and_100_to_intercept_and_intercept_plus_scale(recovered):
    est, _, _ = recovered
    X = np.array([[0.0] * 5, [3.0] * 5])
    np.testing.assert_allclose(est.predict_complexity(X), [0.0, 100.0], atol=1e-9)
    np.testing.assert_allclose(est.predict(X), [est.intercept_, est.intercept_ + est.scale_])


def test_rating_scale_does_not_change_learned_weights(recovered):
    est, X, y = recovered
    other = ComplexityCalibrator().fit(X, 10.0 * y - 3.0)
    np.testing.assert_allclose(other.domain_weights_, est.domain_weights_, atol=1e-3)
    assert other.interaction_strength_ == pytest.approx(est.interaction_strength_, abs=1e-3)
    assert other.scale_ == pytest.approx(10.0 * est.scale_, rel=1e-3)


def test_weights_stay_non_negative_when_a_domain_lowers_burden():
    X, y = synthetic(np.ones(5), 0.3, seed=5)
    y = y - 2.0 * X[:, 2]  # more "emotions" means *less* reported burden
    est = ComplexityCalibrator().fit(X, y)
    assert np.all(est.domain_weights_ >= 0)
    assert est.domain_weights_[2] < 0.05
    assert np.all(np.delete(est.domain_weights_, 2) > 0.5)
    assert est.scale_ >= 0


def test_weights_zero_everywhere_but_one_domain():
    X, y = synthetic([0.0, 0.0, 5.0, 0.0, 0.0], 0.0, seed=6, noise=0.05)
    est = ComplexityCalibrator().fit(X, y)
    assert est.domain_weights_[2] == pytest.approx(5.0, abs=0.1)
    assert est.score(X, y) > 0.95


def test_alpha_pulls_weights_towards_equal(recovered):
    est, X, y = recovered
    ridge = ComplexityCalibrator(alpha=100.0).fit(X, y)
    assert np.abs(ridge.domain_weights_ - 1.0).max() < 0.1
    assert np.abs(ridge.domain_weights_ - 1.0).max() < np.abs(est.domain_weights_ - 1.0).max() / 5


def test_max_interaction_bounds_the_learned_interaction():
    X, y = synthetic(TRUE_W, 0.9, seed=7)
    est = ComplexityCalibrator(max_interaction=0.4).fit(X, y)
    assert 0.0 <= est.interaction_strength_ <= 0.4
    assert est.interaction_strength_ == pytest.approx(0.4, abs=1e-6)


def test_fit_is_deterministic(recovered):
    est, X, y = recovered
    again = clone(est).fit(X, y)
    np.testing.assert_array_equal(again.domain_weights_, est.domain_weights_)
    assert again.interaction_strength_ == est.interaction_strength_


def test_iteration_limit_warns():
    X, y = synthetic(TRUE_W, TRUE_GAMMA, n=100)
    with pytest.warns(ConvergenceWarning):
        ComplexityCalibrator(max_iter=1).fit(X, y)


def test_max_score_rescales_the_input(recovered):
    est, X, y = recovered
    on_ten = ComplexityCalibrator(max_score=10.0).fit(X * 10.0 / 3.0, y)
    np.testing.assert_allclose(on_ten.domain_weights_, est.domain_weights_, atol=1e-4)
    np.testing.assert_allclose(on_ten.predict(X * 10.0 / 3.0), est.predict(X), atol=1e-4)


# --- DataFrames and the ModelConfig hand-over -----------------------------------------


def test_dataframe_fit_keeps_feature_names(recovered):
    _, X, y = recovered
    est = ComplexityCalibrator().fit(pd.DataFrame(X, columns=DOMAINS), y)
    assert list(est.feature_names_in_) == list(DOMAINS)
    assert est.n_features_in_ == 5
    pred = est.predict(pd.DataFrame(X, columns=DOMAINS))
    assert pred.shape == (len(y),)
    array_fit = ComplexityCalibrator().fit(X, y)
    assert not hasattr(array_fit, "feature_names_in_")
    np.testing.assert_allclose(pred, array_fit.predict(X))


def _item_table(domain_levels: np.ndarray) -> pd.DataFrame:
    """Every item of a domain at that domain's (integer) level."""
    data = {"case_id": [f"c{i}" for i in range(len(domain_levels))]}
    for k, d in enumerate(DOMAINS):
        for item_id in INSTRUMENT.domain(d).item_ids:
            data[item_id] = domain_levels[:, k].astype(int)
    return pd.DataFrame(data)


def test_to_config_scores_like_the_calibrator(recovered):
    est, _, _ = recovered
    config = est.to_config()
    assert isinstance(config, ModelConfig)
    assert config != DEFAULT_CONFIG
    assert config.scoring.interaction_strength == pytest.approx(est.interaction_strength_)
    per_point = np.array([config.scoring.domain_weights[d] for d in DOMAINS])
    assert per_point.mean() == pytest.approx(1.0)
    expected = TRUE_W / SIZES
    np.testing.assert_allclose(per_point, expected / expected.mean(), atol=0.15)
    masses = domain_masses(config)
    np.testing.assert_allclose(masses / masses.mean(), est.domain_weights_, rtol=1e-9)
    assert config.load == DEFAULT_CONFIG.load and config.scoring.bands == DEFAULT_CONFIG.scoring.bands

    levels = np.random.default_rng(8).integers(0, 4, size=(200, 5)).astype(float)
    scored = score_cases(_item_table(levels), config)
    np.testing.assert_allclose(scored["complexity"], est.predict_complexity(levels), atol=1e-9)
    assert np.corrcoef(scored["complexity"], est.predict(levels))[0, 1] > 0.9999


def test_to_config_maps_dataframe_columns_by_name(recovered):
    _, X, y = recovered
    order = [4, 2, 0, 3, 1]
    shuffled = pd.DataFrame(X[:, order], columns=[DOMAINS[k] for k in order])
    by_name = ComplexityCalibrator().fit(shuffled, y).to_config()
    in_order = ComplexityCalibrator().fit(X, y).to_config()
    for d in DOMAINS:
        assert by_name.scoring.domain_weights[d] == pytest.approx(
            in_order.scoring.domain_weights[d], abs=1e-4
        )


def test_to_config_makes_a_zero_weight_positive():
    X, y = synthetic(np.ones(5), 0.3, seed=5)
    est = ComplexityCalibrator().fit(X, y - 2.0 * X[:, 2])
    config = est.to_config()
    assert 0 < config.scoring.domain_weights["emotions"] < 0.01


def test_to_config_needs_the_five_domains():
    X, y = synthetic(np.ones(3), 0.3, n=60)
    with pytest.raises(ValueError, match="5 instrument domains"):
        ComplexityCalibrator().fit(X, y).to_config()
    X, y = synthetic(np.ones(5), 0.3, n=60)
    frame = pd.DataFrame(X, columns=[f"d{k}" for k in range(5)])
    with pytest.raises(ValueError, match="needs the features"):
        ComplexityCalibrator().fit(frame, y).to_config()
    with pytest.raises(NotFittedError):
        ComplexityCalibrator().to_config()


# --- input errors ---------------------------------------------------------------------


def test_negative_scores_are_rejected(recovered):
    est, X, y = recovered
    bad = X.copy()
    bad[3, 1] = -1.0
    with pytest.raises(ValueError, match="Negative values"):
        ComplexityCalibrator().fit(bad, y)
    with pytest.raises(ValueError, match="Negative values"):
        est.predict(bad)


def test_nan_is_rejected(recovered):
    est, X, y = recovered
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ComplexityCalibrator().fit(bad, y)
    with pytest.raises(ValueError, match="NaN"):
        est.predict(bad)
    y_bad = y.copy()
    y_bad[1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ComplexityCalibrator().fit(X, y_bad)


def test_wrong_number_of_columns_at_predict(recovered):
    est, X, _ = recovered
    with pytest.raises(ValueError, match="expecting 5 features"):
        est.predict(X[:, :4])


@pytest.mark.parametrize(
    "params",
    [
        {"max_interaction": 1.0},
        {"max_interaction": -0.1},
        {"alpha": -1.0},
        {"max_score": 0.0},
        {"max_iter": 0},
        {"max_iter": 2.5},
        {"tol": 0.0},
        {"alpha": float("nan")},
    ],
)
def test_invalid_parameters_raise_at_fit(recovered, params):
    _, X, y = recovered
    est = ComplexityCalibrator(**params)  # __init__ does not validate
    with pytest.raises(ValueError):
        est.fit(X, y)


# --- compare_weights ------------------------------------------------------------------


def test_compare_weights_learned_beats_expert_on_other_weights():
    X, y = synthetic([2.2, 0.2, 0.3, 2.0, 0.3], 0.7, seed=1)
    result = compare_weights(pd.DataFrame(X, columns=DOMAINS), y, cv=5, random_state=0)
    assert isinstance(result, WeightComparison)

    folds = result.folds
    assert len(folds) == 10
    assert sorted(folds.groupby("model").size().items()) == [("expert", 5), ("learned", 5)]
    assert set(folds["fold"]) == set(range(5))
    assert (folds["n_train"] + folds["n_test"] == 400).all()
    assert folds.groupby("model")["n_test"].sum().eq(400).all()  # every case tested once
    assert {"r2", "mae", "interaction_strength", *DOMAINS} <= set(folds.columns)

    learned = folds[folds["model"] == "learned"].set_index("fold")
    expert = folds[folds["model"] == "expert"].set_index("fold")
    assert (learned["r2"] > expert["r2"] + 0.1).all()
    assert (learned["mae"] < expert["mae"]).all()

    s = result.summary
    assert list(s.index) == ["expert", "learned"]
    assert s.loc["learned", "r2_mean"] > 0.9
    assert s.loc["learned", "mae_mean"] < s.loc["expert", "mae_mean"]
    assert s.loc["expert", "interaction_mean"] == pytest.approx(0.35)
    assert s.loc["expert", "interaction_sd"] == 0.0
    assert s.loc["learned", "interaction_mean"] == pytest.approx(0.7, abs=0.1)
    assert s.loc["learned", "r2_mean"] == pytest.approx(learned["r2"].mean())

    w = result.weights
    assert list(w.index) == list(DOMAINS)
    masses = domain_masses(DEFAULT_CONFIG)
    np.testing.assert_allclose(w["expert"], masses / masses.mean())
    np.testing.assert_allclose(w["expert_per_point"], 1.0)
    truth = np.array([2.2, 0.2, 0.3, 2.0, 0.3])
    np.testing.assert_allclose(w["learned_mean"], truth / truth.mean(), atol=0.15)
    np.testing.assert_allclose(w["learned_mean"], learned[list(DOMAINS)].mean())
    assert (w["learned_sd"] >= 0).all() and (w["learned_sd"] < 0.2).all()
    assert w["learned_per_point_mean"].mean() == pytest.approx(1.0)


def test_compare_weights_similar_on_expert_data():
    masses = domain_masses(DEFAULT_CONFIG)
    X, y = synthetic(masses, DEFAULT_CONFIG.scoring.interaction_strength, seed=2, noise=0.5)
    result = compare_weights(X, y, cv=4)
    s = result.summary
    assert (result.folds.groupby("model").size() == 4).all()
    assert s.loc["expert", "r2_mean"] > 0.7
    assert abs(s.loc["learned", "r2_mean"] - s.loc["expert", "r2_mean"]) < 0.02
    assert abs(s.loc["learned", "mae_mean"] - s.loc["expert", "mae_mean"]) < 0.02
    np.testing.assert_allclose(result.weights["learned_mean"], result.weights["expert"], atol=0.15)
    assert s.loc["learned", "interaction_mean"] == pytest.approx(0.35, abs=0.15)


def test_compare_weights_is_reproducible_and_uses_random_state():
    X, y = synthetic(TRUE_W, TRUE_GAMMA, n=120, seed=4)
    a = compare_weights(X, y, cv=3, random_state=1)
    b = compare_weights(X, y, cv=3, random_state=1)
    c = compare_weights(X, y, cv=3, random_state=2)
    pd.testing.assert_frame_equal(a.folds, b.folds)
    assert not np.allclose(a.folds["r2"], c.folds["r2"])


def test_compare_weights_input_errors():
    X, y = synthetic(TRUE_W, TRUE_GAMMA, n=50)
    with pytest.raises(ValueError, match="5 columns"):
        compare_weights(X[:, :4], y)
    with pytest.raises(ValueError, match="domain columns"):
        compare_weights(pd.DataFrame(X, columns=[f"d{k}" for k in range(5)]), y)
    bad = X.copy()
    bad[0, 0] = -1
    with pytest.raises(ValueError, match="Negative values"):
        compare_weights(bad, y)
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        compare_weights(bad, y)
    with pytest.raises(ValueError):
        compare_weights(X, y[:-1])
    with pytest.raises(ValueError, match="cv"):
        compare_weights(X, y, cv="five")

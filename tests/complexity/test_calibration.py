"""Calibration of model 2.0 against burden ratings: recovery of known weights and
interaction from data the model itself generates, cross-validation grouped by therapist,
the cluster bootstrap, the patient-domains-only option, the minimums, the ModelConfig
hand-over, scikit-learn conventions, and the example in docs/calibration.md."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_regressor
from sklearn.exceptions import NotFittedError

from complexity import DEFAULT_CONFIG, INSTRUMENT, MODEL_VERSION, ModelConfig, RatingsInputError, score_cases
from complexity.anchors import anchors
from complexity.calibration import (
    MIN_CASES_PER_PARAMETER,
    MIN_THERAPISTS,
    BootstrapResult,
    ComplexityCalibrator,
    CrossValidation,
    TooLittleData,
    bootstrap_intervals,
    compare_models,
)
from complexity.scoring import DOMAINS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"
TRUE_W = np.array([1.5, 0.6, 1.0, 1.3, 0.6])  # per-item weights, mean 1
TRUE_SCALE = 2.0
INTERCEPT, SLOPE = 1.0, 0.1  # burden = 1 + complexity / 10
IMPACT_ITEMS = list(INSTRUMENT.domain("therapist_impact").item_ids)


def items(n: int, rng: np.random.Generator, missing: float = 0.05) -> pd.DataFrame:
    """Item ratings: a severity per case and domain, items drawn around it, a few unrated."""
    severity = rng.uniform(0, 1, (n, len(DOMAINS))) * rng.uniform(0.3, 1, (n, 1))
    cols = {}
    for k, d in enumerate(DOMAINS):
        for item in INSTRUMENT.domain(d).item_ids:
            level = rng.binomial(3, severity[:, k]).astype(float)
            level[rng.uniform(size=n) < missing] = np.nan
            cols[item] = level
    interplay = rng.integers(0, 4, n).astype(float)
    interplay[rng.uniform(size=n) < 0.1] = np.nan
    cols["interplay"] = interplay
    return pd.DataFrame(cols)


def truth(weights, scale) -> ModelConfig:
    strengths = tuple(g * scale for g in DEFAULT_CONFIG.scoring.interplay_strengths)
    return ModelConfig.model_validate({"scoring": {"domain_weights": dict(zip(DOMAINS, map(float, weights))),
                                                   "interplay_strengths": strengths}})


def dataset(weights=TRUE_W, scale=TRUE_SCALE, *, therapists=30, per=20, noise=0.6, therapist_sd=0.3, seed=0):
    """Ratings, burden 0-10 (the model's complexity under ``weights`` and ``scale``, a
    linear map, a therapist effect and noise) and the therapist of each rating."""
    rng = np.random.default_rng(seed)
    n = therapists * per
    X = items(n, rng)
    groups = np.repeat([f"T{t:02d}" for t in range(therapists)], per)
    complexity = score_cases(X.assign(case_id=np.arange(n)), truth(weights, scale))["complexity"].to_numpy()
    effect = rng.normal(0, therapist_sd, therapists)[np.repeat(np.arange(therapists), per)]
    y = np.clip(INTERCEPT + SLOPE * complexity + effect + rng.normal(0, noise, n), 0, 10)
    return X, y, groups


@pytest.fixture(scope="module")
def data():
    return dataset(seed=1)


@pytest.fixture(scope="module")
def fitted(data):
    X, y, groups = data
    return ComplexityCalibrator().fit(X, y, groups)


# --- the model's own properties the calibration relies on --------------------------------


def test_the_score_does_not_change_when_every_weight_is_scaled():
    X = items(200, np.random.default_rng(2)).assign(case_id=np.arange(200))
    scaled = ModelConfig.model_validate({"scoring": {"domain_weights": {d: 3.7 for d in DOMAINS}}})
    np.testing.assert_allclose(score_cases(X, scaled)["complexity"], score_cases(X)["complexity"], rtol=1e-12)


# --- recovery -------------------------------------------------------------------------------


def test_recovers_known_weights_interaction_and_linear_map(fitted, data):
    X, y, _ = data
    assert fitted.domain_weights_.mean() == pytest.approx(1.0)
    np.testing.assert_allclose(fitted.domain_weights_, TRUE_W, atol=0.15)
    assert fitted.interaction_scale_ == pytest.approx(TRUE_SCALE, abs=0.6)
    assert fitted.intercept_ == pytest.approx(INTERCEPT, abs=0.3)
    assert fitted.slope_ == pytest.approx(SLOPE, abs=0.01)
    assert fitted.n_cases_ == len(y) and fitted.left_out_ == {"incomplete": 0, "no_burden": 0}
    assert fitted.score(X, y) > 0.75


def test_the_expert_weights_are_not_what_it_recovers(fitted):
    # The recovery above is not the starting point coming back: equal weights are far off.
    assert np.abs(fitted.domain_weights_ - 1.0).max() > 0.3


def test_several_starts_and_the_best_is_kept(fitted):
    assert len(fitted.start_losses_) == 5
    assert fitted.loss_ == pytest.approx(fitted.start_losses_.min())
    assert 0 < fitted.loss_ < 1


def test_learns_no_interaction_from_additive_data():
    X, y, groups = dataset(scale=0.0, seed=4)
    est = ComplexityCalibrator(n_starts=3).fit(X, y, groups)
    assert est.interaction_scale_ < 0.7  # true 0; the recovery with interaction lands near 2
    np.testing.assert_allclose(est.domain_weights_, TRUE_W, atol=0.2)


def test_additive_model_fixes_the_scale_at_zero(data):
    X, y, groups = data
    est = ComplexityCalibrator(interaction=False, n_starts=2).fit(X, y, groups)
    assert est.interaction_scale_ == 0.0 and est.interplay_strengths_ == (0.0, 0.0, 0.0, 0.0)
    assert "interaction_scale" not in est.parameters()
    assert est.n_parameters == 6


def test_fit_is_deterministic_given_random_state(data):
    X, y, groups = data
    a = ComplexityCalibrator(n_starts=3, random_state=7).fit(X, y, groups)
    b = ComplexityCalibrator(n_starts=3, random_state=7).fit(X, y, groups)
    c = ComplexityCalibrator(n_starts=3, random_state=8).fit(X, y, groups)
    np.testing.assert_array_equal(a.domain_weights_, b.domain_weights_)
    np.testing.assert_array_equal(a.start_losses_, b.start_losses_)
    assert a.interaction_scale_ == b.interaction_scale_ and a.intercept_ == b.intercept_
    assert not np.array_equal(a.start_losses_[1:], c.start_losses_[1:])  # other random starts
    assert a.start_losses_[0] == c.start_losses_[0]  # start 0 is the configuration's own weights


# --- burden, incomplete cases and input errors ------------------------------------------------


def test_rows_without_burden_and_incomplete_cases_are_left_out_and_counted(data):
    X, y, groups = data
    X, y = X.copy(), y.copy()
    X.loc[:9, list(INSTRUMENT.domain("content").item_ids) + list(INSTRUMENT.domain("emotions").item_ids)] = np.nan
    y[20:27] = np.nan
    est = ComplexityCalibrator(n_starts=1).fit(X, y, groups)
    assert est.left_out_ == {"incomplete": 10, "no_burden": 7}
    assert est.n_cases_ == len(y) - 17
    assert np.isnan(est.predict(X)[:10]).all() and not np.isnan(est.predict(X)[10:]).any()
    assert np.isfinite(est.score(X, y))


@pytest.mark.parametrize("bad", [11, -1, 10.5, np.inf])
def test_burden_outside_0_to_10_is_refused(data, bad):
    X, y, groups = data
    y = y.copy()
    y[3] = bad
    with pytest.raises(ValueError, match="burden must lie in 0-10"):
        ComplexityCalibrator().fit(X, y, groups)


def test_input_errors(data):
    X, y, groups = data
    with pytest.raises(TypeError, match="DataFrame"):
        ComplexityCalibrator().fit(X.to_numpy(), y)
    with pytest.raises(RatingsInputError):
        ComplexityCalibrator().fit(X.assign(burden=y), y)  # the burden is not an item
    with pytest.raises(ValueError, match="burden ratings for"):
        ComplexityCalibrator().fit(X, y[:-1])
    bad = groups.astype(object)
    bad[5] = None
    with pytest.raises(ValueError, match="therapist"):
        ComplexityCalibrator().fit(X, y, bad)
    with pytest.raises(ValueError, match="n_starts"):
        ComplexityCalibrator(n_starts=0).fit(X, y)
    with pytest.raises(ValueError, match="max_interaction_scale"):
        ComplexityCalibrator(max_interaction_scale=-1).fit(X, y)


# --- minimums ---------------------------------------------------------------------------------


def test_minimums_follow_the_number_of_parameters():
    assert ComplexityCalibrator().n_parameters == 7  # 4 free weights, the scale, intercept, slope
    assert ComplexityCalibrator(interaction=False).n_parameters == 6
    assert ComplexityCalibrator(patient_domains_only=True).n_parameters == 6
    assert ComplexityCalibrator(patient_domains_only=True, interaction=False).n_parameters == 5
    assert MIN_CASES_PER_PARAMETER * 7 == 140 and MIN_THERAPISTS == 5


def test_refuses_too_few_cases_naming_the_counts():
    X, y, groups = dataset(therapists=10, per=15, seed=5)  # 150 ratings
    X.loc[:19, list(INSTRUMENT.domain("content").item_ids) + list(INSTRUMENT.domain("cognitions").item_ids)] = np.nan
    y[140:] = np.nan
    with pytest.raises(TooLittleData) as err:
        ComplexityCalibrator().fit(X, y, groups)
    message = str(err.value)
    assert "at least 140 complete rated cases" in message and "at least 5 therapists" in message
    assert "got 120 cases from 9 therapists" in message  # the first therapist's ratings are all incomplete
    assert "20 incomplete" in message and "10 without a burden" in message
    assert isinstance(err.value, ValueError)
    assert (err.value.n_cases, err.value.n_therapists, err.value.min_cases) == (120, 9, 140)
    ComplexityCalibrator(interaction=False, n_starts=1).fit(X, y, groups)  # 120 are enough for 6 parameters
    with pytest.raises(TooLittleData, match="got 120 cases"):
        compare_models(X, y, groups, estimator=ComplexityCalibrator(interaction=False))  # it fits both


def test_refuses_too_few_therapists():
    X, y, groups = dataset(therapists=4, per=50, seed=6)
    with pytest.raises(TooLittleData, match="got 200 cases from 4 therapists"):
        ComplexityCalibrator().fit(X, y, groups)
    with pytest.raises(TooLittleData, match="from 4 therapists"):
        compare_models(X, y, groups)
    with pytest.raises(TooLittleData, match="from 4 therapists"):
        bootstrap_intervals(X, y, groups, n_boot=2)
    ComplexityCalibrator(n_starts=1).fit(X, y)  # without groups only the cases can be checked


# --- cross-validation by therapist ---------------------------------------------------------


@pytest.fixture(scope="module")
def cv_interaction():
    X, y, groups = dataset(scale=2.5, therapists=25, per=16, seed=7)
    X.loc[:4, list(INSTRUMENT.domain("behaviour").item_ids) + IMPACT_ITEMS] = np.nan  # 5 incomplete
    return compare_models(X, y, groups, estimator=ComplexityCalibrator(n_starts=2)), groups


@pytest.fixture(scope="module")
def cv_additive():
    X, y, groups = dataset(scale=0.0, therapists=25, per=16, seed=8)
    return compare_models(X, y, groups, estimator=ComplexityCalibrator(n_starts=2))


def test_group_k_fold_never_splits_a_therapist(cv_interaction):
    cv, groups = cv_interaction
    assert isinstance(cv, CrossValidation) and len(cv.splits) == 5
    tested = []
    for train, test in cv.splits:
        assert not set(groups[train]) & set(groups[test])
        tested += list(test)
    assert sorted(tested) == list(range(5, len(groups)))  # every usable rating tested once; rows 0-4 incomplete
    assert cv.n_cases == len(groups) - 5 and cv.left_out == {"incomplete": 5, "no_burden": 0}
    assert cv.n_therapists == 25


def test_the_three_models_are_scored_on_the_same_folds(cv_interaction):
    cv, _ = cv_interaction
    folds = cv.folds
    assert set(folds["model"]) == {"expert", "interaction", "additive"} and len(folds) == 15
    per_fold = folds.groupby("fold")[["n_train", "n_test", "therapists_test"]].nunique()
    assert (per_fold == 1).all().all()
    assert list(cv.summary.index) == ["expert", "interaction", "additive"]
    assert cv.summary.loc["interaction", "r2_mean"] == pytest.approx(
        folds.loc[folds["model"] == "interaction", "r2"].mean())
    assert (folds.loc[folds["model"] == "additive", "interaction_scale"] == 0).all()


def test_comparison_prefers_interaction_on_data_with_interaction(cv_interaction):
    cv, _ = cv_interaction
    s = cv.summary
    assert cv.preferred == "interaction"
    assert s.loc["interaction", "r2_mean"] > s.loc["additive", "r2_mean"]
    assert s.loc["interaction", "mae_mean"] < s.loc["additive", "mae_mean"]
    # The true weights are not the expert's: learning them beats the expert model.
    assert s.loc["interaction", "r2_mean"] > s.loc["expert", "r2_mean"] + 0.02


def test_comparison_prefers_additive_on_data_without_interaction(cv_additive):
    s = cv_additive.summary
    assert cv_additive.preferred == "additive"
    assert abs(s.loc["interaction", "r2_mean"] - s.loc["additive", "r2_mean"]) < 0.01


def test_compare_models_needs_groups_and_enough_therapists_for_the_folds(data):
    X, y, groups = data
    with pytest.raises(ValueError, match="groups"):
        compare_models(X, y, None)
    with pytest.raises(ValueError, match="n_splits=40"):
        compare_models(X, y, groups, n_splits=40)


# --- bootstrap ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def boot_many():
    X, y, groups = dataset(therapists=40, per=15, noise=0.4, seed=9)
    return bootstrap_intervals(X, y, groups, estimator=ComplexityCalibrator(n_starts=1), n_boot=40)


@pytest.fixture(scope="module")
def boot_few():
    X, y, groups = dataset(therapists=10, per=15, noise=0.4, seed=9)
    with pytest.warns(UserWarning, match="only 10 therapists"):
        return bootstrap_intervals(X, y, groups, estimator=ComplexityCalibrator(n_starts=1), n_boot=40)


def test_bootstrap_intervals_cover_every_learned_parameter_and_the_truth(boot_many):
    assert isinstance(boot_many, BootstrapResult)
    iv = boot_many.intervals
    weights = [f"weight_{d}" for d in DOMAINS]
    assert list(iv.index) == weights + ["interaction_scale", "intercept", "slope"]
    assert boot_many.draws.shape == (40, 8) and boot_many.n_therapists == 40
    assert (iv["low"] <= iv["estimate"]).all() and (iv["estimate"] <= iv["high"]).all()
    true = pd.Series(list(TRUE_W) + [TRUE_SCALE, INTERCEPT, SLOPE], index=iv.index)
    assert ((iv["low"] <= true) & (true <= iv["high"])).all(), iv.assign(true=true)
    width = iv["high"] - iv["low"]
    assert (width["interaction_scale"] > 3 * width[weights]).all()  # the least precise parameter


def test_bootstrap_intervals_are_wider_with_fewer_therapists(boot_many, boot_few):
    wide = boot_few.intervals["high"] - boot_few.intervals["low"]
    narrow = boot_many.intervals["high"] - boot_many.intervals["low"]
    assert (wide > narrow).all()
    assert (wide / narrow).mean() > 1.2


def test_bootstrap_resamples_whole_therapists(monkeypatch, data):
    X, y, groups = data
    seen = []
    original = ComplexityCalibrator._fit_data

    def spy(self, d, warm=None):
        if warm is not None:
            seen.append(d.groups)
        return original(self, d, warm)

    monkeypatch.setattr(ComplexityCalibrator, "_fit_data", spy)
    result = bootstrap_intervals(X, y, groups, estimator=ComplexityCalibrator(n_starts=1), n_boot=3)
    assert len(seen) == 3 and len(result.draws) == 3
    per_therapist = pd.Series(groups).value_counts()
    for drawn in seen:
        counts = pd.Series(drawn).value_counts()
        assert ((counts % per_therapist[counts.index]) == 0).all()  # all of a therapist's ratings, k times
        assert counts.sum() == len(drawn) and (counts // per_therapist[counts.index]).sum() == 30


def test_bootstrap_is_reproducible_and_checks_its_arguments(data):
    X, y, groups = data
    est = ComplexityCalibrator(n_starts=1)
    a = bootstrap_intervals(X, y, groups, estimator=est, n_boot=3, random_state=1)
    b = bootstrap_intervals(X, y, groups, estimator=est, n_boot=3, random_state=1)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    with pytest.raises(ValueError, match="level"):
        bootstrap_intervals(X, y, groups, level=95)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_intervals(X, y, groups, n_boot=1)
    with pytest.raises(ValueError, match="groups"):
        bootstrap_intervals(X, y, None)


# --- patient domains only -----------------------------------------------------------------


def test_patient_domains_only_ignores_the_therapist_impact_items(data):
    X, y, groups = data
    rng = np.random.default_rng(10)
    other = X.copy()
    redrawn = rng.integers(0, 4, (len(X), len(IMPACT_ITEMS))).astype(float)
    redrawn[rng.uniform(size=redrawn.shape) < 0.5] = np.nan
    other[IMPACT_ITEMS] = redrawn
    est = ComplexityCalibrator(patient_domains_only=True, n_starts=2)
    a, b = clone(est).fit(X, y, groups), clone(est).fit(other, y, groups)
    np.testing.assert_array_equal(a.domain_weights_, b.domain_weights_)
    assert (a.interaction_scale_, a.intercept_, a.slope_) == (b.interaction_scale_, b.intercept_, b.slope_)
    np.testing.assert_array_equal(a.predict(X), b.predict(other))
    assert a.domain_weights_[DOMAINS.index("therapist_impact")] == 0.0
    assert a.domain_weights_[:4].mean() == pytest.approx(1.0)
    assert "weight_therapist_impact" not in a.parameters() and len(a.parameters()) == 7  # 4 weights, 3 free
    full = ComplexityCalibrator(n_starts=2)
    assert clone(full).fit(X, y, groups).slope_ != clone(full).fit(other, y, groups).slope_  # they matter there


def test_patient_domains_only_cross_validation_ignores_the_therapist_impact_items_in_every_model():
    X, y, groups = dataset(therapists=10, per=13, seed=12)
    other = X.copy()
    other[IMPACT_ITEMS] = np.random.default_rng(13).integers(0, 4, (len(X), len(IMPACT_ITEMS)))
    est = ComplexityCalibrator(patient_domains_only=True, n_starts=1)
    a, b = compare_models(X, y, groups, estimator=est), compare_models(other, y, groups, estimator=est)
    pd.testing.assert_frame_equal(a.folds, b.folds)
    assert set(a.folds["model"]) == {"expert", "interaction", "additive"}


def test_patient_domains_only_needs_the_four_patient_domains(data):
    X, y, groups = data
    X = X.fillna(1)  # every item rated but for the ones blanked here
    X.loc[:9, IMPACT_ITEMS] = np.nan  # complete either way
    X.loc[10:19, list(INSTRUMENT.domain("emotions").item_ids)] = np.nan  # complete only with therapist_impact
    full = ComplexityCalibrator(n_starts=1).fit(X, y, groups)
    patient = ComplexityCalibrator(patient_domains_only=True, n_starts=1).fit(X, y, groups)
    assert full.left_out_["incomplete"] == 0
    assert patient.left_out_["incomplete"] == 10


# --- the ModelConfig hand-over --------------------------------------------------------------


def test_to_config_scores_like_the_fitted_estimator(fitted, data):
    X, y, _ = data
    config = fitted.to_config()
    assert isinstance(config, ModelConfig) and config.model_version != MODEL_VERSION
    weights = np.array([config.scoring.domain_weights[d] for d in DOMAINS])
    np.testing.assert_allclose(weights, fitted.domain_weights_)
    np.testing.assert_allclose(config.scoring.interplay_strengths,
                               np.array(DEFAULT_CONFIG.scoring.interplay_strengths) * fitted.interaction_scale_)
    assert config.load == DEFAULT_CONFIG.load and config.scoring.index_cutoffs == DEFAULT_CONFIG.scoring.index_cutoffs
    X = X.copy()
    X.loc[:4, list(INSTRUMENT.domain("content").item_ids) + IMPACT_ITEMS] = np.nan  # incomplete
    scored = score_cases(X.assign(case_id=np.arange(len(X))), config)["complexity"].to_numpy()
    np.testing.assert_allclose(scored, fitted.predict_complexity(X), atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(fitted.predict(X), fitted.intercept_ + fitted.slope_ * scored, equal_nan=True)
    moved = anchors(config=config)  # other weights move the anchor cases the cut-offs were read from
    assert moved.two_domains_full < moved.uniform_2 and anchors().two_domains_full > anchors().uniform_2


def test_to_config_with_patient_domains_only_keeps_the_base_therapist_impact_weight(data):
    X, y, groups = data
    est = ComplexityCalibrator(patient_domains_only=True, n_starts=1).fit(X, y, groups)
    config = est.to_config()
    assert config.scoring.domain_weights["therapist_impact"] == 1.0
    np.testing.assert_allclose([config.scoring.domain_weights[d] for d in DOMAINS[:4]], est.domain_weights_[:4])


def test_to_config_refuses_a_config_with_other_scoring_settings(fitted):
    other = ModelConfig.model_validate({"scoring": {"level_exponent": 3.0}})
    with pytest.raises(ValueError, match="scoring settings"):
        fitted.to_config(other)
    kept = fitted.to_config(ModelConfig.model_validate({"load": {"starter_capacity_factor": 0.8}}))
    assert kept.load.starter_capacity_factor == 0.8


# --- scikit-learn conventions -------------------------------------------------------------


def test_sklearn_conventions(fitted):
    params = {"config": None, "interaction": False, "patient_domains_only": True, "max_interaction_scale": 2.0,
              "n_starts": 3, "max_iter": 50, "random_state": 4}
    est = ComplexityCalibrator(**params)
    assert est.get_params() == params
    copy = clone(est)
    assert copy.get_params() == params and copy is not est
    assert clone(fitted).get_params() == fitted.get_params() and not hasattr(clone(fitted), "domain_weights_")
    assert est.set_params(n_starts=2).n_starts == 2
    assert is_regressor(est)
    with pytest.raises(NotFittedError):
        ComplexityCalibrator().predict(pd.DataFrame({"emo_distress": [1]}))
    config = ModelConfig.model_validate({"scoring": {"level_exponent": 3.0}})
    assert clone(ComplexityCalibrator(config=config)).config == config


# --- the researcher's guide ---------------------------------------------------------------


def test_the_example_in_the_guide_runs():
    code = re.search(r"```python\n(.*?)```", DOCS.read_text("utf-8"), re.S).group(1)
    X, y, groups = dataset(therapists=20, per=8, seed=11)
    table = X.assign(burden=y, therapist=groups)
    assert "n_boot=200" in code
    namespace = {"table": table}
    exec(code.replace("n_boot=200", "n_boot=3"), namespace)
    assert isinstance(namespace["proposal"], ModelConfig)
    assert namespace["cv"].preferred in ("interaction", "additive")

"""complexity.profiles against known answers: well-separated simulated profiles (the number
of groups and who belongs to which are known), data without groups, and refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from complexity.profiles import case_profiles
from complexity.psychometrics import MIN_CASES, PsychometricsError

DOMAINS = ["content", "cognitions", "emotions", "behaviour", "therapist_impact"]
# Four profiles (domain means 0-3): light; heavy case content only; heavy on the patient's
# cognitions, emotions and behaviour; heavy everywhere. Listed lightest first.
CENTRES = np.array([[0.3, 0.3, 0.3, 0.3, 0.3], [2.5, 0.5, 0.5, 0.5, 1.0], [0.5, 2.5, 2.5, 2.0, 1.0],
                    [2.5, 2.5, 2.5, 2.5, 2.5]])
K = range(2, 7)  # the default range goes to 8 and 10 starts: less keeps the tests quick
FAST = {"n_init": 3}


@pytest.fixture(autouse=True)
def one_thread():
    """KMeans's OpenMP threads are many times slower on a machine busier than its cores
    (as while the whole suite runs); one thread gives the same clusters."""
    with threadpool_limits(1):
        yield


def simulated(n: int = 400, spread: float = 0.2, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, len(CENTRES), n)
    scores = np.clip(CENTRES[truth] + spread * rng.standard_normal((n, 5)), 0, 3)
    return pd.DataFrame(scores, columns=DOMAINS, index=[f"case{i}" for i in range(n)]), truth


def test_well_separated_profiles_are_recovered():
    scores, truth = simulated(240)
    result = case_profiles(scores)  # the defaults: k from 2 to 8, 10 starts
    assert result.k == 4 and result.criterion.idxmax() == 4
    assert list(result.criterion.index) == list(range(2, 9))
    assert adjusted_rand_score(truth, result.labels) == 1.0
    assert result.strength == "strong" and result.criterion[4] > 0.7
    # Clusters numbered by their mean level: cluster j is centre j - 1 here, its mean close to the centre.
    assert (result.labels.to_numpy() == truth + 1).all()
    assert result.profiles[DOMAINS].to_numpy() == pytest.approx(CENTRES, abs=0.06)
    assert result.profiles["n_cases"].tolist() == np.bincount(truth).tolist()
    assert result.labels.index.equals(scores.index) and (result.n_cases, result.n_dropped) == (240, 0)


def test_bands_against_clusters():
    scores, truth = simulated(seed=1)
    band_names = ["uncomplicated", "mildly", "moderately", "severely"]
    # Bands that follow the profiles, except "mildly" and "moderately" swapped for the middle two.
    bands = pd.Series(pd.Categorical(np.array(band_names)[[0, 2, 1, 3]][truth], categories=band_names + ["unused"]),
                      index=scores.index)
    result = case_profiles(scores, K, **FAST, bands=bands)
    assert list(result.bands.index) == band_names + ["unused"]  # every band, in order, also an empty one
    assert result.bands.loc["moderately", 2] == (truth == 1).sum()
    assert result.bands.loc["mildly", 3] == (truth == 2).sum()
    assert result.bands.to_numpy().sum() == 400 and result.bands.loc["unused"].sum() == 0
    assert result.cramers_v == pytest.approx(1.0)
    unrelated = pd.Series(np.random.default_rng(2).choice(band_names, 400), index=scores.index)
    assert case_profiles(scores, K, **FAST, bands=unrelated).cramers_v < 0.2


def test_data_without_groups_is_read_as_no_structure():
    rng = np.random.default_rng(3)
    result = case_profiles(pd.DataFrame(rng.uniform(0, 3, (300, 5)), columns=DOMAINS), K, **FAST)
    assert result.strength in ("none", "weak") and result.criterion.max() < 0.35


def test_deterministic_and_incomplete_cases_are_left_out():
    scores, truth = simulated(seed=4)
    scores.iloc[:10, 2] = np.nan
    first, second = (case_profiles(scores, K, **FAST, random_state=5) for _ in range(2))
    assert first.labels.equals(second.labels) and first.criterion.equals(second.criterion)
    assert (first.n_cases, first.n_dropped) == (390, 10) and first.labels.index.equals(scores.index[10:])
    assert adjusted_rand_score(truth[10:], first.labels) == 1.0


def test_large_samples_choose_k_on_a_sample_and_cluster_every_case():
    scores, truth = simulated(n=1500, seed=6)
    result = case_profiles(scores, k_range=range(2, 6), sample_size=300, **FAST)
    assert result.k == 4 and len(result.labels) == 1500
    assert adjusted_rand_score(truth, result.labels) == 1.0


def test_standardize_changes_the_scale_not_these_groups():
    scores, truth = simulated(seed=7)
    result = case_profiles(scores, k_range=[3, 4, 5], standardize=True, **FAST)
    assert result.k == 4 and adjusted_rand_score(truth, result.labels) == 1.0
    assert result.profiles[DOMAINS].max().max() > 2  # profiles stay in domain units, not z-scores


def test_refusals():
    scores, _ = simulated(n=40)
    with pytest.raises(PsychometricsError, match="too_few_cases") as error:
        case_profiles(scores.head(MIN_CASES - 1), K, **FAST)
    assert isinstance(error.value, ValueError) and error.value.code == "too_few_cases"
    with pytest.raises(PsychometricsError, match="too_few_cases"):
        case_profiles(scores.head(12), k_range=range(2, 13), **FAST)  # 12 clusters from 12 cases
    with pytest.raises(PsychometricsError, match="too_few_cases"):
        case_profiles(pd.DataFrame(np.ones((20, 5)), columns=DOMAINS), K, **FAST)
    with pytest.raises(ValueError, match="k_range"):
        case_profiles(scores, k_range=[1, 2])
    duplicated = pd.concat([scores.head(3)] * 5)  # 3 distinct profiles: k above 3 cannot be fitted
    result = case_profiles(duplicated.reset_index(drop=True), k_range=range(2, 6), **FAST)
    assert result.criterion[[4, 5]].isna().all() and result.k in (2, 3)

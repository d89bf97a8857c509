"""complexity.structure against known answers: simulated items with a known five-factor
simple structure (loadings, communalities and factor correlations known in closed form),
a hand-built loadings table for the domain matching, and scikit-learn's own fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import FactorAnalysis

from complexity.psychometrics import MIN_CASES, PsychometricsError
from complexity.structure import domain_correlations, domain_recovery, efa, parallel_analysis

DOMAINS = ["content", "cognitions", "emotions", "behaviour", "therapist_impact"]


def simple_structure(n: int, per_domain: int = 5, loading: float = 0.7, phi: float = 0.0, seed: int = 0,
                     levels: bool = False) -> tuple[pd.DataFrame, dict[str, str]]:
    """Items ``loading * f_d + e`` (unit variance), ``per_domain`` per domain, the five factors
    correlating ``phi``; with ``levels`` cut to 0-3 as ratings are."""
    rng = np.random.default_rng(seed)
    cov = np.full((5, 5), phi) + (1 - phi) * np.eye(5)
    factors = rng.multivariate_normal(np.zeros(5), cov, size=n)
    columns, item_domain = {}, {}
    for d, domain in enumerate(DOMAINS):
        for j in range(per_domain):
            x = loading * factors[:, d] + np.sqrt(1 - loading**2) * rng.standard_normal(n)
            name = f"{domain}_{j}"
            columns[name], item_domain[name] = (np.digitize(x, [-0.3, 0.6, 1.3]) if levels else x), domain
    return pd.DataFrame(columns), item_domain


def test_efa_recovers_a_known_five_factor_simple_structure():
    items, item_domain = simple_structure(3000)
    solution = efa(items, 5)
    assert solution.converged and not solution.heywood and solution.n_cases == 3000
    recovery = domain_recovery(solution.loadings, item_domain)
    assert recovery.share_recovered == 1.0
    assert sorted(recovery.domains["factor"]) == ["F1", "F2", "F3", "F4", "F5"]  # one factor per domain
    assert (recovery.domains["factor"] == recovery.domains["modal_factor"]).all()
    # Population: 0.7 on the domain's factor, 0 elsewhere; communality 0.49.
    for item, domain in item_domain.items():
        factor = recovery.domains.loc[domain, "factor"]
        assert solution.loadings.loc[item, factor] == pytest.approx(0.7, abs=0.06)
        assert solution.loadings.loc[item].drop(factor).abs().max() < 0.08
    assert solution.communalities.to_numpy() == pytest.approx(0.49, abs=0.06)
    assert (solution.communalities + solution.uniquenesses).to_numpy() == pytest.approx(1, abs=1e-4)
    assert not recovery.items["cross_loading"].any() and recovery.unmatched_factors == ()


def test_scree_eigenvalues_and_parallel_analysis_point_to_five_factors():
    items, _ = simple_structure(1000, seed=1)
    eigenvalues = efa(items, 5).eigenvalues
    assert eigenvalues.sum() == pytest.approx(25)  # the trace of a 25-item correlation matrix
    assert eigenvalues.is_monotonic_decreasing and list(eigenvalues.index[:2]) == [1, 2]
    # Population: 1 + 4 * 0.49 = 2.96 for the five factors, 0.51 for the rest.
    assert eigenvalues.iloc[:5].min() > 2.5 and eigenvalues.iloc[5:].max() < 0.7
    table, suggested = parallel_analysis(items, n_draws=100)
    assert suggested == 5
    assert (table["random"].iloc[:3] > 1).all()  # random data's leading eigenvalues exceed 1: Kaiser's rule over-counts


def test_efa_on_ratings_cut_to_levels_still_recovers_the_domains():
    items, item_domain = simple_structure(600, seed=4, levels=True)
    assert set(np.unique(items)) == {0, 1, 2, 3}
    assert domain_recovery(efa(items, 5).loadings, item_domain).share_recovered == 1.0


def test_promax_estimates_the_factor_correlations_that_varimax_cannot():
    items, item_domain = simple_structure(4000, phi=0.5, seed=3)
    promax, varimax = efa(items, 5, rotation="promax"), efa(items, 5, rotation="varimax")
    off_diagonal = promax.factor_correlations.to_numpy()[~np.eye(5, dtype=bool)]
    assert off_diagonal == pytest.approx(0.5, abs=0.08)
    assert np.array_equal(varimax.factor_correlations.to_numpy(), np.eye(5))
    # Promax's pattern loadings are the simple structure (0.7 and 0); varimax smears the factor
    # correlation over cross-loadings (about 0.14 here) and lowers the own loadings.
    cross, own = {}, {}
    for name, solution in (("promax", promax), ("varimax", varimax)):
        recovery = domain_recovery(solution.loadings, item_domain)
        assert recovery.share_recovered == 1.0
        own[name] = recovery.items["loading_on_domain_factor"].to_numpy()
        cross[name] = np.mean([solution.loadings.loc[i].drop(f).abs().mean()
                               for i, f in recovery.items["domain_factor"].items()])
    assert own["promax"] == pytest.approx(0.7, abs=0.06) and cross["promax"] < 0.05
    assert cross["varimax"] > 0.1 and own["varimax"].mean() < own["promax"].mean() - 0.03
    assert promax.communalities.to_numpy() == pytest.approx(varimax.communalities.to_numpy())


def test_efa_matches_scikit_learn_on_the_standardised_items():
    items, _ = simple_structure(800, seed=6)
    items.iloc[:25, 3] = np.nan  # listwise deletion
    solution = efa(items, 5)
    complete = items.dropna()
    z = (complete - complete.mean()) / complete.std(ddof=0)
    reference = FactorAnalysis(5, rotation="varimax", tol=1e-8 * len(z), max_iter=10_000, svd_method="lapack").fit(z)
    assert solution.uniquenesses.to_numpy() == pytest.approx(reference.noise_variance_, abs=1e-4)
    # Same loadings up to the order and sign of the factors.
    theirs = reference.components_.T
    for column in solution.loadings:
        ours = solution.loadings[column].to_numpy()
        assert min(np.abs(np.abs(ours @ theirs) / (ours @ ours) - 1)) < 1e-3
    assert (solution.n_cases, solution.n_dropped) == (775, 25)


def test_factors_are_ordered_by_variance_and_signed_positive():
    items, item_domain = simple_structure(2000, seed=8)
    strong = [i for i in items if i.startswith("emotions")]
    items[strong] = items[strong] * 0.3 + items[strong].mean(axis=1).to_numpy()[:, None] * 3  # a dominant domain
    items[[i for i in items if i.startswith("behaviour")]] *= -1  # reversed items: the factor is flipped back
    solution = efa(items, 5)
    assert solution.variance_explained.is_monotonic_decreasing
    assert domain_recovery(solution.loadings, item_domain).domains.loc["emotions", "factor"] == "F1"
    assert (solution.loadings.sum() > 0).all()


def test_domain_matching_is_one_to_one_where_the_modal_factor_is_not():
    # content: 3 items on F1. cognitions: 2 on F1, 1 on F2. Modal factors both F1; matched F1 and F2.
    loadings = pd.DataFrame({"F1": [0.8, 0.7, 0.6, 0.5, 0.6, 0.1], "F2": [0.1, 0.0, 0.2, 0.2, 0.35, 0.6]},
                            index=["c1", "c2", "c3", "g1", "g2", "g3"])
    item_domain = {"c1": "content", "c2": "content", "c3": "content", "g1": "cognitions", "g2": "cognitions",
                   "g3": "cognitions", "other": "emotions"}
    recovery = domain_recovery(loadings, item_domain)
    assert recovery.domains["modal_factor"].to_dict() == {"content": "F1", "cognitions": "F1"}
    assert recovery.domains["factor"].to_dict() == {"content": "F1", "cognitions": "F2"}
    assert recovery.share_recovered == pytest.approx(4 / 6)
    assert recovery.domains.loc["cognitions", "share_on_factor"] == pytest.approx(1 / 3)
    assert recovery.domains.loc["cognitions", "mean_loading"] == pytest.approx((0.2 + 0.35 + 0.6) / 3)
    assert recovery.items.loc["g2", "cross_loading"] and not recovery.items.loc["g1", "cross_loading"]
    assert list(recovery.items.index[~recovery.items["recovered"]]) == ["g1", "g2"]


def test_an_item_written_for_the_wrong_domain_is_found():
    items, item_domain = simple_structure(1500, seed=2)
    item_domain["emotions_0"] = "behaviour"  # the rater's manual puts it under behaviour; the data disagree
    recovery = domain_recovery(efa(items, 5).loadings, item_domain)
    assert recovery.share_recovered == pytest.approx(24 / 25)
    assert list(recovery.items.index[~recovery.items["recovered"]]) == ["emotions_0"]
    assert recovery.items.loc["emotions_0", "primary_factor"] == recovery.domains.loc["emotions", "factor"]


def test_more_domains_than_factors_leaves_a_domain_unmatched():
    items, item_domain = simple_structure(1000, seed=5)
    recovery = domain_recovery(efa(items, 4).loadings, item_domain)
    assert recovery.domains["factor"].isna().sum() == 1 and recovery.unmatched_factors == ()
    assert recovery.share_recovered == pytest.approx(20 / 25)


def test_efa_refuses_too_few_cases_items_or_too_many_factors_and_lists_constant_items():
    items, _ = simple_structure(300, per_domain=2)
    with pytest.raises(PsychometricsError, match="too_few_cases") as error:
        efa(items.head(MIN_CASES - 1), 2)
    assert isinstance(error.value, ValueError)
    with pytest.raises(PsychometricsError, match="singular_correlations"):
        efa(items.head(MIN_CASES), 2)  # 10 cases, 10 items
    with pytest.raises(PsychometricsError, match="too_many_factors"):
        efa(items, 10)
    with pytest.raises(PsychometricsError, match="too_few_items"):
        efa(items.iloc[:, :1].assign(constant=1.0), 1)
    solution = efa(items.assign(constant=2.0), 2)
    assert solution.constant_items == ("constant",) and "constant" not in solution.loadings.index
    with pytest.raises(ValueError, match="rotation"):
        efa(items, 2, rotation="oblimin")


def test_domain_correlations_on_complete_cases():
    scores = pd.DataFrame({"a": np.arange(12.0), "b": np.arange(12.0) ** 2, "c": -np.arange(12.0)})
    scores.loc[0, "b"] = np.nan  # left out: then a and c are perfectly negatively correlated on 11 cases
    pearson = domain_correlations(scores)
    assert pearson.loc["a", "c"] == pytest.approx(-1) and 0.9 < pearson.loc["a", "b"] < 1
    assert domain_correlations(scores, "spearman").loc["a", "b"] == pytest.approx(1)
    with pytest.raises(PsychometricsError, match="too_few_cases"):
        domain_correlations(scores.head(MIN_CASES))

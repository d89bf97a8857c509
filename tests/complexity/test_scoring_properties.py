"""Properties the complexity score must hold, checked over thousands of generated cases.

Most properties draw a *batch* of cases per Hypothesis example (a matrix of item levels,
NaN = not rated) and check every case in it, so a few hundred examples cover tens of
thousands of cases in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from complexity import DEFAULT_CONFIG, INSTRUMENT, ModelConfig, score_case, score_cases
from complexity.scoring import DOMAINS, score_arrays

SCORED = INSTRUMENT.scored_item_ids
N_ITEMS = len(SCORED)
DOMAIN_ITEMS = {d.id: d.item_ids for d in INSTRUMENT.domains}
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

level = st.integers(min_value=0, max_value=3)
maybe_level = st.one_of(st.none(), level)
any_case = st.fixed_dictionaries({i: maybe_level for i in SCORED})
full_case = st.fixed_dictionaries({i: level for i in SCORED})


def batches(allow_missing: bool = True, max_cases: int = 64):
    """Matrices of item levels (n, 29): at least 300 x ~32 = ~10,000 cases per test."""
    values = [np.nan, 0.0, 1.0, 2.0, 3.0] if allow_missing else [0.0, 1.0, 2.0, 3.0]
    return st.integers(1, max_cases).flatmap(
        lambda n: arrays(np.float64, (n, N_ITEMS), elements=st.sampled_from(values))
    )


def matrix(case: dict) -> np.ndarray:
    return np.array([[np.nan if case.get(i) is None else case[i] for i in SCORED]], dtype=float)


def complexity_of(case: dict, config: ModelConfig = DEFAULT_CONFIG) -> float:
    return float(score_arrays(matrix(case), config).complexity[0])


def complexities(points_rows: list[dict[str, int]]) -> np.ndarray:
    return score_arrays(np.vstack([matrix(_with_points(p)) for p in points_rows])).complexity


@MANY
@given(batches())
def test_complexity_is_bounded_or_incomplete(X):
    a = score_arrays(X)
    assert np.all((a.complexity[a.complete] >= 0.0) & (a.complexity[a.complete] <= 100.0))
    assert np.all(np.isnan(a.complexity[~a.complete]))


def test_all_zero_scores_zero_and_all_three_scores_hundred():
    assert score_case({i: 0 for i in SCORED}).complexity == pytest.approx(0.0, abs=1e-12)
    assert score_case({i: 3 for i in SCORED}).complexity == pytest.approx(100.0, abs=1e-9)


@MANY
@given(batches(), st.integers(0, N_ITEMS - 1), st.integers(1, 3))
def test_raising_an_item_never_lowers_complexity(X, item, step):
    raisable = ~np.isnan(X[:, item]) & (X[:, item] + step <= 3)
    raised = X.copy()
    raised[raisable, item] += step
    before, after = score_arrays(X).complexity, score_arrays(raised).complexity
    ok = np.isnan(before) | (after >= before - 1e-9)
    assert ok.all()


@MANY
@given(batches(allow_missing=False), st.integers(0, N_ITEMS - 1))
def test_raising_a_fully_rated_case_strictly_raises_it(X, item):
    raisable = X[:, item] < 3
    raised = X.copy()
    raised[raisable, item] += 1
    before, after = score_arrays(X).complexity, score_arrays(raised).complexity
    assert np.all(after[raisable] > before[raisable])
    assert np.all(after[~raisable] == before[~raisable])


def _with_points(points: dict[str, int]) -> dict:
    """A fully rated case with the given item-point total in each domain, packed into
    as few items as possible (3, 3, ..., rest)."""
    case = {i: 0 for i in SCORED}
    for domain, total in points.items():
        for item in DOMAIN_ITEMS[domain]:
            case[item] = min(3, total)
            total -= case[item]
        assert total == 0
    return case


capacity = {d: 3 * len(items) for d, items in DOMAIN_ITEMS.items()}


@MANY
@given(st.data())
def test_equal_item_total_spread_over_more_domains_scores_higher(data):
    """One domain holding a total vs the same total spread over two or more domains."""
    target = data.draw(st.sampled_from(DOMAINS))
    total = data.draw(st.integers(2, capacity[target]))
    others = data.draw(st.lists(st.sampled_from([d for d in DOMAINS if d != target]),
                                min_size=1, max_size=4, unique=True))
    # Move at least one point to each other domain, keeping the total.
    moved = data.draw(st.lists(st.integers(1, 3), min_size=len(others), max_size=len(others)))
    assume(sum(moved) < total)
    spread = {target: total - sum(moved), **dict(zip(others, moved))}
    assert complexity_of(_with_points(spread)) > complexity_of(_with_points({target: total}))


@MANY
@given(st.data())
def test_moving_a_point_to_a_less_burdened_domain_raises_complexity(data):
    """Schur-concavity in the domains' point totals: a transfer from a domain with more
    points to one with at least two fewer raises the score (same item total)."""
    points = {d: data.draw(st.integers(0, capacity[d]), label=d) for d in DOMAINS}
    src, dst = data.draw(st.permutations(DOMAINS))[:2]
    assume(points[src] >= points[dst] + 2 and points[dst] < capacity[dst])
    after = {**points, src: points[src] - 1, dst: points[dst] + 1}
    assert complexity_of(_with_points(after)) > complexity_of(_with_points(points))


@MANY
@given(batches())
def test_explanation_adds_up_to_complexity_in_batches(X):
    a = score_arrays(X)
    c = a.complete
    total = a.contributions[c].sum(axis=1) + a.interaction[c]
    assert np.allclose(total, a.complexity[c], atol=1e-9)
    assert np.all(a.contributions[c] >= 0) and np.all(a.interaction[c] >= 0)


@SOME
@given(any_case)
def test_explanation_adds_up_to_complexity(case):
    s = score_case(case)
    if not s.complete:
        assert s.complexity is None and s.band == "incomplete"
        return
    total = sum(s.contributions.values()) + s.interaction
    assert total == pytest.approx(s.complexity, abs=1e-9)
    assert sum(s.pair_contributions.values()) == pytest.approx(s.interaction, abs=1e-9)
    assert all(v >= 0 for v in s.contributions.values())


@MANY
@given(batches(), st.data())
def test_safety_and_meaning_never_change_complexity(X, data):
    n = len(X)
    extras = data.draw(arrays(np.float64, (n, 2), elements=st.sampled_from([np.nan, 0.0, 1.0, 2.0, 3.0])))
    plain = pd.DataFrame(X, columns=SCORED).assign(case_id=[f"c{i}" for i in range(n)])
    with_extras = plain.assign(safety_concern=extras[:, 0], case_meaning=extras[:, 1])
    a, b = score_cases(plain), score_cases(with_extras)
    pd.testing.assert_series_equal(a["complexity"], b["complexity"])
    pd.testing.assert_series_equal(a["band"], b["band"])
    consult = b["flags"].str.contains("consult_now").to_numpy()
    assert np.array_equal(consult, np.nan_to_num(extras[:, 0], nan=-1) >= 2)


@MANY
@given(batches(), st.integers(0, 2**32 - 1))
def test_too_few_rated_domains_is_incomplete_not_low(X, seed):
    needed = DEFAULT_CONFIG.scoring.min_rated_domains
    rng = np.random.default_rng(seed)
    X = X.copy()
    for row in range(len(X)):
        n_unrated = rng.integers(len(DOMAINS) - needed + 1, len(DOMAINS) + 1)
        for d in rng.choice(DOMAINS, size=n_unrated, replace=False):
            X[row, [SCORED.index(i) for i in DOMAIN_ITEMS[d]]] = np.nan
    out = score_cases(pd.DataFrame(X, columns=SCORED).assign(case_id=[f"c{i}" for i in range(len(X))]))
    assert out["complexity"].isna().all()
    assert (out["band"] == "incomplete").all()
    assert out["flags"].str.contains("incomplete").all()
    assert (out["rated_domains"] < needed).all()


@SOME
@given(st.lists(any_case, min_size=1, max_size=50))
def test_batch_scoring_matches_single_case_scoring(cases):
    df = pd.DataFrame([{"case_id": f"c{i}", **c} for i, c in enumerate(cases)])
    df = df.astype({i: "float64" for i in SCORED})
    out = score_cases(df)
    for i, case in enumerate(cases):
        single = score_case(case)
        got = out["complexity"].iloc[i]
        if single.complexity is None:
            assert np.isnan(got)
        else:
            assert got == pytest.approx(single.complexity, abs=1e-9)
        assert out["band"].iloc[i] == single.band
        assert set(filter(None, out["flags"].iloc[i].split("|"))) == {f.code for f in single.flags}


@SOME
@given(full_case, st.floats(0.0, 0.95))
def test_bounds_and_explanation_hold_under_any_interaction_strength(case, gamma):
    config = ModelConfig.model_validate({"scoring": {"interaction_strength": gamma}})
    s = score_case(case, config)
    assert 0.0 <= s.complexity <= 100.0
    assert sum(s.contributions.values()) + s.interaction == pytest.approx(s.complexity, abs=1e-9)

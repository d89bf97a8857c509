"""Properties model 2.0 must hold (``docs/model.md`` states each), checked over thousands
of generated cases.

Most properties draw a *batch* of cases per Hypothesis example (a matrix of item levels,
NaN = not rated, and an interplay level per case) and check every case in it, so a few
hundred examples cover tens of thousands of cases in seconds.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from complexity import DEFAULT_CONFIG, INSTRUMENT, ModelConfig, score_case, score_cases
from complexity.anchors import INTERMED_SHARE, anchors, derived_cutoffs
from complexity.scoring import DOMAINS, band_codes, score_arrays

SCORED = INSTRUMENT.scored_item_ids
N_ITEMS = len(SCORED)
DOMAIN_ITEMS = {d.id: d.item_ids for d in INSTRUMENT.domains}
COLUMN = {item: SCORED.index(item) for item in SCORED}
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Tests that draw one case (or pair) per example run this many, so that they too see thousands.
THOUSANDS = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BANDS = ("uncomplicated", "mild", "moderate", "severe")
PLAY = (np.nan, 0.0, 1.0, 2.0, 3.0)

level = st.integers(min_value=0, max_value=3)
maybe_level = st.one_of(st.none(), level)
any_case = st.fixed_dictionaries({i: maybe_level for i in (*SCORED, "interplay")})
full_case = st.fixed_dictionaries({i: level for i in (*SCORED, "interplay")})


def batches(allow_missing: bool = True, max_cases: int = 64):
    """(items (n, 33), interplay (n,)): at least 300 x ~32 = ~10,000 cases per test."""
    values = [np.nan, 0.0, 1.0, 2.0, 3.0] if allow_missing else [0.0, 1.0, 2.0, 3.0]
    return st.integers(1, max_cases).flatmap(lambda n: st.tuples(
        arrays(np.float64, (n, N_ITEMS), elements=st.sampled_from(values)),
        arrays(np.float64, (n,), elements=st.sampled_from(PLAY if allow_missing else PLAY[1:])),
    ))


def score(X: np.ndarray, play: np.ndarray | None = None, config: ModelConfig = DEFAULT_CONFIG):
    return score_arrays(X, config, play)


def band(complexity: np.ndarray) -> np.ndarray:
    return band_codes(np.asarray(complexity, dtype=float))


def row(levels: dict[str, float], default: float = 0.0) -> np.ndarray:
    out = np.full(N_ITEMS, default)
    for item, value in levels.items():
        out[COLUMN[item]] = value
    return out


# --- what model 1.0 promised and 2.0 keeps ------------------------------------------------

@MANY
@given(batches())
def test_complexity_is_bounded_or_incomplete_and_the_range_holds_it(data):
    X, play = data
    a = score(X, play)
    c = a.complete
    assert np.all((a.complexity[c] >= 0.0) & (a.complexity[c] <= 100.0))
    assert np.all(np.isnan(a.complexity[~c]))
    assert np.all((a.low >= 0.0) & (a.low <= a.high + 1e-9) & (a.high <= 100.0))
    assert np.all((a.low[c] <= a.complexity[c] + 1e-9) & (a.complexity[c] <= a.high[c] + 1e-9))


@pytest.mark.parametrize("play", [None, 0, 1, 2, 3])
def test_all_zero_scores_zero_and_all_three_scores_hundred(play):
    extra = {} if play is None else {"interplay": play}
    assert score_case({**{i: 0 for i in SCORED}, **extra}).complexity == pytest.approx(0.0, abs=1e-12)
    assert score_case({**{i: 3 for i in SCORED}, **extra}).complexity == pytest.approx(100.0, abs=1e-9)


@MANY
@given(batches(), st.integers(0, N_ITEMS - 1), st.integers(1, 3))
def test_raising_an_item_never_lowers_complexity_or_its_range(data, item, step):
    X, play = data
    raisable = ~np.isnan(X[:, item]) & (X[:, item] + step <= 3)
    raised = X.copy()
    raised[raisable, item] += step
    before, after = score(X, play), score(raised, play)
    ok = np.isnan(before.complexity) | (after.complexity >= before.complexity - 1e-9)
    assert ok.all()
    assert np.all(after.low >= before.low - 1e-9) and np.all(after.high >= before.high - 1e-9)


@MANY
@given(batches(allow_missing=False), st.integers(0, N_ITEMS - 1))
def test_raising_a_fully_rated_case_strictly_raises_it(data, item):
    X, play = data
    raisable = X[:, item] < 3
    raised = X.copy()
    raised[raisable, item] += 1
    before, after = score(X, play).complexity, score(raised, play).complexity
    assert np.all(after[raisable] > before[raisable])
    assert np.all(after[~raisable] == before[~raisable])


@MANY
@given(batches())
def test_explanation_adds_up_to_complexity_in_batches(data):
    X, play = data
    a = score(X, play)
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
    assert sum(s.contributions.values()) + s.interaction == pytest.approx(s.complexity, abs=1e-9)
    assert sum(s.pair_contributions.values()) == pytest.approx(s.interaction, abs=1e-9)
    assert all(v >= 0 for v in s.contributions.values())


@MANY
@given(batches(), st.data())
def test_safety_and_meaning_never_change_the_score(data, draw):
    X, play = data
    n = len(X)
    extras = draw.draw(arrays(np.float64, (n, 2), elements=st.sampled_from([np.nan, 0.0, 1.0, 2.0, 3.0])))
    plain = pd.DataFrame(X, columns=SCORED).assign(case_id=[f"c{i}" for i in range(n)], interplay=play)
    with_extras = plain.assign(safety_concern=extras[:, 0], case_meaning=extras[:, 1])
    a, b = score_cases(plain), score_cases(with_extras)
    for column in ("complexity", "band", "complexity_low", "complexity_high"):
        pd.testing.assert_series_equal(a[column], b[column])
    consult = b["flags"].str.contains("consult_now").to_numpy()
    assert np.array_equal(consult, np.nan_to_num(extras[:, 0], nan=-1) >= 2)


@THOUSANDS
@given(st.data())
def test_the_same_items_spread_over_more_domains_score_higher(data):
    """Items moved, each keeping its level, from one domain into domains that had
    nothing raised: the case scores higher, whatever the interplay."""
    target = data.draw(st.sampled_from(DOMAINS))
    items = DOMAIN_ITEMS[target]
    levels = data.draw(st.lists(st.integers(1, 3), min_size=2, max_size=len(items)))
    concentrated = row(dict(zip(items, levels)))
    others = data.draw(st.lists(st.sampled_from([d for d in DOMAINS if d != target]),
                                min_size=1, max_size=len(levels) - 1, unique=True))
    spread = row(dict(zip(items, levels[len(others):])))
    for domain, value in zip(others, levels):
        spread[COLUMN[DOMAIN_ITEMS[domain][data.draw(st.integers(0, len(DOMAIN_ITEMS[domain]) - 1))]]] = value
    play = np.array(PLAY)
    before = score(np.tile(concentrated, (len(play), 1)), play).complexity
    after = score(np.tile(spread, (len(play), 1)), play).complexity
    assert np.all(after > before)


@THOUSANDS
@given(st.data())
def test_moving_an_item_to_a_less_loaded_domain_raises_the_base(data):
    """With the problems standing apart (interplay 0): an item moved, keeping its level,
    from a domain to an empty slot of another whose item weights, the moved one included,
    still sum to less than the first domain's did, raises the score (a domain's part is
    concave in that sum: its first problems count most). Equal sums only swap the two
    domains' parts, which leaves the score as it was."""
    X = np.array([data.draw(st.sampled_from([0.0, 1.0, 2.0, 3.0])) for _ in range(N_ITEMS)])
    src, dst = data.draw(st.permutations(DOMAINS))[:2]
    raised = [i for i in DOMAIN_ITEMS[src] if X[COLUMN[i]] > 0]
    empty = [i for i in DOMAIN_ITEMS[dst] if X[COLUMN[i]] == 0]
    assume(raised and empty)
    item, slot = data.draw(st.sampled_from(raised)), data.draw(st.sampled_from(empty))
    moved = X.copy()
    moved[COLUMN[slot]], moved[COLUMN[item]] = X[COLUMN[item]], 0.0
    weight = (np.arange(4) / 3) ** DEFAULT_CONFIG.scoring.level_exponent

    def weight_sum(case, domain):
        return weight[case[[COLUMN[i] for i in DOMAIN_ITEMS[domain]]].astype(int)].sum()

    assume(weight_sum(moved, dst) < weight_sum(X, src) - 1e-9)
    before, after = score(np.vstack([X, moved]), np.zeros(2)).complexity
    assert after > before


@SOME
@given(st.lists(any_case, min_size=1, max_size=50))
def test_batch_scoring_matches_single_case_scoring(cases):
    df = pd.DataFrame([{"case_id": f"c{i}", **c} for i, c in enumerate(cases)])
    df = df.astype({i: "float64" for i in (*SCORED, "interplay")})
    out = score_cases(df)
    for i, case in enumerate(cases):
        single = score_case(case)
        got = out["complexity"].iloc[i]
        if single.complexity is None:
            assert np.isnan(got)
        else:
            assert got == pytest.approx(single.complexity, abs=1e-9)
        assert out["band"].iloc[i] == single.band
        assert out["complexity_low"].iloc[i] == pytest.approx(single.low, abs=1e-9)
        assert out["complexity_high"].iloc[i] == pytest.approx(single.high, abs=1e-9)
        assert out["unrated_items"].iloc[i] == single.unrated_items
        assert set(filter(None, out["flags"].iloc[i].split("|"))) == {f.code for f in single.flags}


@SOME
@given(full_case, st.floats(1.0, 6.0), st.floats(0.5, 1.0))
def test_bounds_and_explanation_hold_under_other_settings(case, exponent, curvature):
    config = ModelConfig.model_validate({"scoring": {"level_exponent": exponent, "domain_curvature": curvature}})
    s = score_case(case, config)
    assert 0.0 <= s.complexity <= 100.0
    assert sum(s.contributions.values()) + s.interaction == pytest.approx(s.complexity, abs=1e-9)


# --- no concentration penalty, and the anchors' meaning -------------------------------------

@pytest.mark.parametrize("play", PLAY)
def test_one_whole_domain_is_moderate_two_are_severe_one_at_two_is_mild(play):
    for domain in DOMAINS:
        full = row({i: 3 for i in DOMAIN_ITEMS[domain]})
        twos = row({i: 2 for i in DOMAIN_ITEMS[domain]})
        codes = band(score(np.vstack([full, twos]), np.array([play, play])).complexity)
        assert codes[0] >= BANDS.index("moderate"), domain
        assert codes[1] >= BANDS.index("mild"), domain
    for a, b in combinations(DOMAINS, 2):
        both = row({i: 3 for i in DOMAIN_ITEMS[a] + DOMAIN_ITEMS[b]})
        assert band(score(both[None, :], np.array([play])).complexity)[0] == BANDS.index("severe"), (a, b)


@MANY
@given(st.sampled_from([1, 2, 3]), st.data())
def test_mostly_one_is_mild_mostly_two_moderate_mostly_three_severe(levelled, data):
    """At least three quarters of the items at the level, the rest one level lower,
    anywhere, with any interplay: the band the anchor names."""
    lower = data.draw(st.lists(st.sampled_from(range(N_ITEMS)), max_size=N_ITEMS // 4, unique=True))
    X = np.full(N_ITEMS, float(levelled))
    X[lower] = levelled - 1
    play = np.array([data.draw(st.sampled_from(PLAY))])
    assert BANDS[band(score(X[None, :], play).complexity)[0]] == BANDS[levelled]


@MANY
@given(batches(allow_missing=False))
def test_moderate_problems_in_every_domain_are_moderate(data):
    """Issue 11's chronic widespread-pain case, generalised: every item at 1 or 2 ("keep
    an eye on it" or "shapes the treatment") and at least one 2 in every domain is
    moderate, with any interplay."""
    X, play = data
    X = np.where(X >= 2, 2.0, 1.0)
    for d in DOMAINS:  # one item of each domain at 2, drawn from what Hypothesis gave
        cols = [COLUMN[i] for i in DOMAIN_ITEMS[d]]
        first = np.argmax(data[0][:, cols], axis=1)
        X[np.arange(len(X)), np.asarray(cols)[first]] = 2.0
    assert (band(score(X, play).complexity) == BANDS.index("moderate")).all()


@MANY
@given(st.data())
def test_intermed_cut_off_a_third_of_the_points_over_three_domains_is_moderate(data):
    """A fully rated case with at least 35 % of the maximum item total, in three or more
    domains, is at least moderate (INTERMED: complex from 21 of 60 points)."""
    X = np.array([data.draw(st.sampled_from([0.0, 1.0, 1.0, 1.0, 2.0, 3.0])) for _ in range(N_ITEMS)])
    raised = sum(X[[COLUMN[i] for i in DOMAIN_ITEMS[d]]].sum() > 0 for d in DOMAINS)
    assume(X.sum() >= INTERMED_SHARE * 3 * N_ITEMS and raised >= 3)
    play = np.array([data.draw(st.sampled_from(PLAY))])
    assert band(score(X[None, :], play).complexity)[0] >= BANDS.index("moderate")


def test_the_configured_cut_offs_are_the_ones_the_anchors_give():
    found = anchors()
    assert derived_cutoffs(found) == DEFAULT_CONFIG.scoring.index_cutoffs
    cut = DEFAULT_CONFIG.scoring.index_cutoffs
    assert found.mostly_1 >= cut.mild
    assert max(found.uniform_1, found.single_3) < cut.moderate <= found.intermed
    assert found.one_domain_full >= cut.moderate
    assert found.uniform_2 < cut.severe <= found.two_domains_full
    # every item at 2 stays moderate even with the strongest interplay
    assert band(score(np.full((1, N_ITEMS), 2.0), np.array([3.0])).complexity)[0] == BANDS.index("moderate")


# --- unrated items: no inflation, and a range that only narrows -----------------------------

@MANY
@given(batches(), st.integers(0, 2**32 - 1))
def test_a_domain_counts_only_when_half_its_items_are_rated(data, seed):
    X, play = data
    rng = np.random.default_rng(seed)
    X = X.copy()
    needed = DEFAULT_CONFIG.scoring.min_rated_domains
    for r in range(len(X)):
        for d in rng.choice(DOMAINS, size=rng.integers(len(DOMAINS) - needed + 1, len(DOMAINS) + 1), replace=False):
            columns = [COLUMN[i] for i in DOMAIN_ITEMS[d]]
            keep = rng.choice(columns, size=(len(columns) - 1) // 2, replace=False)  # fewer than half rated
            X[r, [c for c in columns if c not in keep]] = np.nan
    out = score_cases(pd.DataFrame(X, columns=SCORED).assign(case_id=[f"c{i}" for i in range(len(X))],
                                                           interplay=play))
    assert out["complexity"].isna().all() and (out["band"] == "incomplete").all()
    assert out["flags"].str.contains("incomplete").all()
    assert (out["rated_domains"] < needed).all()


@MANY
@given(batches(), st.integers(0, N_ITEMS), st.sampled_from([0.0, 1.0, 2.0, 3.0]))
def test_rating_an_item_only_narrows_the_range(data, column, value):
    X, play = data
    column = min(column, N_ITEMS - 1)
    unrated = np.isnan(X[:, column])
    rated = X.copy()
    rated[unrated, column] = value
    before, after = score(X, play), score(rated, play)
    assert np.all(after.low >= before.low - 1e-9) and np.all(after.high <= before.high + 1e-9)
    assert np.all(after.unrated == before.unrated - unrated)
    play_rated = np.where(np.isnan(play), value, play)
    again = score(X, play_rated)
    assert np.all(again.low >= before.low - 1e-9) and np.all(again.high <= before.high + 1e-9)


@MANY
@given(batches())
def test_the_range_is_the_score_with_unrated_items_at_zero_and_at_three(data):
    X, play = data
    a = score(X, play)
    zero = score(np.nan_to_num(X, nan=0.0), np.nan_to_num(play, nan=0.0))
    three = score(np.nan_to_num(X, nan=3.0), np.nan_to_num(play, nan=3.0))
    assert np.allclose(a.low, zero.complexity) and np.allclose(a.high, three.complexity)
    assert np.array_equal(a.unrated, np.isnan(X).sum(axis=1) + np.isnan(play))


# --- interplay ------------------------------------------------------------------------------

@MANY
@given(batches())
def test_interplay_never_lowers_a_case_below_its_score_without_interaction(data):
    X, play = data
    alone = score(X, np.zeros(len(X)))
    with_play = score(X, play)
    c = with_play.complete
    assert np.all(with_play.complexity[c] >= alone.complexity[c] - 1e-9)
    assert np.allclose(alone.interaction[c], 0.0)
    stronger = score(X, np.full(len(X), 3.0))
    assert np.all(stronger.complexity[c] >= with_play.complexity[c] - 1e-9)


def test_unrated_interplay_uses_the_documented_default():
    case = {**{i: 2 for i in SCORED}}
    default = DEFAULT_CONFIG.scoring.interplay_default
    assert score_case(case).complexity == pytest.approx(score_case({**case, "interplay": default}).complexity)
    assert score_case(case).interplay is None and score_case(case).unrated_items == 1

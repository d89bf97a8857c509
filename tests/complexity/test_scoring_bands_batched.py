"""Issue 11's band properties (no concentration penalty, the anchors' meaning, INTERMED's
cut-off) over thousands of generated cases per test (docs/model.md cites these beside
``test_scoring_properties.py``).

Each Hypothesis example draws a batch size (up to 64) and a seed; the batch is built with
NumPy from the seed, so every case in it is drawn independently (Hypothesis' own arrays
repeat one fill value in most cells). 300 examples give about 10,000 cases per test; a
failure names the seed that reproduces its batch.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complexity import INSTRUMENT
from complexity.anchors import INTERMED_SHARE
from complexity.scoring import band_codes, score_arrays

N_ITEMS = len(INSTRUMENT.scored_item_ids)
STARTS = np.cumsum((0,) + INSTRUMENT.domain_sizes[:-1])
DOMAIN_COLUMNS = [np.arange(a, a + n) for a, n in zip(STARTS, INSTRUMENT.domain_sizes)]
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLAY = np.array([np.nan, 0.0, 1.0, 2.0, 3.0])
MILD, MODERATE, SEVERE, INCOMPLETE = 1, 2, 3, 4

batch = st.tuples(st.integers(1, 64), st.integers(0, 2**32 - 1))


def bands(X: np.ndarray, play: np.ndarray) -> np.ndarray:
    return band_codes(score_arrays(X, interplay=play).complexity)


@MANY
@given(batch)
def test_mostly_one_two_or_three_lands_in_the_band_its_anchor_names(drawn):
    """At least three quarters of the items at a level, the rest one lower, anywhere, any
    interplay: mostly 1 is mild, mostly 2 moderate, mostly 3 severe."""
    n, seed = drawn
    rng = np.random.default_rng(seed)
    levels = rng.integers(1, 4, size=n).astype(float)
    lowered = rng.integers(0, N_ITEMS // 4 + 1, size=n)
    lower = np.argsort(rng.random((n, N_ITEMS)), axis=1).argsort(axis=1) < lowered[:, None]
    X = levels[:, None] - lower
    assert np.array_equal(bands(X, rng.choice(PLAY, size=n)), levels.astype(int))


@MANY
@given(batch)
def test_whole_domains_at_three_are_moderate_or_severe_whatever_else_is_rated(drawn):
    """One domain with every item at 3 is at least moderate, two such domains severe,
    whatever the other items are (rated or not) and whatever the interplay."""
    n, seed = drawn
    rng = np.random.default_rng(seed)
    X = rng.choice([0.0, 1.0, 2.0, 3.0], size=(n, N_ITEMS))
    X[rng.random((n, N_ITEMS)) < rng.random((n, 1)) * 0.6] = np.nan  # up to 60 % unrated
    one, two = X.copy(), X.copy()
    for r in range(n):
        a, b = rng.choice(len(DOMAIN_COLUMNS), size=2, replace=False)
        one[r, DOMAIN_COLUMNS[a]] = 3.0
        two[r, DOMAIN_COLUMNS[a]] = 3.0
        two[r, DOMAIN_COLUMNS[b]] = 3.0
    play = rng.choice(PLAY, size=n)
    one_band, two_band = bands(one, play), bands(two, play)
    assert np.all(one_band[one_band != INCOMPLETE] >= MODERATE)
    assert np.all(two_band[two_band != INCOMPLETE] == SEVERE)


# Level mixes: the first two put many cases right at the cut-off (mostly 1s and a few 2s:
# the lowest index such a case can have, which sets where moderate starts), the others
# further above it with 3s.
MIXES = ((1.0,) * 9 + (2.0,), (0.0,) + (1.0,) * 6 + (2.0, 2.0), (0.0, 1.0, 1.0, 1.0, 2.0, 3.0),
         (0.0, 0.0, 0.0, 2.0, 3.0))


@MANY
@given(batch, st.sampled_from(MIXES))
def test_a_third_of_the_points_in_three_or_more_domains_is_at_least_moderate(drawn, mix):
    """INTERMED's cut-off (21 of 60 points, 35 %): a fully rated case with at least 35 % of
    the maximum item total (35 of 99 points), in three or more domains, is at least
    moderate."""
    n, seed = drawn
    rng = np.random.default_rng(seed)
    X = rng.choice(mix, size=(n, N_ITEMS))
    play = rng.choice(PLAY, size=n)
    spread = sum((X[:, cols].sum(axis=1) > 0).astype(int) for cols in DOMAIN_COLUMNS)
    meets = (X.sum(axis=1) >= np.ceil(INTERMED_SHARE * 3 * N_ITEMS)) & (spread >= 3)
    assert np.all(bands(X[meets], play[meets]) >= MODERATE)

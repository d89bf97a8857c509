"""Disclosure control (``store.disclosure``), pure: k-anonymity of what an export offers
on generated practices (Hypothesis), truthful bands, honest counts, and small cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.disclosure import ALL, DIMENSION, k_anonymise, loss, period_starts, small_cells

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAFETY = 2


# --- generated practices ---------------------------------------------------------------------

@st.composite
def practices(draw):
    """A practice as the research dataset sees it: participants with their experience,
    contract and team size, weekly sessions and load index, and rated weeks with a
    safety level. Bulk values come from a seeded generator; the shape, the spread and
    k from Hypothesis."""
    n = draw(st.integers(0, 32))
    weeks = draw(st.integers(1, 20))
    k = draw(st.integers(1, 8))
    limit = draw(st.sampled_from([0.0, 0.05, 0.2, 1.0]))
    spread = draw(st.sampled_from(["narrow", "wide"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    teams = draw(st.lists(st.integers(0, 60), min_size=1, max_size=4))
    contracted = rng.integers(16, 29, n) if spread == "narrow" else rng.integers(1, 61, n)
    people = pd.DataFrame({
        "experience": rng.choice(["starting", "experienced"], n),
        "contracted_sessions": contracted,
        "team_size": rng.choice(teams, n),
    }, index=pd.Index([f"p{i:03d}" for i in range(n)]))
    sessions = rng.poisson(contracted.repeat(weeks) if n else [], n * weeks).astype(float)
    index = sessions * rng.uniform(1.0, 2.2, n * weeks) / (1.7 * np.maximum(contracted.repeat(weeks), 1))
    index[rng.random(n * weeks) < 0.03] = np.nan  # a week without a figure
    load = pd.DataFrame({"participant": people.index.repeat(weeks), "week": np.tile(np.arange(weeks), n),
                         "sessions": sessions, "load_index": index})
    r = draw(st.integers(0, 4 * n))
    safety = rng.choice([0.0, 1.0, 2.0, 3.0, np.nan], r, p=[0.6, 0.2, 0.1, 0.05, 0.05])
    ratings = pd.DataFrame({"participant": rng.choice(people.index, r) if n else [],
                            "week": rng.integers(0, weeks, r), "safety_concern": safety})
    return people, load, ratings, weeks, k, limit


def signatures(result, ratings: pd.DataFrame) -> pd.Series:
    """What the export shows of each participant on the quasi-identifiers, read from the
    exported values only (NaN and None compare equal as "empty")."""
    people = result.people.astype(object).where(result.people.notna(), None)
    load = result.load.astype(object).where(result.load.notna(), None)
    periods = {p: tuple(map(tuple, g.drop(columns="participant").sort_values("first").to_numpy().tolist()))
               for p, g in load.groupby("participant")}
    shown = ratings.assign(first=result.ratings["first"], safety=result.ratings["safety_concern"])
    flagged = {p: tuple(sorted(set(g["first"]))) for p, g in shown[shown["safety"] >= SAFETY].groupby("participant")}
    return pd.Series({p: (tuple(row), periods.get(p, ()), flagged.get(p, ()))
                      for p, row in zip(people.index, people.itertuples(index=False))}, dtype=object)


def alert_candidates(result, ratings: pd.DataFrame, signature: pd.Series) -> pd.Series:
    """For each participant with consult-now ratings, how many participants of the same
    signature an attacker who knows the alerts' weeks is left with: those with a rating
    (safety withheld) or a shown consult-now rating in each of those periods."""
    frame = ratings.assign(first=result.ratings["first"], shown=result.ratings["safety_concern"])
    pointed = {p: set(g["first"]) for p, g in frame[frame["safety_concern"] >= SAFETY].groupby("participant")}
    rated = {p: set(g["first"]) for p, g in frame.groupby("participant")}
    shown = {p: set(g["first"]) for p, g in frame[frame["shown"] >= SAFETY].groupby("participant")}
    hidden = set(result.suppressed) if result.report.levels["consult_now"] is not None else set(signature.index)
    out = {}
    for p, weeks in pointed.items():
        same = signature.index[signature == signature[p]]
        out[p] = sum(weeks <= (rated.get(r, set()) if r in hidden else shown.get(r, set())) for r in same)
    return pd.Series(out, dtype=int)


def period_means(load: pd.DataFrame, participant, first: int, last: int) -> tuple[float, float]:
    rows = load[(load["participant"] == participant) & load["week"].between(first, last)]
    return rows["sessions"].mean(), rows["load_index"].mean()


@settings(max_examples=40, **SETTINGS)
@given(practices())
def test_every_combination_offered_is_shared_by_at_least_k(practice):
    people, load, ratings, weeks, k, limit = practice
    result = k_anonymise(people, load, ratings, weeks, k=k, suppression_limit=limit, safety_level=SAFETY,
                         rng=np.random.default_rng(0))
    n = len(people)
    signature = signatures(result, ratings)
    sizes = signature.value_counts()
    if n >= k:
        assert (sizes >= k).all(), sizes[sizes < k]
        if ratings["participant"].nunique() >= k:  # the alerts' weeks leave at least k candidates too
            left = alert_candidates(result, ratings, signature)
            assert (left >= k).all(), left[left < k]
    else:  # fewer than k people: nothing that tells them apart is left
        assert result.people.isna().all().all()
        assert result.load[["sessions_low", "load_index_low"]].isna().all().all()
        assert result.ratings["safety_concern"].isna().all()
    # Suppressed participants form a group of their own: none, or at least k.
    assert result.report.suppressed == len(result.suppressed)
    assert result.report.suppressed == 0 or result.report.suppressed >= min(k, n)
    # Within the suppression limit, unless nothing else protects (then everything is withheld).
    assert result.report.suppressed <= int(limit * n) or result.report.suppressed == n
    if result.report.suppressed == n and n:
        assert n < k or ratings["participant"].nunique() < k or int(limit * n) >= n


@settings(max_examples=25, **SETTINGS)
@given(practices())
def test_bands_hold_the_true_values_and_the_counts_are_honest(practice):
    people, load, ratings, weeks, k, limit = practice
    result = k_anonymise(people, load, ratings, weeks, k=k, suppression_limit=limit, safety_level=SAFETY,
                         rng=np.random.default_rng(1))
    out = result.people
    for column in ("contracted_sessions", "team_size"):
        low, high = out[f"{column}_low"], out[f"{column}_high"]
        shown = low.notna()
        assert (low[shown] <= people.loc[shown, column]).all() and (people.loc[shown, column] <= high[shown]).all()
    shown = out["experience"].notna()
    assert (out.loc[shown, "experience"] == people.loc[shown, "experience"]).all()
    for row in result.load.itertuples(index=False):
        mean_sessions, mean_index = period_means(load, row.participant, row.first, row.last)
        assert row.weeks == row.last - row.first + 1
        for low, high, mean in ((row.sessions_low, row.sessions_high, mean_sessions),
                                (row.load_index_low, row.load_index_high, mean_index)):
            if not np.isnan(low):
                assert low - 1e-6 <= mean < high + 1e-6
    assert (result.ratings["first"] <= ratings["week"]).all() and (ratings["week"] <= result.ratings["last"]).all()
    safety = result.ratings["safety_concern"]
    kept = safety.notna()
    assert (safety[kept] == ratings.loc[kept, "safety_concern"]).all()
    counts = result.report.counts.set_index("column")
    had_safety = ratings["safety_concern"].notna()
    assert counts.loc["safety_concern", "suppressed"] == int((had_safety & safety.isna()).sum())
    assert counts.loc["experience", "suppressed"] == int(out["experience"].isna().sum())
    assert counts.loc["contracted_sessions", "suppressed"] == int(out["contracted_sessions_low"].isna().sum())
    total = result.load["sessions_low"].isna() & result.load.apply(
        lambda r: not np.isnan(period_means(load, r.participant, r.first, r.last)[0]), axis=1) \
        if len(result.load) else pd.Series(dtype=bool)
    assert counts.loc["sessions", "suppressed"] == int(total.sum())
    # The periods tile the weeks.
    for _, group in result.load.groupby("participant"):
        assert group["weeks"].sum() == weeks and group["first"].min() == 0 and group["last"].max() == weeks - 1


# --- worked examples ------------------------------------------------------------------------------

def practice(contracts, experience=None, weeks=4, sessions=None, team_size=8):
    n = len(contracts)
    people = pd.DataFrame({"experience": experience or ["experienced"] * n, "contracted_sessions": contracts,
                           "team_size": [team_size] * n}, index=pd.Index([f"p{i}" for i in range(n)]))
    per_week = sessions if sessions is not None else [20.0] * n
    load = pd.DataFrame({"participant": people.index.repeat(weeks), "week": np.tile(np.arange(weeks), n),
                         "sessions": np.repeat(per_week, weeks), "load_index": np.repeat(per_week, weeks) / 20})
    ratings = pd.DataFrame({"participant": [], "week": [], "safety_concern": []})
    return people, load, ratings, weeks


def test_alike_participants_are_shown_as_recorded():
    people, load, ratings, weeks = practice([24] * 6)
    result = k_anonymise(people, load, ratings, weeks, k=5)
    assert result.report.suppressed == 0 and result.report.generalised_values == 0
    assert set(result.people["contracted_sessions_low"]) == {24} and set(result.people["experience"]) == {"experienced"}
    assert len(result.load) == 6 * weeks  # week by week
    assert result.report.levels["load_period"] == 1 and result.report.levels["contracted_sessions"] == 1


def test_one_colleague_with_a_known_contract_is_not_singled_out():
    # Everyone works 20-24 sessions except one who works 36: whoever knows that contract
    # must not find it in the export.
    people, load, ratings, weeks = practice([20, 21, 22, 23, 24, 20, 21, 22, 23, 36])
    result = k_anonymise(people, load, ratings, weeks, k=5)
    shown = result.people.dropna(subset=["contracted_sessions_low"])
    matches = int(((shown["contracted_sessions_low"] <= 36) & (shown["contracted_sessions_high"] >= 36)).sum())
    assert matches == 0 or matches >= 5
    groups = result.people.astype(object).where(result.people.notna(), None).value_counts()
    assert (groups >= 5).all()


def test_exact_weekly_figures_become_period_means_in_bands():
    rng = np.random.default_rng(7)
    n, weeks = 40, 26
    people, load, ratings, _ = practice([24] * n, weeks=weeks, sessions=list(rng.normal(20, 4, n)))
    load["sessions"] = rng.poisson(20, len(load)).astype(float)
    load["load_index"] = load["sessions"] / 20 * rng.uniform(0.8, 1.2, len(load))
    result = k_anonymise(people, load, ratings, weeks, k=5)
    levels = result.report.levels
    assert levels["load_period"] != 1  # 26 exact weeks tell everyone apart
    assert (result.report.counts.query("table == 'weekly_load'")["generalised"]
            + result.report.counts.query("table == 'weekly_load'")["suppressed"] > 0).all()
    assert len(result.load) == n * len(period_starts(weeks, levels["load_period"]))


def test_fewer_than_k_withholds_everything_and_nobody_is_an_error():
    people, load, ratings, weeks = practice([20, 30, 40])
    result = k_anonymise(people, load, ratings, weeks, k=5)
    assert result.report.suppressed == 3 and result.people.isna().all().all()
    empty = k_anonymise(people.iloc[:0], load.iloc[:0], ratings, weeks, k=5)
    assert empty.people.empty and empty.load.empty and empty.report.participants == 0
    with pytest.raises(ValueError):
        k_anonymise(people, load, ratings, weeks, k=0)


def test_a_rare_consult_now_week_withholds_the_safety_item():
    people, load, ratings, weeks = practice([24] * 8)
    ratings = pd.DataFrame({"participant": ["p0", "p1", "p2"], "week": [1, 2, 2], "safety_concern": [3.0, 0.0, 1.0]})
    result = k_anonymise(people, load, ratings, weeks, k=5)
    assert result.report.levels["consult_now"] is None
    assert result.ratings["safety_concern"].isna().all()
    assert result.report.counts.set_index("column").loc["safety_concern", "suppressed"] == 3


def test_loss_counts_the_time_resolution_only_with_a_value_shown():
    finest = {d: 0 for d in DIMENSION}
    coarse_time = {**finest, "load_period": DIMENSION["load_period"].top}
    assert loss(finest) == 0 and loss(coarse_time) == DIMENSION["load_period"].weight
    no_values = {**finest, "sessions": DIMENSION["sessions"].top, "load_index": DIMENSION["load_index"].top}
    assert loss(no_values) == loss({**no_values, "load_period": DIMENSION["load_period"].top})
    assert period_starts(10, ALL).tolist() == [0] and period_starts(10, 4).tolist() == [0, 4, 8]


# --- small cells ----------------------------------------------------------------------------------

def test_small_cells_hide_the_cell_and_its_complement():
    bands = pd.Series({"uncomplicated": 12, "mild": 3, "moderate": 7, "severe": 0})
    assert small_cells(bands).to_dict() == {"uncomplicated": False, "mild": True, "moderate": True, "severe": False}
    assert not small_cells(pd.Series({"a": 5, "b": 9, "c": 0})).any()
    table = pd.DataFrame({"starting": [10, 2, 9], "experienced": [8, 12, 15]}, index=["mild", "moderate", "severe"])
    hidden = small_cells(table)
    assert hidden.loc["moderate", "starting"]
    assert all(line.sum() != 1 for line in (*hidden.to_numpy(), *hidden.to_numpy().T))


@settings(max_examples=80, **SETTINGS)
@given(st.lists(st.lists(st.integers(0, 12), min_size=2, max_size=5), min_size=1, max_size=5)
       .filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_no_hidden_cell_can_be_worked_out_from_a_total(rows):
    counts = pd.DataFrame(rows)
    hidden = small_cells(counts).to_numpy()
    values = counts.to_numpy()
    assert hidden[(values > 0) & (values < 5)].all()  # every small cell hidden
    for line in hidden:  # rows always have two or more cells here
        assert line.sum() != 1
    if len(rows) > 1:
        for line in hidden.T:
            assert line.sum() != 1

"""Weekly load, capacity, traffic lights and the therapist flags."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complexity import DEFAULT_CONFIG, ModelConfig
from complexity.load import (
    capacity_of,
    load_status,
    session_weight,
    split_versions,
    therapist_flags,
    weekly_load,
)

MONDAY = dt.date(2026, 9, 7)  # ISO week 2026-W37
LC = DEFAULT_CONFIG.load


def sessions_for(tid: str, week: int, n: int, complexity: float | None) -> list[dict]:
    return [
        {"therapist_id": tid, "session_date": MONDAY + dt.timedelta(days=7 * week + i % 5),
         "complexity": np.nan if complexity is None else complexity}
        for i in range(n)
    ]


THERAPISTS = pd.DataFrame(
    {"therapist_id": ["starter", "senior"], "contracted_sessions": [20, 20], "is_starting": [True, False]}
)


def test_session_weights_and_capacity_follow_the_configuration():
    assert session_weight([0, 50, 100]).tolist() == pytest.approx([1.0, 2.0, 3.0])
    assert session_weight([np.nan])[0] == pytest.approx(LC.reference_weight)
    assert capacity_of([20], [False])[0] == pytest.approx(20 * LC.reference_weight)
    assert capacity_of([20], [True])[0] == pytest.approx(20 * LC.reference_weight * 0.9)


def test_a_full_week_at_reference_complexity_is_exactly_at_capacity():
    rows = sessions_for("senior", 0, 20, LC.reference_complexity)
    load = weekly_load(pd.DataFrame(rows), THERAPISTS)
    senior = load[load.therapist_id == "senior"].iloc[0]
    assert senior["sessions"] == 20
    assert senior["load_index"] == pytest.approx(1.0)
    assert senior["status"] == "amber"
    assert senior["week"] == "2026-W37"
    # The same week is over capacity for a starter (protected capacity).
    starter = weekly_load(pd.DataFrame(sessions_for("starter", 0, 20, LC.reference_complexity)), THERAPISTS)
    assert starter[starter.therapist_id == "starter"].iloc[0]["load_index"] == pytest.approx(1 / 0.9)


@pytest.mark.parametrize("li, status", [(0.5, "blue"), (0.95, "green"), (0.99, "green"), (1.0, "amber"),
                                        (1.099, "amber"), (1.10, "red"), (2.0, "red")])
def test_traffic_light_matches_the_probation_tool(li, status):
    assert load_status([li])[0] == status


def test_weeks_without_sessions_are_zero_and_every_therapist_gets_every_week():
    rows = sessions_for("starter", 0, 10, 30) + sessions_for("starter", 2, 10, 30)
    load = weekly_load(pd.DataFrame(rows), THERAPISTS)
    assert len(load) == 2 * 3
    gap = load[(load.therapist_id == "starter") & (load.week == "2026-W38")].iloc[0]
    assert gap["sessions"] == 0 and gap["load_index"] == 0.0 and gap["status"] == "blue"
    assert (load[load.therapist_id == "senior"]["sessions"] == 0).all()


def test_unscored_sessions_count_at_reference_weight():
    load = weekly_load(pd.DataFrame(sessions_for("senior", 0, 4, None)), THERAPISTS)
    row = load[load.therapist_id == "senior"].iloc[0]
    assert row["unscored_sessions"] == 4
    assert row["load"] == pytest.approx(4 * LC.reference_weight)


def test_each_week_names_the_models_that_weighed_its_scored_sessions():
    rows = (sessions_for("senior", 0, 2, 40) + sessions_for("senior", 0, 1, None)
            + sessions_for("senior", 1, 2, 40) + sessions_for("senior", 2, 1, None))
    versions = ["2.0.0", "1.0.0", "9.9.9", "2.0.0", "2.0.0", "2.0.0"]  # an unscored session has none
    load = weekly_load(pd.DataFrame(rows).assign(model_version=versions), THERAPISTS)
    senior = load[load.therapist_id == "senior"]
    assert list(senior["model_versions"]) == ["1.0.0|2.0.0", "2.0.0", ""]
    assert split_versions(load["model_versions"]) == ("1.0.0", "2.0.0")
    # Without a model_version column (sessions from elsewhere) the weeks name none.
    assert set(weekly_load(pd.DataFrame(rows), THERAPISTS)["model_versions"]) == {""}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.floats(0, 100)), min_size=1, max_size=60))
def test_load_is_the_sum_of_session_weights(sessions):
    rows = [{"therapist_id": "senior", "session_date": MONDAY + dt.timedelta(days=d), "complexity": c}
            for d, c in sessions]
    load = weekly_load(pd.DataFrame(rows), THERAPISTS)
    row = load[load.therapist_id == "senior"].iloc[0]
    assert row["sessions"] == len(sessions)
    assert row["load"] == pytest.approx(sum(1 + 0.02 * c for _, c in sessions))
    assert row["load_index"] == pytest.approx(row["load"] / row["capacity"])


def _load_over(weeks: list[tuple[int, float]]):
    rows = []
    for week, n in weeks:
        rows += sessions_for("starter", week, int(n), LC.reference_complexity)
    return weekly_load(pd.DataFrame(rows), THERAPISTS[THERAPISTS.therapist_id == "starter"])


def test_over_capacity_flag_is_amber_then_red_with_its_numbers():
    capacity_sessions = 20 * 0.9  # starter at reference complexity
    amber = therapist_flags(_load_over([(0, capacity_sessions)]))
    assert [(f.code, f.severity) for f in amber] == [("load_over_capacity", "amber")]
    assert amber[0].params["load_index"] == pytest.approx(1.0)
    red = therapist_flags(_load_over([(0, 20)]))
    assert [(f.code, f.severity) for f in red] == [("load_over_capacity", "red")]
    assert red[0].audience == "team" and red[0].next_step == "plan_intake"
    assert therapist_flags(_load_over([(0, 17)])) == []


def test_rising_load_flag_needs_three_rises_in_a_row_near_capacity():
    rising = _load_over([(0, 12), (1, 13), (2, 14), (3, 16)])
    assert [f.code for f in therapist_flags(rising)] == ["load_rising"]
    dip = _load_over([(0, 12), (1, 13), (2, 12), (3, 16)])
    assert therapist_flags(dip) == []
    low = _load_over([(0, 2), (1, 3), (2, 4), (3, 5)])  # rising but far below capacity
    assert therapist_flags(low) == []


def _checkins(week: int, capacity_score: float, burnout: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"therapist_id": ["starter"], "week_start": [MONDAY + dt.timedelta(days=7 * week)],
                         "capacity_score": [capacity_score], "burnout": [burnout]})


def test_balance_flag_needs_high_load_and_low_capacity_and_is_private():
    over = _load_over([(0, 18)])
    flags = therapist_flags(over, _checkins(0, 35))
    balance = [f for f in flags if f.code == "balance"]
    assert len(balance) == 1 and balance[0].audience == "therapist"
    assert balance[0].params == {"load_index": 1.0, "capacity_score": 35.0}
    assert not [f for f in therapist_flags(over, _checkins(0, 70)) if f.code == "balance"]
    burnout = therapist_flags(over, _checkins(0, 70, burnout=3))
    assert [f.code for f in burnout if f.code == "balance"] == ["balance"]
    under = _load_over([(0, 10)])
    assert not [f for f in therapist_flags(under, _checkins(0, 20, 4)) if f.code == "balance"]


def test_balance_uses_last_weeks_checkin_while_this_weeks_is_open():
    load = _load_over([(0, 10), (1, 18)])
    flags = therapist_flags(load, _checkins(0, 30))
    assert "balance" in [f.code for f in flags]


def test_missed_checkins_counts_completed_weeks_only():
    load = _load_over([(0, 10), (1, 10), (2, 10), (3, 10)])
    # Current week is week 3 (still open); weeks 1 and 2 were completed without a check-in.
    done_week0 = _checkins(0, 70)
    flags = [f for f in therapist_flags(load, done_week0) if f.code == "missed_checkins"]
    assert len(flags) == 1 and flags[0].params == {"weeks": 2} and flags[0].audience == "therapist"
    done_week1 = _checkins(1, 70)  # only week 2 missed: below the threshold of two
    assert not [f for f in therapist_flags(load, done_week1) if f.code == "missed_checkins"]
    never = pd.DataFrame(columns=["therapist_id", "week_start", "capacity_score", "burnout"])
    assert [f.params for f in therapist_flags(load, never) if f.code == "missed_checkins"] == [{"weeks": 3}]


def test_thresholds_are_configuration():
    strict = ModelConfig.model_validate({"load": {"amber_from": 0.8, "red_from": 0.9, "green_from": 0.7}})
    flags = therapist_flags(_load_over([(0, 17)]), config=strict)  # 17 / 18 = 0.94
    assert [(f.code, f.severity) for f in flags] == [("load_over_capacity", "red")]
    assert therapist_flags(_load_over([(0, 17)])) == []


def test_as_of_picks_an_earlier_week():
    load = _load_over([(0, 20), (1, 5)])
    assert therapist_flags(load) == []
    assert [f.week for f in therapist_flags(load, as_of=MONDAY)] == ["2026-W37"]


def test_weeks_without_sessions_need_no_checkin():
    # Weeks 1 and 2 off (no sessions): only worked weeks count as missed.
    load = _load_over([(0, 10), (1, 0), (2, 0), (3, 10)])
    never = pd.DataFrame(columns=["therapist_id", "week_start", "capacity_score", "burnout"])
    assert not [f for f in therapist_flags(load, never) if f.code == "missed_checkins"]
    idle = _load_over([(0, 0), (1, 0), (2, 0), (3, 0)])  # a new account without any sessions yet
    assert not [f for f in therapist_flags(idle, never) if f.code == "missed_checkins"]

"""The weekly check-in definition and the capacity score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complexity import ModelConfig
from complexity.checkin import CHECKIN, burnout_signal, capacity_score


def best() -> dict:
    return {f.id: (f.max if f.direction == "up" else f.min) for f in CHECKIN.scale_fields}


def worst() -> dict:
    return {f.id: (f.min if f.direction == "up" else f.max) for f in CHECKIN.scale_fields}


def test_checkin_has_the_domain_fields_and_stays_under_ten_inputs():
    ids = {f.id for f in CHECKIN.fields}
    assert {"energy", "body_tension", "emotional_exhaustion", "rumination", "sleep", "meaning",
            "selfcare_time", "selfcare_actions", "burnout", "reflection"} == ids
    assert len(CHECKIN.fields) <= 10
    burnout = CHECKIN.field("burnout")
    assert (burnout.min, burnout.max) == (1, 5) and len(burnout.levels["nl"]) == 5
    actions = {o.id for o in CHECKIN.field("selfcare_actions").options}
    assert {"checked_in", "pause_walk", "intervision", "supervision", "boundary", "time_off"} <= actions


def test_capacity_runs_from_worst_to_best():
    assert capacity_score(best()) == pytest.approx(100.0)
    assert capacity_score(worst()) == pytest.approx(0.0)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_capacity_is_bounded_and_moves_with_each_answer(data):
    answers = {f.id: data.draw(st.integers(f.min, f.max), label=f.id) for f in CHECKIN.scale_fields}
    score = capacity_score(answers)
    assert 0.0 <= score <= 100.0
    f = data.draw(st.sampled_from(CHECKIN.scale_fields))
    better = f.max if f.direction == "up" else f.min
    assert capacity_score({**answers, f.id: better}) >= score


def test_unanswered_fields_drop_out_and_nothing_answered_is_nan():
    partial = {"energy": 10, "sleep": 10}
    assert capacity_score(partial) == pytest.approx(100.0)
    assert np.isnan(capacity_score({}))


def test_frame_in_series_out_and_bad_answers_named():
    frame = pd.DataFrame([best(), worst()])
    assert capacity_score(frame).tolist() == pytest.approx([100.0, 0.0])
    with pytest.raises(ValueError, match=r"row 2, field 'energy'"):
        capacity_score(pd.DataFrame([best(), {**best(), "energy": 11}]))


def test_weights_are_configuration():
    config = ModelConfig.model_validate({"capacity": {"item_weights": {"energy": 5.0}}})
    answers = {**best(), "energy": 0}
    assert capacity_score(answers, config) < capacity_score(answers)
    with pytest.raises(ValueError):
        capacity_score(best(), ModelConfig.model_validate({"capacity": {"item_weights": {"nope": 1.0}}}))


def test_burnout_signal_from_three():
    assert burnout_signal(pd.Series([1, 2, 3, 5])).tolist() == [False, False, True, True]

"""The 5A advice rules: signals lead to advice, a calm week still gets a plan."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complexity import CHECKIN
from complexity.flags import Flag
from complexity.selfcare import SELFCARE_RULES, parse_rules, selfcare_advice

CALM = {"energy": 8, "body_tension": 2, "emotional_exhaustion": 2, "rumination": 1, "sleep": 8,
        "meaning": 8, "selfcare_time": 7, "burnout": 1}


def ids(advice):
    return [a.id for a in advice]


def test_calm_week_gets_keep_going_only():
    assert ids(selfcare_advice(CALM)) == ["keep_going"]


def test_burnout_signal_comes_first_and_says_why():
    advice = selfcare_advice({**CALM, "burnout": 3, "body_tension": 8})
    assert ids(advice)[:2] == ["seek_support", "body_signals"]
    assert advice[0].because == ({"kind": "field", "field": "burnout", "at_least": 3, "at_most": None},)
    assert "keep_going" not in ids(advice)


def test_threshold_edges():
    assert "body_signals" in ids(selfcare_advice({**CALM, "body_tension": 6}))
    assert "body_signals" not in ids(selfcare_advice({**CALM, "body_tension": 5}))
    assert "close_the_day" in ids(selfcare_advice({**CALM, "sleep": 4}))
    assert "close_the_day" not in ids(selfcare_advice({**CALM, "sleep": 5}))


def test_flags_trigger_caseload_talk():
    flag = Flag("load_over_capacity", "red", {"load_index": 1.2})
    assert ids(selfcare_advice(CALM, [flag])) == ["caseload_talk"]
    red_balance = Flag("balance", "red", {"load_index": 1.2, "capacity_score": 30})
    assert ids(selfcare_advice(CALM, [red_balance]))[:2] == ["seek_support", "caseload_talk"]
    amber_balance = Flag("balance", "amber", {"load_index": 1.0, "capacity_score": 45})
    assert ids(selfcare_advice(CALM, [amber_balance])) == ["caseload_talk"]


def test_unanswered_fields_trigger_nothing():
    assert ids(selfcare_advice({})) == ["keep_going"]
    assert ids(selfcare_advice({"sleep": None, "burnout": float("nan")})) == ["keep_going"]


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({f.id: st.one_of(st.none(), st.integers(f.min, f.max)) for f in CHECKIN.scale_fields}))
def test_plan_is_short_never_empty_and_ordered(answers):
    advice = selfcare_advice(answers)
    assert 1 <= len(advice) <= SELFCARE_RULES.max_advice
    priorities = {r.id: r.priority for r in SELFCARE_RULES.rules}
    assert [priorities[a.id] for a in advice] == sorted(priorities[a.id] for a in advice)
    assert all(a.goals and a.resources for a in advice)


def test_rules_are_checked_when_loaded():
    with pytest.raises(ValueError, match="unknown check-in field"):
        parse_rules('version="1"\nmax_advice=2\n[[advice]]\nid="x"\npriority=1\n'
                    'when=[{field="nope", at_least=1}]\nresources=[]\ngoals=[]\n')
    with pytest.raises(ValueError, match="always apply"):
        parse_rules('version="1"\nmax_advice=2\n[[advice]]\nid="x"\npriority=1\n'
                    'when=[{field="sleep", at_most=1}]\nresources=[]\ngoals=[]\n')

"""The intake planner: its projection is the real load's (same functions, same numbers
once the plan comes true), the case adds exactly its weighted sessions, starters keep
their protected capacity, who has room and why, the access rules with their audit trail,
input checks, and no check-in is ever read; on both backends."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from complexity import BANDS, DEFAULT_CONFIG, DOMAINS, INSTRUMENT, ModelConfig, band_of, score_case
from complexity.calendar import iso_week_label
from complexity.config import BandCutoffs, LoadConfig, ScoringConfig
from complexity.load import session_weight
from store import AccessDenied, InvalidInput
from store.cases import add_case, rate_case, record_sessions
from store.checkins import save_checkin
from store.db import session_scope
from store.load import team_weekly_load, therapist_weekly_load
from store.models import AuditEvent, SupervisorTeam, Team
from store.planner import (
    PLAN_COLUMNS, SUMMARY_COLUMNS, NewCase, case_complexity, intake_summary, plan_intake, plan_own_intake,
)

TODAY = dt.date.today()
A = TODAY - dt.timedelta(days=TODAY.weekday(), weeks=10)  # the first history week
NOW = A + dt.timedelta(weeks=4, days=2)  # as_of: a Wednesday; the history is A..A+3
AHEAD = [A + dt.timedelta(weeks=4 + i) for i in range(4)]  # the projected weeks
TIRED = {"energy": 2, "body_tension": 8, "emotional_exhaustion": 8, "rumination": 7, "sleep": 3,
         "meaning": 3, "selfcare_time": 1, "burnout": 4}
REF = DEFAULT_CONFIG.load.reference_weight


def week(i: int) -> dt.date:
    return A + dt.timedelta(weeks=i)


def case_with_sessions(engine, user, level: int, per_week: dict[int, int]) -> str:
    """A case of ``user`` with every item at ``level``, and per_week[i] sessions on the
    Tuesday of week(i)."""
    with session_scope(engine) as s:
        code = add_case(s, user, opened_on=A)
        rate_case(s, user, code, {i: level for i in INSTRUMENT.scored_item_ids}, A)
        days = [(week(i) + dt.timedelta(days=1), 45) for i, n in per_week.items() for _ in range(n)]
        if days:
            record_sessions(s, user, code, days)
    return code


def plan(engine, people, new_case: NewCase, **kw) -> pd.DataFrame:
    with session_scope(engine) as s:
        return plan_intake(s, people.supervisor, people.team_id, new_case, as_of=NOW, **kw)


def rows(frame: pd.DataFrame, therapist_id: int) -> pd.DataFrame:
    return frame[frame["therapist_id"] == therapist_id].sort_values("week_start").reset_index(drop=True)


def test_the_projection_is_the_real_load_once_the_plan_comes_true(engine, people):
    # Bram: 12 mild sessions a week, Anna: 20 uncomplicated ones, in the history and on.
    case_with_sessions(engine, people.u2, 1, {i: 12 for i in range(8)})
    case_with_sessions(engine, people.u1, 0, {i: 20 for i in range(8)})
    new_case = NewCase(domain_ratings={d: 2 for d in DOMAINS}, sessions_per_week=2, start_week=AHEAD[0])
    projected = plan(engine, people, new_case)
    assert list(projected.columns) == list(PLAN_COLUMNS) and len(projected) == 2 * 4
    assert set(projected["week_start"]) == set(AHEAD)

    def real() -> pd.DataFrame:
        with session_scope(engine) as s:
            return team_weekly_load(s, people.supervisor, people.team_id, AHEAD)

    def same(side: str, load: pd.DataFrame) -> None:
        for tid in (people.t1.id, people.t2.id):
            p, r = rows(projected, tid), rows(load, tid)
            assert list(p["week_start"]) == list(r["week_start"])
            assert np.allclose(p[f"load_{side}"], r["load"], rtol=1e-12)
            assert np.allclose(p["capacity"], r["capacity"], rtol=1e-12)
            assert np.allclose(p[f"load_index_{side}"], r["load_index"], rtol=1e-12)
            assert list(p[f"status_{side}"]) == list(r["status"])
            assert list(p[f"sessions_{side}"]) == list(r["sessions"])

    same("without", real())
    # The case really comes, rated as described, two sessions a week: the real load is "with".
    for user in (people.u1, people.u2):
        case_with_sessions(engine, user, 2, {i: 2 for i in range(4, 8)})
    same("with", real())


def test_the_case_adds_exactly_its_weighted_sessions_from_its_start_week(engine, people):
    case_with_sessions(engine, people.u2, 1, {i: 10 for i in range(4)})
    new_case = NewCase(band="moderate", sessions_per_week=3, start_week=AHEAD[1])
    projected = plan(engine, people, new_case)
    weight = float(session_weight(case_complexity(new_case)))
    for tid in (people.t1.id, people.t2.id):
        p = rows(projected, tid)
        added = np.where(p["week_start"] >= AHEAD[1], 3 * weight, 0.0)
        assert np.allclose(p["load_with"] - p["load_without"], added)
        assert np.allclose(p["load_index_with"] - p["load_index_without"], added / p["capacity"])
        assert list(p["sessions_with"] - p["sessions_without"]) == [0, 3, 3, 3]


def test_starters_keep_their_protected_capacity_as_configured(engine, people):
    new_case = NewCase(band="mild", start_week=AHEAD[0])
    capacity = plan(engine, people, new_case).groupby("therapist_id")["capacity"].unique()
    assert list(capacity[people.t1.id]) == pytest.approx([20 * REF * DEFAULT_CONFIG.load.starter_capacity_factor])
    assert list(capacity[people.t2.id]) == pytest.approx([24 * REF])
    config = ModelConfig(load=LoadConfig(starter_capacity_factor=0.8))
    capacity = plan(engine, people, new_case, config=config).groupby("therapist_id")["capacity"].unique()
    assert list(capacity[people.t1.id]) == pytest.approx([20 * REF * 0.8])
    assert list(capacity[people.t2.id]) == pytest.approx([24 * REF])


def test_who_has_room_and_why(engine, people):
    # Anna (starter): 28 sessions of weight 1 against 30.6 (34 unprotected); Bram 36 against 40.8.
    case_with_sessions(engine, people.u1, 0, {i: 28 for i in range(4)})
    case_with_sessions(engine, people.u2, 0, {i: 36 for i in range(4)})

    light = intake_summary(plan(engine, people, NewCase(band="uncomplicated", start_week=AHEAD[0])))
    assert list(light.columns) == list(SUMMARY_COLUMNS)
    assert list(light["therapist_id"]) == [people.t2.id, people.t1.id]  # most room first
    assert list(light["has_room"]) == [True, True] and list(light["reason"]) == ["room", "room"]
    bram = light.iloc[0]
    assert bram["reason_params"]["room"] == pytest.approx(40.8 - 36 - float(session_weight(7.5)), abs=0.06)
    assert bram["reason_params"]["load_index"] == round(bram["peak_load_index_with"], 2)

    later = AHEAD[2]
    heavy = plan(engine, people, NewCase(band="moderate", sessions_per_week=2, start_week=later))
    summary = intake_summary(heavy).set_index("therapist_id")
    assert summary["has_room"].to_dict() == {people.t2.id: True, people.t1.id: False}
    anna, bram = summary.loc[people.t1.id], summary.loc[people.t2.id]
    assert anna["reason"] == "starter_protected"  # 31.9 > 30.6, but < 34
    assert anna["reason_params"]["week"] == iso_week_label(later)
    assert anna["reason_params"]["full_capacity"] == pytest.approx(34.0)
    assert bram["reason"] == "room"  # 36 + 3.9 < 40.8
    assert rows(heavy, people.t1.id)["status_with"].tolist() == ["blue", "blue", "amber", "amber"]

    heavier = intake_summary(plan(engine, people, NewCase(band="severe", sessions_per_week=3,
                                                          start_week=later))).set_index("therapist_id")
    for tid in (people.t1.id, people.t2.id):  # 28 + 7.8 > 34; 36 + 7.8 > 40.8
        assert heavier.loc[tid, "reason"] == "over_in_week" and not heavier.loc[tid, "has_room"]
        assert heavier.loc[tid, "reason_params"]["week"] == iso_week_label(later)
        assert heavier.loc[tid, "reason_params"]["status"] in ("amber", "red")


def test_already_high_and_the_baseline_rule_for_ones_own_plan(engine, people):
    # Cas (16 contracted: 27.2) worked 30 sessions in two of the four weeks: weeks off are left out.
    case_with_sessions(engine, people.u3, 0, {0: 30, 2: 30, 4: 5})  # week 4 is the week in progress
    with session_scope(engine) as s:
        own = plan_own_intake(s, people.u3, NewCase(band="mild", start_week=AHEAD[0]), as_of=NOW)
    assert set(own["therapist_id"]) == {people.t3.id} and len(own) == 4
    assert np.allclose(own["load_without"], 30.0)
    assert (own["status_without"] == "red").all()
    assert own["reason"].iloc[0] == "already_high" and not own["has_room"].iloc[0]
    assert own["reason_params"].iloc[0] == {"week": iso_week_label(AHEAD[0]), "load_index": round(30 / 27.2, 2),
                                            "status": "red"}
    with session_scope(engine) as s:  # no sessions in the history: from 0
        fresh = plan_own_intake(s, people.u2, NewCase(band="mild", start_week=AHEAD[0]), as_of=NOW)
    assert (fresh["load_without"] == 0).all() and (fresh["reason"] == "room").all()


@pytest.mark.parametrize("level, band", [(0, "uncomplicated"), (1, "mild"), (2, "moderate"), (3, "severe")])
def test_domain_ratings_score_like_a_real_rating(level, band):
    case = NewCase(domain_ratings={d: level for d in DOMAINS}, start_week=TODAY)
    score = case_complexity(case)
    assert band_of(score) == band
    assert score == score_case({i: level for i in INSTRUMENT.scored_item_ids}).complexity


@pytest.mark.parametrize("cutoffs", [BandCutoffs(), BandCutoffs(mild=10, moderate=30, severe=70)])
def test_a_band_is_its_midpoint_on_the_configured_cut_offs(cutoffs):
    config = ModelConfig(scoring=ScoringConfig(bands=cutoffs))
    edges = [0, cutoffs.mild, cutoffs.moderate, cutoffs.severe, 100]
    for i, band in enumerate(BANDS):
        score = case_complexity(NewCase(band=band, start_week=TODAY), config)
        assert score == (edges[i] + edges[i + 1]) / 2
        assert band_of(score, config) == band


@pytest.mark.parametrize("kwargs, expected", [
    ({"start_week": None, "band": "mild"}, [("required", "start_week")]),
    ({"start_week": "next week", "band": "mild"}, [("bad_week", "start_week")]),
    ({"start_week": TODAY}, [("required", "band")]),
    ({"start_week": TODAY, "band": "heavy"}, [("not_an_option", "band")]),
    ({"start_week": TODAY, "band": "mild", "domain_ratings": {d: 1 for d in DOMAINS}}, [("invalid", "band")]),
    ({"start_week": TODAY, "band": "mild", "sessions_per_week": 0}, [("out_of_range", "sessions_per_week")]),
    ({"start_week": TODAY, "band": "mild", "sessions_per_week": 8}, [("out_of_range", "sessions_per_week")]),
    ({"start_week": TODAY, "band": "mild", "sessions_per_week": 1.5}, [("not_a_whole_number", "sessions_per_week")]),
    ({"start_week": TODAY, "domain_ratings": {**{d: 1 for d in DOMAINS}, "emotions": 4, "mood": 1}},
     [("unknown_field", "mood"), ("out_of_range", "emotions")]),
    ({"start_week": TODAY, "domain_ratings": {"content": 2}},
     [("required", d) for d in DOMAINS if d != "content"]),
])
def test_bad_input_names_the_field(kwargs, expected):
    with pytest.raises(InvalidInput) as err:
        NewCase(**kwargs)
    assert [(p.code, p.column) for p in err.value.problems] == expected
    assert all(p.row is None for p in err.value.problems)


def test_start_week_and_weeks_ahead_are_checked_against_the_projected_weeks(engine, people):
    thursday = AHEAD[0] + dt.timedelta(days=3)
    assert NewCase(band="mild", start_week=thursday).start_week == AHEAD[0]
    assert NewCase(band="mild", start_week=iso_week_label(AHEAD[1])).start_week == AHEAD[1]
    for case, kw, column in [(NewCase(band="mild", start_week=A), {}, "start_week"),
                             (NewCase(band="mild", start_week=AHEAD[0] + dt.timedelta(weeks=4)), {}, "start_week"),
                             (NewCase(band="mild", start_week=AHEAD[0]), {"weeks_ahead": 0}, "weeks_ahead")]:
        with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
            plan_own_intake(s, people.u1, case, as_of=NOW, **kw)
        assert [(p.code, p.column) for p in err.value.problems] == [("out_of_range", column)]
    with session_scope(engine) as s:
        longer = plan_own_intake(s, people.u1, NewCase(band="mild", start_week=AHEAD[0] + dt.timedelta(weeks=4)),
                                 weeks_ahead=5, as_of=NOW)
    assert len(longer) == 5 and longer["has_room"].all()


def audit_events(engine, action: str) -> list[AuditEvent]:
    with session_scope(engine, readonly=True) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_who_may_plan_for_whom_and_the_audit_trail(engine, people):
    case = NewCase(band="moderate", start_week=AHEAD[0])
    refusals = [
        (people.u1, lambda s, u: plan_intake(s, u, people.team_id, case, as_of=NOW)),  # a therapist
        (people.supervisor, lambda s, u: plan_intake(s, u, people.other_team_id, case, as_of=NOW)),  # not theirs
        (people.supervisor, lambda s, u: plan_own_intake(s, u, case, as_of=NOW)),
    ]
    for other in (people.admin, people.researcher):
        refusals += [(other, lambda s, u: plan_intake(s, u, people.team_id, case, as_of=NOW)),
                     (other, lambda s, u: plan_own_intake(s, u, case, as_of=NOW))]
    for user, call in refusals:
        before = len(audit_events(engine, "authz_denied"))
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            call(s, user)
        denied = audit_events(engine, "authz_denied")
        assert len(denied) == before + 1 and denied[-1].actor_user_id == user.id
    assert audit_events(engine, "read") == []

    with session_scope(engine) as s:
        own = plan_own_intake(s, people.u1, case, as_of=NOW)
    assert set(own["therapist_id"]) == {people.t1.id}
    assert audit_events(engine, "read") == []  # one's own figures: not logged
    plan(engine, people, case)
    reads = audit_events(engine, "read")
    assert sorted(int(e.subject_id) for e in reads) == sorted([people.t1.id, people.t2.id])
    assert all(e.actor_user_id == people.supervisor.id and e.subject_type == "therapist" for e in reads)


def test_a_team_without_therapists_gives_an_empty_plan(engine, people):
    with session_scope(engine) as s:
        empty = Team(name="Team C")
        s.add(empty)
        s.flush()
        s.add(SupervisorTeam(user_id=people.supervisor.id, team_id=empty.id))
        team_id = empty.id
    with session_scope(engine) as s:
        frame = plan_intake(s, people.supervisor, team_id, NewCase(band="mild", start_week=AHEAD[0]), as_of=NOW)
    assert frame.empty and list(frame.columns) == list(PLAN_COLUMNS)
    assert intake_summary(frame).empty


def test_check_ins_are_never_read(engine, people):
    case_with_sessions(engine, people.u1, 2, {i: 14 for i in range(4)})
    new_case = NewCase(band="severe", sessions_per_week=2, start_week=AHEAD[0])

    def both() -> tuple[pd.DataFrame, pd.DataFrame]:
        with session_scope(engine) as s:
            own = plan_own_intake(s, people.u1, new_case, as_of=NOW)
        return plan(engine, people, new_case), own

    before = both()
    with session_scope(engine) as s:  # alarming check-ins, shared with no one
        for i in range(5):
            save_checkin(s, people.u1, week(i), TIRED)
    after = both()
    for b, a in zip(before, after):
        pd.testing.assert_frame_equal(b, a)
    with session_scope(engine) as s:  # the real load sees the same sessions: only check-ins were added
        assert therapist_weekly_load(s, people.u1, people.t1.id, [week(i) for i in range(4)])["load"].gt(0).all()

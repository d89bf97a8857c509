"""Round trips through the store's cases, check-ins and load on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from complexity import CHECKIN, INSTRUMENT, capacity_score, score_case
from complexity.load import session_weight
from store import CheckinExists, InvalidInput, NotFound
from complexity.calendar import monday_of, today
from store.cases import add_case, close_case, get_case, my_cases, rate_case, record_sessions
from store.checkins import save_checkin, therapist_checkins
from store.load import UNRATED
from store.codes import is_case_code
from store.db import session_scope
from store.models import AuditEvent, Case, CaseRating, TherapySession, WeeklyCheckin

D = dt.date
MODERATE = {i: 2 for i in INSTRUMENT.scored_item_ids}
MILD = {i: 1 for i in INSTRUMENT.scored_item_ids}
CHECKIN_ANSWERS = {
    "energy": 6, "body_tension": 3, "emotional_exhaustion": 4, "rumination": 2, "sleep": 7,
    "meaning": 8, "selfcare_time": 5, "burnout": 2,
    "selfcare_actions": ["pause_walk", "intervision"], "reflection": "  Een drukke week.  ",
}


def count(engine, model) -> int:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model))


def new_case(engine, user, opened_on=D(2025, 1, 6)) -> str:
    with session_scope(engine) as s:
        return add_case(s, user, opened_on=opened_on)


def test_case_rating_round_trip(engine, people):
    code = new_case(engine, people.u1)
    assert is_case_code(code)
    ratings = dict(MODERATE, safety_concern=0, case_meaning=3)
    ratings["emo_anxiety"] = None  # not rated
    with session_scope(engine) as s:
        score = rate_case(s, people.u1, code, ratings, D(2025, 1, 7))
    expected = score_case(ratings)
    assert score.complexity == pytest.approx(expected.complexity)
    with session_scope(engine) as s:
        detail = get_case(s, people.u1, code)
    (rating,) = detail.ratings
    assert rating.items == {i: ratings.get(i) for i in INSTRUMENT.item_ids}
    assert rating.complexity == pytest.approx(expected.complexity)
    assert rating.band == expected.band == "moderate"
    assert rating.interaction == pytest.approx(expected.interaction)
    assert rating.instrument_version == INSTRUMENT.version
    assert rating.model_version == expected.model_version
    assert rating.rated_on == D(2025, 1, 7)
    # Two items unrated (emo_anxiety and the interplay): the range the score could take.
    assert rating.unrated_items == 2 == score.unrated_items
    assert (rating.complexity_low, rating.complexity_high) == pytest.approx((expected.low, expected.high))
    assert rating.complexity_low < rating.complexity < rating.complexity_high
    assert rating.burden is None  # the burden question is optional
    with session_scope(engine) as s:
        stored = s.scalars(select(CaseRating)).one()
        assert stored.rated_by_user_id == people.u1.id
    with session_scope(engine) as s:
        (overview,) = my_cases(s, people.u1)
    assert (overview.complexity_low, overview.complexity_high) == pytest.approx((expected.low, expected.high))
    assert overview.model_version == expected.model_version


@pytest.mark.parametrize("burden", [0, 7, 10])
def test_the_burden_is_stored_with_the_rating_and_does_not_change_the_score(engine, people, burden):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        score = rate_case(s, people.u1, code, dict(MODERATE, burden=burden), D(2025, 1, 7))
        (rating,) = get_case(s, people.u1, code).ratings
    assert rating.burden == burden
    assert score.complexity == pytest.approx(score_case(MODERATE).complexity)
    assert "burden" not in rating.items


@pytest.mark.parametrize("burden, code", [(11, "out_of_range"), (-1, "out_of_range"), (2.5, "not_a_whole_number"),
                                          ("heavy", "not_a_number")])
def test_a_burden_outside_0_to_10_stores_nothing(engine, people, burden, code):
    case = new_case(engine, people.u1)
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput) as err:
            rate_case(s, people.u1, case, dict(MILD, burden=burden), D(2025, 1, 7))
    assert [(p.code, p.column) for p in err.value.problems] == [(code, "burden")]
    assert count(engine, CaseRating) == 0


def test_a_burden_alone_is_not_a_rating(engine, people):
    case = new_case(engine, people.u1)
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput) as err:
            rate_case(s, people.u1, case, {"burden": 5}, D(2025, 1, 7))
    assert err.value.codes == ["no_ratings"]
    assert count(engine, CaseRating) == 0


def test_incomplete_rating_is_stored_unscored(engine, people):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        score = rate_case(s, people.u1, code, {"content_chronicity": 3}, D(2025, 1, 7))
    assert score.complexity is None
    with session_scope(engine) as s:
        (case,) = my_cases(s, people.u1)
    assert case.band == "incomplete" and case.complexity is None and case.rated_on == D(2025, 1, 7)


def test_invalid_ratings_store_nothing(engine, people):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput) as err:
            rate_case(s, people.u1, code, {"content_chronicity": 4, "emo_anxiety": "x"}, D(2025, 1, 7))
    assert len(err.value.problems) == 2
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput, match="column patient_name: unknown field") as unknown:
            rate_case(s, people.u1, code, {"patient_name": 1}, D(2025, 1, 7))
        assert unknown.value.codes == ["unknown_field"]
        with pytest.raises(InvalidInput, match="before the case was opened"):
            rate_case(s, people.u1, code, MILD, D(2025, 1, 1))
        with pytest.raises(InvalidInput, match="future"):
            rate_case(s, people.u1, code, MILD, today() + dt.timedelta(days=1))
    assert count(engine, CaseRating) == 0


def test_unknown_case_code(engine, people):
    with session_scope(engine) as s:
        with pytest.raises(NotFound):
            get_case(s, people.u1, "C-0000-0000")
        with pytest.raises(InvalidInput, match="not a case code"):
            get_case(s, people.u1, "Mrs Jansen")


def test_case_codes_accept_typed_variants(engine, people):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        assert get_case(s, people.u1, code.lower().replace("-", " ")).code == code


def test_sessions_get_a_weight_snapshot(engine, people):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        assert record_sessions(s, people.u1, code, [(D(2025, 1, 6), 45)]) == 1  # unrated
        first = rate_case(s, people.u1, code, MILD, D(2025, 1, 7))
        record_sessions(s, people.u1, code, [("2025-01-08", 30), {"session_date": D(2025, 1, 9),
                                                                       "duration_minutes": 60}])
    with session_scope(engine) as s:
        second = rate_case(s, people.u1, code, MODERATE, D(2025, 1, 14))
        record_sessions(s, people.u1, code, [(D(2025, 1, 15), 45)])
        detail = get_case(s, people.u1, code)
    weights = [x.weight for x in detail.sessions]
    assert [x.complexity for x in detail.sessions] == [None, first.complexity, first.complexity,
                                                       second.complexity]
    assert weights == pytest.approx([
        float(session_weight(float("nan"))), float(session_weight(first.complexity)),
        float(session_weight(first.complexity)), float(session_weight(second.complexity)),
    ])
    # Re-rating changed only the session recorded after it.
    assert weights[1] == weights[2] < weights[3]
    # Each weighed session says which model gave its complexity.
    assert [x.model_version for x in detail.sessions] == [None, *[first.model_version] * 3]
    assert [x.duration_minutes for x in detail.sessions] == [45, 30, 60, 45]


def test_record_sessions_is_all_or_nothing(engine, people):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        record_sessions(s, people.u1, code, [(D(2025, 1, 6), 45)])
    batch = [(D(2025, 1, 7), 45), ("2025-02-30", 45), (D(2025, 1, 9), 0), (D(2024, 12, 1), 30),
             (D(2025, 1, 10), "lang")]
    with pytest.raises(InvalidInput) as err:
        with session_scope(engine) as s:
            record_sessions(s, people.u1, code, batch)
    problems = err.value.messages("en")
    assert len(problems) == 4
    assert "row 2" in problems[0] and "not a date" in problems[0]
    assert "row 3, column duration_minutes" in problems[1] and "outside 1-480" in problems[1]
    assert "row 4" in problems[2] and "before the case was opened" in problems[2]
    assert "row 5" in problems[3]
    assert "rij 4, kolom session_date" in err.value.messages("nl")[2]
    assert count(engine, TherapySession) == 1
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput, match="column session_date: a value is required"):
            record_sessions(s, people.u1, code, [])
        with pytest.raises(InvalidInput, match="future"):
            record_sessions(s, people.u1, code, [(today() + dt.timedelta(days=1), 30)])
    assert count(engine, TherapySession) == 1


def test_close_case(engine, people):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        record_sessions(s, people.u1, code, [(D(2025, 1, 10), 45)])
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput, match="session on 2025-01-10"):
            close_case(s, people.u1, code, D(2025, 1, 9))
        close_case(s, people.u1, code, D(2025, 1, 10))
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput, match="already closed"):
            close_case(s, people.u1, code, D(2025, 1, 11))
        with pytest.raises(InvalidInput, match="after the case was closed"):
            record_sessions(s, people.u1, code, [(D(2025, 1, 11), 45)])
        with pytest.raises(InvalidInput, match="after the case was closed"):
            rate_case(s, people.u1, code, MILD, D(2025, 1, 11))
        (case,) = my_cases(s, people.u1)
        assert case.closed_on == D(2025, 1, 10) and not case.is_open
        assert my_cases(s, people.u1, include_closed=False) == []


def test_my_cases_lists_own_cases_with_latest_rating(engine, people):
    old = new_case(engine, people.u1, D(2025, 1, 6))
    new = new_case(engine, people.u1, D(2025, 2, 3))
    closed = new_case(engine, people.u1, D(2024, 12, 2))
    new_case(engine, people.u2)  # someone else's
    with session_scope(engine) as s:
        rate_case(s, people.u1, old, MODERATE, D(2025, 1, 7))
        rate_case(s, people.u1, old, MILD, D(2025, 2, 4))  # latest by date...
        rate_case(s, people.u1, old, MODERATE, D(2025, 1, 20))  # ...not by entry
        record_sessions(s, people.u1, old, [(D(2025, 1, 8), 45), (D(2025, 2, 5), 45)])
        close_case(s, people.u1, closed, D(2024, 12, 20))
    with session_scope(engine) as s:
        cases = my_cases(s, people.u1)
    assert [c.code for c in cases] == [new, old, closed]
    by_code = {c.code: c for c in cases}
    assert by_code[old].rated_on == D(2025, 2, 4)
    assert by_code[old].band == score_case(MILD).band
    assert by_code[old].sessions == 2 and by_code[old].last_session_on == D(2025, 2, 5)
    assert by_code[new].band == UNRATED and by_code[new].sessions == 0
    assert by_code[new].last_session_on is None


def test_checkin_round_trip(engine, people):
    with session_scope(engine) as s:
        saved = save_checkin(s, people.u1, D(2025, 1, 6), CHECKIN_ANSWERS)
    expected = capacity_score({k: v for k, v in CHECKIN_ANSWERS.items() if k in CHECKIN.scale_ids})
    assert saved.capacity_score == pytest.approx(expected)
    with session_scope(engine) as s:
        (back,) = therapist_checkins(s, people.u1)
    assert back.week_start == D(2025, 1, 6) and back.week == "2025-W02"
    assert back.capacity_score == pytest.approx(expected)
    assert back.answers["reflection"] == "Een drukke week."
    assert back.answers["selfcare_actions"] == ["pause_walk", "intervision"]
    assert {k: back.answers[k] for k in CHECKIN.scale_ids} == {k: CHECKIN_ANSWERS[k] for k in CHECKIN.scale_ids}
    assert back.checkin_version == CHECKIN.version
    with session_scope(engine) as s:
        row = s.scalars(select(WeeklyCheckin)).one()
        assert row.action_pause_walk and row.action_intervision and not row.action_time_off


def test_partial_checkin_and_empty_checkin(engine, people):
    with session_scope(engine) as s:
        partial = save_checkin(s, people.u1, D(2025, 1, 6), {"energy": 10, "burnout": 1})
        empty = save_checkin(s, people.u1, D(2025, 1, 13), {"reflection": ""})
    assert partial.capacity_score == pytest.approx(100.0)
    assert empty.capacity_score is None and empty.answers["reflection"] is None
    with session_scope(engine) as s:
        assert [c.week_start for c in therapist_checkins(s, people.u1, weeks=[D(2025, 1, 15)])] == [
            D(2025, 1, 13)]


def test_second_checkin_for_a_week_is_refused_and_nothing_changes(engine, people):
    with session_scope(engine) as s:
        save_checkin(s, people.u1, D(2025, 1, 6), CHECKIN_ANSWERS)
    events = count(engine, AuditEvent)
    with pytest.raises(CheckinExists, match="already a check-in for week 2025-W02"):
        with session_scope(engine) as s:
            save_checkin(s, people.u1, D(2025, 1, 6), {"energy": 0, "burnout": 5, "reflection": "anders"})
    assert count(engine, WeeklyCheckin) == 1
    assert count(engine, AuditEvent) == events
    with session_scope(engine) as s:
        (kept,) = therapist_checkins(s, people.u1)
    assert kept.answers["energy"] == 6 and kept.answers["reflection"] == "Een drukke week."
    # Another therapist's check-in for the same week is their own.
    with session_scope(engine) as s:
        save_checkin(s, people.u2, D(2025, 1, 6), {"energy": 3})
    assert count(engine, WeeklyCheckin) == 2


def test_duplicate_checkin_in_the_same_transaction_keeps_the_first(engine, people):
    with session_scope(engine) as s:
        save_checkin(s, people.u1, D(2025, 1, 6), {"energy": 6})
        with pytest.raises(CheckinExists):
            save_checkin(s, people.u1, D(2025, 1, 6), {"energy": 1})
    with session_scope(engine) as s:
        assert [c.answers["energy"] for c in therapist_checkins(s, people.u1)] == [6]


def test_invalid_checkins_store_nothing(engine, people):
    bad = [
        (D(2025, 1, 7), {"energy": 5}, "is a Tuesday; give the Monday of the week"),
        (monday_of(today()) + dt.timedelta(weeks=1), {"energy": 5}, "in the future"),
        (D(2025, 1, 6), {"energy": 11}, "energy"),
        (D(2025, 1, 6), {"burnout": 0}, "burnout"),
        (D(2025, 1, 6), {"energy": 2.5}, "energy"),
        (D(2025, 1, 6), {"mood": 3}, "column mood: unknown field"),
        (D(2025, 1, 6), {"selfcare_actions": ["yoga"]}, "'yoga' is not one of"),
        (D(2025, 1, 6), {"reflection": "x" * 2001}, "at most 2000"),
    ]
    for week, answers, message in bad:
        with session_scope(engine) as s:
            with pytest.raises(InvalidInput, match=message):
                save_checkin(s, people.u1, week, answers)
    assert count(engine, WeeklyCheckin) == 0


def test_writes_are_audited_without_content(engine, people):
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        rate_case(s, people.u1, code, MILD, D(2025, 1, 7))
        record_sessions(s, people.u1, code, [(D(2025, 1, 8), 45)])
        save_checkin(s, people.u1, D(2025, 1, 6), CHECKIN_ANSWERS)
    with session_scope(engine) as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["create"] * 4
    assert all(e.actor_user_id == e.on_behalf_of_user_id == people.u1.id for e in events)
    assert [e.subject_id for e in events[:3]] == [code] * 3
    assert "drukke" not in " ".join(e.detail or "" for e in events)


def test_audit_events_outlive_nothing_else(engine, people):
    """Deleting a case cascades to its ratings and sessions, not to the log."""
    code = new_case(engine, people.u1)
    with session_scope(engine) as s:
        rate_case(s, people.u1, code, MILD, D(2025, 1, 7))
        record_sessions(s, people.u1, code, [(D(2025, 1, 8), 45)])
    events = count(engine, AuditEvent)
    with session_scope(engine) as s:
        s.delete(s.scalars(select(Case)).one())
    assert count(engine, CaseRating) == count(engine, TherapySession) == 0
    assert count(engine, AuditEvent) == events

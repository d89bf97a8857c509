"""Supervisor alerts that persist until acted on: red two complete weeks, load rising,
consult-now cases; marked as discussed with a date; seen by the therapist; only the
team's supervisors; on both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from complexity import INSTRUMENT
from store import AccessDenied, InvalidInput, NotFound
from store.alerts import last_complete_week, mark_discussed, my_alerts, team_alerts
from store.cases import add_case, close_case, rate_case, record_sessions
from store.checkins import save_checkin
from store.db import session_scope
from store.load import therapist_weekly_load

TODAY = dt.date.today()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())
HEAVY = {i: 3 for i in INSTRUMENT.scored_item_ids}
TIRED = {"energy": 1, "body_tension": 9, "emotional_exhaustion": 9, "rumination": 9, "sleep": 2,
         "meaning": 2, "selfcare_time": 0, "burnout": 5}


def week(n: int) -> dt.date:
    """The Monday ``n`` weeks before this week's."""
    return MONDAY - dt.timedelta(weeks=n)


def _case(engine, user, safety: int = 0) -> str:
    with session_scope(engine) as s:
        code = add_case(s, user, opened_on=week(10))
        rate_case(s, user, code, HEAVY | {"safety_concern": safety}, week(10))
    return code


def _sessions(engine, user, code, per_week: dict[int, int]) -> None:
    with session_scope(engine) as s:
        for n, count in per_week.items():
            record_sessions(s, user, code, [(week(n) + dt.timedelta(days=1), 45)] * count)


def _alerts(engine, who, team_id):
    with session_scope(engine) as s:
        return team_alerts(s, who, team_id, as_of=TODAY)


def _sessions_for_index(engine, people, target: float) -> int:
    """Sessions of the HEAVY case that bring Anna's week to ``target`` load index."""
    with session_scope(engine) as s:
        row = therapist_weekly_load(s, people.u1, people.t1.id, [week(20)]).iloc[0]
    from complexity.load import session_weight
    import math
    return math.ceil(target * row["capacity"] / float(session_weight(100.0)))


def test_red_in_two_complete_weeks_is_an_alert_and_the_week_in_progress_never_counts(engine, people):
    code = _case(engine, people.u1)
    red = _sessions_for_index(engine, people, 1.2)
    _sessions(engine, people.u1, code, {3: red, 1: red, 0: red})  # week 2 in between is quiet
    assert not [a for a in _alerts(engine, people.supervisor, people.team_id) if a.kind == "red_two_weeks"]
    _sessions(engine, people.u1, code, {2: red})
    (alert,) = [a for a in _alerts(engine, people.supervisor, people.team_id) if a.kind == "red_two_weeks"]
    assert (alert.therapist_id, alert.since, alert.discussed) == (people.t1.id, week(3), False)
    assert alert.params["load_index"] >= 1.1 and alert.params["last_week"].endswith(
        f"W{last_complete_week(TODAY).isocalendar().week:02d}")


def test_load_rising_three_weeks_in_a_row(engine, people):
    code = _case(engine, people.u1)
    top = _sessions_for_index(engine, people, 1.0)
    _sessions(engine, people.u1, code, {4: top // 4, 3: top // 3, 2: top // 2, 1: top})
    (alert,) = [a for a in _alerts(engine, people.supervisor, people.team_id) if a.kind == "load_rising"]
    # Four rises: from the quiet week 5 to week 4, then on to the last complete week.
    assert alert.since == week(4) and alert.params["weeks"] == 4 and alert.params["first_week"] == \
        f"{week(4).isocalendar().year}-W{week(4).isocalendar().week:02d}"
    _sessions(engine, people.u1, code, {0: 3 * top})  # the week in progress changes nothing
    assert [a.since for a in _alerts(engine, people.supervisor, people.team_id) if a.kind == "load_rising"] == [week(4)]


def test_a_consult_now_case_is_an_alert_by_code_and_date_until_its_cause_is_gone(engine, people):
    code = _case(engine, people.u2, safety=2)
    (alert,) = _alerts(engine, people.supervisor, people.team_id)
    assert (alert.kind, alert.subject, alert.since, alert.therapist) == ("consult_now", code, week(10), "Bram")
    assert set(alert.params) == {"code", "rated_on"}  # nothing about the patient
    with session_scope(engine) as s:  # rated again without the concern: gone
        rate_case(s, people.u2, code, HEAVY | {"safety_concern": 0}, week(1))
    assert _alerts(engine, people.supervisor, people.team_id) == []
    other = _case(engine, people.u2, safety=3)
    assert [a.subject for a in _alerts(engine, people.supervisor, people.team_id)] == [other]
    with session_scope(engine) as s:
        close_case(s, people.u2, other, week(0))
    assert _alerts(engine, people.supervisor, people.team_id) == []


def test_marked_as_discussed_the_alert_leaves_the_open_list_and_the_therapist_sees_it(engine, people):
    code = _case(engine, people.u1, safety=2)
    with session_scope(engine) as s:
        save_checkin(s, people.u1, week(1), TIRED)  # never used for alerts
    (alert,) = _alerts(engine, people.supervisor, people.team_id)
    with session_scope(engine) as s:
        (mine,) = my_alerts(s, people.u1, as_of=TODAY)
    assert mine.key == alert.key and not mine.discussed
    for bad in (TODAY + dt.timedelta(days=1), alert.since - dt.timedelta(days=1)):
        with pytest.raises(InvalidInput), session_scope(engine) as s:
            mark_discussed(s, people.supervisor, alert.key, bad, as_of=TODAY)
    with session_scope(engine) as s:
        mark_discussed(s, people.supervisor, alert.key, TODAY, as_of=TODAY)
    (after,) = _alerts(engine, people.supervisor, people.team_id)
    assert (after.discussed_on, after.discussed_by) == (TODAY, "sanne")
    with session_scope(engine) as s:
        (mine,) = my_alerts(s, people.u1, as_of=TODAY)
    assert mine.discussed_on == TODAY
    with session_scope(engine) as s:  # a case rated again with the concern: a new alert, open
        rate_case(s, people.u1, code, HEAVY | {"safety_concern": 3}, week(0))
    (fresh,) = _alerts(engine, people.supervisor, people.team_id)
    assert fresh.since == week(0) and not fresh.discussed


def test_an_alert_whose_cause_is_gone_cannot_be_marked(engine, people):
    code = _case(engine, people.u1, safety=2)
    (alert,) = _alerts(engine, people.supervisor, people.team_id)
    with session_scope(engine) as s:
        close_case(s, people.u1, code, week(0))
    with pytest.raises(NotFound), session_scope(engine) as s:
        mark_discussed(s, people.supervisor, alert.key, TODAY, as_of=TODAY)


@pytest.mark.parametrize("who", ["u1", "u3", "admin", "researcher"])
def test_only_the_teams_supervisors_see_and_mark_alerts(engine, people, who):
    _case(engine, people.u1, safety=2)
    (alert,) = _alerts(engine, people.supervisor, people.team_id)
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        team_alerts(s, getattr(people, who), people.team_id, as_of=TODAY)
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        mark_discussed(s, getattr(people, who), alert.key, TODAY, as_of=TODAY)


def test_a_supervisor_of_another_team_neither(engine, people):
    _case(engine, people.u3, safety=2)  # Cas, team B: sanne does not supervise it
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        team_alerts(s, people.supervisor, people.other_team_id, as_of=TODAY)
    with session_scope(engine) as s:  # and with no supervisor for team B, Cas is told of none
        assert my_alerts(s, people.u3, as_of=TODAY) == []

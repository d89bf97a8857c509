"""The supervisor's view: team load and caseload with its alerts only, shared reports
only while shared; on both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from complexity import INSTRUMENT
from store import AccessDenied
from store import overview, privacy, team
from store.cases import add_case, rate_case, record_sessions
from store.checkins import save_checkin
from store.db import session_scope

TODAY = dt.date.today()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())
HEAVY = {i: 3 for i in INSTRUMENT.scored_item_ids}
TIRED = {"energy": 2, "body_tension": 8, "emotional_exhaustion": 8, "rumination": 7, "sleep": 3,
         "meaning": 3, "selfcare_time": 1, "burnout": 4}


def test_team_overview_shows_load_flags_never_wellbeing(engine, people):
    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=2))
        rate_case(s, people.u1, code, HEAVY, MONDAY - dt.timedelta(weeks=2))
        record_sessions(s, people.u1, code, [(MONDAY - dt.timedelta(days=3), 45)] * 30)
        save_checkin(s, people.u1, MONDAY - dt.timedelta(weeks=1), TIRED)  # balance for Anna herself
    with session_scope(engine) as s:
        assert team.supervised_teams(s, people.supervisor) == [(people.team_id, "Team A")]
        view = team.team_overview(s, people.supervisor, people.team_id, as_of=TODAY)
    assert set(view.load["therapist_id"]) == {people.t1.id, people.t2.id}
    assert len(view.load) == 2 * team.TEAM_WEEKS
    # Anna ran red last week: she comes first, with this week and the last complete week
    # side by side; never a word of her check-in.
    first = view.glance.iloc[0]
    assert first["display_name"] == "Anna" and first["status_last"] == "red" and first["load_index_last"] > 1.1
    assert first["status_now"] == "blue" and len(first["trend"]) == team.TEAM_WEEKS - 1
    assert list(view.glance["display_name"]) == ["Anna", "Bram"]
    assert view.last_complete == MONDAY - dt.timedelta(weeks=1)
    assert {a.kind for a in view.alerts} <= {"red_two_weeks", "load_rising", "consult_now"}
    assert not any("balance" in str(a.params) or "capacity_score" in str(a.params) for a in view.alerts)
    row = view.caseload.set_index("therapist_id").loc[people.t1.id]
    assert row["open_cases"] == 1 and row["severe"] == 1 and row["complex_cases"] == 1
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        team.team_overview(s, people.supervisor, people.other_team_id)


def test_shared_reports_listed_while_shared(engine, people):
    with session_scope(engine) as s:
        grant = privacy.grant_share(s, people.u1, "sanne", MONDAY - dt.timedelta(weeks=4), MONDAY)
    with session_scope(engine) as s:
        (shared,) = team.shared_with_me(s, people.supervisor)
        assert (shared.therapist, shared.period_end) == ("Anna", MONDAY + dt.timedelta(days=6))  # whole weeks
        report = overview.period_report(s, people.supervisor, shared.period_start, shared.period_end,
                                        therapist_id=shared.therapist_id)
        assert len(report.balance) == 5
    with session_scope(engine) as s:
        privacy.revoke_share(s, people.u1, grant.id)
    with session_scope(engine) as s:
        assert team.shared_with_me(s, people.supervisor) == []


@pytest.mark.parametrize("who", ["u1", "admin", "researcher"])
def test_only_supervisors(engine, people, who):
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        team.supervised_teams(s, getattr(people, who))


def test_the_glance_orders_red_before_amber_before_the_rest_then_by_rise():
    import pandas as pd

    weeks = [MONDAY - dt.timedelta(weeks=n) for n in (3, 2, 1, 0)]
    series = {1: [0.5, 0.6, 0.7, 0.2], 2: [0.9, 0.7, 0.5, 0.1], 3: [1.0, 1.0, 1.05, 0.3], 4: [0.8, 0.9, 1.2, 0.1],
              5: [0.2, 0.3, 0.4, 1.3]}  # 5: red in the week in progress
    status = lambda v: "red" if v >= 1.1 else "amber" if v >= 1.0 else "green" if v >= 0.6 else "blue"  # noqa: E731
    load = pd.DataFrame([{"therapist_id": t, "week_start": w, "load_index": v, "status": status(v)}
                         for t, values in series.items() for w, v in zip(weeks, values)])
    caseload = pd.DataFrame([{"therapist_id": t, "display_name": f"T{t}", "open_cases": 1, "complex_cases": 0,
                              "uncomplicated": 1, "mild": 0, "moderate": 0, "severe": 0, "incomplete": 0, "unrated": 0}
                             for t in series])
    glance = team.team_glance(load, caseload, weeks[-1], weeks[-2])
    # red (4 last week, 5 this week; the steeper rise over complete weeks first), amber (3), then
    # rising 1 before falling 2
    assert list(glance["therapist_id"]) == [4, 5, 3, 1, 2]

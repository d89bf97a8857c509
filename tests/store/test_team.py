"""The supervisor's view: team load and caseload with team flags only, shared reports
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
    codes = {(f.code, f.subject) for f in view.flags}
    assert ("load_over_capacity", people.t1.id) in codes
    assert all(f.audience == "team" for f in view.flags)  # no balance, no missed check-ins
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

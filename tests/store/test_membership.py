"""Team history: a therapist moved to another team from a given week stays in the old
team's past weeks and joins the new team's from then on; archiving; only admins; on
both backends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from store import AccessDenied, InvalidInput, Refused
from store.cases import add_case, record_sessions
from store.db import session_scope
from store.load import team_weekly_load
from store.membership import archive_team, move_therapist, team_weeks
from store.models import SupervisorTeam, Team, TeamMembership, Therapist, UserAccount
from store.team import supervised_teams

TODAY = dt.date.today()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


def week(n: int) -> dt.date:
    return MONDAY - dt.timedelta(weeks=n)


@pytest.fixture
def other_supervisor(engine, people) -> UserAccount:
    with session_scope(engine) as s:
        otto = UserAccount(username="otto", role="supervisor")
        s.add(otto)
        s.flush()
        s.add(SupervisorTeam(user_id=otto.id, team_id=people.other_team_id))
        s.expunge(otto)
    return otto


def _weeks_with_anna(engine, supervisor, team_id, people) -> list[dt.date]:
    with session_scope(engine) as s:
        frame = team_weekly_load(s, supervisor, team_id, [week(n) for n in range(7, -1, -1)])
    rows = frame[frame["therapist_id"] == people.t1.id]
    return sorted(pd.Timestamp(d).date() for d in rows["week_start"])


def test_a_moved_therapist_stays_in_the_old_teams_past_and_joins_the_new_team(engine, people, other_supervisor):
    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=week(8))
        record_sessions(s, people.u1, code, [(week(n) + dt.timedelta(days=1), 45) for n in range(7, 0, -1)])
    assert _weeks_with_anna(engine, people.supervisor, people.team_id, people) == [week(n) for n in range(7, -1, -1)]
    with session_scope(engine) as s:
        move_therapist(s, people.admin, people.t1.id, people.other_team_id, week(3) + dt.timedelta(days=2))
    old = _weeks_with_anna(engine, people.supervisor, people.team_id, people)
    new = _weeks_with_anna(engine, other_supervisor, people.other_team_id, people)
    assert old == [week(n) for n in range(7, 3, -1)]  # up to the week before the move
    assert new == [week(n) for n in range(3, -1, -1)]  # from the move's Monday on
    with session_scope(engine) as s:
        assert s.get(Therapist, people.t1.id).team_id == people.other_team_id
        periods = team_weeks(s, people.team_id)
    assert periods[people.t1.id][0][1] == week(3) and periods[people.t2.id] == [(dt.date(1900, 1, 1), None)]


def test_a_move_is_checked(engine, people):
    bad = [
        (people.team_id, week(1)),  # the team Anna is in already
        (people.other_team_id, MONDAY + dt.timedelta(weeks=1)),  # in the future
        (999, week(1)),  # no such team
    ]
    for team_id, start in bad:
        with pytest.raises(InvalidInput), session_scope(engine) as s:
            move_therapist(s, people.admin, people.t1.id, team_id, start)
    with session_scope(engine) as s:
        move_therapist(s, people.admin, people.t1.id, people.other_team_id, week(2))
    with pytest.raises(InvalidInput), session_scope(engine) as s:  # before her last move
        move_therapist(s, people.admin, people.t1.id, people.team_id, week(4))
    with session_scope(engine) as s:  # twice in a week: the last one counts
        move_therapist(s, people.admin, people.t1.id, people.team_id, week(2))
        assert len(s.scalars(select(TeamMembership)).all()) == 2


@pytest.mark.parametrize("who", ["u1", "supervisor", "researcher"])
def test_only_admins_move_and_archive(engine, people, who):
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        move_therapist(s, getattr(people, who), people.t1.id, people.other_team_id, week(1))
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        archive_team(s, getattr(people, who), people.other_team_id)


def test_a_team_is_archived_once_empty_and_then_no_longer_offered(engine, people):
    with pytest.raises(Refused) as refused, session_scope(engine) as s:
        archive_team(s, people.admin, people.team_id)
    assert "Team A" in refused.value.message("en")
    with session_scope(engine) as s:
        for tid in (people.t1.id, people.t2.id):
            move_therapist(s, people.admin, tid, people.other_team_id, week(0))
    with session_scope(engine) as s:
        archive_team(s, people.admin, people.team_id)
    with session_scope(engine) as s:
        assert s.get(Team, people.team_id).archived_on == TODAY
        assert supervised_teams(s, people.supervisor) == []
    with pytest.raises(InvalidInput), session_scope(engine) as s:  # nobody moves into it
        move_therapist(s, people.admin, people.t1.id, people.team_id, week(0))


def test_any_change_of_team_is_kept_from_this_week_on(engine, people):
    with session_scope(engine) as s:  # e.g. an admin's edit of the account
        s.get(Therapist, people.t2.id).team_id = people.other_team_id
    with session_scope(engine) as s:
        rows = s.scalars(select(TeamMembership).order_by(TeamMembership.valid_from)).all()
    assert [(r.team_id, r.valid_from) for r in rows] == [(people.team_id, dt.date(1900, 1, 1)),
                                                          (people.other_team_id, MONDAY)]


def test_the_planner_offers_the_teams_therapists_now_each_with_their_own_load(engine, people, other_supervisor):
    from store.planner import NewCase, plan_intake

    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=week(8))
        record_sessions(s, people.u1, code, [(week(n) + dt.timedelta(days=1), 45) for n in (4, 3, 2) for _ in range(5)])
        move_therapist(s, people.admin, people.t1.id, people.other_team_id, week(1))
    case = NewCase(start_week=MONDAY, band="moderate")
    with session_scope(engine) as s:
        old_team = plan_intake(s, people.supervisor, people.team_id, case, as_of=TODAY)
        new_team = plan_intake(s, other_supervisor, people.other_team_id, case, as_of=TODAY)
    assert people.t1.id not in set(old_team["therapist_id"])  # Anna moved on: not the old team's to plan
    anna = new_team[new_team["therapist_id"] == people.t1.id]
    assert len(anna) and anna["load_without"].iloc[0] > 0  # her load from the weeks in her old team counts

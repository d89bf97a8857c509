"""The practice's structure in the store: teams, supervisors' teams and new accounts,
as an admin builds them, with every rule checked from Python for every role; on both
backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from store import AccessDenied, InvalidInput, NotFound
from store import admin, practice
from store.accounts.login import authenticate
from store.db import session_scope
from store.models import AuditEvent, SupervisorTeam, Team, Therapist, UserAccount
from store.team import supervised_teams

NEW_THERAPIST = dict(username="Nina", role="therapist", display_name="Nina", experience="starting",
                     contracted_sessions=18, started_on=dt.date(2026, 9, 1))


def count(engine, model) -> int:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_an_admin_builds_a_team_with_a_supervisor_who_then_sees_it(engine, people):
    with session_scope(engine) as s:
        team_id = practice.create_team(s, people.admin, "  Team   Zuid ")
        assert practice.assign_supervisor(s, people.admin, people.supervisor.id, team_id)
        assert not practice.assign_supervisor(s, people.admin, people.supervisor.id, team_id)  # already
    with session_scope(engine) as s:
        table = practice.teams(s, people.admin).set_index("name")
        assert table.loc["Team Zuid", "supervisors"] == "sanne" and table.loc["Team Zuid", "therapists"] == 0
        assert table.loc["Team A", "therapists"] == 2
        assert (team_id, "Team Zuid") in supervised_teams(s, people.supervisor)
    with session_scope(engine) as s:
        practice.rename_team(s, people.admin, team_id, "Team Zuid-West")
        assert practice.remove_supervisor(s, people.admin, people.supervisor.id, team_id)
        assert not practice.remove_supervisor(s, people.admin, people.supervisor.id, team_id)
    with session_scope(engine, readonly=True) as s:
        assert s.get(Team, team_id).name == "Team Zuid-West"
        assert team_id not in dict(supervised_teams(s, people.supervisor))
        details = s.scalars(select(AuditEvent.detail).where(AuditEvent.subject_type == "team")
                            .order_by(AuditEvent.id)).all()
    assert details == ["team 'Team Zuid'", f"supervisor {people.supervisor.id} assigned",
                       "renamed from 'Team Zuid' to 'Team Zuid-West'", f"supervisor {people.supervisor.id} removed"]


@pytest.mark.parametrize("name, code", [("team a", "team_exists"), (" TEAM  A ", "team_exists"), ("", "required"),
                                        ("x" * 101, "too_long")])
def test_a_team_name_is_required_short_and_unique_whatever_its_case(engine, people, name, code):
    with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
        practice.create_team(s, people.admin, name)
    assert err.value.codes == [code]
    assert count(engine, Team) == 2
    with pytest.raises(InvalidInput), session_scope(engine) as s:  # renaming meets the same rules
        practice.rename_team(s, people.admin, people.other_team_id, name)
    with session_scope(engine) as s:  # a team may keep its own name in another case
        practice.rename_team(s, people.admin, people.team_id, "TEAM A")
        assert s.get(Team, people.team_id).name == "TEAM A"


def test_only_a_supervisor_account_supervises_and_only_an_existing_team(engine, people):
    with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
        practice.assign_supervisor(s, people.admin, people.u1.id, 9999)
    assert [(p.code, p.column) for p in err.value.problems] == [
        ("not_a_supervisor", "supervisor_user_id"), ("unknown_team", "team_id")]
    with pytest.raises(NotFound), session_scope(engine) as s:
        practice.rename_team(s, people.admin, 9999, "Team C")
    assert count(engine, SupervisorTeam) == 1


def test_a_new_therapist_account_has_its_therapist_and_no_password_until_an_admin_gives_one(engine, people):
    with session_scope(engine) as s:
        user_id = practice.create_account(s, people.admin, team_id=people.other_team_id, **NEW_THERAPIST)
    with session_scope(engine, readonly=True) as s:
        account = s.get(UserAccount, user_id)
        therapist = s.get(Therapist, account.therapist_id)
        assert (account.username, account.role, account.language, account.password_hash) == (
            "nina", "therapist", "nl", None)
        assert (therapist.display_name, therapist.team_id, therapist.experience, therapist.contracted_sessions,
                therapist.started_on) == ("Nina", people.other_team_id, "starting", 18, dt.date(2026, 9, 1))
        event = s.scalars(select(AuditEvent).where(AuditEvent.subject_id == str(user_id))).one()
        assert event.actor_user_id == people.admin.id and "without a password" in event.detail
    with session_scope(engine) as s:
        assert authenticate(s, "nina", "").outcome != "ok"
        password = admin.issue_temporary_password(s, people.admin, user_id)
    with session_scope(engine) as s:
        result = authenticate(s, "nina", password)
    assert result.outcome == "ok" and result.account.password_change_required


@pytest.mark.parametrize("role", ["supervisor", "researcher", "admin"])
def test_other_roles_get_an_account_without_a_therapist(engine, people, role):
    with session_scope(engine) as s:
        user_id = practice.create_account(s, people.admin, username=f"new-{role}", role=role, language="en")
    with session_scope(engine, readonly=True) as s:
        account = s.get(UserAccount, user_id)
        assert (account.role, account.language, account.therapist_id) == (role, "en", None)
    assert count(engine, Therapist) == 3


def test_every_problem_of_a_new_account_at_once_and_nothing_stored(engine, people):
    before = (count(engine, UserAccount), count(engine, Therapist), count(engine, AuditEvent))
    with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
        practice.create_account(s, people.admin, username="Anna", role="therapist", display_name="",
                                experience="expert", contracted_sessions=0, team_id=9999)
    assert sorted((p.column, p.code) for p in err.value.problems) == sorted([
        ("display_name", "required"), ("experience", "not_an_option"), ("contracted_sessions", "out_of_range"),
        ("team_id", "unknown_team"), ("username", "username_taken")])
    assert any(m.startswith("kolom username:") and "'anna'" in m for m in err.value.messages("nl"))
    with pytest.raises(InvalidInput) as bad, session_scope(engine) as s:
        practice.create_account(s, people.admin, username="x", role="boss")
    assert sorted(p.column for p in bad.value.problems) == ["role", "username"]
    assert (count(engine, UserAccount), count(engine, Therapist), count(engine, AuditEvent)) == before


@pytest.mark.parametrize("who", ["u1", "supervisor", "researcher"])
def test_no_other_role_may_shape_the_practice(engine, people, who):
    acting = getattr(people, who)
    calls = [
        lambda s: practice.teams(s, acting),
        lambda s: practice.create_team(s, acting, "Team C"),
        lambda s: practice.rename_team(s, acting, people.team_id, "Team C"),
        lambda s: practice.assign_supervisor(s, acting, people.supervisor.id, people.other_team_id),
        lambda s: practice.remove_supervisor(s, acting, people.supervisor.id, people.team_id),
        lambda s: practice.create_account(s, acting, **NEW_THERAPIST),
    ]
    for call in calls:
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            call(s)
    assert (count(engine, Team), count(engine, SupervisorTeam), count(engine, UserAccount)) == (2, 1, 6)
    with session_scope(engine, readonly=True) as s:
        denials = s.scalars(select(AuditEvent).where(AuditEvent.action == "authz_denied")).all()
    assert len(denials) == len(calls) and {d.actor_user_id for d in denials} == {acting.id}

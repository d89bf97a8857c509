"""The role rules of design.md, enforced in the store, with their audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from complexity import INSTRUMENT
from store import AccessDenied
from store.cases import add_case, close_case, get_case, my_cases, rate_case, record_sessions
from store.checkins import save_checkin, therapist_checkins
from store.load import team_caseload, team_weekly_load, therapist_weekly_load
from store.db import session_scope
from store.models import AuditEvent, Case, CaseRating, TherapySession, UserAccount, WeeklyCheckin

D = dt.date
MILD = {i: 1 for i in INSTRUMENT.scored_item_ids}


def events(engine, action=None) -> list[AuditEvent]:
    with session_scope(engine, readonly=True) as s:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return list(s.scalars(stmt))


def count(engine, model) -> int:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def anna_case(engine, people) -> str:
    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=D(2025, 1, 6))
        rate_case(s, people.u1, code, MILD, D(2025, 1, 6))
        record_sessions(s, people.u1, code, [(D(2025, 1, 7), 45)])
        save_checkin(s, people.u1, D(2025, 1, 6), {"energy": 2, "reflection": "privé"})
    return code


def assert_denied(engine, call, *, subject_type=None, subject_id=None, actor=None):
    before = len(events(engine, "authz_denied"))
    with pytest.raises(AccessDenied):
        with session_scope(engine) as s:
            call(s)
    denied = events(engine, "authz_denied")
    assert len(denied) == before + 1, "a refusal must leave exactly one authz_denied event"
    last = denied[-1]
    if actor is not None:
        assert last.actor_user_id == last.on_behalf_of_user_id == actor.id
    if subject_type is not None:
        assert (last.subject_type, last.subject_id) == (subject_type, str(subject_id))
    return last


def test_therapist_cannot_touch_another_therapists_case(engine, people, anna_case):
    code = anna_case
    for call in (
        lambda s: get_case(s, people.u2, code),
        lambda s: rate_case(s, people.u2, code, MILD, D(2025, 1, 8)),
        lambda s: record_sessions(s, people.u2, code, [(D(2025, 1, 8), 45)]),
        lambda s: close_case(s, people.u2, code, D(2025, 1, 8)),
    ):
        assert_denied(engine, call, subject_type="case", subject_id=code, actor=people.u2)
    assert count(engine, CaseRating) == 1 and count(engine, TherapySession) == 1
    with session_scope(engine) as s:
        assert my_cases(s, people.u2) == []
        assert s.scalars(select(Case.closed_on)).one() is None


def test_therapist_cannot_open_a_case_for_someone_else(engine, people):
    assert_denied(engine, lambda s: add_case(s, people.u1, people.t2.id),
                  subject_type="therapist", subject_id=people.t2.id)
    assert count(engine, Case) == 0


def test_therapist_cannot_read_another_therapists_checkins_or_load(engine, people, anna_case):
    assert_denied(engine, lambda s: therapist_checkins(s, people.u2, people.t1.id),
                  subject_type="therapist", subject_id=people.t1.id)
    assert_denied(engine, lambda s: therapist_weekly_load(s, people.u2, people.t1.id, 4),
                  subject_type="therapist", subject_id=people.t1.id)
    assert_denied(engine, lambda s: team_weekly_load(s, people.u2, people.team_id, 4),
                  subject_type="team", subject_id=people.team_id)
    with session_scope(engine) as s:  # their own: fine, and not logged as a read
        assert therapist_checkins(s, people.u2) == []
        assert len(therapist_weekly_load(s, people.u2, people.t2.id, 4)) == 4
    assert events(engine, "read") == []


def test_supervisor_never_reads_checkins(engine, people, anna_case):
    last = assert_denied(engine, lambda s: therapist_checkins(s, people.supervisor, people.t1.id),
                         subject_type="therapist", subject_id=people.t1.id, actor=people.supervisor)
    assert "check-in" in last.detail
    assert_denied(engine, lambda s: save_checkin(s, people.supervisor, D(2025, 1, 6), {"energy": 1}))
    assert count(engine, WeeklyCheckin) == 1


def test_supervisor_never_reads_cases(engine, people, anna_case):
    assert_denied(engine, lambda s: get_case(s, people.supervisor, anna_case))
    assert_denied(engine, lambda s: my_cases(s, people.supervisor))
    assert_denied(engine, lambda s: add_case(s, people.supervisor))


def test_supervisor_reads_team_load_and_each_read_is_logged(engine, people, anna_case):
    with session_scope(engine) as s:
        load = team_weekly_load(s, people.supervisor, people.team_id, [D(2025, 1, 6)])
        single = therapist_weekly_load(s, people.supervisor, people.t1.id, [D(2025, 1, 6)])
        caseload = team_caseload(s, people.supervisor, people.team_id)
    assert sorted(load["therapist_id"]) == [people.t1.id, people.t2.id]
    assert list(load["display_name"]) == ["Anna", "Bram"]
    anna = load.set_index("therapist_id").loc[people.t1.id]
    assert anna["sessions"] == 1 and anna["load"] > 0
    assert single.iloc[0]["load"] == pytest.approx(anna["load"])
    assert "reflection" not in load.columns and "capacity_score" not in load.columns
    assert caseload.set_index("therapist_id").loc[people.t1.id, "open_cases"] == 1
    reads = events(engine, "read")
    assert [(e.subject_type, e.subject_id) for e in reads] == [
        ("therapist", str(people.t1.id)), ("therapist", str(people.t2.id)),  # team load
        ("therapist", str(people.t1.id)),  # single therapist
        ("therapist", str(people.t1.id)), ("therapist", str(people.t2.id)),  # caseload counts
    ]
    for e in reads:
        assert e.actor_user_id == e.on_behalf_of_user_id == people.supervisor.id
        assert e.at is not None and e.detail


def test_supervisor_only_sees_teams_they_supervise(engine, people):
    assert_denied(engine, lambda s: team_weekly_load(s, people.supervisor, people.other_team_id, 4),
                  subject_type="team", subject_id=people.other_team_id)
    assert_denied(engine, lambda s: therapist_weekly_load(s, people.supervisor, people.t3.id, 4),
                  subject_type="therapist", subject_id=people.t3.id)
    assert_denied(engine, lambda s: team_caseload(s, people.supervisor, people.other_team_id))
    assert_denied(engine, lambda s: therapist_weekly_load(s, people.supervisor, 99999, 4))
    assert events(engine, "read") == []


@pytest.mark.parametrize("who", ["admin", "researcher"])
def test_admin_and_researcher_get_nothing(engine, people, anna_case, who):
    user = getattr(people, who)
    calls = [
        lambda s: my_cases(s, user),
        lambda s: get_case(s, user, anna_case),
        lambda s: add_case(s, user),
        lambda s: rate_case(s, user, anna_case, MILD),
        lambda s: record_sessions(s, user, anna_case, [(D(2025, 1, 8), 30)]),
        lambda s: save_checkin(s, user, D(2025, 1, 6), {"energy": 1}),
        lambda s: therapist_checkins(s, user, people.t1.id),
        lambda s: therapist_weekly_load(s, user, people.t1.id, 4),
        lambda s: team_weekly_load(s, user, people.team_id, 4),
        lambda s: team_caseload(s, user, people.team_id),
    ]
    for call in calls:
        assert_denied(engine, call, actor=user)


def test_a_denial_rolls_back_the_unit_of_work(engine, people):
    """A refused call abandons what the session did before it; the denial stays."""
    with pytest.raises(AccessDenied):
        with session_scope(engine) as s:
            add_case(s, people.u1, opened_on=D(2025, 1, 6))
            team_weekly_load(s, people.u1, people.team_id, 4)
    assert count(engine, Case) == 0
    assert [e.action for e in events(engine)] == ["authz_denied"]


def test_role_is_read_from_the_database_not_the_callers_object(engine, people):
    with session_scope(engine) as s:
        s.get(UserAccount, people.supervisor.id).role = "researcher"
    assert people.supervisor.role == "supervisor"  # stale object held by the caller
    assert_denied(engine, lambda s: team_weekly_load(s, people.supervisor, people.team_id, 4))


def test_unknown_account_is_denied(engine, people):
    ghost = UserAccount(id=424242, username="ghost", role="therapist", therapist_id=people.t1.id)
    last = assert_denied(engine, lambda s: my_cases(s, ghost))
    assert last.actor_user_id == 424242

"""An admin erases a leaver's data: only a deactivated account, never their own, with the
username typed; everything of a therapist goes, the audit lines stay; on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from store import AccessDenied, InvalidInput, Refused
from store.admin import set_user_active
from store.cases import add_case, record_sessions
from store.checkins import save_checkin
from store.db import session_scope
from store.leavers import erase_leaver
from store.models import AuditEvent, Case, SupervisorTeam, Therapist, TherapySession, UserAccount, WeeklyCheckin

MONDAY = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
CHECKIN = {"energy": 5, "body_tension": 5, "emotional_exhaustion": 5, "rumination": 5, "sleep": 5,
           "meaning": 5, "selfcare_time": 5, "burnout": 2}


def count(engine, model, *where) -> int:
    with session_scope(engine, readonly=True) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)))


def test_a_deactivated_therapist_is_erased_with_everything_of_theirs(engine, people):
    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=2))
        record_sessions(s, people.u1, code, [(MONDAY - dt.timedelta(weeks=1), 45)])
        save_checkin(s, people.u1, MONDAY - dt.timedelta(weeks=1), CHECKIN)
    with pytest.raises(Refused) as refused, session_scope(engine) as s:  # still active
        erase_leaver(s, people.admin, people.u1.id, "anna")
    assert "anna" in refused.value.message("nl")
    with session_scope(engine) as s:
        set_user_active(s, people.admin, people.u1.id, False)
    with pytest.raises(InvalidInput), session_scope(engine) as s:  # the username not typed
        erase_leaver(s, people.admin, people.u1.id, "ann")
    with session_scope(engine) as s:
        erase_leaver(s, people.admin, people.u1.id, " anna ")
    assert count(engine, UserAccount, UserAccount.username == "anna") == 0
    assert count(engine, Therapist, Therapist.id == people.t1.id) == 0
    assert count(engine, Case) == 0 and count(engine, TherapySession) == 0 and count(engine, WeeklyCheckin) == 0
    assert count(engine, Therapist) == 2  # Bram and Cas stay
    with session_scope(engine, readonly=True) as s:
        line = s.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
    assert line.subject_id == str(people.u1.id) and "anna" in line.detail
    assert count(engine, AuditEvent, AuditEvent.subject_type == "therapist") >= 1  # earlier lines stay


def test_a_supervisor_leaver_takes_their_team_links(engine, people):
    with session_scope(engine) as s:
        set_user_active(s, people.admin, people.supervisor.id, False)
    with session_scope(engine) as s:
        erase_leaver(s, people.admin, people.supervisor.id, "sanne")
    assert count(engine, SupervisorTeam) == 0 and count(engine, UserAccount, UserAccount.username == "sanne") == 0


def test_never_ones_own_account(engine, people):
    with pytest.raises(Refused), session_scope(engine) as s:
        erase_leaver(s, people.admin, people.admin.id, "admin")


@pytest.mark.parametrize("who", ["u2", "supervisor", "researcher"])
def test_only_admins_erase(engine, people, who):
    with session_scope(engine) as s:
        set_user_active(s, people.admin, people.u1.id, False)
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        erase_leaver(s, getattr(people, who), people.u1.id, "anna")
    assert count(engine, UserAccount, UserAccount.username == "anna") == 1

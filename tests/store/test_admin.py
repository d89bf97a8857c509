"""The admin's view: accounts without content, unlocking, the audit log (reading it is
logged); on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from store import AccessDenied
from store import admin
from store.cases import add_case
from store.db import session_scope
from store.models import AuditEvent, UserAccount


def test_accounts_list_has_no_content_and_unlock_works(engine, people):
    with session_scope(engine) as s:
        anna = s.get(UserAccount, people.u1.id)
        anna.failed_logins, anna.locked_until = 5, dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=10)
    with session_scope(engine) as s:
        table = admin.accounts(s, people.admin)
    assert set(table.columns) == {"user_id", "username", "role", "language", "active", "totp", "locked",
                                  "last_login_at"}
    assert table.set_index("username").loc["anna", "locked"]
    with session_scope(engine) as s:
        admin.unlock(s, people.admin, people.u1.id)
    with session_scope(engine) as s:
        assert not admin.accounts(s, people.admin).set_index("username").loc["anna", "locked"]
        assert s.get(UserAccount, people.u1.id).failed_logins == 0


def test_audit_log_filters_and_logs_its_own_reading(engine, people):
    with session_scope(engine) as s:
        add_case(s, people.u1)
    with session_scope(engine) as s:
        log = admin.audit_log(s, people.admin, action="create")
    assert list(log["action"]) == ["create"] and list(log["actor"]) == ["anna"]
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.subject_type == "audit_log")).actor_user_id == \
            people.admin.id


@pytest.mark.parametrize("who", ["u1", "supervisor", "researcher"])
def test_only_admins(engine, people, who):
    for call in (admin.accounts, admin.audit_log):
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            call(s, getattr(people, who))

"""The admin's view: accounts without content, unlocking, the audit log (reading it is
logged); on both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from store.audit_log import AuditFilter, audit_export, audit_page
from sqlalchemy import select

from store import AccessDenied, Refused
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
        log = audit_page(s, people.admin, AuditFilter(action="create")).lines
    assert list(log["action"]) == ["create"] and list(log["actor"]) == ["anna"]
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.subject_type == "audit_log")).actor_user_id == \
            people.admin.id


@pytest.mark.parametrize("who", ["u1", "supervisor", "researcher"])
def test_only_admins(engine, people, who):
    for call in (admin.accounts, audit_page, audit_export):
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            call(s, getattr(people, who))


def test_an_admin_acts_on_other_accounts_only_whatever_asks(engine, people):
    """The rules live in the store: a script or another page meets them too."""
    with pytest.raises(Refused) as own:
        with session_scope(engine) as s:
            admin.set_user_active(s, people.admin, people.admin.id, False)
    assert own.value.message("nl").startswith("Je kunt je eigen account niet deactiveren")
    with pytest.raises(Refused, match="temporary password"):
        with session_scope(engine) as s:
            admin.issue_temporary_password(s, people.admin, people.admin.id)
    with session_scope(engine, readonly=True) as s:
        me = s.get(UserAccount, people.admin.id)
        assert me.active and not me.password_must_change
    with session_scope(engine) as s:  # activating oneself is harmless (already active), others work
        admin.set_user_active(s, people.admin, people.admin.id, True)
        admin.set_user_active(s, people.admin, people.u1.id, False)
        assert admin.issue_temporary_password(s, people.admin, people.u2.id)
    with session_scope(engine, readonly=True) as s:
        assert not s.get(UserAccount, people.u1.id).active


@pytest.mark.parametrize("who", ["u1", "supervisor", "researcher"])
def test_no_other_role_may_change_accounts(engine, people, who):
    acting = getattr(people, who)
    for call in (lambda s: admin.set_user_active(s, acting, people.u2.id, False),
                 lambda s: admin.unlock(s, acting, people.u2.id),
                 lambda s: admin.issue_temporary_password(s, acting, people.u2.id)):
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            call(s)
    with session_scope(engine, readonly=True) as s:
        assert s.get(UserAccount, people.u2.id).active
        denials = s.scalars(select(AuditEvent).where(AuditEvent.action == "authz_denied")).all()
    assert len(denials) == 3 and all(d.actor_user_id == acting.id for d in denials)

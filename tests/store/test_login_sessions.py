"""Issue 13: login sessions kept in the database (``store.accounts.sessions``), so a
reload, a second tab, a bookmark or another app instance finds the user logged in within
the session rules. Time is injected (``now=``). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from store import NotFound
from store.accounts import SESSION_IDLE_TIMEOUT, SESSION_MAX_AGE, change_password, create_user
from store.accounts import sessions as login_sessions
from store.accounts.sessions import (
    HANDOFF_TTL,
    TOUCH_INTERVAL,
    active_sessions,
    check_session,
    digest,
    end_own_session,
    end_session,
    open_session,
    redeem_ticket,
    renew_after_password_change,
    rotate,
)
from store.admin import issue_temporary_password, set_user_active
from store.db import session_scope
from store.models import AuditEvent, LoginSession, UserAccount

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "een-lang-genoeg-wachtwoord-1"


@pytest.fixture
def account(engine) -> int:
    with session_scope(engine) as s:
        user = create_user(s, username="tess", password=PASSWORD, role="researcher")
        return user.id


def _open(engine, account_id, now=NOW, **kwargs):
    with session_scope(engine) as s:
        return open_session(s, account_id, now=now, client_address="10.0.0.7", device="Firefox, Windows", **kwargs)


def _check(engine, token, now=NOW, readonly=False):
    with session_scope(engine, readonly=readonly) as s:
        return check_session(s, token, now=now, readonly=readonly)


def _cookie(engine, grant, now=NOW):
    with session_scope(engine) as s:
        return redeem_ticket(s, grant.ticket, now=now)


def test_only_digests_are_stored(engine, account):
    grant = _open(engine, account)
    with session_scope(engine, readonly=True) as s:
        row = s.get(LoginSession, grant.session_id)
        stored = {row.token_digest, row.handoff_digest}
    assert grant.token not in stored and grant.ticket not in stored
    assert stored == {digest(grant.token), digest(grant.ticket)}
    assert (row.client_address, row.device, row.created_at) == ("10.0.0.7", "Firefox, Windows", NOW)


def test_the_ticket_gives_a_new_token_once_and_the_first_token_then_stops(engine, account):
    grant = _open(engine, account)
    assert _check(engine, grant.token).account.id == account  # this connection, before the cookie
    cookie = _cookie(engine, grant, NOW + dt.timedelta(seconds=5))
    assert cookie and cookie != grant.token
    assert _check(engine, cookie).account.id == account  # a reload, a second tab, another instance
    assert _check(engine, grant.token).account is None  # the token the login drew is gone
    assert _cookie(engine, grant) is None  # a ticket works once


def test_an_expired_or_made_up_ticket_gives_nothing(engine, account):
    grant = _open(engine, account)
    assert _cookie(engine, grant, NOW + HANDOFF_TTL) is None
    for ticket in ("", "x" * 500, "not-a-ticket", None):
        with session_scope(engine) as s:
            assert redeem_ticket(s, ticket, now=NOW) is None


@pytest.mark.parametrize("token", ["", "x" * 129, "made-up", "ä€\x00", None])
def test_unknown_or_tampered_tokens_are_not_sessions(engine, account, token):
    _open(engine, account)
    check = _check(engine, token)
    assert check.account is None and check.session_id is None and check.ended is None


def test_a_tampered_copy_of_a_real_token_is_not_a_session(engine, account):
    grant = _open(engine, account)
    cookie = _cookie(engine, grant)
    assert _check(engine, cookie[:-1] + ("A" if cookie[-1] != "A" else "B")).account is None
    assert _check(engine, cookie).account is not None


def test_idle_and_absolute_limits(engine, account):
    grant = _open(engine, account)
    cookie = _cookie(engine, grant)
    step = SESSION_IDLE_TIMEOUT - dt.timedelta(minutes=1)
    now = NOW
    while now + step < NOW + SESSION_MAX_AGE:  # used every 29 minutes: goes on until 12 hours
        now += step
        assert _check(engine, cookie, now).account is not None, now
    ended = _check(engine, cookie, NOW + SESSION_MAX_AGE)
    assert (ended.account, ended.ended) == (None, "absolute")
    assert _check(engine, cookie, NOW + SESSION_MAX_AGE - dt.timedelta(minutes=1)).ended == "absolute"  # stays ended

    idle = _cookie(engine, _open(engine, account))
    assert _check(engine, idle, NOW + SESSION_IDLE_TIMEOUT).ended == "idle"


def test_a_rerun_reads_and_writes_last_seen_at_most_once_a_minute(engine, account):
    cookie = _cookie(engine, _open(engine, account))
    soon = _check(engine, cookie, NOW + TOUCH_INTERVAL / 2, readonly=True)
    assert soon.account is not None and not soon.write_needed
    later = _check(engine, cookie, NOW + TOUCH_INTERVAL, readonly=True)
    assert later.account is None and later.write_needed
    assert _check(engine, cookie, NOW + TOUCH_INTERVAL).account is not None
    with session_scope(engine, readonly=True) as s:
        assert s.scalars(select(LoginSession.last_seen_at)).one() == NOW + TOUCH_INTERVAL


def test_logout_ends_the_session_in_every_tab(engine, account):
    cookie = _cookie(engine, _open(engine, account))
    other = _cookie(engine, _open(engine, account))  # another browser
    with session_scope(engine) as s:
        end_session(s, cookie, now=NOW)
    assert _check(engine, cookie).ended == "logout"
    assert _check(engine, other).account is not None


def test_rotation_replaces_the_token_and_keeps_the_start(engine, account):
    cookie = _cookie(engine, _open(engine, account))
    with session_scope(engine) as s:
        grant = rotate(s, cookie, now=NOW + dt.timedelta(minutes=3))
    assert _check(engine, cookie).account is None
    new_cookie = _cookie(engine, grant, NOW + dt.timedelta(minutes=3))
    check = _check(engine, new_cookie, NOW + dt.timedelta(minutes=4))
    assert check.account.id == account and check.started_at == NOW
    with session_scope(engine) as s:
        assert rotate(s, "made-up") is None


def test_own_password_change_keeps_this_session_and_ends_the_others(engine, account):
    here = _cookie(engine, _open(engine, account))
    elsewhere = _cookie(engine, _open(engine, account))
    changed = NOW + dt.timedelta(minutes=5)
    with session_scope(engine) as s:
        change_password(s, account, PASSWORD, "een-ander-lang-wachtwoord-2", now=changed)
        renew_after_password_change(s, here, changed)
    assert _check(engine, here, changed).account is not None
    assert _check(engine, elsewhere, changed).ended == "password_changed"


def test_a_password_set_by_an_admin_or_a_deactivation_ends_every_session(engine, account, people):
    cookie = _cookie(engine, _open(engine, account))
    with session_scope(engine) as s:
        issue_temporary_password(s, people.admin.id, account, now=NOW + dt.timedelta(minutes=1))
    assert _check(engine, cookie, NOW + dt.timedelta(minutes=2)).ended == "password_changed"

    again = _cookie(engine, _open(engine, account, now=NOW + dt.timedelta(minutes=3)))
    with session_scope(engine) as s:
        set_user_active(s, people.admin.id, account, False)
    assert _check(engine, again, NOW + dt.timedelta(minutes=4)).ended == "account"


def test_my_account_lists_open_sessions_and_ends_one(engine, account, people):
    first = _cookie(engine, _open(engine, account))
    second_grant = _open(engine, account, now=NOW + dt.timedelta(minutes=2))
    _cookie(engine, second_grant, NOW + dt.timedelta(minutes=2))
    ended = _cookie(engine, _open(engine, account))
    with session_scope(engine) as s:
        end_session(s, ended, now=NOW)
        listed = active_sessions(s, account, now=NOW + dt.timedelta(minutes=3))
    assert [x.id for x in listed] == [second_grant.session_id, listed[1].id]
    assert {x.device for x in listed} == {"Firefox, Windows"}
    with session_scope(engine) as s:
        end_own_session(s, account, second_grant.session_id, now=NOW + dt.timedelta(minutes=4))
        assert [x.id for x in active_sessions(s, account, now=NOW + dt.timedelta(minutes=4))] == [listed[1].id]
    assert _check(engine, first, NOW + dt.timedelta(minutes=5)).account is not None
    with session_scope(engine, readonly=True) as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.detail == login_sessions.SESSION_ENDED_BY_USER)).all()


def test_nobody_ends_another_accounts_session(engine, account, people):
    grant = _open(engine, account)
    for other in (people.admin, people.u1, people.supervisor):
        with pytest.raises(NotFound), session_scope(engine) as s:
            end_own_session(s, other.id, grant.session_id, now=NOW)
    assert _check(engine, grant.token).account is not None


def test_an_erased_account_takes_its_sessions_along(engine, account):
    cookie = _cookie(engine, _open(engine, account))
    with session_scope(engine) as s:
        s.delete(s.get(UserAccount, account))
    assert _check(engine, cookie).account is None
    with session_scope(engine, readonly=True) as s:
        assert s.scalars(select(LoginSession)).all() == []

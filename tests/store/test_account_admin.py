"""Administration of accounts (issue 12): an admin edits a therapist account's fields,
changes a role, resets a lost second factor; the last active admin stays; the owner
reads their account's history and is told at login; a temporary password does not work
where the admin gave it. Every rule from Python, for every role, on both backends."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pyotp
import pytest
from sqlalchemy import func, select

from store import AccessDenied, InvalidInput, NotFound, Refused
from store import admin
from store.accounts import account_events, authenticate, change_password, confirm_totp, load_account, set_password
from store.accounts import start_totp_enrolment
from store.accounts.history import SAME_PLACE
from store.audit import AccessContext, access_context, session_key
from store.cases import add_case
from store.clients import describe_device
from store.db import session_scope
from store.models import AuditEvent, SupervisorTeam, Therapist, UserAccount, utcnow

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
OWN = "mijn-eigen-wachtwoord-1"
ADMIN_DESK = AccessContext(session_key=session_key("admin-session"), client_address="10.0.0.5")
BRAMS_PHONE = AccessContext(session_key=None, client_address="10.0.0.77")
OTHER_ROLES = ["u1", "supervisor", "researcher"]


def lines(engine, **where) -> list[AuditEvent]:
    with session_scope(engine, readonly=True) as s:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, column) == value)
        return list(s.scalars(stmt))


def stored(engine, model, key):
    with session_scope(engine, readonly=True) as s:
        return s.get(model, key)


def refused(engine, call, code: str) -> Refused:
    with pytest.raises(Refused) as error:
        with session_scope(engine) as s:
            call(s)
    assert error.value.reason.key == code
    assert error.value.message("nl") != error.value.message("en")  # both catalogs have it
    return error.value


def with_password(engine, user_id: int, password: str = OWN) -> None:
    with session_scope(engine) as s:
        set_password(s, s.get(UserAccount, user_id).username, password)


def log_in(engine, username: str, password: str, context: AccessContext | None = None, **kw):
    with access_context(context), session_scope(engine) as s:
        return authenticate(s, username, password, now=kw.pop("now", NOW), **kw)


# --- edit a therapist account's fields ----------------------------------------------------

def test_an_admin_edits_a_therapists_fields_and_bad_input_names_the_field(engine, people):
    with session_scope(engine) as s:
        changed = admin.edit_account(s, people.admin, people.u2.id, display_name="  Bram B.  ",
                                     team_id=people.other_team_id, contracted_sessions=16)
    assert changed == ["display_name", "team_id", "contracted_sessions"]
    bram = stored(engine, Therapist, people.t2.id)
    assert (bram.display_name, bram.team_id, bram.experience, bram.contracted_sessions) == (
        "Bram B.", people.other_team_id, "experienced", 16)
    (line,) = lines(engine, subject_id=str(people.u2.id))
    assert line.actor_user_id == people.admin.id and line.detail == (
        "account edited by an admin: display_name, team_id, contracted_sessions")
    with session_scope(engine) as s:  # the same values again: nothing to write
        assert admin.edit_account(s, people.admin, people.u2.id, display_name="Bram B.", contracted_sessions=16) == []
        assert admin.edit_account(s, people.admin, people.u2.id, team_id=None) == ["team_id"]
        assert admin.therapist_of(s, people.admin, people.u2.id) == {
            "display_name": "Bram B.", "team_id": None, "experience": "experienced", "contracted_sessions": 16}
        assert admin.therapist_of(s, people.admin, people.researcher.id) is None
    with pytest.raises(InvalidInput) as bad:
        with session_scope(engine) as s:
            admin.edit_account(s, people.admin, people.u2.id, display_name=" ", team_id=999, experience="expert",
                               contracted_sessions=0)
    assert {p.column for p in bad.value.problems} == {"display_name", "team_id", "experience",
                                                      "contracted_sessions"}
    assert stored(engine, Therapist, people.t2.id).contracted_sessions == 16  # nothing written
    for role in ("supervisor", "researcher", "admin"):  # only a therapist account has these fields
        refused(engine, lambda s: admin.edit_account(s, people.admin, getattr(people, role).id, display_name="X"),
                "refused.not_a_therapist_account")
    with pytest.raises(NotFound), session_scope(engine) as s:
        admin.edit_account(s, people.admin, 9999, display_name="X")


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_no_other_role_may_edit_change_roles_or_reset(engine, people, who):
    acting = getattr(people, who)
    calls = (lambda s: admin.edit_account(s, acting, people.u2.id, contracted_sessions=10),
             lambda s: admin.change_role(s, acting, people.researcher.id, "admin"),
             lambda s: admin.change_role(s, acting, acting.id, "admin"),  # not even for oneself
             lambda s: admin.reset_second_factor(s, acting, people.u2.id),
             lambda s: admin.therapist_of(s, acting, people.u2.id))
    for call in calls:
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            call(s)
    assert stored(engine, Therapist, people.t2.id).contracted_sessions == 24
    assert stored(engine, UserAccount, people.researcher.id).role == "researcher"
    assert stored(engine, UserAccount, acting.id).role == acting.role
    denials = lines(engine, action="authz_denied")
    assert len(denials) == len(calls) and {d.actor_user_id for d in denials} == {acting.id}


# --- change a role -------------------------------------------------------------------------

def test_a_therapist_with_data_keeps_their_role(engine, people):
    with session_scope(engine) as s:
        add_case(s, people.u1)
    for role in ("supervisor", "researcher", "admin"):
        error = refused(engine, lambda s: admin.change_role(s, people.admin, people.u1.id, role),
                        "refused.therapist_has_data")
        assert "anna" in error.message("nl")
    anna = stored(engine, UserAccount, people.u1.id)
    assert (anna.role, anna.therapist_id) == ("therapist", people.t1.id)
    assert stored(engine, Therapist, people.t1.id).active


def test_a_therapist_without_data_changes_role_and_never_gets_a_therapist_back(engine, people):
    with session_scope(engine) as s:
        assert admin.change_role(s, people.admin, people.u2.id, "supervisor")
    bram = stored(engine, UserAccount, people.u2.id)
    assert (bram.role, bram.therapist_id) == ("supervisor", None)
    assert not stored(engine, Therapist, people.t2.id).active  # unlinked for good, out of the team's figures
    with pytest.raises(InvalidInput) as missing:  # back to therapist: the fields, as for a new account
        with session_scope(engine) as s:
            admin.change_role(s, people.admin, people.u2.id, "therapist")
    assert {p.column for p in missing.value.problems} == {"display_name", "experience", "contracted_sessions"}
    with session_scope(engine) as s:
        admin.change_role(s, people.admin, people.u2.id, "therapist", display_name="Bram", team_id=people.team_id,
                          experience="experienced", contracted_sessions=20)
    bram = stored(engine, UserAccount, people.u2.id)
    assert bram.role == "therapist" and bram.therapist_id not in (None, people.t2.id)  # a new, empty therapist
    fresh = stored(engine, Therapist, bram.therapist_id)
    assert (fresh.display_name, fresh.team_id, fresh.contracted_sessions, fresh.active) == (
        "Bram", people.team_id, 20, True)
    details = [line.detail for line in lines(engine, subject_id=str(people.u2.id), action="change")]
    assert details == ["role changed from therapist to supervisor", "role changed from supervisor to therapist"]


def test_a_supervisor_who_changes_role_stops_supervising(engine, people):
    with session_scope(engine) as s:
        assert admin.change_role(s, people.admin, people.supervisor.id, "researcher")
        assert not admin.change_role(s, people.admin, people.supervisor.id, "researcher")  # already
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(SupervisorTeam)) == 0
    (line,) = lines(engine, subject_id=str(people.supervisor.id), action="change")
    assert line.detail == "role changed from supervisor to researcher; supervision of 1 team(s) ended"


def test_roles_change_between_researcher_and_admin_but_never_ones_own(engine, people):
    with session_scope(engine) as s:
        admin.change_role(s, people.admin, people.researcher.id, "admin")
    with session_scope(engine) as s:  # the new admin can act at once, and demote the first one
        admin.change_role(s, people.researcher, people.admin.id, "researcher")
    assert stored(engine, UserAccount, people.admin.id).role == "researcher"
    refused(engine, lambda s: admin.change_role(s, people.researcher, people.researcher.id, "therapist",
                                                display_name="Rita", experience="starting", contracted_sessions=10),
            "refused.own_role_change")
    with pytest.raises(InvalidInput) as bad, session_scope(engine) as s:
        admin.change_role(s, people.researcher, people.u3.id, "boss")
    assert bad.value.codes and bad.value.problems[0].column == "role"


# --- the last active admin -------------------------------------------------------------------

def test_the_last_active_admin_is_never_deactivated_or_demoted(engine, people):
    refused(engine, lambda s: admin.set_user_active(s, people.admin, people.admin.id, False),
            "refused.own_deactivation")
    refused(engine, lambda s: admin.change_role(s, people.admin, people.admin.id, "researcher"),
            "refused.own_role_change")
    # the rule itself, whoever asks: the only active admin stays
    error = refused(engine, lambda s: admin.keep_an_active_admin(s, s.get(UserAccount, people.admin.id)),
                    "refused.last_admin")
    assert "admin is the last active admin" in error.message("en")
    with session_scope(engine) as s:  # a second admin: now either one may go
        admin.change_role(s, people.admin, people.researcher.id, "admin")
    with session_scope(engine) as s:
        admin.keep_an_active_admin(s, s.get(UserAccount, people.admin.id))
        admin.set_user_active(s, people.researcher, people.admin.id, False)
    # an inactive admin does not count: the one left is the last
    refused(engine, lambda s: admin.keep_an_active_admin(s, s.get(UserAccount, people.researcher.id)),
            "refused.last_admin")
    with session_scope(engine) as s:  # the inactive one may lose the role
        admin.change_role(s, people.researcher, people.admin.id, "researcher")


def test_two_admins_removing_each_other_at_once_leave_one(engine, people, backend, monkeypatch):
    """PostgreSQL: admin A deactivates admin B and has counted the active admins (B
    still among them) but not committed, while B deactivates A: B's count waits for A's
    lock, then sees B inactive, and is refused. (SQLite lets one writer in at a time.)"""
    if backend.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE)")
    with session_scope(engine) as s:
        admin.change_role(s, people.admin, people.researcher.id, "admin")
    first, second = people.admin.id, people.researcher.id
    real, counted = admin.keep_an_active_admin, threading.Event()

    def at_once(session, target):
        if target.id == first:  # B, about to count: A deactivates B in another transaction
            worker = threading.Thread(target=_deactivate, args=(engine, first, second))
            worker.start()
            try:
                assert counted.wait(30)
                return real(session, target)  # waits for A's lock on the admins, then counts
            finally:
                worker.join(30)
        result = real(session, target)
        counted.set()  # A has counted (B included) and holds the lock until it commits
        time.sleep(0.5)
        return result

    monkeypatch.setattr(admin, "keep_an_active_admin", at_once)
    refused(engine, lambda s: admin.set_user_active(s, second, first, False), "refused.last_admin")
    assert stored(engine, UserAccount, first).active and not stored(engine, UserAccount, second).active


def _deactivate(engine, acting: int, target: int) -> None:
    with session_scope(engine) as s:
        admin.set_user_active(s, acting, target, False)


# --- reset a lost second factor -------------------------------------------------------------

def _enrol(engine, user_id: int, now: dt.datetime = NOW) -> None:
    with session_scope(engine) as s:
        secret = start_totp_enrolment(s, user_id).secret
    with session_scope(engine) as s:
        confirm_totp(s, user_id, pyotp.TOTP(secret).at(now), now=now)


def test_an_admin_resets_a_lost_second_factor_and_its_owner_sets_it_up_again(engine, people, monkeypatch):
    monkeypatch.delenv("DRAAGKRACHT_REQUIRE_TOTP_ROLES", raising=False)  # optional for every role
    refused(engine, lambda s: admin.reset_second_factor(s, people.admin, people.u2.id), "refused.no_second_factor")
    _enrol(engine, people.u2.id)
    _enrol(engine, people.admin.id)
    refused(engine, lambda s: admin.reset_second_factor(s, people.admin, people.admin.id),
            "refused.own_second_factor_reset")
    with session_scope(engine) as s:
        admin.reset_second_factor(s, people.admin, people.u2.id)
    bram = stored(engine, UserAccount, people.u2.id)
    assert bram.totp_secret is None and bram.totp_pending_secret is None and bram.totp_last_counter is None
    with session_scope(engine, readonly=True) as s:  # optional for a therapist, yet required again now
        account = load_account(s, people.u2.id)
    assert account.totp_setup_required and account.totp_reset_by_admin
    with_password(engine, people.u2.id)
    result = log_in(engine, "bram", OWN)
    assert result.ok and result.account.totp_setup_required  # the dashboard shows the set-up page only
    assert [(n.kind, n.by) for n in result.notices] == [("totp_reset", "admin"), ("password_set_by_operator", None)]
    _enrol(engine, people.u2.id, NOW + dt.timedelta(minutes=1))
    with session_scope(engine, readonly=True) as s:
        account = load_account(s, people.u2.id)
    assert not account.totp_setup_required and not account.totp_reset_by_admin
    assert load_account_of(engine, people.u1.id).totp_setup_required is False  # nobody else is affected


def load_account_of(engine, user_id):
    with session_scope(engine, readonly=True) as s:
        return load_account(s, user_id)


# --- the owner's history and notices ----------------------------------------------------------

def test_the_owner_reads_every_change_and_login_and_nobody_else_does(engine, people):
    with access_context(ADMIN_DESK), session_scope(engine) as s:
        temporary = admin.issue_temporary_password(s, people.admin, people.u2.id, now=NOW)
        admin.edit_account(s, people.admin, people.u2.id, contracted_sessions=20)
    first = log_in(engine, "bram", temporary, BRAMS_PHONE, device=describe_device(
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"))
    assert first.ok and [(n.kind, n.by) for n in first.notices] == [("temporary_password", "admin"),
                                                                  ("edited", "admin")]
    with session_scope(engine) as s:
        change_password(s, people.u2.id, temporary, OWN, now=NOW)
    second = log_in(engine, "bram", "verkeerd", BRAMS_PHONE)
    assert not second.ok
    third = log_in(engine, "bram", OWN, BRAMS_PHONE)  # still news: a login with a temporary password
    assert [n.kind for n in third.notices] == ["temporary_password", "edited", "login_temporary"]
    assert third.notices[-1].client_address == "10.0.0.77" and third.notices[-1].device == "Chrome, Android"
    assert log_in(engine, "bram", OWN, BRAMS_PHONE).notices == ()  # told once it was his own login
    before = len(lines(engine))
    with session_scope(engine) as s:
        history = account_events(s, people.u2.id)
    assert len(lines(engine)) == before  # reading your own is not logged
    assert [e.kind for e in history] == ["login", "login", "login_failed", "password_changed", "login_temporary",
                                         "edited", "temporary_password"]  # newest first (no "created": fixture)
    by_admin = history[-1]
    assert (by_admin.by, by_admin.by_owner, by_admin.client_address) == ("admin", False, "10.0.0.5")
    assert history[3].by_owner and history[3].by is None
    assert history[-2].params == {"fields": ["contracted_sessions"]}
    with session_scope(engine) as s:
        assert [e.kind for e in account_events(s, people.u2.id, limit=2)] == ["login", "login"]
        assert account_events(s, people.u2.id, since=utcnow() + dt.timedelta(days=1)) == []  # lines are stamped now
    for who in ("admin", "supervisor", "researcher", "u1"):  # another account's history: refused, logged
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            account_events(s, getattr(people, who), people.u2.id)
    assert len(lines(engine, action="authz_denied", subject_id=str(people.u2.id))) == 4


def test_a_role_change_and_deactivation_are_told_at_the_next_login(engine, people):
    with_password(engine, people.researcher.id)
    with session_scope(engine) as s:
        admin.change_role(s, people.admin, people.researcher.id, "supervisor")
        admin.set_user_active(s, people.admin, people.researcher.id, False)
        admin.set_user_active(s, people.admin, people.researcher.id, True)
        admin.unlock(s, people.admin, people.researcher.id)
    notices = log_in(engine, "rita", OWN).notices
    assert [n.kind for n in notices] == ["password_set_by_operator", "role_changed", "deactivated", "activated",
                                         "unlocked"]
    assert notices[0].by is None and notices[1].params == {"old": "researcher", "new": "supervisor"}


# --- the back door: a temporary password where the admin gave it -------------------------------

def test_a_temporary_password_is_refused_where_the_admin_gave_it(engine, people):
    with access_context(ADMIN_DESK), session_scope(engine) as s:
        temporary = admin.issue_temporary_password(s, people.admin, people.u2.id, now=NOW)
    (given,) = lines(engine, detail="temporary password given by an admin")
    assert (given.session_key, given.client_address) == (ADMIN_DESK.session_key, "10.0.0.5")
    same_tab = AccessContext(client_address="10.0.0.9", earlier_session_keys=frozenset({ADMIN_DESK.session_key}))
    for place in (ADMIN_DESK, AccessContext(client_address="10.0.0.5"),  # the same address, a new session
                  AccessContext(session_key=ADMIN_DESK.session_key, client_address="10.9.9.9"),  # same session
                  same_tab):  # logged out, then in again, in the admin's browser tab
        result = log_in(engine, "bram", temporary, place)
        assert result.outcome == "temporary_same_place" and result.account is None
    assert stored(engine, UserAccount, people.u2.id).failed_logins == 0  # not a guess: never locks the owner
    refusals = lines(engine, action="login_failure")
    assert len(refusals) == 4 and all(r.detail.endswith(SAME_PLACE) for r in refusals)
    assert log_in(engine, "bram", "verkeerd", BRAMS_PHONE).outcome == "bad_credentials"  # a wrong one still is
    result = log_in(engine, "bram", temporary, BRAMS_PHONE)  # the owner, on his own phone
    assert result.ok and result.account.password_change_required
    assert [n.kind for n in result.notices] == ["temporary_password", *["temporary_password_refused"] * 4]
    with session_scope(engine) as s:
        change_password(s, people.u2.id, temporary, OWN, now=NOW)
    assert log_in(engine, "bram", OWN, ADMIN_DESK).ok  # his own password: from anywhere


def test_without_a_known_place_a_temporary_password_works(engine, people):
    """Python callers without an access context (the store's tests, scripts): nothing to compare."""
    with session_scope(engine) as s:
        temporary = admin.issue_temporary_password(s, people.admin, people.u2.id, now=NOW)
    assert log_in(engine, "bram", temporary, ADMIN_DESK).ok


def test_devices_are_named_from_a_fixed_list():
    assert describe_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0") == \
        "Firefox, Windows"
    assert describe_device("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                           "Version/17.5 Safari/605.1.15") == "Safari, macOS"
    assert describe_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                           "Chrome/126.0 Safari/537.36 Edg/126.0") == "Edge, Windows"
    assert describe_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                           "(KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1") == "Chrome, iOS"
    assert describe_device("curl/8.5; <script>") is None and describe_device(None) is None

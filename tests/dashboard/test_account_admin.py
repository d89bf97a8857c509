"""Administration of accounts on the admin page (issue 12), with AppTest: edit a
therapist account, change a role, reset a second factor (Dutch, one English check),
and the owner's side: the notice at their next login and the table on My account; a
temporary password refused in the admin's own browser tab. The rules themselves are the
store's (tests/store/test_account_admin.py); here: that the page uses them and says so."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import auth, database
from dashboard.i18n import read_catalog
from store import practice
from store.accounts import confirm_totp, start_totp_enrolment
from store.cases import add_case
from store.db import session_scope
from store.models import SupervisorTeam, Therapist, UserAccount

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
NL, EN = read_catalog("nl"), read_catalog("en")
ADMIN_DESK, OWN_DEVICE = "10.0.0.5", "192.0.2.7"


@contextmanager
def db(demo_db, readonly: bool = False):
    engine = demo_db.engine()
    try:
        with session_scope(engine, readonly=readonly) as session:
            yield session
    finally:
        engine.dispose()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def table_with(at, column: str):
    (table,) = [d.value for d in at.dataframe if column in d.value.columns]
    return table


def from_address(monkeypatch, address: str) -> None:
    """The next requests come from ``address`` (AppTest has no real connection)."""
    monkeypatch.setattr(database, "client_address", lambda peer, forwarded: address)


@pytest.fixture
def admin_page(logged_in, run, monkeypatch):
    from_address(monkeypatch, ADMIN_DESK)
    at = logged_in("admin")
    assert [t.value for t in at.title] == [NL["admin.title"]]
    return at


def submit(at, key: str, run):
    at.button(key=key).click()
    return run(at)


def test_the_admin_edits_a_therapist_account_filled_in_from_the_store(admin_page, run, demo_db):
    with db(demo_db) as s:
        team = practice.create_team(s, demo_db.user_ids["beheer"], "Team Oost")
    at = run(admin_page)
    assert at.selectbox(key="edit_account_target").options == ["anna"]  # therapist accounts only
    assert at.text_input(key="edit_account_display_name").value == "Anna"
    assert at.number_input(key="edit_account_sessions").value == 20
    at.text_input(key="edit_account_display_name").input(" ")
    submit(at, "edit_account_submit", run)
    assert NL["field.display_name.label"] in texts(at.error)  # names the field by its label
    at.text_input(key="edit_account_display_name").input("Anna de Vries")
    at.selectbox(key="edit_account_team").set_value(team)
    at.number_input(key="edit_account_sessions").set_value(18)
    submit(at, "edit_account_submit", run)
    assert NL["admin.edit_done"].format(username="anna") in texts(at.success)
    with db(demo_db, readonly=True) as s:
        anna = s.get(Therapist, s.get(UserAccount, demo_db.user_ids["anna"]).therapist_id)
        assert (anna.display_name, anna.team_id, anna.contracted_sessions) == ("Anna de Vries", team, 18)
    submit(at, "edit_account_submit", run)  # the form holds the stored values: nothing changes
    assert NL["admin.edit_nothing"] in texts(at.success)


def test_the_admin_changes_roles_within_the_stores_rules(admin_page, run, demo_db):
    at = admin_page
    with db(demo_db) as s:
        add_case(s, demo_db.user_ids["anna"])
    for target, role, refusal in (("beheer", "researcher", "refused.own_role_change"),
                                  ("anna", "supervisor", "refused.therapist_has_data")):
        at.selectbox(key="change_role_target").set_value(demo_db.user_ids[target])
        at.selectbox(key="change_role_role").set_value(role)
        submit(at, "change_role_submit", run)
        assert texts(at.error) == NL[refusal].format(username=target)
    at.selectbox(key="change_role_target").set_value(demo_db.user_ids["rita"])
    at.selectbox(key="change_role_role").set_value("therapist")  # a therapist needs a therapist's fields
    submit(at, "change_role_submit", run)
    assert NL["field.display_name.label"] in texts(at.error)
    at.text_input(key="change_role_display_name").input("Rita")
    submit(at, "change_role_submit", run)
    assert NL["admin.role_changed"].format(username="rita", role=NL["role.therapist"]) in texts(at.success)
    with db(demo_db, readonly=True) as s:
        rita = s.get(UserAccount, demo_db.user_ids["rita"])
        assert rita.role == "therapist" and s.get(Therapist, rita.therapist_id).display_name == "Rita"
    assert "rita" in at.selectbox(key="edit_account_target").options  # now editable as a therapist


def test_a_supervisor_made_researcher_no_longer_supervises(admin_page, run, demo_db):
    with db(demo_db) as s:
        team = practice.create_team(s, demo_db.user_ids["beheer"], "Team Oost")
        practice.assign_supervisor(s, demo_db.user_ids["beheer"], demo_db.user_ids["sanne"], team)
    at = run(admin_page)
    at.selectbox(key="change_role_target").set_value(demo_db.user_ids["sanne"])
    at.selectbox(key="change_role_role").set_value("researcher")
    submit(at, "change_role_submit", run)
    assert NL["admin.role_changed"].format(username="sanne", role=NL["role.researcher"]) in texts(at.success)
    with db(demo_db, readonly=True) as s:
        assert s.get(SupervisorTeam, (demo_db.user_ids["sanne"], team)) is None


def _second_factor(demo_db, username: str, now: dt.datetime) -> None:
    with db(demo_db) as s:
        secret = start_totp_enrolment(s, demo_db.user_ids[username]).secret
    with db(demo_db) as s:
        confirm_totp(s, demo_db.user_ids[username], pyotp.TOTP(secret).at(now), now=now)


def test_a_reset_second_factor_is_set_up_again_and_told_to_its_owner(admin_page, run, demo_db, clock, log_in,
                                                                     monkeypatch):
    at = admin_page
    at.selectbox(key="admin_target").set_value(demo_db.user_ids["rita"])
    at.radio(key="admin_action").set_value("reset_totp")
    submit(at, "admin_apply", run)
    assert texts(at.error) == NL["refused.no_second_factor"].format(username="rita")
    _second_factor(demo_db, "rita", clock())
    at.radio(key="admin_action").set_value("reset_totp")
    submit(at, "admin_apply", run)
    assert NL["admin.totp_reset_done"].format(username="rita") in texts(at.success)
    with db(demo_db, readonly=True) as s:
        assert s.get(UserAccount, demo_db.user_ids["rita"]).totp_secret is None
    # rita, elsewhere: only her password now, then only My account until she sets it up again
    from_address(monkeypatch, OWN_DEVICE)
    clock.advance(hours=1)
    rita = log_in(run(AppTest.from_file(APP, default_timeout=30)), "rita")
    assert [t.value for t in rita.title] == [NL["account.title"]]
    told, set_up = [w.value for w in rita.warning]
    assert NL["account.notice_intro"] in told and "beheer" in told
    assert NL["account.notice.totp_reset"].split("{")[0] in told
    assert set_up == NL["account.totp_reset_notice"]
    history = table_with(rita, NL["account.history_col_what"])
    assert history[NL["account.history_col_what"]].tolist()[:3] == [
        NL["account.history.kind.login"], NL["account.history.kind.totp_reset"],
        NL["account.history.kind.totp_on"]]
    assert history[NL["account.history_col_by"]].tolist()[:3] == [NL["account.history_by_you"], "beheer",
                                                                NL["account.history_by_you"]]
    assert history[NL["account.history_col_where"]].tolist()[:2] == [OWN_DEVICE, ADMIN_DESK]


def test_the_temporary_password_is_refused_in_the_admins_tab_and_told_to_its_owner(admin_page, run, demo_db,
                                                                                  log_in, monkeypatch):
    at = admin_page
    at.selectbox(key="admin_target").set_value(demo_db.user_ids["anna"])
    at.radio(key="admin_action").set_value("temporary_password")
    submit(at, "admin_apply", run)
    temporary = at.code[0].value
    assert NL["admin.temporary_password_own_device"].format(username="anna") in texts(at.caption)
    at.button(key=auth.LOGOUT_KEY).click()
    run(at)
    from_address(monkeypatch, "10.0.0.99")  # another address (a VPN, say), yet the same browser tab
    log_in(at, "anna", temporary)
    assert auth.USER_KEY not in at.session_state and texts(at.error) == NL["login.temporary_same_place"]
    from_address(monkeypatch, OWN_DEVICE)
    monkeypatch.setattr(auth, "device", lambda: "Firefox, Android")
    anna = log_in(run(AppTest.from_file(APP, default_timeout=30)), "anna", temporary)
    told = anna.warning[0].value
    assert NL["account.notice.temporary_password"].split("{")[0] + "beheer" in told
    assert NL["account.notice.temporary_password_refused"].split("{")[0] in told and "10.0.0.99" in told
    history = table_with(anna, NL["account.history_col_what"])
    first = history.iloc[0]
    assert (first[NL["account.history_col_what"]], first[NL["account.history_col_where"]],
            first[NL["account.history_col_device"]]) == (NL["account.history.kind.login_temporary"], OWN_DEVICE,
                                                          "Firefox, Android")
    assert NL["account.history.kind.temporary_password_refused"] in history[NL["account.history_col_what"]].tolist()


def test_the_admin_forms_in_english(logged_in, run, demo_db):
    at = logged_in("admin")
    at.radio(key="language").set_value("en")
    run(at)
    assert {EN["admin.edit_account"], EN["admin.change_role"]} <= {h.value for h in at.subheader}
    assert at.radio(key="admin_action").options == [EN[f"admin.do_{a}"] for a in
                                                    ("deactivate", "activate", "unlock", "temporary_password",
                                                     "reset_totp")]
    at.selectbox(key="change_role_target").set_value(demo_db.user_ids["beheer"])
    at.selectbox(key="change_role_role").set_value("supervisor")
    submit(at, "change_role_submit", run)
    assert texts(at.error) == EN["refused.own_role_change"]
    at.radio(key="admin_action").set_value("reset_totp")
    submit(at, "admin_apply", run)  # on herself: refused (the first account in the list is hers)
    assert texts(at.error) == EN["refused.own_second_factor_reset"]


@pytest.mark.parametrize("role", ["therapist", "supervisor", "researcher"])
def test_my_account_shows_every_role_its_own_history(logged_in, run, role):
    at = logged_in(role)
    at.switch_page("views/account.py")
    run(at)
    lang = "en" if role == "supervisor" else "nl"
    catalog = EN if lang == "en" else NL
    history = table_with(at, catalog["account.history_col_what"])
    assert history[catalog["account.history_col_what"]].tolist() == [catalog["account.history.kind.login"],
                                                                      catalog["account.history.kind.created"]]
    assert history[catalog["account.history_col_by"]].tolist() == [catalog["account.history_by_you"],
                                                                    catalog["account.history_by_operator"]]
    assert not at.warning  # nothing to be told: nobody else changed the account

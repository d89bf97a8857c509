"""A practice starts in the app, in a real headless Chromium, on the demo practice (issue 12):
the admin adds a team, lets the supervisor supervise it, creates a therapist account in
it and gives that account a temporary password, which does not work on the admin's own
device; the new therapist logs in with it on hers (another browser, another address), is
told who gave it, is kept on My account until she has chosen her own password, and then
reaches My week.

Screenshots go to ``test-artifacts/e2e/admin-NN-<step>.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from dashboard.i18n import read_catalog
from store.db import make_engine, session_scope
from store.demo import ADMIN_USERNAME, DEMO_PASSWORDS, SUPERVISOR_USERNAME
from store.models import SupervisorTeam, Team, Therapist, UserAccount
from tests.e2e.conftest import csp_violations
from tests.e2e.test_therapist_journey import expect_clean, go_to
from tests.e2e.widgets import pick

pytestmark = pytest.mark.browser

NL = read_catalog("nl")
TEAM = "Team Oost"  # the demo practice has Team Noord and Team Zuid
NEW_USER = "nina"
NEW_PASSWORD = "Een nieuwe zomer aan zee"


def shoot(page: Page, artifacts: Path, number: int, step: str) -> None:
    page.screenshot(path=artifacts / f"admin-{number:02d}-{step}.png", full_page=True, animations="disabled")


def choose(page: Page, form, label: str, option: str) -> None:
    """Pick ``option`` in the select box ``label`` inside ``form``, as a user does: type
    to filter (the list shows only what fits), then click it."""
    form.get_by_role("combobox", name=label, exact=True).click()  # opens the list, focuses its input
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("listbox")).to_have_count(0)


def test_the_admin_starts_a_team_and_its_new_therapist_logs_in(demo_page: Page, demo_practice, demo_server, browser,
                                                                log_in, wait_for_app, artifacts_dir: Path) -> None:
    page = demo_page
    log_in(page, ADMIN_USERNAME, DEMO_PASSWORDS["admin"])
    expect(page.get_by_role("heading", name=NL["admin.title"], exact=True)).to_be_visible()

    # -- a team, and the supervisor for it ----------------------------------------------------
    team_form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["admin.create_team"]))
    team_form.get_by_role("textbox").fill(TEAM)
    team_form.get_by_role("button", name=NL["admin.create_team"]).click()
    expect(page.get_by_text(NL["admin.team_created"].format(name=TEAM))).to_be_visible()
    wait_for_app(page)
    supervision = page.get_by_test_id("stForm").filter(has=page.get_by_text(NL["admin.do_assign"]))
    choose(page, supervision, NL["admin.supervisor"], SUPERVISOR_USERNAME)
    choose(page, supervision, NL["admin.team"], TEAM)
    pick(supervision.get_by_role("radiogroup"), NL["admin.do_assign"])
    supervision.get_by_role("button", name=NL["admin.apply"]).click()
    expect(page.get_by_text(NL["admin.supervision_done"])).to_be_visible()
    wait_for_app(page)
    expect_clean(page)

    # -- the therapist's account, then a temporary password for it ----------------------------
    account_form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=NL["admin.create_account"]))
    account_form.get_by_role("textbox", name=NL["field.username.label"], exact=True).fill(NEW_USER)
    account_form.get_by_role("textbox", name=NL["field.display_name.label"], exact=True).fill("Nina")
    choose(page, account_form, NL["field.team_id.label"], TEAM)
    account_form.get_by_role("button", name=NL["admin.create_account"]).click()
    expect(page.get_by_text(NL["admin.account_created"].format(username=NEW_USER))).to_be_visible()
    wait_for_app(page)
    shoot(page, artifacts_dir, 1, "team-and-account")

    actions = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["admin.apply"])).filter(
        has=page.get_by_text(NL["admin.do_temporary_password"]))
    choose(page, actions, NL["admin.account"], NEW_USER)
    pick(actions.get_by_role("radiogroup"), NL["admin.do_temporary_password"])
    actions.get_by_role("button", name=NL["admin.apply"]).click()
    code = page.get_by_test_id("stCode")
    expect(code).to_have_count(1)
    temporary = code.inner_text().strip()
    assert len(temporary) >= 16

    engine = make_engine(demo_practice.url)
    try:
        with session_scope(engine, readonly=True) as s:
            team_id = s.scalar(select(Team.id).where(Team.name == TEAM))
            nina = s.scalar(select(UserAccount).where(UserAccount.username == NEW_USER))
            assert s.get(Therapist, nina.therapist_id).team_id == team_id
            supervisor = s.scalar(select(UserAccount.id).where(UserAccount.username == SUPERVISOR_USERNAME))
            assert s.get(SupervisorTeam, (supervisor, team_id)) is not None
    finally:
        engine.dispose()

    # -- the admin's own device: the temporary password does not work there --------------------
    page.get_by_role("button", name=NL["auth.logout"]).click()
    expect(page.get_by_role("heading", name=NL["login.title"])).to_be_visible()
    page.get_by_label(NL["login.username"]).fill(NEW_USER)
    page.get_by_label(NL["login.password"], exact=True).fill(temporary)
    page.get_by_role("button", name=NL["login.submit"]).click()
    expect(page.get_by_text(NL["login.temporary_same_place"])).to_be_visible()

    # -- the new therapist, on her own device: a password of her own first, then her week -------
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="nl-NL",
                                  extra_http_headers={"X-Forwarded-For": "192.0.2.7"})
    violations = csp_violations(context)
    try:
        page = context.new_page()
        page.goto(f"{demo_server}/")
        wait_for_app(page)
        _her_first_login(page, temporary, log_in, wait_for_app, artifacts_dir)
        assert not violations, violations
    finally:
        context.close()


def _her_first_login(page: Page, temporary: str, log_in, wait_for_app, artifacts_dir: Path) -> None:
    log_in(page, NEW_USER, temporary)
    expect(page.get_by_text(NL["account.password_change_required"])).to_be_visible()
    expect(page.get_by_text(NL["account.notice_intro"])).to_be_visible()  # told who gave the password
    shoot(page, artifacts_dir, 2, "first-login-told")
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name=NL["nav.my_week"])).to_have_count(0)
    page.get_by_label(NL["account.current_password"], exact=True).fill(temporary)
    page.get_by_label(NL["account.new_password"], exact=True).fill(NEW_PASSWORD)
    page.get_by_label(NL["account.repeat_password"], exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=NL["account.change_submit"]).click()
    # the session gets a new id: the browser fetches its new cookie and comes back to My
    # account, which says the password changed; a click before that would be overtaken
    expect(page.get_by_text(NL["account.password_changed"])).to_be_visible()
    wait_for_app(page)
    go_to(page, wait_for_app, "nav.my_week", "my_week.title")
    shoot(page, artifacts_dir, 3, "new-therapist-week")

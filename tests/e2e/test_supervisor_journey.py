"""A supervisor's week, in a real headless Chromium on the demo practice (issue 12):
My teams shows the team at a glance and its alerts; the supervisor marks an alert as
discussed (it leaves the open list) and plans an intake for the team (who has room, and
why). Screenshots go to ``test-artifacts/e2e/journey-2N-<step>.png`` (the supervisor
guide's pictures are taken from them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard.i18n import read_catalog
from store.demo import DEMO_PASSWORDS, SUPERVISOR_USERNAME
from tests.e2e.test_therapist_journey import expect_clean, shoot

pytestmark = pytest.mark.browser

NL = read_catalog("nl")


def test_the_supervisor_marks_an_alert_as_discussed_and_plans_an_intake(demo_page: Page, log_in, wait_for_app,
                                                                         artifacts_dir: Path) -> None:
    page = demo_page
    log_in(page, SUPERVISOR_USERNAME, DEMO_PASSWORDS["supervisor"])
    expect(page.get_by_role("heading", name=NL["team.title"], exact=True)).to_be_visible()
    glance = NL["team.glance_title"].split("}")[-1]  # "{team} in één oogopslag"
    expect(page.get_by_role("heading", name=re.compile(f"^Team .*{re.escape(glance)}$"))).to_be_visible()
    expect_clean(page)
    shoot(page, artifacts_dir, 21, "my-teams")

    # -- an alert, marked as discussed -----------------------------------------------------------
    cards = page.locator(".dk-flag")
    expect(cards.first).to_be_visible()  # the demo's drifting therapist's load rises
    before = cards.count()
    page.get_by_role("button", name=NL["alerts.mark_discussed"], exact=True).click()  # the first, today
    wait_for_app(page)
    expect(cards).to_have_count(before - 1)
    expect(page.get_by_text(NL["alerts.discussed_title"].format(count=1), exact=True)).to_be_visible()
    expect_clean(page)

    # -- an intake, planned for the team ----------------------------------------------------------
    page.get_by_role("link", name=NL["team.planner_link"]).click()
    expect(page.get_by_role("heading", name=NL["planner.title"], exact=True)).to_be_visible()
    wait_for_app(page)
    page.get_by_role("button", name=NL["planner.submit"], exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(NL["planner.per_week"], exact=True)).to_be_visible()  # the projection is shown
    expect(page.get_by_text(NL["planner.how_computed"], exact=True)).to_be_visible()
    expect_clean(page)
    shoot(page, artifacts_dir, 22, "intake-planner")

"""A therapist logs in, rates a case in the browser, sees the score, then switches to
English and logs out. A visitor who is not logged in reaches no page but the login,
whatever address they open.

Screenshots of each step go to ``test-artifacts/e2e/`` (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from complexity import INSTRUMENT, score_case
from dashboard.i18n import read_catalog
from tests.e2e.widgets import pick

pytestmark = pytest.mark.browser

NL, EN = read_catalog("nl"), read_catalog("en")


def open_expander(page: Page, label: str) -> None:
    """Expand the form section whose summary reads ``label`` (a no-op when it is open)."""
    details = page.get_by_test_id("stExpander").filter(
        has=page.locator("summary", has_text=label)
    ).locator("details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def choose_level(page: Page, item_label: str, level: int) -> None:
    """Pick ``level`` for an item; its radio group is named by the item label."""
    pick(page.get_by_role("radiogroup", name=item_label, exact=True), str(level))


def shoot(page: Page, path: Path, anchor: Locator | None = None) -> None:
    """Screenshot; Streamlit scrolls inside its main area, so bring ``anchor`` to the top."""
    if anchor is not None:
        anchor.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=path, animations="disabled")


def test_rate_a_case_then_switch_to_english(app_page: Page, log_in, wait_for_app, artifacts_dir: Path) -> None:
    page = app_page
    expect(page.get_by_role("heading", name=NL["login.title"])).to_be_visible()
    shoot(page, artifacts_dir / "00-login.png")
    log_in(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=NL["nav.rate_case"]).click()
    expect(page.get_by_role("heading", name=NL["rate.title"])).to_be_visible()
    wait_for_app(page)
    shoot(page, artifacts_dir / "01-form-dutch.png")

    # Rate every item (scored and outside the score) at level 2, section by section.
    # Choices inside a form do not rerun the script, so no waiting is needed here.
    for domain in INSTRUMENT.domains:
        open_expander(page, domain.label("nl"))
        for item in domain.items:
            choose_level(page, item.label("nl"), 2)
    open_expander(page, NL["form.outside_score.title"])
    for item in INSTRUMENT.extra_items:
        choose_level(page, item.label("nl"), 2)
    shoot(page, artifacts_dir / "02-form-rated.png")

    page.get_by_role("button", name=NL["form.submit"]).click()
    expected = score_case({item_id: 2 for item_id in INSTRUMENT.item_ids})
    score_text = f"{round(expected.complexity)} / 100"
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text=NL["result.complexity"])).to_contain_text(score_text)
    wait_for_app(page)
    expect(metrics.filter(has_text=NL["result.band"])).to_contain_text("Matig gecompliceerd")
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text(NL["chart.interaction"])
    expect(page.get_by_role("alert").filter(has_text=NL["severity.red"])).to_contain_text(
        NL["next_step.consult_today"]
    )
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shoot(page, artifacts_dir / "03-result-dutch.png", page.get_by_role("heading", name=NL["result.title"]))

    pick(page.get_by_test_id("stSidebar"), EN["language.name"])
    expect(page.get_by_role("heading", name=EN["rate.title"])).to_be_visible()
    wait_for_app(page)
    expect(metrics.filter(has_text=EN["result.band"])).to_contain_text(EN["band.moderate"])
    expect(metrics.filter(has_text=EN["result.complexity"])).to_contain_text(score_text)
    expect(chart).to_contain_text(EN["chart.interaction"])
    expect(page.get_by_role("button", name=EN["form.submit"])).to_be_visible()
    expect(page.get_by_text(re.compile(f"{NL['rate.title']}|{NL['form.submit']}"))).to_have_count(0)
    # The choices survive the language switch: the form still holds level 2.
    first = INSTRUMENT.domains[0]
    open_expander(page, first.label("en"))
    group = page.get_by_role("radiogroup", name=first.items[0].label("en"), exact=True)
    expect(group.get_by_role("radio", name="2", exact=True)).to_be_checked()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shoot(page, artifacts_dir / "04-result-english.png", page.get_by_role("heading", name=EN["result.title"]))

    page.get_by_role("button", name=EN["auth.logout"]).click()
    expect(page.get_by_role("heading", name=EN["login.title"])).to_be_visible()
    expect(page.get_by_text(EN["auth.logged_out"])).to_be_visible()
    expect(page.get_by_role("heading", name=EN["rate.title"])).to_have_count(0)


@pytest.mark.parametrize("path", ["rate-case", "rate_case", "my_week", "my-data", "account"])
def test_a_visitor_who_is_not_logged_in_gets_only_the_login(page: Page, streamlit_server: str, wait_for_app,
                                                             path: str) -> None:
    page.goto(f"{streamlit_server}/{path}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=NL["login.title"])).to_be_visible()
    expect(page.get_by_label(NL["login.password"], exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=NL["rate.title"])).to_have_count(0)
    expect(page.get_by_role("button", name=NL["form.submit"])).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)

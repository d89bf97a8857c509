"""A therapist does the rating practice in Chromium: logs in, opens the rating practice,
reads the first vignette, rates every item, and sees how the rating compares per domain
(the chart with its words, the learning-tool note, the group not yet shown); what was
saved is read back from the store: a practice rating, not a case rating.

Screenshots go to ``test-artifacts/e2e/`` (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from complexity import INSTRUMENT
from dashboard.i18n import read_catalog
from store.rating_practice import MIN_GROUP, shipped_vignettes
from tests.e2e.widgets import pick

pytestmark = pytest.mark.browser

NL = read_catalog("nl")
USERNAME = "e2e-oefenaar"
PASSWORD = "oefenen-met-casussen-3"


def open_expander(page: Page, label: str) -> None:
    """Expand the form section whose summary reads ``label`` (a no-op when it is open)."""
    details = page.get_by_test_id("stExpander").filter(
        has=page.locator("summary", has_text=label)).locator("details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def stored(database_url: str) -> tuple[dict[str, int], int]:
    """The levels of the one practice rating this account made, and how many case ratings exist."""
    from store.db import make_engine, session_scope
    from store.models import CaseRating, PracticeRating, PracticeRatingItem, Therapist

    engine = make_engine(database_url)
    try:
        with session_scope(engine, readonly=True) as s:
            rows = s.execute(
                select(PracticeRatingItem.item_id, PracticeRatingItem.level)
                .join(PracticeRating, PracticeRating.id == PracticeRatingItem.rating_id)
                .join(Therapist, Therapist.id == PracticeRating.therapist_id)
                .where(Therapist.display_name == USERNAME)).all()
            return {item: level for item, level in rows}, s.scalar(select(func.count()).select_from(CaseRating))
    finally:
        engine.dispose()


def test_a_therapist_rates_a_vignette_and_sees_the_comparison(app_page: Page, e2e_database: str, log_in,
                                                              add_therapist_account, wait_for_app,
                                                              artifacts_dir: Path) -> None:
    add_therapist_account(e2e_database, USERNAME, PASSWORD)
    cases_before = stored(e2e_database)[1]
    vignette = shipped_vignettes()[0]
    page = app_page
    log_in(page, USERNAME, PASSWORD)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=NL["nav.rating_practice"]).click()
    expect(page.get_by_role("heading", name=NL["practice.title"])).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text(NL["practice.intro"].split("\n")[0][:60])).to_be_visible()
    expect(page.get_by_role("heading", name=vignette.title("nl"))).to_be_visible()
    page.screenshot(path=artifacts_dir / "practice-01-vignette.png", animations="disabled")

    # The reference rating, with one item a level higher: choices inside the form do not
    # rerun the script, so no waiting until the submit.
    levels = dict(vignette.reference, emo_distress=vignette.reference["emo_distress"] + 1)
    for domain in INSTRUMENT.domains:
        open_expander(page, domain.label("nl"))
        for item in domain.items:
            pick(page.get_by_role("radiogroup", name=item.label("nl"), exact=True), str(levels[item.id]))
    open_expander(page, NL["form.outside_score.title"])
    for item in INSTRUMENT.extra_items:
        pick(page.get_by_role("radiogroup", name=item.label("nl"), exact=True), str(levels[item.id]))
    page.get_by_role("button", name=NL["practice.submit"]).click()

    expect(page.get_by_role("heading", name=NL["practice.comparison_title"])).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text(NL["practice.saved"])).to_be_visible()
    expect(page.get_by_text(NL["practice.learning_note"])).to_be_visible()
    expect(page.get_by_text(NL["practice.group_hidden"].format(raters=1, minimum=MIN_GROUP))).to_be_visible()
    chart = page.get_by_test_id("stPlotlyChart")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text(NL["practice.series_mine"])
    expect(chart).to_contain_text(NL["practice.series_reference"])
    words = page.get_by_text(NL["chart_text.prefix"])
    expect(words).to_contain_text(INSTRUMENT.domain("emotions").label("nl"))
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text=NL["practice.reference_band"])).to_contain_text(NL[f"band.{vignette.band}"])
    expect(page.get_by_role("button", name=NL["practice.submit"])).to_have_count(0)  # rated once
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_role("heading", name=NL["practice.comparison_title"]).evaluate(
        "element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=artifacts_dir / "practice-02-comparison.png", animations="disabled")

    saved, cases_after = stored(e2e_database)
    assert saved == levels
    assert cases_after == cases_before  # a practice rating is never a case rating

"""A researcher's session, in a real headless Chromium on the demo practice (issue 14): the
Analyses page, each analysis in turn (a chart with its words, or a clear refusal where the
data are too few), another period, the rating agreement of the demo's practice ratings,
then the Research data page, where an export is built on request and downloaded (a zip
with the data, its codebook and what disclosure control did)."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from dashboard.i18n import read_catalog
from store.demo import DEMO_PASSWORDS, RESEARCHER_USERNAME
from store.research_results import ANALYSES
from tests.e2e.test_therapist_journey import expect_clean
from tests.e2e.widgets import pick

pytestmark = pytest.mark.browser

EN = read_catalog("en")  # the demo researcher reads English


def test_the_researcher_runs_each_analysis_changes_the_period_and_downloads_an_export(
        demo_page: Page, log_in, wait_for_app) -> None:
    page = demo_page
    log_in(page, RESEARCHER_USERNAME, DEMO_PASSWORDS["researcher"], expect_language="en")
    expect(page.get_by_role("heading", name=EN["research.title"], exact=True)).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=EN["nav.analyses"]).click()
    expect(page.get_by_role("heading", name=EN["analyses.title"], exact=True)).to_be_visible()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    for analysis in ANALYSES:
        pick(main.get_by_role("radiogroup", name=EN["analyses.analysis"]), EN[f"analyses.{analysis}.title"])
        expect(page.get_by_role("heading", name=EN[f"analyses.{analysis}.title"], exact=True)).to_be_visible()
        wait_for_app(page)
        expect_clean(page)
        # each analysis shows its result (a chart with its words); calibration may say why
        # not (the demo's burden ratings may be too few for it)
        words = main.get_by_text(EN["chart_text.prefix"])
        said = words.or_(main.get_by_test_id("stAlertContentWarning")) if analysis == "calibration" else words
        expect(said.first).to_be_visible()

    pick(main.get_by_role("radiogroup", name=EN["analyses.period"]), EN["analyses.weeks"].format(weeks=26))
    wait_for_app(page)
    expect_clean(page)
    expect(main.get_by_role("radiogroup", name=EN["analyses.period"]).get_by_role("radio", checked=True)) \
        .to_have_accessible_name(EN["analyses.weeks"].format(weeks=26))

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=EN["nav.rating_agreement"]).click()
    expect(page.get_by_role("heading", name=EN["agreement.domains_title"], exact=True)).to_be_visible()
    wait_for_app(page)
    expect_clean(page)
    raters = main.get_by_test_id("stMetric").filter(has_text=EN["agreement.raters"])
    assert int(raters.get_by_test_id("stMetricValue").inner_text()) >= 5
    expect(main.get_by_text(EN["agreement.text_intro"], exact=False).first).to_be_visible()  # the chart in words
    expect(page.get_by_role("heading", name=EN["agreement.items_title"], exact=True)).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=EN["nav.research"]).click()
    expect(page.get_by_role("heading", name=EN["research.title"], exact=True)).to_be_visible()
    wait_for_app(page)
    page.get_by_role("button", name=EN["research_download.build"]).click()
    download_button = page.get_by_test_id("stDownloadButton").get_by_role(
        "button", name=EN["research_download.download"], exact=True)
    expect(download_button).to_be_visible()
    wait_for_app(page)
    with page.expect_download() as event:
        download_button.click()
    data = event.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert any("codebook" in name for name in names), names
    assert any("ratings" in name for name in names), names
    expect_clean(page)

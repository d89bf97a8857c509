"""A bookmark opened before login (issue 13): the address of a page shows the login form
in Dutch, never Streamlit's "Page not found" dialog, and after login that page opens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboard.i18n import read_catalog
from tests.e2e.conftest import PASSWORD, THERAPIST

pytestmark = pytest.mark.browser

NL = read_catalog("nl")


def test_a_bookmark_to_my_cases_opened_before_login_opens_my_cases_after_login(page: Page, streamlit_server: str,
                                                                                wait_for_app, log_in) -> None:
    page.goto(f"{streamlit_server}/my-cases")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=NL["login.title"], exact=True)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # no pages listed before login
    log_in(page, THERAPIST, PASSWORD)
    expect(page.get_by_role("heading", name=NL["cases.title"], exact=True)).to_be_visible()
    assert page.url.endswith("/my-cases")

"""An account's language in a real browser: stored with the account, shown from login on,
kept when a page reruns itself (``st.rerun()``, here starting the second-factor set-up),
and changed at once from the sidebar, for this run and every one after."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dashboard.i18n import read_catalog
from store.db import make_engine, session_scope
from store.models import UserAccount
from tests.e2e.widgets import pick

NL = read_catalog("nl")
EN = read_catalog("en")
USERNAME = "e2e-english"
PASSWORD = "browser-test-wachtwoord-2"


def test_an_english_account_stays_english_through_a_page_rerun(app_page: Page, e2e_database: str,
                                                                add_therapist_account, log_in,
                                                                wait_for_app) -> None:
    add_therapist_account(e2e_database, USERNAME, PASSWORD, language="en")
    page = app_page
    log_in(page, USERNAME, PASSWORD, expect_language="en")
    expect(page.get_by_role("heading", name=EN["my_week.title"])).to_be_visible()

    page.get_by_role("link", name=EN["nav.account"]).click()
    start = page.get_by_role("button", name=EN["account.totp_start"])
    expect(start).to_be_visible()
    wait_for_app(page)
    start.click()  # the page stores the enrolment and calls st.rerun()
    expect(page.get_by_text(EN["account.totp_secret_label"])).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=EN["account.totp_title"])).to_be_visible()
    expect(page.get_by_role("button", name=EN["account.totp_confirm"])).to_be_visible()
    expect(page.get_by_text(NL["account.totp_secret_label"])).to_have_count(0)

    # Switching to Dutch in the sidebar holds: now, after a rerun, and with the account.
    pick(page.get_by_test_id("stSidebar"), NL["language.name"])
    expect(page.get_by_role("heading", name=NL["account.totp_title"])).to_be_visible()
    wait_for_app(page)
    page.locator("body").press("r")  # Streamlit's rerun key
    expect(page.get_by_role("button", name=NL["account.totp_confirm"])).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=NL["account.totp_title"])).to_be_visible()
    engine = make_engine(e2e_database)
    try:
        with session_scope(engine) as session:
            stored = session.query(UserAccount.language).filter_by(username=USERNAME).scalar()
    finally:
        engine.dispose()
    assert stored == "nl"

"""Issue 13: a login that survives a reload, in Chromium against the production app. The
cookie (HttpOnly, SameSite=Strict) is set once after the login; a reload, a second tab
and a bookmark find the user logged in; logout in one tab ends the session everywhere; a
session past its idle limit, a tampered cookie and a cookie replaced by a new id (own
password changed) open nothing, and never an error. Each test logs in an account of its
own, so the shared accounts of the other browser tests are untouched."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from dashboard.components.auth import COOKIE_NAME
from dashboard.i18n import read_catalog
from store.db import make_engine, session_scope
from store.models import LoginSession, UserAccount
from tests.e2e.conftest import APP_TIMEOUT_MS, csp_violations

pytestmark = pytest.mark.browser

NL = read_catalog("nl")
PASSWORD = "sessie-test-wachtwoord-1"


@pytest.fixture
def account(e2e_database, add_therapist_account) -> str:
    username = f"sessie-{uuid.uuid4().hex[:8]}"
    add_therapist_account(e2e_database, username, PASSWORD)
    return username


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="nl-NL")
    ctx.set_default_timeout(APP_TIMEOUT_MS)
    violations = csp_violations(ctx)
    yield ctx
    ctx.close()
    assert not violations, violations


def open_page(context, url: str, wait_for_app) -> Page:
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    return page


def logged_in(page: Page) -> None:
    expect(page.get_by_role("button", name=NL["auth.logout"])).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def login_page(page: Page) -> None:
    expect(page.get_by_role("heading", name=NL["login.title"], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=NL["auth.logout"])).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def session_cookie(context) -> dict:
    return next(c for c in context.cookies() if c["name"] == COOKIE_NAME)


def test_reload_second_tab_bookmark_and_logout_elsewhere(context, streamlit_server, account, log_in, wait_for_app):
    first = open_page(context, f"{streamlit_server}/my-cases", wait_for_app)  # a bookmark, before login
    login_page(first)
    log_in(first, account, PASSWORD)
    expect(first.get_by_role("heading", name=NL["cases.title"], exact=True)).to_be_visible()
    assert first.url.endswith("/my-cases")
    cookie = session_cookie(context)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"], cookie["expires"]) == (True, "Strict", "/", -1)

    first.reload()  # F5
    wait_for_app(first)
    logged_in(first)
    expect(first.get_by_role("heading", name=NL["cases.title"], exact=True)).to_be_visible()

    second = open_page(context, f"{streamlit_server}/check-in", wait_for_app)  # a second tab, a bookmark
    logged_in(second)
    expect(second.get_by_role("heading", name=NL["checkin.title"], exact=True)).to_be_visible()

    second.get_by_role("button", name=NL["auth.logout"]).click()
    login_page(second)
    expect(second.get_by_text(NL["auth.logged_out"])).to_be_visible()
    first.reload()
    wait_for_app(first)
    login_page(first)  # the session ended for every tab


def test_a_session_past_its_idle_limit_opens_nothing(context, streamlit_server, account, log_in, wait_for_app,
                                                     e2e_database):
    page = open_page(context, f"{streamlit_server}/", wait_for_app)
    log_in(page, account, PASSWORD)
    engine = make_engine(e2e_database)
    try:
        with session_scope(engine) as s:  # 31 minutes without a request
            long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)
            mine = select(UserAccount.id).where(UserAccount.username == account).scalar_subquery()
            s.execute(update(LoginSession).where(LoginSession.account_id == mine)
                      .values(last_seen_at=long_ago, created_at=long_ago, valid_from=long_ago))
    finally:
        engine.dispose()
    page.reload()
    wait_for_app(page)
    login_page(page)


@pytest.mark.parametrize("value", ["made-up-value", "x" * 300, "%00%ff"])
def test_a_tampered_cookie_gets_the_login_page(context, streamlit_server, account, log_in, wait_for_app, value):
    page = open_page(context, f"{streamlit_server}/", wait_for_app)
    log_in(page, account, PASSWORD)
    real = session_cookie(context)
    context.add_cookies([{**real, "value": value}])
    page.reload()
    wait_for_app(page)
    login_page(page)
    context.add_cookies([{**real, "value": real["value"][:-2] + ("AA" if not real["value"].endswith("AA") else "BB")}])
    page.reload()
    wait_for_app(page)
    login_page(page)


def test_a_new_id_after_the_own_password_change(context, browser, streamlit_server, account, log_in, wait_for_app):
    page = open_page(context, f"{streamlit_server}/my-account", wait_for_app)
    log_in(page, account, PASSWORD)
    before = session_cookie(context)["value"]
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["account.change_submit"]))
    form.get_by_label(NL["account.current_password"], exact=True).fill(PASSWORD)
    form.get_by_label(NL["account.new_password"], exact=True).fill(PASSWORD + "-nieuw")
    form.get_by_label(NL["account.repeat_password"], exact=True).fill(PASSWORD + "-nieuw")
    form.get_by_role("button", name=NL["account.change_submit"]).click()
    expect(page.get_by_text(NL["account.password_changed"])).to_be_visible()
    logged_in(page)
    after = session_cookie(context)["value"]
    assert after != before
    assert "done=" not in page.url  # the message is shown once, its address cleaned

    # the old value, in a browser of its own, opens nothing; the new one is the session
    for value, expected in ((before, login_page), (after, logged_in)):
        other = browser.new_context(locale="nl-NL")
        try:
            other.add_cookies([{**session_cookie(context), "value": value}])
            tab = open_page(other, f"{streamlit_server}/my-account", wait_for_app)
            expected(tab)
        finally:
            other.close()

"""Browser tests: a real `streamlit run` server driven by headless Chromium.

The browser is Debian's chromium (``playwright install`` cannot download browsers here).
Without it the tests skip, with the reason, unless ``REQUIRE_BROWSER=1`` (as in CI), in
which case they fail: a CI run must never pass by silently skipping its browser tests.

The server runs on a temporary SQLite database prepared with ``python -m store upgrade``
and holding one therapist account (:data:`THERAPIST`, :data:`PASSWORD`), made with the
store's own functions; ``logged_in_page`` is the app with that therapist logged in.

A second server (``demo_server``) runs on the demo practice (``demo_practice``: the
store's ``build_demo`` up to the end of last week, see :func:`demo_as_of`);
``demo_page`` is the app opened on it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e import server
from tests.e2e.server import APP_TIMEOUT_MS, ServerDidNotStart
from tests.e2e.server import wait_for_app as _wait_for_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_PATHS = ("/usr/bin/chromium",)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
THERAPIST = "e2e-therapeut"
PASSWORD = "browser-test-wachtwoord-1"


def browser_unavailable(reason: str) -> None:
    """Skip, or fail when the environment demands a browser (REQUIRE_BROWSER=1)."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    for path in CHROMIUM_PATHS:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh SQLite database, migrated by ``python -m store upgrade``, with a
    therapist account; returns its URL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'draagkracht.sqlite3'}"
    env = {**os.environ, "DRAAGKRACHT_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "store", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    _add_therapist_account(url, THERAPIST, PASSWORD)
    return url


def _add_therapist_account(database_url: str, username: str, password: str, *, language: str = "nl") -> None:
    """A therapist (starting, 20 sessions a week) with a login, made with the store's own
    functions."""
    from store.accounts import create_user
    from store.db import make_engine, session_scope
    from store.models import Therapist

    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            therapist = Therapist(display_name=username, experience="starting", contracted_sessions=20)
            session.add(therapist)
            session.flush()
            create_user(session, username=username, password=password, role="therapist",
                        therapist_id=therapist.id, language=language)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def add_therapist_account():
    """``add_therapist_account(database_url, username, password, language="nl")``: one
    more therapist login in a test's database."""
    return _add_therapist_account


def _serve(script: str, database_url: str, log_path: Path) -> Iterator[str]:
    """:func:`tests.e2e.server.streamlit_server` as a fixture body: a server that does
    not start fails the test with its log."""
    try:
        with server.streamlit_server(script, database_url, log_path) as base_url:
            yield base_url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory, e2e_database: str) -> Iterator[str]:
    """Start ``streamlit run dashboard/server.py`` (the production app: cookie sessions,
    security headers, CSP) on a free port; yield its base URL."""
    yield from _serve("dashboard/server.py", e2e_database, tmp_path_factory.mktemp("streamlit") / "server.log")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium through Playwright (skips or fails when unavailable)."""
    executable = chromium_path()
    if executable is None:
        browser_unavailable("chromium is not installed (expected /usr/bin/chromium); apt-get install chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev requirement
        browser_unavailable(f"the playwright package is missing: {exc}")
    # An assertion waits as long as a script run may take (not Playwright's 5 s): on a
    # busy 2-core machine a rerun that saves and redraws can take longer.
    expect.set_options(timeout=APP_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        try:
            instance = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as exc:  # noqa: BLE001 - any launch failure means "no browser"
            browser_unavailable(f"playwright could not launch {executable}: {exc}")
        yield instance
        instance.close()
    finally:
        playwright.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember each phase's report on the test item (to screenshot failures)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def csp_violations(context) -> list[str]:
    """Every Content-Security-Policy violation Chromium reports in ``context``'s pages
    (from the moment this is called): the browser suite runs under the app's CSP, and a
    page that the policy breaks fails its test (``own_context_page``)."""
    seen: list[str] = []

    def watch(page) -> None:
        page.on("console", lambda message: "Content Security Policy" in message.text and seen.append(message.text))

    context.on("page", watch)
    for page in context.pages:
        watch(page)
    return seen


def own_context_page(request: pytest.FixtureRequest, browser, **options) -> Iterator[object]:
    """A page in its own browser context (so its own Streamlit session and cookies;
    ``options`` go to ``new_context``); a screenshot of it goes to
    test-artifacts/e2e/FAILED-<test>.png when the test fails, and a CSP violation in any
    page of the context fails the test."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 1400}, "locale": "nl-NL",
                                     "accept_downloads": True, **options})
    context.set_default_timeout(APP_TIMEOUT_MS)
    violations = csp_violations(context)
    pg = context.new_page()
    try:
        yield pg
        assert not violations, f"Content-Security-Policy violations: {violations}"
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=ARTIFACTS / f"FAILED-{request.node.name}.png", animations="disabled")
    finally:
        context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser, streamlit_server: str):
    """A fresh browser page (own context, so own Streamlit session) per test.

    When the test fails, a screenshot of the page is saved to test-artifacts/e2e/.
    """
    yield from own_context_page(request, browser)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def wait_for_app():
    """:func:`tests.e2e.server.wait_for_app`, as ``wait_for_app(page)`` in a test."""
    return _wait_for_app


@pytest.fixture
def app_page(page, streamlit_server: str):
    """The app opened in a fresh page, its first script run finished."""
    page.goto(f"{streamlit_server}/")
    _wait_for_app(page)
    return page


def _log_in(page, username: str = THERAPIST, password: str = PASSWORD, expect_language: str = "nl") -> None:
    """Fill in the login form (Dutch, the default) and wait for the first page, which is
    in the account's language (``expect_language``)."""
    from playwright.sync_api import expect

    from dashboard.i18n import read_catalog

    nl = read_catalog("nl")
    page.get_by_label(nl["login.username"]).fill(username)
    page.get_by_label(nl["login.password"], exact=True).fill(password)
    page.get_by_role("button", name=nl["login.submit"]).click()
    expect(page.get_by_role("button", name=read_catalog(expect_language)["auth.logout"])).to_be_visible()
    _wait_for_app(page)


@pytest.fixture(scope="session")
def log_in():
    """``log_in(page, username, password)``: the login form, as a user fills it in."""
    return _log_in


@pytest.fixture
def logged_in_page(app_page):
    """The app in a fresh page with the therapist logged in (on their home page)."""
    _log_in(app_page)
    return app_page


# --- the demo practice ------------------------------------------------------------------


def demo_as_of(today: dt.date | None = None) -> dt.date:
    """The Sunday that ends the last complete ISO week before ``today``'s week.

    The demo practice is built up to that day, so its last week is complete (its
    sessions and check-ins are all in, and the drifting starter's flags fire for it)
    while the current week is empty and its check-in open, whatever weekday the tests
    run on. (``build_demo`` refuses a day in the future, and for an ``as_of`` on a
    Friday or later it writes that week's check-in, which the journey must make.)
    """
    today = today or dt.date.today()
    return today - dt.timedelta(days=today.weekday() + 1)


@dataclass(frozen=True)
class DemoPractice:
    url: str
    summary: object  # store.demo.DemoSummary
    username: str  # the drifting starter
    password: str


@pytest.fixture(scope="session")
def demo_practice(tmp_path_factory: pytest.TempPathFactory) -> DemoPractice:
    """A migrated SQLite database holding the demo practice (``store.demo.build_demo``,
    default size and seed) up to :func:`demo_as_of`."""
    from store.db import make_engine, upgrade
    from store.demo import DEMO_PASSWORDS, DRIFTING_USERNAME, build_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-demo') / 'demo.sqlite3'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        summary = build_demo(engine, as_of=demo_as_of())
    finally:
        engine.dispose()
    return DemoPractice(url, summary, DRIFTING_USERNAME, DEMO_PASSWORDS["therapist"])


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory, demo_practice: DemoPractice) -> Iterator[str]:
    """A second ``streamlit run dashboard/server.py``, on the demo practice; its base URL."""
    yield from _serve("dashboard/server.py", demo_practice.url,
                      tmp_path_factory.mktemp("streamlit-demo") / "server.log")


@pytest.fixture
def demo_page(request: pytest.FixtureRequest, browser, demo_server: str):
    """The app on the demo practice in a fresh page, its first script run finished."""
    for pg in own_context_page(request, browser):
        pg.goto(f"{demo_server}/")
        _wait_for_app(pg)
        yield pg

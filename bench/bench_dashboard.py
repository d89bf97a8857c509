"""The therapist's home page, My week, on the demo practice: how fast it reruns and how
soon its chart shows in a browser, each against a baseline measured in the same run.

Targets (issue 4):

(a) A warm rerun of My week (``dashboard/app.py`` with the drifting starter of the demo
    practice logged in, run through Streamlit's ``AppTest``) takes at most 3x a warm
    rerun of an empty Streamlit page (``AppTest.from_string`` of ``st.write("")``). Both
    pay Streamlit's own script-run cost; the ratio is what the app adds to it: the login
    check, navigation and sidebar, the store's figures (cached, see
    ``dashboard.components.week_cache``), flags, the balance figure. Compiled scripts
    are kept between runs on both sides, as a server keeps them (:func:`compiled_once`).
(b) In headless Chromium, from a click on My week in the sidebar (coming from the
    account page, logged in) until its plotly chart is drawn takes at most 1.5x the
    same for a one-chart reference page (``bench/reference_chart_app.py``: from its
    start page to its chart page), each served by its own ``streamlit run``; medians
    of interleaved tries after a warm-up. Skipped, with the reason printed, when
    chromium or playwright is missing.

The demo practice (``store.demo.build_demo``, default size and seed, up to today) is
built in a temporary SQLite database.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Iterator

from tests.e2e.server import streamlit_server
from tests.e2e.server import wait_for_app as _wait_for_app_within

from .harness import Comparison, compare

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
REFERENCE_APP = Path(__file__).resolve().parent / "reference_chart_app.py"
EMPTY_PAGE = 'import streamlit as st\nst.write("")\n'
RERUNS = 15  # per side, interleaved
BROWSER_TRIES = 9  # per side, interleaved, after one warm-up each
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BROWSER_TIMEOUT_MS = 30_000
FIRST_CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg'


def demo_database(directory: Path) -> str:
    """A migrated SQLite database with the demo practice; returns its URL."""
    from store.db import make_engine, upgrade
    from store.demo import build_demo

    url = f"sqlite:///{directory / 'bench-demo.sqlite3'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        build_demo(engine)
    finally:
        engine.dispose()
    return url


# --- (a) warm reruns with AppTest -------------------------------------------------------

def _checked(at):
    if at.exception:
        raise RuntimeError(f"the page raised: {[e.value for e in at.exception]}")
    return at


def my_week_app(url: str):
    """The app, the drifting starter logged in, on My week (after one warm-up rerun)."""
    from streamlit.testing.v1 import AppTest

    from dashboard.components import auth
    from dashboard.i18n import read_catalog
    from store.demo import DEMO_PASSWORDS, DRIFTING_USERNAME

    at = _checked(AppTest.from_file(str(APP), default_timeout=60).run())
    at.text_input(key=auth.USERNAME_KEY).input(DRIFTING_USERNAME)
    at.text_input(key=auth.PASSWORD_KEY).input(DEMO_PASSWORDS["therapist"])
    at.button(key=auth.SUBMIT_KEY).click()
    _checked(at.run())
    title = read_catalog("nl")["my_week.title"]
    if [t.value for t in at.title] != [title] or len(at.get("plotly_chart")) != 1:
        raise RuntimeError("the app did not open My week with its chart after login")
    return _checked(at.run())


def empty_app():
    from streamlit.testing.v1 import AppTest

    return _checked(AppTest.from_string(EMPTY_PAGE, default_timeout=60).run())


@contextlib.contextmanager
def compiled_once() -> Iterator[None]:
    """Keep compiled scripts between AppTest runs, as a running server does.

    ``AppTest`` makes a new ``ScriptCache`` for every run, so each rerun would parse,
    rewrite (Streamlit's "magic") and compile the app and its page again: a cost a
    server pays once per process, not per rerun. Both sides of the comparison share
    one cache while this is active."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    saved = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved


@contextlib.contextmanager
def app_database(url: str) -> Iterator[None]:
    """Point the in-process app (AppTest) at ``url`` for the duration."""
    names = ("DRAAGKRACHT_DATABASE_URL", "DRAAGKRACHT_REQUIRE_TOTP_ROLES")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["DRAAGKRACHT_DATABASE_URL"] = url
    os.environ.pop("DRAAGKRACHT_REQUIRE_TOTP_ROLES", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def rerun_comparison(url: str) -> Comparison:
    with app_database(url), compiled_once():
        my_week, empty = my_week_app(url), empty_app()
        return compare(
            "warm rerun of My week (demo practice, AppTest)",
            ("dashboard/app.py, My week, demo-starter", lambda: _checked(my_week.run())),
            ("empty Streamlit page (st.write)", lambda: _checked(empty.run())),
            target=3.0, repeats=RERUNS,
        )


# --- (b) time to the first chart in Chromium --------------------------------------------

def _wait_for_app(page) -> None:
    _wait_for_app_within(page, BROWSER_TIMEOUT_MS)


def _navigation_timer(page, away: tuple[str, str], target: str):
    """A function that goes to the page ``away`` (sidebar link, heading) and waits
    until it is idle, then times a click on the sidebar link ``target`` until a plotly
    chart is drawn; it returns the seconds."""
    nav = page.get_by_test_id("stSidebarNav")
    away_link, away_heading = away

    def timed() -> float:
        nav.get_by_role("link", name=away_link, exact=True).click()
        page.get_by_role("heading", name=away_heading, exact=True).wait_for()
        _wait_for_app(page)
        if page.locator(FIRST_CHART).count():
            raise RuntimeError(f"the page {away_link!r} shows a chart: the timing would end at once")
        t0 = time.perf_counter()
        nav.get_by_role("link", name=target, exact=True).click()
        page.locator(FIRST_CHART).first.wait_for(state="visible")
        elapsed = time.perf_counter() - t0
        _wait_for_app(page)  # let the run finish before the next try
        return elapsed

    return timed


def browser_comparison(url: str, workdir: Path) -> Comparison | str:
    """The Chromium comparison, or the reason it cannot run."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"chromium is not installed ({CHROMIUM})"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return f"playwright is not installed ({exc})"
    from dashboard.i18n import read_catalog
    from store.demo import DEMO_PASSWORDS, DRIFTING_USERNAME

    nl = read_catalog("nl")
    with (streamlit_server(APP, url, workdir / "app.log") as app_url,
          streamlit_server(REFERENCE_APP, url, workdir / "reference.log") as reference_url,
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pages = []
            for base in (app_url, reference_url):
                context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="nl-NL")
                context.set_default_timeout(BROWSER_TIMEOUT_MS)
                page = context.new_page()
                page.goto(base)
                _wait_for_app(page)
                pages.append(page)
            app_page, reference_page = pages
            # The app: log in (the session lives in the page's connection, so the timing
            # moves within the app, from My cases to My week, as a therapist does).
            app_page.get_by_label(nl["login.username"]).fill(DRIFTING_USERNAME)
            app_page.get_by_label(nl["login.password"], exact=True).fill(DEMO_PASSWORDS["therapist"])
            app_page.get_by_role("button", name=nl["login.submit"]).click()
            app_page.locator(FIRST_CHART).first.wait_for(state="visible")
            _wait_for_app(app_page)
            to_my_week = _navigation_timer(app_page, (nl["nav.account"], nl["account.title"]), nl["nav.my_week"])
            to_reference = _navigation_timer(reference_page, ("Start", "Start"), "Chart")
            to_my_week(), to_reference()  # warm-up: plotly.js loaded, caches filled
            subject, baseline = [], []
            for _ in range(BROWSER_TRIES):  # interleaved, as harness.compare does
                subject.append(to_my_week())
                baseline.append(to_reference())
        finally:
            browser.close()
    # harness.compare times the whole call; here only the part after the click counts.
    return Comparison("time to first chart in Chromium",
                      "My week: sidebar click -> balance chart drawn",
                      "one-chart reference page, the same way",
                      statistics.median(subject), statistics.median(baseline), target=1.5)


def run() -> list[Comparison]:
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        workdir = Path(tmp)
        url = demo_database(workdir)
        results = [rerun_comparison(url)]
        browser = browser_comparison(url, workdir)
        if isinstance(browser, str):
            print(f"time to first chart in Chromium: skipped, {browser}")
        else:
            results.append(browser)
        return results


if __name__ == "__main__":
    for comparison in run():
        print(comparison.report())

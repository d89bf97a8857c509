"""The therapist's home page, My week, on the demo practice: how fast it reruns and how
soon its chart shows in a browser, each against a baseline measured in the same run.

Targets (issue 4), both measured in headless Chromium against real ``streamlit run``
servers on 127.0.0.1 (skipped, with the reason printed, when chromium or playwright is
missing), medians of interleaved tries after a warm-up:

(a) A warm rerun of My week (the drifting starter of the demo practice logged in) takes
    at most 3x a warm rerun of an empty Streamlit page (``bench/empty_page_app.py``).
    A rerun is what every click costs the user: both pages are rerun with Streamlit's
    rerun key (``r``) and timed in the page, from the key press until the app's script
    state is back to "not running" and the next frame is drawn. Both pay Streamlit's
    own costs (the request, the session, the script run, sending and drawing the
    elements); the ratio is what the app adds: the login check, navigation and
    sidebar, the store's figures (cached, see ``dashboard.components.week_cache``),
    flags and the balance chart.
(b) From a click on My week in the sidebar (coming from the account page, logged in)
    until its plotly chart is drawn (the first frame in which the chart's bars are laid
    out with a size, see ``_ARM_CHART_TIMER``) takes at most 1.5x the same for a
    one-chart reference page (``bench/reference_chart_app.py``: from its start page to
    its chart page).

For information, without a target: the script run alone, in-process with Streamlit's
``AppTest`` (My week against the empty page). It shows the Python side (login check,
store, figures) but also counts AppTest's own parsing of every element into its test
tree, which no user waits for, so it weighs a page with many elements more heavily
than a server does. That ratio is well above 3 (about 4.5-6): My week draws some thirty
elements where the empty page draws one. In the browser both pages also pay what every
rerun costs (the request, the session, sending and drawing), about 60-100 ms for the
empty page, which is what a user waits for and what target (a) compares.

The demo practice (``store.demo.build_demo``, default size and seed, up to today) is
built in a temporary SQLite database.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from tests.e2e.server import streamlit_server
from tests.e2e.server import wait_for_app as _wait_for_app_within

from .harness import Comparison, compare, interleaved_medians

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "server.py"  # the production app (make run), for the browser
SCRIPT = ROOT / "dashboard" / "app.py"  # its script, for AppTest (which runs a script, not an ASGI app)
REFERENCE_APP = Path(__file__).resolve().parent / "reference_chart_app.py"
EMPTY_PAGE_APP = Path(__file__).resolve().parent / "empty_page_app.py"
EMPTY_PAGE = 'import streamlit as st\nst.write("")\n'
RERUNS = 15  # per side, interleaved (AppTest, information)
BROWSER_TRIES = 21  # per side, interleaved, after one warm-up each
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BROWSER_TIMEOUT_MS = 30_000
FIRST_CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg'
# A drawn data trace (the bars, on both pages) in the chart's surface: plotly makes the
# surface first and draws into it after, so the surface alone may still be empty.
CHART_DRAWN = f"{FIRST_CHART} .cartesianlayer .trace"


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


# --- information: the script run with AppTest -------------------------------------------------------

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

    at = _checked(AppTest.from_file(str(SCRIPT), default_timeout=60).run())
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


def script_run_comparison(url: str) -> Comparison:
    """Information only: the script run in-process (see the module's docstring)."""
    with app_database(url), compiled_once():
        my_week, empty = my_week_app(url), empty_app()
        return compare(
            "script run of My week in-process (AppTest, information)",
            ("dashboard/app.py, My week, demo-starter", lambda: _checked(my_week.run())),
            ("empty Streamlit page (st.write)", lambda: _checked(empty.run())),
            target=None, repeats=RERUNS,
        )


# --- (a) and (b) in Chromium --------------------------------------------

def _wait_for_app(page) -> None:
    _wait_for_app_within(page, BROWSER_TIMEOUT_MS)


# The next frame's paint has happened when a task queued from its animation-frame
# callback runs (requestAnimationFrame alone runs just before the paint).
_AFTER_NEXT_PAINT = "const afterNextPaint = (done) => requestAnimationFrame(() => setTimeout(done, 0));"

# Armed before the click: the page itself measures from the click event to the first
# frame in which a plotly chart's first data trace is in the page and laid out with a
# size, so Playwright's polling and the Python <-> browser round trips are not in the
# figure. The clock stops in that frame's animation-frame callback, once reading the
# trace's size has run the frame's style and layout: what is left of the frame is its
# paint (a few milliseconds; rasterising is off the main thread), and the chart is on
# screen when it ends. Waiting for a task after that paint instead would also count
# whatever the page queued meanwhile (the elements below the chart, a host message),
# which a user does not wait for to see the chart, and which the one-chart reference
# page does not have (measured here: up to 100 ms on My week, under 20 on the reference).
_ARM_CHART_TIMER = """(selector) => {
  window.__dkChartTime = new Promise((resolve, reject) => {
    let clickedAt = null;
    const timeout = setTimeout(() => reject(new Error("no chart drawn within 30 s of arming")), 30000);
    document.addEventListener("click", (event) => { clickedAt = event.timeStamp; },
                              {capture: true, once: true});
    // The observer only looks the trace up (no layout); its size is read once per
    // frame from then on, in the frame's animation-frame callback, where the browser
    // lays the frame out anyway, so the timer adds no layout work of its own.
    const sized = () => {
      const trace = document.querySelector(selector);
      if (trace !== null && trace.getBoundingClientRect().height > 0) {
        clearTimeout(timeout);
        resolve(performance.now() - clickedAt);
      } else {
        requestAnimationFrame(sized);
      }
    };
    const observer = new MutationObserver(() => {
      if (clickedAt !== null && document.querySelector(selector) !== null) {
        observer.disconnect();
        requestAnimationFrame(sized);
      }
    });
    observer.observe(document.body, {childList: true, subtree: true});
  });
}"""


# Armed before the key press: the page measures from the key press until the app's
# script state has left "notRunning" (the rerun was requested) and come back to it, and
# the next frame is painted.
_ARM_RERUN_TIMER = """() => {
  """ + _AFTER_NEXT_PAINT + """
  window.__dkRerunTime = new Promise((resolve, reject) => {
    const app = document.querySelector("[data-test-script-state]");
    let pressedAt = null, left = false;
    document.addEventListener("keydown", (event) => { pressedAt = event.timeStamp; },
                              {capture: true, once: true});
    const timeout = setTimeout(() => reject(new Error("no rerun within 30 s of the key press")), 30000);
    const observer = new MutationObserver(() => {
      if (pressedAt === null) return;  // e.g. a fragment's run before the key press
      const state = app.getAttribute("data-test-script-state");
      if (state !== "notRunning") left = true;
      if (left && state === "notRunning") {
        observer.disconnect();
        clearTimeout(timeout);
        afterNextPaint(() => resolve(performance.now() - pressedAt));
      }
    });
    observer.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  });
}"""


def _rerun_timer(page, still_there):
    """A function that reruns the page with Streamlit's rerun key and returns the
    seconds (measured in the page, see ``_ARM_RERUN_TIMER``); ``still_there`` is a
    locator of an element the page must still show afterwards."""

    def timed() -> float:
        _wait_for_app(page)
        page.evaluate(_ARM_RERUN_TIMER)
        page.locator("body").press("r")
        elapsed_ms = page.evaluate("window.__dkRerunTime")
        still_there.first.wait_for(state="attached")
        return elapsed_ms / 1000

    return timed


def _navigation_timer(page, away: tuple[str, str], target: str):
    """A function that goes to the page ``away`` (sidebar link, heading) and waits
    until it is idle, then times a click on the sidebar link ``target`` until a plotly
    chart is drawn (measured in the page, see ``_ARM_CHART_TIMER``); it returns the
    seconds."""
    nav = page.get_by_test_id("stSidebarNav")
    away_link, away_heading = away

    def timed() -> float:
        nav.get_by_role("link", name=away_link, exact=True).click()
        page.get_by_role("heading", name=away_heading, exact=True).wait_for()
        _wait_for_app(page)
        if page.locator(FIRST_CHART).count():
            raise RuntimeError(f"the page {away_link!r} shows a chart: the timing would end at once")
        page.evaluate(_ARM_CHART_TIMER, CHART_DRAWN)
        nav.get_by_role("link", name=target, exact=True).click()
        elapsed_ms = page.evaluate("window.__dkChartTime")
        page.locator(FIRST_CHART).first.wait_for(state="visible")  # the page's view agrees
        _wait_for_app(page)  # let the run finish before the next try
        return elapsed_ms / 1000

    return timed


def open_pages(browser, urls) -> list:
    """A page per URL, each in its own browser context (its own Streamlit session),
    opened and idle."""
    pages = []
    for base in urls:
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="nl-NL")
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        page = context.new_page()
        page.goto(base)
        _wait_for_app(page)
        pages.append(page)
    return pages


def log_in(page, username: str, password: str) -> None:
    """The login form, filled in and sent (Dutch labels, the app's default)."""
    from dashboard.i18n import read_catalog

    nl = read_catalog("nl")
    page.get_by_label(nl["login.username"]).fill(username)
    page.get_by_label(nl["login.password"], exact=True).fill(password)
    page.get_by_role("button", name=nl["login.submit"]).click()


def browser_missing() -> str | None:
    """Why the Chromium benchmarks cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"chromium is not installed ({CHROMIUM})"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"playwright is not installed ({exc})"
    return None


def browser_comparisons(url: str, workdir: Path) -> list[Comparison] | str:
    """(a) and (b) in Chromium, or the reason they cannot run."""
    if (missing := browser_missing()) is not None:
        return missing
    from playwright.sync_api import sync_playwright

    from dashboard.i18n import read_catalog
    from store.demo import DEMO_PASSWORDS, DRIFTING_USERNAME

    nl = read_catalog("nl")
    with (streamlit_server(APP, url, workdir / "app.log") as app_url,
          streamlit_server(REFERENCE_APP, url, workdir / "reference.log") as reference_url,
          streamlit_server(EMPTY_PAGE_APP, url, workdir / "empty.log") as empty_url,
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            app_page, reference_page, empty_page = open_pages(browser, (app_url, reference_url, empty_url))
            # The app: log in (the session lives in the page's connection, so the timings
            # stay within the app, as a therapist's clicks do). My week is the home page.
            log_in(app_page, DRIFTING_USERNAME, DEMO_PASSWORDS["therapist"])
            app_page.locator(FIRST_CHART).first.wait_for(state="visible")
            _wait_for_app(app_page)
            rerun = interleaved_medians(
                _rerun_timer(app_page, app_page.get_by_role("heading", name=nl["my_week.title"], exact=True)),
                _rerun_timer(empty_page, empty_page.get_by_test_id("stMarkdown")), repeats=BROWSER_TRIES)
            to_my_week = _navigation_timer(app_page, (nl["nav.account"], nl["account.title"]), nl["nav.my_week"])
            to_reference = _navigation_timer(reference_page, ("Start", "Start"), "Chart")
            first_chart = interleaved_medians(to_my_week, to_reference, repeats=BROWSER_TRIES)
        finally:
            browser.close()
    # harness.compare times whole calls; here the pages time themselves.
    return [
        Comparison("warm rerun in Chromium",
                   "My week (demo-starter): rerun key -> drawn",
                   "empty Streamlit page, the same way", *rerun, target=3.0),
        Comparison("time to first chart in Chromium",
                   "My week: sidebar click -> balance chart drawn",
                   "one-chart reference page, the same way", *first_chart, target=1.5),
    ]


def run() -> list[Comparison]:
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        workdir = Path(tmp)
        url = demo_database(workdir)
        results = [script_run_comparison(url)]
        browser = browser_comparisons(url, workdir)
        if isinstance(browser, str):
            print(f"warm rerun and time to first chart in Chromium: skipped, {browser}")
        else:
            results.extend(browser)
        return results


if __name__ == "__main__":
    for comparison in run():
        print(comparison.report())

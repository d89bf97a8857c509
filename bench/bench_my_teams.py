"""My teams for a team of 50 therapists with 104 weeks of history: a warm rerun in
Chromium against a warm rerun of an empty Streamlit page, measured in the same run.

Target (issue 12): at most 3x. The team is ``bench_team_load.fill`` (50 therapists, 25
sessions a week each for 104 weeks, 130,000 sessions, 40 open cases each); its
supervisor is logged in on My teams, which on every rerun reads the team's weekly load
over 12 weeks, the caseload by band and the alerts, orders the team at a glance, and
draws the table, the alerts, the intake planner's form and the heatmap. Both pages are
rerun with Streamlit's rerun key and timed in the page, as ``bench_dashboard`` (a)
does. Skipped, with the reason, when chromium or playwright is missing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.e2e.server import streamlit_server

from .bench_dashboard import (
    APP, BROWSER_TRIES, CHROMIUM, CHROMIUM_ARGS, EMPTY_PAGE_APP, _rerun_timer, _wait_for_app, browser_missing, log_in,
    open_pages,
)
from .bench_team_load import THERAPISTS, WEEKS, fill
from .harness import Comparison, interleaved_medians

PASSWORD = "rustig-meten-is-weten-42"


def team_database(directory: Path) -> tuple[str, str]:
    """A migrated SQLite database with the benchmark team; its URL and the supervisor's
    username."""
    from store.accounts import set_password
    from store.db import make_engine, session_scope, upgrade

    url = f"sqlite:///{directory / 'bench-team.sqlite3'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        supervisor, *_ = fill(engine)
        with session_scope(engine) as s:
            set_password(s, supervisor.username, PASSWORD)
        return url, supervisor.username
    finally:
        engine.dispose()


def browser_comparison(url: str, username: str, workdir: Path) -> Comparison | str:
    if (missing := browser_missing()) is not None:
        return missing
    from playwright.sync_api import sync_playwright

    from dashboard.i18n import read_catalog

    nl = read_catalog("nl")
    with (streamlit_server(APP, url, workdir / "app.log") as app_url,
          streamlit_server(EMPTY_PAGE_APP, url, workdir / "empty.log") as empty_url,
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            app_page, empty_page = open_pages(browser, (app_url, empty_url))
            log_in(app_page, username, PASSWORD)
            heading = app_page.get_by_role("heading", name=nl["team.glance_title"].format(team="Team Benchmark"),
                                            exact=True)
            heading.wait_for()
            _wait_for_app(app_page)
            rerun = interleaved_medians(_rerun_timer(app_page, heading),
                                        _rerun_timer(empty_page, empty_page.get_by_test_id("stMarkdown")),
                                        repeats=2 * BROWSER_TRIES)
        finally:
            browser.close()
    return Comparison(f"My teams warm rerun in Chromium ({THERAPISTS} therapists, {WEEKS} weeks)",
                      "My teams: rerun key -> drawn", "empty Streamlit page, the same way", *rerun, target=3.0)


def run() -> list[Comparison]:
    with tempfile.TemporaryDirectory(prefix="bench-my-teams-") as tmp:
        workdir = Path(tmp)
        url, username = team_database(workdir)
        result = browser_comparison(url, username, workdir)
        if isinstance(result, str):
            print(f"My teams warm rerun in Chromium: skipped, {result}")
            return []
        return [result]


if __name__ == "__main__":
    for comparison in run():
        print(comparison.report())

"""The research workspace (the Analyses page) on the demo practice of 1,000 therapists x
104 weeks (``python -m store demo --therapists 1000 --weeks 104``: 1.7 M sessions,
245,000 ratings, 750 consenting therapists), in Chromium against ``dashboard/server.py``,
each figure against a baseline measured in the same run.

Targets (issue 14):

(a) A warm rerun of the research workspace takes at most 3x a warm rerun of an empty
    Streamlit page: both are rerun with Streamlit's rerun key and timed in the page, as
    ``bench_dashboard`` (a) does. Measured on both of its pages: Analyses (items and
    domains on screen, the last 52 weeks; the data and the result are cached,
    ``dashboard.components.research_analyses``) and Research (the counts and the band
    chart of the last 52 weeks, cached the same way, ``components.research_overview``).
(b) The first view after changing the period, including every analysis on screen,
    takes at most 3x the time pandas ``read_sql`` takes to read the same rows in the same
    run. Each try first makes the data "new" (an audit line of a change, which is what a
    new rating writes: the data stamp moves, so no cached data or result can serve),
    then clicks "last 104 weeks" (coming from 26) and times, in the page, from the click
    until the script has run and every chart on screen is drawn (new charts: their keys
    hold the period) and painted. The baseline is ``pandas.read_sql`` of the statement the
    store reads (``store.research_analyses.ratings_statement``: the consenting
    therapists' ratings of those 104 weeks, 172,000 rows), timed in this process.

For information (no target): the Analyses rerun against an empty page served the way the
app is (``empty_page_server.py``: its code frozen out of the garbage collector's walks
and no full collection after every run, ``dashboard.preload``; that collection is about
half of the plain empty page's rerun, so this is the like-for-like floor); a warm rerun of My account against
the plain empty page (the app around every page: the login check, navigation and
sidebar, which (a) pays too), the
first view of each analysis after the data changed (one try each, against the same
``read_sql``), and the peak memory (the high-water mark of the resident set, VmHWM) of
the app's Streamlit process, read after the analyses.

The practice takes about a minute to build (57 s on a 2-core machine); it is kept in
``<tempdir>/draagkracht-bench/`` under a name keyed on the code that builds it, the
schema and today's date (the demo ends today), and copied for each run. Skipped, with the
reason, when chromium or playwright is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from tests.e2e.server import streamlit_server

from .bench_dashboard import (
    APP, BROWSER_TRIES, CHROMIUM, CHROMIUM_ARGS, EMPTY_PAGE_APP, ROOT, _rerun_timer, _wait_for_app, browser_missing,
    log_in, open_pages,
)

FROZEN_EMPTY_PAGE_APP = Path(__file__).resolve().parent / "empty_page_server.py"
from .harness import Comparison, interleaved_medians

THERAPISTS, WEEKS = 1000, 104
FROM_WEEKS, TO_WEEKS = 26, 104
CACHE_DIR = Path(tempfile.gettempdir()) / "draagkracht-bench"
PERIOD_TRIES = 5  # per side, interleaved, after one warm-up each
CODE = ("store/demo", "store/migrations", "store/models.py", "store/bulk.py", "complexity", "data_schema/fields.py")

# Armed before the click on a period: the page measures from the click until the app's
# script state has left "notRunning" and come back to it, and then until every plotly
# chart on the page is one made after the click (the old ones are marked) with a data
# trace (a heatmap's image) laid out with a size, and that frame is painted.
_ARM_VIEW_TIMER = """() => {
  const DRAWN = ".js-plotly-plot .main-svg .trace, .js-plotly-plot .main-svg .hm";  // bars and lines; heatmaps
  const afterNextPaint = (done) => requestAnimationFrame(() => setTimeout(done, 0));
  document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((c) => c.dataset.dkOld = "1");
  window.__dkViewTime = new Promise((resolve, reject) => {
    const app = document.querySelector("[data-test-script-state]");
    let clickedAt = null, left = false, done = false;
    document.addEventListener("click", (event) => { clickedAt = event.timeStamp; }, {capture: true, once: true});
    const timeout = setTimeout(() => reject(new Error("no view within 300 s of the click")), 300000);
    const drawn = () => {
      const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
      return charts.length > 0 && charts.every((c) => {
        const trace = c.querySelector(DRAWN);
        return !c.dataset.dkOld && trace !== null && trace.getBoundingClientRect().height > 0;
      });
    };
    const check = () => {
      if (done) return;
      if (drawn()) {
        done = true;
        clearTimeout(timeout);
        afterNextPaint(() => resolve(performance.now() - clickedAt));
      } else {
        requestAnimationFrame(check);
      }
    };
    const observer = new MutationObserver(() => {
      if (clickedAt === null) return;
      const state = app.getAttribute("data-test-script-state");
      if (state !== "notRunning") left = true;
      if (left && state === "notRunning") {
        observer.disconnect();
        requestAnimationFrame(check);
      }
    });
    observer.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  });
}"""


# Armed before an untimed click: resolves once the app's script state has left
# "notRunning" after the click and come back (the run the click started has ended).
_ARM_RUN_DONE = """() => {
  window.__dkRunDone = new Promise((resolve, reject) => {
    const app = document.querySelector("[data-test-script-state]");
    let clicked = false, left = false;
    document.addEventListener("click", () => { clicked = true; }, {capture: true, once: true});
    const timeout = setTimeout(() => reject(new Error("no run within 300 s of the click")), 300000);
    const observer = new MutationObserver(() => {
      if (!clicked) return;
      const state = app.getAttribute("data-test-script-state");
      if (state !== "notRunning") left = true;
      if (left && state === "notRunning") {
        observer.disconnect();
        clearTimeout(timeout);
        resolve();
      }
    });
    observer.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  });
}"""


def _code_key() -> str:
    digest = hashlib.sha256(f"{THERAPISTS}x{WEEKS}:{dt.date.today().isoformat()}".encode())
    for name in CODE:
        path = ROOT / name
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.suffix in (".py", ".toml") and "__pycache__" not in file.parts:
                digest.update(file.relative_to(ROOT).as_posix().encode() + file.read_bytes())
    return digest.hexdigest()[:16]


def practice_file() -> tuple[Path, float | None]:
    """The built practice (migrated SQLite file) and the seconds its build took (None:
    reused from an earlier run)."""
    from store.db import make_engine, upgrade
    from store.demo import build_demo

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"research-{_code_key()}.sqlite3"
    if path.exists():
        return path, None
    building = path.with_suffix(f".building-{os.getpid()}")
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{building}")
    try:
        upgrade(engine)
        build_demo(engine, therapists=THERAPISTS, weeks=WEEKS)
    finally:
        engine.dispose()  # checkpoints the WAL into the file
    os.replace(building, path)
    return path, time.perf_counter() - started


def _read_sql_timer(url: str):
    """``pandas.read_sql`` of the statement the store reads for the last ``TO_WEEKS`` weeks."""
    import pandas as pd

    from store.db import make_engine, session_scope
    from store.load import week_range
    from store.research_analyses import consenting_therapists, ratings_statement

    engine = make_engine(url)
    with session_scope(engine, readonly=True) as session:
        ids = sorted(consenting_therapists(session))
    statement = ratings_statement(ids, week_range(TO_WEEKS))

    def timed() -> float:
        started = time.perf_counter()
        rows = len(pd.read_sql(statement, engine))
        elapsed = time.perf_counter() - started
        timed.rows = rows
        return elapsed

    timed.rows = 0
    return timed, engine


def _data_changed(engine) -> None:
    """An audit line of a change, as a new rating writes one: the data stamp moves."""
    from store import audit
    from store.db import session_scope

    with session_scope(engine) as session:
        audit.record(session, "change", actor=None, subject_type="benchmark", detail="bench: data changed")


def _view_timer(page, engine, before, target):
    """Click ``before`` (untimed), make the data new, then time a click on ``target``
    until the view is drawn (``_ARM_VIEW_TIMER``); seconds."""

    def timed() -> float:
        _wait_for_app(page)
        if before is not None:
            page.evaluate(_ARM_RUN_DONE)
            before()
            page.evaluate("window.__dkRunDone")  # its run has ended: a click now starts a run of its own
            _wait_for_app(page)
        _data_changed(engine)
        page.evaluate(_ARM_VIEW_TIMER)
        target()
        elapsed_ms = page.evaluate("window.__dkViewTime")
        _wait_for_app(page)
        return elapsed_ms / 1000

    return timed


def _peak_rss_mb(base_url: str) -> float | None:
    """VmHWM of the ``streamlit run`` process serving ``base_url`` (Linux /proc)."""
    port = base_url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(args) and port.encode() in args:
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            continue
    return None


def browser_comparisons(url: str, workdir: Path) -> tuple[list[Comparison], float | None] | str:
    if (missing := browser_missing()) is not None:
        return missing
    from playwright.sync_api import sync_playwright

    from dashboard.i18n import read_catalog
    from store.demo import DEMO_PASSWORDS, RESEARCHER_USERNAME
    from store.research_results import ANALYSES

    en = read_catalog("en")  # the demo's researcher reads English
    read_sql, engine = _read_sql_timer(url)
    with (streamlit_server(APP, url, workdir / "app.log") as app_url,
          streamlit_server(EMPTY_PAGE_APP, url, workdir / "empty.log") as empty_url,
          streamlit_server(FROZEN_EMPTY_PAGE_APP, url, workdir / "frozen-empty.log") as frozen_url,
          sync_playwright() as playwright):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page, empty_page, frozen_page = open_pages(browser, (app_url, empty_url, frozen_url))
            empty_rerun = _rerun_timer(empty_page, empty_page.get_by_test_id("stMarkdown"))
            page.set_default_timeout(120_000)
            log_in(page, RESEARCHER_USERNAME, DEMO_PASSWORDS["researcher"])
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=en["nav.analyses"], exact=True).click()
            heading = page.get_by_role("heading", name=en["analyses.title"], exact=True)
            heading.wait_for()
            _wait_for_app(page)
            page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg .trace').first.wait_for()
            rerun = interleaved_medians(_rerun_timer(page, heading), empty_rerun, repeats=2 * BROWSER_TRIES)
            like_for_like = interleaved_medians(_rerun_timer(page, heading),
                                                _rerun_timer(frozen_page, frozen_page.get_by_test_id("stMarkdown")),
                                                repeats=BROWSER_TRIES)

            def period(weeks: int):
                label = en["analyses.weeks"].format(weeks=weeks)
                return lambda: page.get_by_test_id("stRadio").filter(has_text=en["analyses.period"]).get_by_text(
                    label, exact=True).click()

            first_view = interleaved_medians(_view_timer(page, engine, period(FROM_WEEKS), period(TO_WEEKS)),
                                             read_sql, repeats=PERIOD_TRIES)
            rows = read_sql.rows
            each = []
            for analysis in (*ANALYSES[1:], ANALYSES[0]):
                def click(name=analysis):
                    page.get_by_test_id("stRadio").filter(has_text=en["analyses.analysis"]).get_by_text(
                        en[f"analyses.{name}.title"], exact=True).click()
                each.append((analysis, interleaved_medians(_view_timer(page, engine, None, click), read_sql,
                                                           repeats=1, warmup=0)))
            peak = _peak_rss_mb(app_url)
            # For information: the app around every page (login check, navigation, sidebar)
            # on the plainest page a researcher has, measured the same way.
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=en["nav.account"], exact=True).click()
            account = page.get_by_role("heading", name=en["account.title"], exact=True)
            account.wait_for()
            _wait_for_app(page)
            shell = interleaved_medians(_rerun_timer(page, account), empty_rerun, repeats=BROWSER_TRIES)
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=en["nav.research"], exact=True).click()
            research = page.get_by_role("heading", name=en["research.title"], exact=True)
            research.wait_for()
            _wait_for_app(page)
            page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg .trace').first.wait_for()
            research_rerun = interleaved_medians(_rerun_timer(page, research), empty_rerun,
                                                 repeats=2 * BROWSER_TRIES)
        finally:
            browser.close()
            engine.dispose()
    comparisons = [
        Comparison(f"research workspace warm rerun in Chromium: Analyses ({THERAPISTS} therapists, {WEEKS} weeks)",
                   "Analyses (items and domains, 52 weeks): rerun key -> drawn", "empty Streamlit page, the same way",
                   *rerun, target=3.0),
        Comparison(f"research workspace warm rerun in Chromium: Research ({THERAPISTS} therapists, {WEEKS} weeks)",
                   "Research (counts and band chart, 52 weeks): rerun key -> drawn",
                   "empty Streamlit page, the same way", *research_rerun, target=3.0),
        Comparison("  Analyses warm rerun against a like-for-like floor (information)",
                   "Analyses (items and domains, 52 weeks): rerun key -> drawn",
                   "empty page served as the app is (st.App, frozen, no collection per run)", *like_for_like, target=None),
        Comparison("research workspace: first view after changing the period",
                   f"click 'last {TO_WEEKS} weeks' (data new) -> every chart drawn",
                   f"pandas read_sql of the same {rows:,} rows", *first_view, target=3.0),
    ]
    comparisons.append(Comparison("  the app around the page: My account warm rerun (information)",
                                  "My account (researcher): rerun key -> drawn", "empty Streamlit page, the same way",
                                  *shell, target=None))
    comparisons += [Comparison(f"  first view of {name} after the data changed ({TO_WEEKS} weeks, one try)",
                               f"click '{en[f'analyses.{name}.title']}' -> every chart drawn",
                               f"pandas read_sql of the same {rows:,} rows", *times, target=None)
                    for name, times in each]
    return comparisons, peak


def run() -> list[Comparison]:
    path, seconds = practice_file()
    print(f"research workspace: practice of {THERAPISTS} therapists x {WEEKS} weeks "
          + (f"built in {seconds:.0f} s" if seconds is not None else "reused") + f" ({path})", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-research-") as tmp:
        workdir = Path(tmp)
        copy = workdir / "research.sqlite3"
        shutil.copyfile(path, copy)
        result = browser_comparisons(f"sqlite:///{copy}", workdir)
        if isinstance(result, str):
            print(f"research workspace in Chromium: skipped, {result}")
            return []
        comparisons, peak = result
        print("research workspace: peak memory (VmHWM) of the Streamlit process: "
              + (f"{peak:,.0f} MB" if peak is not None else "unknown (no /proc)"), flush=True)
        return comparisons


if __name__ == "__main__":
    for comparison in run():
        print(comparison.report())

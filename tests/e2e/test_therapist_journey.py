"""The therapist's main journey in a real headless Chromium, on the demo practice (issue 4).

The drifting starter (``demo-starter``) logs in. The demo runs up to the end of last
week, so her overloaded last week carries into this (open) week: My week shows the
balance flag (last week's check-in while this week's is open) and the load-over-capacity
flag. She completes this week's check-in with a good week: her capacity is shown at once
and the balance flag is gone. She agrees a goal, adds a case, rates it, records a
session for today, sees this week's session count on My week go up by one, downloads
the report as one HTML file, and looks at My data.

Screenshots of each step go to ``test-artifacts/e2e/journey-NN-<step>.png`` (full
page), the downloaded report to ``test-artifacts/e2e/journey-report.html``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from complexity import CHECKIN, INSTRUMENT, capacity_score, score_case
from dashboard.i18n import read_catalog
from store.db import make_engine, session_scope
from store.models import Case, CaseRating, TherapySession, UserAccount
from complexity.calendar import monday_of
from tests.e2e.widgets import pick

pytestmark = pytest.mark.browser

NL = read_catalog("nl")
GOOD_WEEK = {"energy": 9, "body_tension": 1, "emotional_exhaustion": 1, "rumination": 1, "sleep": 9,
             "meaning": 9, "selfcare_time": 8, "burnout": 1}
ACTIONS = ("pause_walk", "exercise")
# Levels for the new case's items: a base level per domain, one step up for every third item.
CASE_LEVELS = {item.id: min(3, base + (j % 3 == 0))
               for domain, base in zip(INSTRUMENT.domains, (2, 1, 2, 1, 1))
               for j, item in enumerate(domain.items)}
MAX_SHOT_HEIGHT = 5000  # px; a full-page screenshot taller than this is cut off


def plain(text: str) -> str:
    """Catalog text as the browser shows it: without its markdown emphasis."""
    return text.replace("**", "").replace("*", "")


def sentence_pattern(key: str, **groups: str) -> re.Pattern:
    """A regex for the catalog sentence ``key`` as shown: each placeholder named in
    ``groups`` becomes a (numbered: the browser's regex has no ``?P<name>``) group with
    that pattern, any other placeholder matches anything."""
    parts = re.split(r"(\{\w+\})", plain(NL[key]))
    out = []
    for part in parts:
        name = part[1:-1] if part.startswith("{") and part.endswith("}") else None
        if name is None:
            out.append(re.escape(part))
        else:
            out.append(f"({groups[name]})" if name in groups else ".+?")
    return re.compile("".join(out))


def flag_box(page: Page, code: str) -> Locator:
    """A flag as drawn on a page: the box whose title is the flag's title."""
    return page.locator(".dk-flag").filter(has_text=NL[f"flag.{code}.title"])


def go_to(page: Page, wait_for_app, nav_key: str, title_key: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=NL[nav_key]).click()
    expect(page.get_by_role("heading", name=NL[title_key], exact=True)).to_be_visible()
    wait_for_app(page)
    expect_clean(page)


def expect_clean(page: Page) -> None:
    """No traceback, and no object written by Streamlit's "magic" (a bare expression in
    a page script is written to the page: a ``DeltaGenerator`` repr in plain sight)."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("DeltaGenerator")).to_have_count(0)


def shoot(page: Page, artifacts: Path, number: int, step: str) -> Path:
    """A full-page screenshot. Streamlit scrolls inside its main area, not the document,
    so the viewport is made as tall as that area's content for the shot."""
    viewport = page.viewport_size
    height = page.get_by_test_id("stMain").evaluate(
        "main => Math.max(main.scrollHeight, main.getBoundingClientRect().height)")
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 40, MAX_SHOT_HEIGHT)})
    try:
        path = artifacts / f"journey-{number:02d}-{step}.png"
        page.screenshot(path=path, animations="disabled")
    finally:
        page.set_viewport_size(viewport)
    return path


def open_expander(page: Page, scope: Locator, label: str) -> None:
    details = scope.get_by_test_id("stExpander").filter(
        has=page.locator("summary", has_text=label)).locator("details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def sessions_this_week(page: Page) -> int:
    """This week's session count as My week states it in its caption."""
    pattern = sentence_pattern("my_week.sessions_line", sessions=r"\d+")
    caption = page.get_by_text(pattern)
    expect(caption).to_have_count(1)
    return int(pattern.search(caption.inner_text()).group(1))


def stored_sessions_this_week(url: str, username: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine, readonly=True) as s:
            therapist_id = s.scalar(select(UserAccount.therapist_id).where(UserAccount.username == username))
            return s.scalar(select(func.count()).select_from(TherapySession).where(
                TherapySession.therapist_id == therapist_id,
                TherapySession.session_date >= monday_of(dt.date.today())))
    finally:
        engine.dispose()


def test_the_drifting_starter_checks_in_and_updates_her_week(demo_page: Page, demo_practice, log_in,
                                                              wait_for_app, artifacts_dir: Path) -> None:
    page = demo_page
    shots = iter(range(1, 100))
    # -- log in ------------------------------------------------------------------------------
    expect(page.get_by_role("heading", name=NL["login.title"])).to_be_visible()
    shoot(page, artifacts_dir, next(shots), "login")
    log_in(page, demo_practice.username, demo_practice.password)

    # -- My week: last week's overload is the news, this week's check-in is open ------------
    expect(page.get_by_role("heading", name=NL["my_week.title"], exact=True)).to_be_visible()
    expect(page.get_by_text(plain(NL["my_week.checkin_open"]))).to_be_visible()
    expect(flag_box(page, "balance")).to_have_count(1)
    expect(flag_box(page, "load_over_capacity")).to_have_count(1)
    expect(flag_box(page, "load_over_capacity")).to_contain_text(NL["severity.red"])
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    sessions_before = sessions_this_week(page)
    assert sessions_before == stored_sessions_this_week(demo_practice.url, demo_practice.username)
    shoot(page, artifacts_dir, next(shots), "my-week")

    # -- Check-in: a good week ---------------------------------------------------------------
    go_to(page, wait_for_app, "nav.checkin", "checkin.title")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["checkin.submit"]))
    for field in CHECKIN.scale_fields:
        value = GOOD_WEEK[field.id]
        option = f"{value}. {field.levels['nl'][value - field.min]}" if field.levels else str(value)
        pick(form.get_by_role("radiogroup", name=field.label("nl"), exact=True), option)
    actions_field = CHECKIN.field("selfcare_actions")
    labels = {o.id: o.label("nl") for o in actions_field.options}
    combobox = form.get_by_role("combobox", name=actions_field.label("nl"), exact=True)
    tags = form.get_by_test_id("stMultiSelectTagsContainer")  # the form's only multi-select
    for action in ACTIONS:
        combobox.fill(labels[action])  # type to filter the options, pick the one left
        page.get_by_role("option", name=labels[action], exact=True).click()
        # The open list hides the rest of the page from the accessibility tree (so from
        # role locators such as ``form``): close it first.
        page.keyboard.press("Escape")
        expect(page.get_by_role("listbox")).to_have_count(0)
        expect(tags).to_contain_text(labels[action])
    shoot(page, artifacts_dir, next(shots), "checkin")

    form.get_by_role("button", name=NL["checkin.submit"]).click()
    expect(page.get_by_text(NL["checkin.saved"])).to_be_visible()
    wait_for_app(page)
    expected = capacity_score(pd.DataFrame([GOOD_WEEK])).iloc[0]
    capacity = page.get_by_test_id("stMetric").filter(has_text=NL["my_week.capacity"])
    expect(capacity).to_contain_text(f"{round(expected)}/100")
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    # The balance flag is gone with this week's good check-in; last week's overload stays.
    expect(flag_box(page, "balance")).to_have_count(0)
    expect(flag_box(page, "load_over_capacity")).to_have_count(1)
    expect(page.get_by_role("heading", name=NL["plan.title"])).to_be_visible()

    goal_form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["plan.save_goal"]))
    chosen_goal = goal_form.get_by_role("radiogroup", name=NL["plan.goal_choice"]).get_by_role(
        "radio", checked=True)
    goal_text = chosen_goal.locator("xpath=ancestor::label").inner_text().strip()
    assert goal_text and goal_text != NL["plan.own_goal"]
    goal_form.get_by_role("button", name=NL["plan.save_goal"]).click()
    expect(page.get_by_text(plain(NL["plan.goal_agreed"].format(goal=goal_text)))).to_be_visible()
    wait_for_app(page)
    expect(goal_form).to_have_count(0)
    expect_clean(page)
    shoot(page, artifacts_dir, next(shots), "checkin-plan")

    # -- My cases: add a case, rate it, record a session for today ---------------------------
    go_to(page, wait_for_app, "nav.my_cases", "cases.title")
    page.get_by_role("button", name=NL["cases.add_submit"]).click()
    added = page.get_by_text(sentence_pattern("cases.added", code=r"C-[0-9A-Z]{4}-[0-9A-Z]{4}"))
    expect(added).to_be_visible()
    wait_for_app(page)
    code = sentence_pattern("cases.added", code=r"C-[0-9A-Z]{4}-[0-9A-Z]{4}").search(
        added.inner_text()).group(1)
    expect(page.get_by_role("combobox", name=NL["cases.select"], exact=True)).to_have_value(code)

    rating_form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["cases.rate_submit"]))
    for domain in INSTRUMENT.domains:
        open_expander(page, rating_form, domain.label("nl"))
        for item in domain.items:
            pick(rating_form.get_by_role("radiogroup", name=item.label("nl"), exact=True), str(CASE_LEVELS[item.id]))
    # The burden question is asked, optional (starts unanswered), outside the score.
    burden = rating_form.get_by_role("radiogroup", name=NL["form.burden.label"], exact=True)
    expect(burden.get_by_role("radio", checked=True)).to_have_accessible_name("–")
    expect(rating_form.get_by_text(NL["form.burden.scale"])).to_be_visible()
    pick(burden, "6")
    rating_form.get_by_role("button", name=NL["cases.rate_submit"]).click()
    score = score_case(CASE_LEVELS)  # the interplay left unrated: one item, so a range
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text=NL["result.complexity"])).to_contain_text(
        NL["result.complexity_value"].format(value=round(score.complexity)))
    wait_for_app(page)
    expect(metrics.filter(has_text=NL["result.band"])).to_contain_text(NL[f"band.{score.band}"])
    low, high = round(score.low), round(score.high)
    # The range in the result and beside the latest rating above the form.
    expect(page.get_by_test_id("stMarkdown").filter(has_text=NL["result.range.one"].format(
        count=1, low=low, high=high))).to_have_count(2)
    # The caseload table (its accessible copy; the grid itself is a canvas) shows the new
    # rating with its range.
    row = page.get_by_test_id("stDataFrame").locator("tr").filter(has_text=code)
    expect(row).to_contain_text(NL[f"band.{score.band}"])
    expect(row).to_contain_text(str(round(score.complexity)))
    expect(row).to_contain_text(f"{low}–{high}")
    expect(page.get_by_text(NL["scores.models"].format(models="2.0.0"), exact=True)).to_be_visible()
    expect(burden.get_by_role("radio", checked=True)).to_have_accessible_name("–")  # asked afresh next time
    shoot(page, artifacts_dir, next(shots), "my-cases")

    page.get_by_role("tab", name=NL["cases.tab_session"]).click()
    session_form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=NL["sessions.submit_one"]))
    today = dt.date.today()  # the form's default date; the database check below proves it was used
    day = session_form.get_by_role("group", name=NL["sessions.date"], exact=True)
    expect(day.get_by_role("spinbutton")).to_have_text(
        [re.compile(f"^0?{today.day}$"), re.compile(f"^0?{today.month}$"), str(today.year)])
    session_form.get_by_role("button", name=NL["sessions.submit_one"]).click()
    expect(page.get_by_text(NL["sessions.stored"].format(count=1))).to_be_visible()
    wait_for_app(page)
    expect_clean(page)
    shoot(page, artifacts_dir, next(shots), "session-recorded")
    engine = make_engine(demo_practice.url)
    try:
        with session_scope(engine, readonly=True) as s:
            case_id = s.scalar(select(Case.id).where(Case.code == code))
            assert s.scalar(select(func.count()).select_from(TherapySession).where(
                TherapySession.case_id == case_id, TherapySession.session_date == today)) == 1
            assert s.scalar(select(CaseRating.burden).where(CaseRating.case_id == case_id)) == 6
    finally:
        engine.dispose()

    # -- My week: one session more this week, the check-in done -------------------------------
    go_to(page, wait_for_app, "nav.my_week", "my_week.title")
    assert sessions_this_week(page) == sessions_before + 1
    assert sessions_before + 1 == stored_sessions_this_week(demo_practice.url, demo_practice.username)
    expect(page.get_by_text(plain(NL["my_week.checkin_open"]))).to_have_count(0)
    expect(page.get_by_test_id("stMetric").filter(has_text=NL["my_week.capacity"])).to_contain_text(
        f"{round(expected)}/100")
    expect(flag_box(page, "balance")).to_have_count(0)
    expect(flag_box(page, "load_over_capacity")).to_have_count(1)
    shoot(page, artifacts_dir, next(shots), "my-week-updated")

    # -- Report: download the HTML -----------------------------------------------------------
    go_to(page, wait_for_app, "nav.report", "report.title")
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible()
    shoot(page, artifacts_dir, next(shots), "report")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=NL["report.download"]).click()
    download = download_info.value
    assert download.suggested_filename.startswith("draagkracht-report-")
    assert download.suggested_filename.endswith(".html")
    saved = artifacts_dir / "journey-report.html"
    download.save_as(saved)
    document = saved.read_text(encoding="utf-8")
    assert document.lstrip().startswith("<!DOCTYPE html>")
    assert document.rstrip().endswith("</html>")
    assert f"<title>{NL['report.title']}" in document
    assert "plotly.js v" in document and "Plotly.newPlot" in document  # the library inlined, and used
    assert '<script src="http' not in document  # self-contained: nothing fetched from the network
    assert goal_text in document
    assert f"{low}–{high}" in document and code not in document  # the new case by its range, never its code

    # -- My data -----------------------------------------------------------------------------
    go_to(page, wait_for_app, "nav.my_data", "my_data.title")
    expect(page.get_by_role("heading", name=NL["my_data.share_title"])).to_be_visible()
    shoot(page, artifacts_dir, next(shots), "my-data")

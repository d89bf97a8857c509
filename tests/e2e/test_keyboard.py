"""Keyboard only (issue 13; WCAG 2.1 2.1.1 Keyboard, 2.4.3 Focus order, 2.4.7 Focus
visible), in a real headless Chromium: a therapist logs in, does this week's check-in
and agrees a goal, adds a case and rates it, with Tab, Shift+Tab, Enter, Space, the
arrow keys, Escape and typing, never a click or a fill. What was saved is read back from
the store.

Where it matters (every link, button and text field the journey uses, the first radio
group of each kind and the first section of the rating form) the test checks that the
keyboard focus can be seen: the widget looks different with the focus on it than
without (a screenshot of it, from a moment before the Tab that reached it, against one
with the focus: at least :data:`MIN_CHANGED_PIXELS` pixels change), and the browser
applies ``:focus-visible`` (the focus came from the keyboard). The test scrolls only to
take those screenshots; the widgets themselves are reached and used with keys alone.

The test has its own therapist account (so the other browser tests, which share the
database, see none of its check-in or case). Login may pass through a redirect (the
session cookie): the test waits for the logged-in page, never for "no navigation".
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from complexity import CHECKIN, INSTRUMENT, score_case
from complexity.calendar import monday_of
from dashboard.i18n import read_catalog
from store.cases import get_case
from store.checkins import therapist_checkins
from store.db import make_engine, session_scope
from store.models import UserAccount
from tests.e2e.server import APP_TIMEOUT_MS

pytestmark = pytest.mark.browser

NL = read_catalog("nl")
USERNAME = "e2e-toetsenbord"
PASSWORD = "alleen-het-toetsenbord-13"
MIN_CHANGED_PIXELS = 50  # a focus ring, tint or border; the faintest here (a tint) changes hundreds
MAX_TABS = 80  # more Tab presses than any page here has stops: a target never reached fails
GOOD_WEEK = {"energy": 8, "body_tension": 2, "emotional_exhaustion": 1, "rumination": 2, "sleep": 7,
             "meaning": 9, "selfcare_time": 6, "burnout": 2}
ACTIONS = ("pause_walk", "exercise")
# A level per scored item (a base per domain, one step up for every third item); the
# items outside the score are left unrated.
CASE_LEVELS = {item.id: min(3, base + (j % 3 == 0))
               for domain, base in zip(INSTRUMENT.domains, (1, 2, 0, 1, 2))
               for j, item in enumerate(domain.items)}
BURDEN = 4


def focus_description(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? `${e.tagName} "
        "${e.getAttribute('aria-label') || e.innerText || e.value || ''}`.slice(0, 80) : 'nothing'; }")


def look(page: Page, box: Locator) -> bytes:
    """A screenshot of ``box`` with a margin (a focus ring may be drawn just outside it)."""
    box.scroll_into_view_if_needed()
    area = box.bounding_box()
    assert area is not None, "the widget is not on screen"
    margin = 6
    return page.screenshot(clip={"x": max(area["x"] - margin, 0), "y": max(area["y"] - margin, 0),
                                 "width": area["width"] + 2 * margin, "height": area["height"] + 2 * margin},
                           animations="disabled", caret="hide")


def changed_pixels(before: bytes, after: bytes) -> int:
    """How many pixels differ clearly (not by a shade of anti-aliasing) between two
    screenshots of the same box."""
    from PIL import Image, ImageChops

    first, second = (Image.open(io.BytesIO(png)).convert("RGB") for png in (before, after))
    if first.size != second.size:
        return first.width * first.height
    difference = ImageChops.difference(first, second).convert("L")
    return difference.point(lambda v: 255 if v > 6 else 0).histogram()[255]


def has_focus(target: Locator) -> bool:
    return target.evaluate("target => target.contains(document.activeElement)")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, box: Locator | None = None,
           shown: bool = True) -> None:
    """Press Tab (Shift+Tab ``backwards``) until the focus is in ``target``, as a keyboard
    user moves through the page. With ``shown`` the focus must be visible there:
    ``box`` (``target`` by default) looks different with the focus than without, and
    the focused element matches ``:focus-visible``."""
    box = box or target
    expect(target).to_be_visible()
    before = look(page, box) if shown and not has_focus(target) else None
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if has_focus(target):
            break
        page.keyboard.press(key)
    else:
        raise AssertionError(f"{key} never reached {target}; the focus is on {focus_description(page)}")
    if shown:
        assert page.evaluate("() => document.activeElement.matches(':focus-visible')"), focus_description(page)
        changed = 0 if before is None else changed_pixels(before, look(page, box))
        assert before is None or changed >= MIN_CHANGED_PIXELS, (
            f"no visible focus on {focus_description(page)} ({changed} pixels change)")


def choose(page: Page, group: Locator, option: str, *, shown: bool = False) -> None:
    """Tab into a radio group and move its choice to ``option`` with the arrow keys (the
    focus lands on the chosen option, or on the first when none is chosen yet; Space
    chooses the focused one)."""
    tab_to(page, group, shown=shown)
    page.keyboard.press("Space")
    position = "r => [...r.closest('[role=radiogroup]').querySelectorAll('input[type=radio]')].indexOf(r)"
    wanted = group.get_by_role("radio", name=option, exact=True)
    steps = wanted.evaluate(position) - group.get_by_role("radio", checked=True).evaluate(position)
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    expect(wanted).to_be_checked()
    expect(wanted).to_be_focused()


def go_to(page: Page, wait_for_app, nav_key: str, title_key: str) -> None:
    """The sidebar's link to a page, reached with Tab and followed with Enter."""
    tab_to(page, page.get_by_test_id("stSidebarNav").get_by_role("link", name=NL[nav_key], exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=NL[title_key], exact=True)).to_be_visible()
    wait_for_app(page)


def press_button(page: Page, button: Locator, key: str = "Enter") -> None:
    tab_to(page, button)
    page.keyboard.press(key)


def read_store(url: str, work):
    engine = make_engine(url)
    try:
        with session_scope(engine, readonly=True) as s:
            return work(s, s.scalar(select(UserAccount).where(UserAccount.username == USERNAME)))
    finally:
        engine.dispose()


def test_a_therapist_logs_in_checks_in_and_rates_a_case_with_the_keyboard_only(
        app_page: Page, e2e_database: str, add_therapist_account, wait_for_app) -> None:
    add_therapist_account(e2e_database, USERNAME, PASSWORD)
    page = app_page

    # -- log in: Tab to the username, type, Tab to the password, type, Enter on the button --
    expect(page.get_by_role("heading", name=NL["login.title"])).to_be_visible()
    username = page.get_by_label(NL["login.username"], exact=True)
    tab_to(page, username, box=page.get_by_test_id("stTextInput").filter(has=username))
    page.keyboard.type(USERNAME)
    password = page.get_by_label(NL["login.password"], exact=True)
    tab_to(page, password, box=page.get_by_test_id("stTextInput").filter(has=password))
    page.keyboard.type(PASSWORD)
    submit = page.get_by_role("button", name=NL["login.submit"], exact=True)
    tab_to(page, submit)
    tab_to(page, password, backwards=True, shown=False)  # Shift+Tab goes back (past "show password")
    expect(password).to_be_focused()
    expect(password).to_have_value(PASSWORD)
    press_button(page, submit)
    # The logged-in page, after the login's redirect (through /auth/..., setting the
    # session cookie) if there is one: whatever navigation happens, the test goes on
    # once the home page is back and its script has run.
    expect(page.get_by_role("button", name=NL["auth.logout"])).to_be_visible(timeout=APP_TIMEOUT_MS)
    expect(page).not_to_have_url(re.compile(r"/auth/"), timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=NL["my_week.title"], exact=True)).to_be_visible()

    # -- the check-in: every scale with the arrow keys, two actions typed and chosen with Enter --
    go_to(page, wait_for_app, "nav.checkin", "checkin.title")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["checkin.submit"]))
    for n, field in enumerate(CHECKIN.scale_fields):
        value = GOOD_WEEK[field.id]
        option = f"{value}. {field.levels['nl'][value - field.min]}" if field.levels else str(value)
        choose(page, form.get_by_role("radiogroup", name=field.label("nl"), exact=True), option, shown=n < 2)
    actions = CHECKIN.field("selfcare_actions")
    labels = {o.id: o.label("nl") for o in actions.options}
    combobox = form.get_by_role("combobox", name=actions.label("nl"), exact=True)
    tab_to(page, combobox, box=form.get_by_test_id("stMultiSelect"))
    # The open list hides the rest of the page from the accessibility tree, so from role
    # locators such as ``form``: the chosen tags are found by their test id meanwhile.
    tags = page.get_by_test_id("stMultiSelectTagsContainer")  # the page's only multi-select
    for action in ACTIONS:
        page.keyboard.type(labels[action])  # filters the list to that option, highlighted
        expect(page.get_by_role("option", name=labels[action], exact=True)).to_be_visible()
        page.keyboard.press("Enter")
        expect(tags).to_contain_text(labels[action])
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)
    reflection = form.get_by_label(CHECKIN.field("reflection").label("nl"), exact=True)
    tab_to(page, reflection)
    page.keyboard.type("Rustige week, veel gewandeld.")
    press_button(page, form.get_by_role("button", name=NL["checkin.submit"]))
    expect(page.get_by_text(NL["checkin.saved"])).to_be_visible(timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
    # The balance chart that comes with the saved check-in, in words for a screen reader.
    expect(page.get_by_text(re.compile("^" + re.escape(NL["chart_text.prefix"])))).to_have_count(1)

    # The plan: the suggested goal (already chosen) is agreed with Space on its button.
    goal_form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["plan.save_goal"]))
    press_button(page, goal_form.get_by_role("button", name=NL["plan.save_goal"]), key="Space")
    expect(goal_form).to_have_count(0)
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)

    week_start = monday_of(dt.date.today())
    (record,) = read_store(e2e_database, lambda s, user: therapist_checkins(s, user, weeks=[week_start]))
    assert {field: record.answers[field] for field in GOOD_WEEK} == GOOD_WEEK
    assert sorted(record.answers["selfcare_actions"]) == sorted(ACTIONS)
    assert record.answers["reflection"] == "Rustige week, veel gewandeld."

    # -- My cases: add a case (Enter on the button), rate it section by section -------------
    go_to(page, wait_for_app, "nav.my_cases", "cases.title")
    press_button(page, page.get_by_role("button", name=NL["cases.add_submit"], exact=True))
    added = re.compile(re.escape(NL["cases.added"]).replace(re.escape("{code}"), "(C-[0-9A-Z-]+)"))
    expect(page.get_by_text(added)).to_be_visible()
    wait_for_app(page)
    code = page.get_by_role("combobox", name=NL["cases.select"], exact=True).input_value()
    assert code.startswith("C-")

    rating_form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=NL["cases.rate_submit"]))
    for d, domain in enumerate(INSTRUMENT.domains):
        # (``has`` is matched inside each expander, so it takes a locator not rooted in the form.)
        section = rating_form.get_by_test_id("stExpander").filter(
            has=page.locator("summary", has_text=domain.label("nl")))
        tab_to(page, section.locator("summary"), shown=d == 0)
        page.keyboard.press("Enter")  # opens the section
        expect(section.locator("details")).to_have_attribute("open", "")
        for i, item in enumerate(domain.items):
            choose(page, rating_form.get_by_role("radiogroup", name=item.label("nl"), exact=True),
                   str(CASE_LEVELS[item.id]), shown=d == 0 and i == 0)
    choose(page, rating_form.get_by_role("radiogroup", name=NL["form.burden.label"], exact=True), str(BURDEN),
           shown=True)
    press_button(page, rating_form.get_by_role("button", name=NL["cases.rate_submit"]))
    score = score_case(CASE_LEVELS)
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text=NL["result.complexity"])).to_contain_text(
        NL["result.complexity_value"].format(value=round(score.complexity)), timeout=APP_TIMEOUT_MS)
    wait_for_app(page)
    expect(metrics.filter(has_text=NL["result.band"])).to_contain_text(NL[f"band.{score.band}"])
    expect(page.get_by_test_id("stException")).to_have_count(0)

    rating = read_store(e2e_database, lambda s, user: get_case(s, user, code).latest_rating)
    assert {item: rating.items[item] for item in CASE_LEVELS} == CASE_LEVELS
    assert all(rating.items.get(item.id) is None for item in INSTRUMENT.extra_items)
    assert rating.burden == BURDEN and rating.band == score.band

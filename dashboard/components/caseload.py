"""My cases: the caseload table, and the forms to add, record sessions for and close a
case. Drawing and form handling only; the store does the work and the checks."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

import pandas as pd
import streamlit as st

from dashboard.components.context import show_store_error, unit_of_work
from dashboard.i18n import format_number, translate
from store import StoreError
from complexity.calendar import monday_of, today
from store.cases import CaseOverview, add_case, close_case, record_sessions

DEFAULT_MINUTES = 45
EMPTY_CELL = "–"  # a value that is not there (yet), in every language


def trend_text(history: Sequence[float | None], lang: str) -> str:
    """The change since the previous rating: an arrow and the points, in words too."""
    scored = [h for h in history if h is not None]
    if len(scored) < 2:
        return translate(lang, "cases.trend_none")
    delta = scored[-1] - scored[-2]
    if abs(delta) < 0.5:
        return "→ " + translate(lang, "cases.trend_same")
    arrow, key = ("↑", "cases.trend_up") if delta > 0 else ("↓", "cases.trend_down")
    return f"{arrow} " + translate(lang, key, points=format_number(abs(delta), lang, 0))


def range_cell(low: float | None, high: float | None) -> str:
    """The range a score could take as a table cell: "39–46", one number when rating the
    rest could not move it, a dash when there is none (never rated, or a model 1.0 score)."""
    if low is None or high is None:
        return EMPTY_CELL
    low_shown, high_shown = round(low), round(high)
    return str(low_shown) if low_shown == high_shown else f"{low_shown}–{high_shown}"


def models_caption(versions: Iterable[str | None], lang: str) -> str:
    """Which model versions the scores shown come from ("" when none)."""
    named = sorted({v for v in versions if v})
    return translate(lang, "scores.models", models=", ".join(named)) if named else ""


def caseload_frame(cases: Sequence[CaseOverview], trends: dict[str, list], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            translate(lang, "cases.col_code"): [c.code for c in cases],
            translate(lang, "cases.col_band"): [translate(lang, f"band.{c.band}") for c in cases],
            translate(lang, "cases.col_complexity"): [None if c.complexity is None else round(c.complexity)
                                                        for c in cases],
            translate(lang, "cases.col_range"): [range_cell(c.complexity_low, c.complexity_high) for c in cases],
            translate(lang, "cases.col_rated_on"): [c.rated_on for c in cases],
            translate(lang, "cases.col_trend"): [trend_text(trends.get(c.code, []), lang) for c in cases],
            translate(lang, "cases.col_sessions"): [c.sessions for c in cases],
            translate(lang, "cases.col_status"): [translate(lang, "cases.open" if c.is_open else "cases.closed")
                                                    for c in cases],
        }
    )


def caseload_table(cases: Sequence[CaseOverview], trends: dict[str, list], lang: str):
    """:func:`caseload_frame` as the page shows it: a missing value shows "–", not
    "None" (a case never rated has no score and no date; an incomplete rating has a
    date but no score); scores as whole numbers. The numbers stay numbers underneath, so
    the column still sorts by score."""
    return caseload_frame(cases, trends, lang).style.format(na_rep=EMPTY_CELL, precision=0)


def render_add_case(user, lang: str) -> None:
    with st.form("add_case_form", enter_to_submit=False, border=True):
        st.markdown(f"**{translate(lang, 'cases.add_title')}**")
        st.caption(translate(lang, "cases.add_help"))
        opened_on = st.date_input(translate(lang, "cases.opened_on"), value=today(), max_value=today(),
                                  format="DD-MM-YYYY", key="add_case_opened_on")
        if st.form_submit_button(translate(lang, "cases.add_submit"), key="add_case_submit"):
            try:
                with unit_of_work() as db:
                    code = add_case(db, user, opened_on=opened_on)
                st.session_state["my_cases.selected"] = code
                st.session_state["my_cases.added"] = code
                st.rerun()
            except StoreError as error:
                show_store_error(error)


def render_one_session(user, code: str, lang: str) -> None:
    with st.form(f"session_form_{code}", enter_to_submit=False):
        left, right = st.columns(2)
        day = left.date_input(translate(lang, "sessions.date"), value=today(), format="DD-MM-YYYY",
                              key=f"session_date_{code}")
        minutes = right.number_input(translate(lang, "sessions.minutes"), min_value=1, max_value=480,
                                     value=DEFAULT_MINUTES, step=5, key=f"session_minutes_{code}")
        if st.form_submit_button(translate(lang, "sessions.submit_one"), key=f"session_submit_{code}"):
            _record(user, code, [(day, minutes)], lang)


def render_week_sessions(user, open_codes: Sequence[str], lang: str) -> None:
    """A whole week at once: per open case, the days it was seen."""
    days = list(range(7))
    with st.form("week_sessions_form", enter_to_submit=False):
        week_of = st.date_input(translate(lang, "sessions.week_of"), value=today(), format="DD-MM-YYYY",
                                key="week_sessions_week")
        minutes = st.number_input(translate(lang, "sessions.minutes"), min_value=1, max_value=480,
                                  value=DEFAULT_MINUTES, step=5, key="week_sessions_minutes")
        chosen = {code: st.multiselect(code, days, key=f"week_days_{code}",
                                       format_func=lambda d: translate(lang, f"weekday_short.{d}"),
                                       placeholder=translate(lang, "sessions.days_placeholder"),
                                       select_all=False)  # Streamlit's own text is English only
                  for code in open_codes}
        if st.form_submit_button(translate(lang, "sessions.submit_week"), key="week_sessions_submit"):
            monday = monday_of(week_of)
            plan = {code: [(monday + dt.timedelta(days=d), minutes) for d in sel] for code, sel in chosen.items() if sel}
            if not plan:
                st.error(translate(lang, "sessions.none_chosen"))
                return
            try:
                with unit_of_work() as db:  # one transaction: the whole week or nothing
                    total = sum(record_sessions(db, user, code, entries) for code, entries in plan.items())
                st.session_state["my_cases.notice"] = translate(lang, "sessions.stored", count=total)
                st.rerun()
            except StoreError as error:
                show_store_error(error, what="sessions.not_saved")


def _record(user, code: str, entries, lang: str) -> None:
    try:
        with unit_of_work() as db:
            total = record_sessions(db, user, code, entries)
        st.session_state["my_cases.notice"] = translate(lang, "sessions.stored", count=total)
        st.rerun()
    except StoreError as error:
        show_store_error(error, what="sessions.not_saved")


def render_close(user, code: str, lang: str) -> None:
    with st.form(f"close_form_{code}", enter_to_submit=False):
        closed_on = st.date_input(translate(lang, "cases.closed_on"), value=today(), max_value=today(),
                                  format="DD-MM-YYYY", key=f"close_date_{code}")
        if st.form_submit_button(translate(lang, "cases.close_submit"), key=f"close_submit_{code}"):
            try:
                with unit_of_work() as db:
                    close_case(db, user, code, closed_on)
                st.session_state["my_cases.notice"] = translate(lang, "cases.closed_notice", code=code)
                st.rerun()
            except StoreError as error:
                show_store_error(error)

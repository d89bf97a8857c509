"""The intake planner as a supervisor (for a team) or a therapist (for themself) uses
it: describe the new case (its expected band, or a quick rating of the five domains),
its sessions per week and start week, and see per therapist the projected load index
with and without it, who has room and why. The projection is the store's
(``store.planner``); this only asks and draws."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from complexity import BANDS, INSTRUMENT
from complexity.calendar import iso_week_label, monday_of
from dashboard.components.context import show_store_error, unit_of_work
from dashboard.i18n import current_language, format_number, t, translate
from store import StoreError
from store.planner import NewCase, intake_summary, plan_intake, plan_own_intake

WEEKS_AHEAD = 4
RESULT_KEY = "planner.result"


def _new_case(prefix: str, how: str) -> NewCase | None:
    lang = current_language()
    band, ratings = None, None
    if how == "band":
        band = st.selectbox(t("planner.band"), BANDS, index=2, key=f"{prefix}_band",
                            format_func=lambda b, lang=lang: translate(lang, f"band.{b}"))
    else:
        columns = st.columns(len(INSTRUMENT.domains))
        ratings = {d.id: col.select_slider(d.label(lang), options=[0, 1, 2, 3], value=1, key=f"{prefix}_{d.id}")
                   for col, d in zip(columns, INSTRUMENT.domains)}
    left, right = st.columns(2)
    sessions = left.number_input(t("planner.sessions"), min_value=1, max_value=7, value=1, step=1,
                                 key=f"{prefix}_sessions")
    mondays = [monday_of(dt.date.today()) + dt.timedelta(weeks=i) for i in range(WEEKS_AHEAD)]
    start = right.selectbox(t("planner.start"), mondays, key=f"{prefix}_start",
                            format_func=lambda m, lang=lang: translate(lang, "planner.week", week=iso_week_label(m),
                                                                       date=m.strftime("%d-%m-%Y")))
    if not st.form_submit_button(t("planner.submit"), key=f"{prefix}_submit"):
        return None
    return NewCase(start_week=start, sessions_per_week=int(sessions), band=band, domain_ratings=ratings)


def _reason(row, lang: str) -> str:
    params = {k: format_number(v, lang, 2, strip=True) if isinstance(v, float) else v
              for k, v in dict(row.reason_params).items()}
    if "status" in params:
        params["status"] = t(f"status.{params['status']}")
    return t(f"planner.reason.{row.reason}", **params)


def _summary_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("team.col_therapist"): summary["display_name"],
        t("planner.col_room"): [t("planner.room_yes") if room else t("planner.room_no") for room in summary["has_room"]],
        t("planner.col_without"): [format_number(v, lang, 2) for v in summary["peak_load_index_without"]],
        t("planner.col_with"): [format_number(v, lang, 2) for v in summary["peak_load_index_with"]],
        t("planner.col_why"): [_reason(r, lang) for r in summary.itertuples(index=False)],
    })


def _weeks_table(plan: pd.DataFrame, lang: str) -> pd.DataFrame:
    def cell(index, status) -> str:
        return f"{format_number(index, lang, 2)} {t(f'status.{status}')}"

    plan = plan.assign(without=[cell(i, s) for i, s in zip(plan["load_index_without"], plan["status_without"])],
                       with_case=[cell(i, s) for i, s in zip(plan["load_index_with"], plan["status_with"])])
    rows = []
    for (tid, name), weeks in plan.groupby(["therapist_id", "display_name"], sort=False):
        row = {t("team.col_therapist"): name}
        for w in weeks.itertuples(index=False):
            row[t("planner.col_week_without", week=w.week)] = w.without
            row[t("planner.col_week_with", week=w.week)] = w.with_case
        rows.append(row)
    return pd.DataFrame(rows)


def render_intake_planner(user, *, team_id: int | None = None) -> None:
    """For a team (``team_id``, supervisors) or for the user themself (therapists)."""
    lang = current_language()
    prefix = f"planner_{team_id if team_id is not None else 'own'}"
    st.caption(t("planner.help"))
    how = st.radio(t("planner.how"), ["band", "domains"], horizontal=True, key=f"{prefix}_how",
                   format_func=lambda h, lang=lang: translate(lang, f"planner.how_{h}"))  # outside the form:
    # it changes what the form asks
    with st.form(prefix, enter_to_submit=False):
        new_case = _new_case(prefix, how)
    if new_case is not None:
        try:
            with unit_of_work() as db:
                plan = (plan_intake(db, user, team_id, new_case, weeks_ahead=WEEKS_AHEAD) if team_id is not None
                        else plan_own_intake(db, user, new_case, weeks_ahead=WEEKS_AHEAD))
            st.session_state[RESULT_KEY] = (prefix, plan)
        except StoreError as error:
            show_store_error(error)
    stored = st.session_state.get(RESULT_KEY)
    if stored is None or stored[0] != prefix:
        return
    plan = stored[1]
    st.dataframe(_summary_table(intake_summary(plan), lang), hide_index=True, key=f"{prefix}_summary")
    with st.expander(t("planner.per_week")):
        st.dataframe(_weeks_table(plan, lang), hide_index=True, key=f"{prefix}_weeks")
    st.caption(t("planner.how_computed"))

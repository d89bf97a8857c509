"""Report: the therapist's own figures over a chosen period, on screen and as a
self-contained HTML file for supervision or intervision."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.components.balance import balance_caption, balance_figure
from dashboard.components.chart_text import balance_text
from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.flags import render_period_flags
from dashboard.components.report import report_html, report_tables
from dashboard.i18n import current_language, t
from store import StoreError
from store.overview import period_report
from complexity.calendar import today

lang = current_language()
user = acting_user("therapist")
st.title(t("report.title"))
st.markdown(t("report.intro"))

end = today()
period = st.date_input(t("report.period"), value=(end - dt.timedelta(weeks=11), end), max_value=end,
                       format="DD-MM-YYYY", key="report_period")
if not isinstance(period, tuple) or len(period) != 2:
    st.info(t("report.pick_end"))
    st.stop()
try:
    with unit_of_work() as db:
        report = period_report(db, user, period[0], period[1])
except StoreError as error:
    show_store_error(error, what="report.not_made")
    st.stop()

tables = report_tables(report, lang)
st.download_button(t("report.download"), report_html(report, lang, who=user.username),
                   file_name=f"draagkracht-report-{report.start}-{report.end}.html", mime="text/html",
                   key="report_download", icon=":material/download:", type="primary")
st.subheader(t("report.balance"))
st.plotly_chart(balance_figure(report.balance, lang), key="report_balance",
                config={"displayModeBar": False, "responsive": True})
st.caption(balance_text(report.balance, lang))  # the chart in words, for a screen reader
st.caption(balance_caption(report.balance, lang))
st.subheader(t("report.weeks"))
st.dataframe(tables.weeks, hide_index=True)
st.subheader(t("report.flags"))
render_period_flags(tables.flags, lang)
if not tables.flags:
    st.markdown(t("report.no_flags"))
st.subheader(t("report.goals"))
if len(tables.goals):  # a statement, not a conditional expression: Streamlit's magic would write its value
    st.dataframe(tables.goals, hide_index=True)
else:
    st.markdown(t("report.no_goals"))
st.subheader(t("report.cases"))
if len(tables.cases):
    st.dataframe(tables.cases, hide_index=True, key="report_cases")
    st.caption(t("report.range_help"))
else:
    st.markdown(t("report.no_cases"))

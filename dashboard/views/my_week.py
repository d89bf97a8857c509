"""My week (the therapist's home): this week's load against capacity, the balance over
the last 12 weeks, flags with reasons and next steps, and a nudge when the check-in is
still open. Drawing only: the figures come from ``store.overview.my_week`` (cached
between reruns, see ``components.week_cache``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.alerts_view import render_my_alerts
from dashboard.components.balance import balance_caption
from dashboard.components.chart_text import balance_text
from dashboard.components.context import acting_user
from dashboard.components.flags import render_week_flags
from dashboard.components.palette import SEVERITY_ICONS
from dashboard.components.week_cache import week_view
from dashboard.i18n import current_language, format_number, t

lang = current_language()
user = acting_user("therapist")
view = week_view(user, lang)
week = view.week

st.title(t("my_week.title"))
# The balance first: the browser draws the elements in order, and the chart is what
# the page is timed on (make bench); the check-in prompt follows right below it.
st.subheader(t("my_week.balance_title"))
# A still picture (no hover layer: a third less drawing); each week's figures are on
# the Report page.
st.plotly_chart(view.balance_chart, key="balance_chart",
                config={"displayModeBar": False, "responsive": True, "staticPlot": True})
st.caption(balance_text(week.balance, lang))  # the chart in words, for a screen reader
st.caption(balance_caption(week.balance, lang))

if week.checkin_open:
    with st.container(border=True):
        st.markdown(t("my_week.checkin_open"))
        st.page_link("views/checkin.py", label=t("my_week.go_checkin"), icon=":material/edit_note:")

st.caption(t("my_week.week_of", week=week.week))
now = week.this_week
left, middle, right = st.columns([1, 1.6, 1])  # the status words are the longest
index = now["load_index"]
left.metric(t("my_week.load_index"), "–" if pd.isna(index) else format_number(float(index), lang, 2),
            help=t("my_week.load_index_help"))
middle.metric(t("my_week.status"), t(f"status.{now['status']}") if isinstance(now["status"], str) else "–")
capacity = now.get("capacity_score")
right.metric(t("my_week.capacity"), "–" if pd.isna(capacity) else f"{format_number(float(capacity), lang, 0)}/100")
st.caption(t("my_week.sessions_line", sessions=int(now["sessions"]),
             load=format_number(float(now["load"]), lang, 1),
             capacity=format_number(float(now["capacity"]), lang, 1), open_cases=week.open_cases))
for goal in week.goals_to_review:
    st.info(t("my_week.goal_to_review", goal=goal.text))

st.subheader(t("my_week.flags_title"))
if week.flags:
    render_week_flags(week.flags, lang, week=week.week)
else:
    st.markdown(f"{SEVERITY_ICONS['info']} {t('my_week.no_flags')}", unsafe_allow_html=True)
render_my_alerts(week.alerts)

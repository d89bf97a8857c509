"""My week (the therapist's home): this week's load against capacity, the balance over
the last 12 weeks, flags with reasons and next steps, and a nudge when the check-in is
still open. Drawing only: the figures come from ``store.overview.my_week`` (cached
between reruns, see ``components.week_cache``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.context import acting_user
from dashboard.components.flags import render_flag
from dashboard.components.palette import SEVERITY_ICONS
from dashboard.components.week_cache import cached_my_week_and_figure
from dashboard.i18n import current_language, format_number, t

lang = current_language()
user = acting_user("therapist")
week, balance_chart = cached_my_week_and_figure(user, lang)

st.title(t("my_week.title"))
st.caption(t("my_week.week_of", week=week.week))

if week.checkin_open:
    with st.container(border=True):
        st.markdown(t("my_week.checkin_open"))
        st.page_link("pages/checkin.py", label=t("my_week.go_checkin"), icon=":material/edit_note:")
for goal in week.goals_to_review:
    st.info(t("my_week.goal_to_review", goal=goal.text))

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

st.subheader(t("my_week.balance_title"))
st.plotly_chart(balance_chart, key="balance_chart",
                config={"displayModeBar": False, "responsive": True})
st.caption(t("my_week.balance_help"))

st.subheader(t("my_week.flags_title"))
if week.flags:
    case_flags: dict[str, list] = {}
    for flag in week.flags:
        if flag.spec.scope == "case":  # one card per kind, naming its cases
            case_flags.setdefault(flag.code, []).append(flag)
            continue
        if flag.week and flag.week != week.week:
            st.caption(t("my_week.flag_from_week", week=flag.week))
        render_flag(flag, lang)
    for flags in case_flags.values():
        st.caption(t("my_week.flag_cases", count=len(flags), cases=", ".join(str(f.subject) for f in flags)))
        render_flag(flags[0], lang)
else:
    st.markdown(f"{SEVERITY_ICONS['info']} {t('my_week.no_flags')}", unsafe_allow_html=True)

"""Weekly check-in: ten quick inputs, then capacity and the balance at once, then the 5A
self-care plan (advice, one goal, resources, a reminder for next week)."""

from __future__ import annotations

import streamlit as st

from dashboard.components.balance import balance_figure
from dashboard.components.chart_text import balance_text
from dashboard.components.checkin_form import missing_answers, render_checkin_form
from dashboard.components.context import acting_user, show_store_error, unit_of_work
from dashboard.components.flags import render_week_flags
from dashboard.components.selfcare_plan import render_advice, render_arrange, render_goal_form, render_resources
from dashboard.i18n import current_language, format_number, t
from store import StoreError
from store.overview import my_week
from store.checkins import save_checkin, therapist_checkins
from store.selfcare import goal_for_week, goals_to_review, review_goal, save_goal

lang = current_language()
user = acting_user("therapist")
with unit_of_work() as db:
    week = my_week(db, user)
    due = goals_to_review(db, user)
    stored = therapist_checkins(db, user, weeks=[week.week_start])
    goal = goal_for_week(db, user, week.week_start)

st.title(t("checkin.title"))
st.caption(t("checkin.week", week=week.week))

for open_goal in due:  # Arrange, last week: review the goal agreed then
    with st.form(f"review_{open_goal.id}", enter_to_submit=False):
        st.markdown(t("checkin.review_goal", goal=open_goal.text))
        status = st.radio(t("checkin.review_status"), ["achieved", "partly", "not_achieved"], horizontal=True,
                          index=None, key=f"review_status_{open_goal.id}", format_func=lambda s: t(f"goal_status.{s}"))
        if st.form_submit_button(t("checkin.review_submit")):
            if status is None:
                st.error(t("checkin.review_missing"))
            else:
                try:
                    with unit_of_work() as db:
                        review_goal(db, user, open_goal.id, status)
                    st.rerun()
                except StoreError as error:
                    show_store_error(error)

if not stored:
    st.markdown(t("checkin.intro"))
    answers = render_checkin_form(lang)
    if answers is not None:
        missing = missing_answers(answers)
        if missing:
            st.error(t("checkin.missing", count=len(missing)))
        else:
            try:
                with unit_of_work() as db:
                    save_checkin(db, user, week.week_start, answers)
                st.rerun()
            except StoreError as error:
                show_store_error(error, what="checkin.not_saved")
    st.stop()

record = stored[-1]
st.success(t("checkin.saved"))
capacity = record.capacity_score
st.metric(t("my_week.capacity"), "–" if capacity is None else f"{format_number(float(capacity), lang, 0)}/100")
st.markdown(f"#### {t('checkin.balance_title')}")
st.plotly_chart(balance_figure(week.balance, lang, height=300), key="checkin_balance",
                config={"displayModeBar": False, "responsive": True})
st.caption(balance_text(week.balance, lang))  # the chart in words, for a screen reader
st.caption(t("balance.help"))
render_week_flags([f for f in week.flags if f.spec.scope == "therapist"], lang, week=week.week)

st.subheader(t("plan.title"))
advice = render_advice(record.answers, week.flags, lang)
if goal is None:
    def _save(text: str, resource: str | None) -> bool:
        try:
            with unit_of_work() as db:
                save_goal(db, user, text, resource=resource, week_start=week.week_start)
            return True
        except StoreError as error:
            show_store_error(error, what="plan.goal_not_saved")
            return False

    render_goal_form(advice, lang, _save)
else:
    st.markdown(f"#### {t('plan.agree')}")
    st.markdown(t("plan.goal_agreed", goal=goal.text))
render_resources(advice, lang)
render_arrange(week.week_start, goal.text if goal else None, user.username, lang)

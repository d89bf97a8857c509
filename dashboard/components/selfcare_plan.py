"""The 5A self-care plan after a check-in: Assess (capacity, shown by the page), Advise
(``complexity.selfcare_advice``: what this week's signals suggest, and why), Agree (one
concrete goal), Assist (resources) and Arrange (a calendar reminder for next week's
check-in, where the goal is reviewed)."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Mapping

import streamlit as st

from complexity import CHECKIN, Flag
from complexity.calendar import practice_time_zone
from complexity.selfcare import SELFCARE_RULES, Advice, selfcare_advice
from dashboard.components.calendar import checkin_reminder_ics
from dashboard.i18n import translate

REMINDER_TIME = dt.time(9, 0)
OWN_GOAL = "__own__"


def because_text(advice: Advice, lang: str) -> str:
    parts = []
    for reason in advice.because:
        if reason["kind"] == "field":
            parts.append(CHECKIN.field(reason["field"]).label(lang))
        elif reason["kind"] == "flag":
            parts.append(translate(lang, f"flag.{reason['flag']}.title"))
    return translate(lang, "plan.because", signals="; ".join(parts)) if parts else ""


def render_advice(answers: Mapping[str, object], flags: list[Flag], lang: str) -> list[Advice]:
    st.markdown(f"#### {translate(lang, 'plan.advise')}")
    advice = selfcare_advice(answers, flags)
    for item in advice:
        with st.container(border=True):
            st.markdown(f"**{translate(lang, f'advice.{item.id}.title')}**")
            st.markdown(translate(lang, f"advice.{item.id}.text"))
            because = because_text(item, lang)
            if because:
                st.caption(because)
    return advice


def goal_options(advice: list[Advice]) -> list[str]:
    return list(dict.fromkeys(g for a in advice for g in a.goals)) + [OWN_GOAL]


def render_goal_form(advice: list[Advice], lang: str,
                     on_save: Callable[[str, str | None], bool]) -> None:
    """Agree: pick a suggested goal or write one; ``on_save(text, resource)`` stores it
    and returns whether it was stored."""
    st.markdown(f"#### {translate(lang, 'plan.agree')}")
    options = goal_options(advice)
    resources = list(dict.fromkeys(r for a in advice for r in a.resources))
    with st.form("goal_form", enter_to_submit=False):
        choice = st.radio(translate(lang, "plan.goal_choice"), options, index=0, key="goal_choice",
                          format_func=lambda g: translate(lang, "plan.own_goal") if g == OWN_GOAL
                          else translate(lang, f"goal.{g}"))
        own = st.text_input(translate(lang, "plan.own_goal_text"), key="goal_own_text", max_chars=500,
                            help=translate(lang, "plan.own_goal_help"))
        resource = st.selectbox(translate(lang, "plan.resource"), [None, *resources], key="goal_resource",
                                format_func=lambda r: translate(lang, "plan.no_resource") if r is None
                                else translate(lang, f"resource.{r}.title"))
        if st.form_submit_button(translate(lang, "plan.save_goal"), key="goal_submit"):
            text = own.strip() if choice == OWN_GOAL else translate(lang, f"goal.{choice}")
            if choice == OWN_GOAL and not text:
                st.error(translate(lang, "plan.own_goal_missing"))
            elif on_save(text, resource):
                st.rerun()  # the page now shows the agreed goal


def render_resources(advice: list[Advice], lang: str) -> None:
    st.markdown(f"#### {translate(lang, 'plan.assist')}")
    for rid in dict.fromkeys(r for a in advice for r in a.resources):
        st.markdown(f"- **{translate(lang, f'resource.{rid}.title')}**: {translate(lang, f'resource.{rid}.text')}")


def next_checkin_start(week_start: dt.date) -> dt.datetime:
    monday = week_start + dt.timedelta(weeks=1)
    return dt.datetime.combine(monday, REMINDER_TIME, tzinfo=practice_time_zone())


def render_arrange(week_start: dt.date, goal_text: str | None, username: str, lang: str) -> None:
    st.markdown(f"#### {translate(lang, 'plan.arrange')}")
    start = next_checkin_start(week_start)
    description = translate(lang, "plan.reminder_text")
    if goal_text:
        description += "\n" + translate(lang, "plan.reminder_goal", goal=goal_text)
    ics = checkin_reminder_ics(start, translate(lang, "plan.reminder_title"), description,
                               uid_seed=f"{username}:{start.date().isoformat()}")
    st.download_button(translate(lang, "plan.download_ics"), ics, file_name=f"draagkracht-check-in-{start.date()}.ics",
                       mime="text/calendar", key="download_ics", icon=":material/event:")
    st.caption(translate(lang, "plan.reminder_when", when=start.strftime("%d-%m-%Y %H:%M")))


__all__ = ["SELFCARE_RULES", "render_advice", "render_arrange", "render_goal_form", "render_resources"]

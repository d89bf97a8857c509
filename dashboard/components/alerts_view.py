"""Alerts as a supervisor reads them (in their own words, with a next step) and marks
them as discussed on a date; and as the therapist sees them on My week ("your supervisor
sees this" / "... discussed this on ..."). The store decides what an alert is
(``store.alerts``); this only draws."""

from __future__ import annotations

import datetime as dt
from typing import Sequence

import streamlit as st

from dashboard.components.context import show_store_error, unit_of_work
from dashboard.components.flags import FlagText, flag_html
from dashboard.components.palette import SEVERITY_ICONS
from dashboard.i18n import current_language, format_number, t
from store import StoreError
from store.alerts import Alert, mark_discussed

SEVERITY = {"consult_now": "red", "red_two_weeks": "red", "load_rising": "amber"}


def _params(alert: Alert) -> dict[str, object]:
    lang = current_language()
    params = {k: format_number(v, lang, 2, strip=True) if isinstance(v, float) else v
              for k, v in alert.params.items()}
    if "rated_on" in params:
        params["rated_on"] = dt.date.fromisoformat(str(params["rated_on"])).strftime("%d-%m-%Y")
    return {"therapist": alert.therapist, **params}


def alert_text(alert: Alert, audience: str) -> FlagText:
    """``audience``: "supervisor" (about a therapist of their team) or "therapist" (about
    themself)."""
    severity, params = SEVERITY[alert.kind], _params(alert)
    return FlagText(severity=severity, icon=SEVERITY_ICONS[severity], severity_word=t(f"severity.{severity}"),
                    title=t(f"alert.{alert.kind}.title"), reason=t(f"alert.{alert.kind}.{audience}", **params),
                    next_step_label=t("flag.next_step_label"),
                    next_step=t(f"alert.{alert.kind}.next_step_{audience}", **params))


def _key(alert: Alert) -> str:
    kind, tid, subject, since = alert.key
    return f"alert_{kind}_{tid}_{subject}_{since.isoformat()}"


def render_team_alerts(user, alerts: Sequence[Alert]) -> None:
    """Open alerts, each with a date and "mark as discussed"; the discussed ones below."""
    open_alerts = [a for a in alerts if not a.discussed]
    if not open_alerts:
        st.markdown(t("alerts.none_open"))
    for alert in open_alerts:
        st.markdown(flag_html(alert_text(alert, "supervisor"), t("alerts.since", date=alert.since.strftime("%d-%m-%Y"))),
                    unsafe_allow_html=True)
        with st.form(_key(alert), enter_to_submit=False, border=False):
            day, button = st.columns([2, 1], vertical_alignment="bottom")
            on = day.date_input(t("alerts.discussed_on"), value=dt.date.today(), min_value=alert.since,
                                max_value=dt.date.today(), format="DD-MM-YYYY", key=f"{_key(alert)}_on")
            if button.form_submit_button(t("alerts.mark_discussed"), key=f"{_key(alert)}_mark"):
                try:
                    with unit_of_work() as db:
                        mark_discussed(db, user, alert.key, on)
                    st.rerun()
                except StoreError as error:
                    show_store_error(error)
    discussed = [a for a in alerts if a.discussed]
    if discussed:
        with st.expander(t("alerts.discussed_title", count=len(discussed))):
            for alert in discussed:
                st.markdown(t("alerts.discussed_line", title=t(f"alert.{alert.kind}.title"), therapist=alert.therapist,
                              date=alert.discussed_on.strftime("%d-%m-%Y"), by=alert.discussed_by or "–"))


def render_my_alerts(alerts: Sequence[Alert]) -> None:
    """On My week: what the therapist's supervisor sees about them, and whether discussed."""
    if not alerts:
        return
    st.subheader(t("alerts.mine_title"))
    st.caption(t("alerts.mine_help"))
    for alert in alerts:
        seen = (t("alerts.mine_discussed", date=alert.discussed_on.strftime("%d-%m-%Y")) if alert.discussed
                else t("alerts.mine_open"))
        st.markdown(flag_html(alert_text(alert, "therapist"), seen), unsafe_allow_html=True)

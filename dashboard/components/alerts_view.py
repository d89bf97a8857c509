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


MARK_FORM = "alerts_mark_form"


def _label(alert: Alert) -> str:
    return t("alerts.choice", title=t(f"alert.{alert.kind}.title"), therapist=alert.therapist,
             date=alert.since.strftime("%d-%m-%Y"))


def render_team_alerts(user, alerts: Sequence[Alert]) -> None:
    """Open alerts as cards, one form to mark one of them as discussed on a date (one
    form for any number of alerts keeps a big team's page light); the discussed ones
    below."""
    open_alerts = [a for a in alerts if not a.discussed]
    if not open_alerts:
        st.markdown(t("alerts.none_open"))
    else:
        st.markdown("".join(flag_html(alert_text(a, "supervisor"), t("alerts.since", date=a.since.strftime("%d-%m-%Y")))
                            for a in open_alerts), unsafe_allow_html=True)
        labels = {i: _label(a) for i, a in enumerate(open_alerts)}
        with st.form(MARK_FORM, enter_to_submit=False):
            chosen = st.selectbox(t("alerts.which"), list(labels), format_func=labels.get, key="alerts_which")
            on = st.date_input(t("alerts.discussed_on"), value=dt.date.today(), max_value=dt.date.today(),
                               format="DD-MM-YYYY", key="alerts_on")
            if st.form_submit_button(t("alerts.mark_discussed"), key="alerts_mark"):
                try:
                    with unit_of_work() as db:  # the store checks the date (not before the cause began)
                        mark_discussed(db, user, open_alerts[chosen].key, on)
                    st.rerun()
                except StoreError as error:
                    show_store_error(error)
    discussed = [a for a in alerts if a.discussed]
    if discussed:
        with st.expander(t("alerts.discussed_title", count=len(discussed))):
            st.markdown("\n".join(t("alerts.discussed_line", title=t(f"alert.{a.kind}.title"), therapist=a.therapist,
                                     date=a.discussed_on.strftime("%d-%m-%Y"), by=a.discussed_by or "–")
                                   for a in discussed))


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

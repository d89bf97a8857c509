"""An account's history for its owner: the notice at login and the table on My account
("Changes to your account and logins"). The store decides what is in it and who may
read it (``store.accounts.history``); this module words and draws it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from complexity.calendar import local_time
from dashboard.components.database import db_session
from dashboard.i18n import current_language, t, translate
from store.accounts import AccountEvent, account_events
from store.models import utcnow

NOTICES_KEY = "auth.account_notices"  # set at login (components.auth), shown once
HISTORY_DAYS = 90
DASH = "–"


def _when(moment: dt.datetime) -> str:
    return local_time(moment).strftime("%d-%m-%Y %H:%M")


def _by(event: AccountEvent, lang: str) -> str:
    if event.by_owner:
        return translate(lang, "account.history_by_you")
    if event.by:
        return event.by
    if event.by_operator:
        return translate(lang, "account.history_by_operator")
    if event.kind in ("login_failed", "temporary_password_refused"):
        return DASH  # nobody was logged in
    return translate(lang, "account.history_someone")  # an account removed since


def _where(event: AccountEvent) -> str:
    address = event.client_address or DASH
    return f"{address} ({event.device})" if event.device else address


def _params(event: AccountEvent, lang: str) -> dict[str, str]:
    params = {}
    if event.kind == "role_changed":
        params = {name: translate(lang, f"role.{event.params[name]}") for name in ("old", "new")}
    elif event.kind == "edited":
        params = {"fields": ", ".join(translate(lang, f"field.{name}.label") for name in event.params["fields"])}
    return params


def what(event: AccountEvent, lang: str) -> str:
    """What happened, in a few words (the table's "what")."""
    return translate(lang, f"account.history.kind.{event.kind}", **_params(event, lang))


def notice(event: AccountEvent, lang: str) -> str:
    """One sentence for the notice at login ("Your password was reset by beheer on ...")."""
    return translate(lang, f"account.notice.{event.kind}", by=_by(event, lang), when=_when(event.at),
                     where=_where(event), **_params(event, lang))


def show_login_notices() -> None:
    """The notice kept at login, once: what others did to the account since the owner
    last logged in with their own password."""
    events = st.session_state.pop(NOTICES_KEY, None)
    if events:
        lang = current_language()
        lines = "\n".join(f"- {notice(event, lang)}" for event in events)
        st.warning(f"{t('account.notice_intro')}\n\n{lines}\n\n{t('account.notice_outro')}")


def history_frame(events: list[AccountEvent], lang: str) -> pd.DataFrame:
    shown = pd.DataFrame({
        "at": [_when(e.at) for e in events],
        "what": [what(e, lang) for e in events],
        "by": [_by(e, lang) for e in events],
        "where": [e.client_address or DASH for e in events],
        "device": [e.device or DASH for e in events],
    })
    return shown.rename(columns={c: translate(lang, f"account.history_col_{c}") for c in shown.columns})


def render_history(user) -> None:
    """My account: the owner's own history of the last :data:`HISTORY_DAYS` days."""
    st.subheader(t("account.history_title"))
    st.caption(t("account.history_intro", days=HISTORY_DAYS))
    with db_session() as session:
        events = account_events(session, user, since=utcnow() - dt.timedelta(days=HISTORY_DAYS))
    if not events:
        st.markdown(t("account.history_empty", days=HISTORY_DAYS))
        return
    st.dataframe(history_frame(events, current_language()), hide_index=True, key="account_history")

"""My account, "Where you are logged in": the user's open login sessions (started, last
used, device as the browser says, from where) and a button to end any of them. The store
decides what is listed and who may end what (``store.accounts.sessions``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from complexity.calendar import local_time
from dashboard.components import auth
from dashboard.components.database import db_session
from dashboard.i18n import t
from store import NotFound
from store.accounts.sessions import active_sessions, check_session, end_own_session

DASH = "–"


def _when(moment: dt.datetime) -> str:
    return local_time(moment).strftime("%d-%m-%Y %H:%M")


def _end(user_id: int, session_id: int, this_one: bool) -> None:
    try:
        with db_session() as session:
            end_own_session(session, user_id, session_id, now=auth.clock())
    except NotFound:
        return  # already gone (ended elsewhere): the list redraws without it
    if this_one:
        auth.logout("auth.logged_out")


def render_sessions(user: auth.SessionUser) -> None:
    st.subheader(t("account.sessions_title"))
    st.caption(t("account.sessions_intro"))
    now = auth.clock()
    with db_session(readonly=True) as session:
        sessions = active_sessions(session, user.id, now=now)
        mine = check_session(session, st.session_state.get(auth.TOKEN_KEY), now=now, readonly=True).session_id
    for entry in sessions:
        this_one = entry.id == mine
        text, button = st.columns([4, 1], vertical_alignment="center")
        label = t("account.session_line", started=_when(entry.started_at), seen=_when(entry.last_seen_at),
                  device=entry.device or DASH, address=entry.client_address or DASH)
        text.markdown(label + (" " + t("account.session_this") if this_one else ""))
        button.button(t("account.session_end"), key=f"account.end_session.{entry.id}",
                      on_click=_end, args=(user.id, entry.id, this_one))

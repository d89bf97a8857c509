"""My week's figures and balance chart, cached between reruns.

Every click reruns the page; computing My week (``store.overview.my_week``: queries,
load and flags in pandas) and building its plotly figure each time cost tens of
milliseconds. Both are cached per database, user, day and *stamp*: the id of the newest
audit event (``store.audit.latest_event_id``). Each change the store makes to a
therapist's data (a session, rating, case, check-in, goal, erasure, import) records an
audit event in the same transaction, so the next run after a committed change has a
new stamp and recomputes; other events (logins, reads) only cost a recomputation. The
time-to-live bounds how long a change made outside the store (by hand in the database)
can go unseen. The user's own access rules apply when an entry is computed: the key
holds the user id, so an entry only ever serves the user it was computed for.

The entry is a :class:`WeekView` shared by the reruns (and sessions of the same user)
that hit it (``st.cache_resource``: no copy per rerun, one lookup). Its DataFrames and
lists are not frozen: callers only read them (``st.plotly_chart`` serialises a copy of
the figure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from dashboard.components.balance import balance_figure
from dashboard.components.context import unit_of_work
from store.audit import latest_event_id
from store.db import read_connection
from store.models import UserAccount
from store.overview import MyWeek, my_week
from complexity.calendar import today

CACHE_TTL = dt.timedelta(minutes=5)
MAX_ENTRIES = 1000


@dataclass(frozen=True)
class WeekView:
    """My week's figures and its balance chart in one language. Shared between reruns:
    read, never change."""

    week: MyWeek
    balance_chart: go.Figure


def _engine():
    from dashboard.components.database import get_app_engine

    return get_app_engine()


@st.cache_resource(ttl=CACHE_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _week_view(database: str, user_id: int, as_of: dt.date, stamp: int, lang: str, height: int) -> WeekView:
    with unit_of_work() as db:
        week = my_week(db, db.get(UserAccount, user_id), as_of=as_of)
    return WeekView(week, balance_figure(week.balance, lang, height=height))


def week_view(user, lang: str, *, height: int = 360) -> WeekView:
    """My week for the acting ``user`` (today) and its balance chart in ``lang``,
    cached as above."""
    engine = _engine()
    with read_connection(engine) as connection:  # one cheap read, never waiting for writers
        stamp = latest_event_id(connection)
    database = engine.url.render_as_string(hide_password=True)
    return _week_view(database, int(user.id), today(), stamp, lang, height)

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
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import streamlit as st

from dashboard.components.balance import balance_figure
from dashboard.components.context import unit_of_work
from store.audit import latest_event_id
from store.models import UserAccount
from store.overview import MyWeek, my_week
from store.repository import today

CACHE_TTL = dt.timedelta(minutes=5)
MAX_ENTRIES = 1000


def _database() -> str:
    from dashboard.components.database import get_app_engine

    return get_app_engine().url.render_as_string(hide_password=True)


@st.cache_data(ttl=CACHE_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _my_week(database: str, user_id: int, as_of: dt.date, stamp: int) -> MyWeek:
    with unit_of_work() as db:
        return my_week(db, db.get(UserAccount, user_id), as_of=as_of)


@st.cache_resource(ttl=CACHE_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _figure(database: str, user_id: int, as_of: dt.date, stamp: int, lang: str, height: int) -> go.Figure:
    # Shared, not copied: st.plotly_chart only reads the figure (it serialises a copy).
    return balance_figure(_my_week(database, user_id, as_of, stamp).balance, lang, height=height)


def _key(user) -> tuple[str, int, dt.date, int]:
    with unit_of_work(readonly=True) as db:
        stamp = latest_event_id(db)
    return _database(), int(user.id), today(), stamp


def cached_my_week(user) -> MyWeek:
    """``store.overview.my_week`` for the acting ``user`` (today), cached as above."""
    return _my_week(*_key(user))


def cached_my_week_and_figure(user, lang: str, *, height: int = 360) -> tuple[MyWeek, go.Figure]:
    """My week and its balance figure in ``lang``, both cached as above."""
    key = _key(user)
    return _my_week(*key), _figure(*key, lang, height)

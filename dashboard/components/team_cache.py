"""My teams' figures, table and heatmap, cached between reruns (as My week's are, see
``components.week_cache``).

Every click reruns the page; reading the team's load, caseload and alerts and drawing
the heatmap cost tens of milliseconds for a large team. The entry is keyed by database,
user, login session, team, day, language and *stamp* (the newest audit event's id): any
change the store makes records an audit event, so the next run after it recomputes. The
login session is in the key because a supervisor's reads are logged once per session: a
new session computes afresh, and its reads are logged; a rerun within the session reads
nothing new, so nothing new needs logging.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from complexity.calendar import today
from dashboard.components.context import unit_of_work
from dashboard.components.database import SESSION_ID_KEY
from dashboard.components.team_view import team_heatmap, team_table
from store.audit import latest_event_id, session_key
from store.db import read_connection
from store.models import UserAccount
from store.team import TeamOverview, team_overview

CACHE_TTL = dt.timedelta(minutes=5)
MAX_ENTRIES = 200


@dataclass(frozen=True)
class TeamView:
    """Shared between reruns: read, never change."""

    overview: TeamOverview
    table: pd.DataFrame
    columns: dict
    heatmap: go.Figure


def _engine():
    from dashboard.components.database import get_app_engine

    return get_app_engine()


@st.cache_resource(ttl=CACHE_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _team_view(database: str, user_id: int, session: str | None, team_id: int, as_of: dt.date, stamp: int,
               lang: str) -> TeamView:
    with unit_of_work() as db:
        view = team_overview(db, db.get(UserAccount, user_id), team_id, as_of=as_of)
    table, columns = team_table(view, lang)
    return TeamView(view, table, columns, team_heatmap(view, lang))


def team_view(user, team_id: int, lang: str) -> TeamView:
    """My teams for the acting supervisor and ``team_id`` (today), in ``lang``."""
    engine = _engine()
    with read_connection(engine) as connection:  # one cheap read, never waiting for writers
        stamp = latest_event_id(connection)
    database = engine.url.render_as_string(hide_password=True)
    return _team_view(database, int(user.id), session_key(st.session_state.get(SESSION_ID_KEY)), team_id, today(),
                      stamp, lang)

"""The dashboard's database: one engine per database URL for the server process.

The URL is ``DRAAGKRACHT_DATABASE_URL`` (or the default SQLite file, see ``store.db``);
the schema is brought to the newest migration once, when the engine is first made.
Pages call store functions inside ``with db_session() as session:``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from store.db import database_url, make_engine, session_scope, upgrade


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def engine() -> Engine:
    """The engine for the configured database (made and migrated once per URL)."""
    return _engine_for(database_url().render_as_string(hide_password=False))


get_app_engine = engine  # the name the pages' context module uses


@contextmanager
def db_session(*, readonly: bool = False) -> Iterator[Session]:
    """A unit of work on the dashboard's database (see ``store.db.session_scope``)."""
    with session_scope(engine(), readonly=readonly) as session:
        yield session

"""The dashboard's database: one engine per database URL for the server process.

The URL is ``DRAAGKRACHT_DATABASE_URL`` (or the default SQLite file, see ``store.db``);
the schema is brought to the newest migration once, when the engine is first made.
Pages call store functions inside ``with db_session() as session:``; every such unit of
work carries where its accesses come from (a digest of the login session's id and the
client's address, see ``store.clients``) into the audit log, and the session's record of
reads already logged, so that a rerun does not log the same read again. It also carries
the digests of the login sessions this browser tab had before (``EARLIER_SESSIONS_KEY``,
kept by ``components.auth`` across a logout): a temporary password is refused in the tab
where an admin gave it (``store.accounts.login``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from store.audit import AccessContext, access_context, session_key
from store.clients import client_address, describe_device
from store.db import database_url, make_engine, session_scope, upgrade

SESSION_ID_KEY = "auth.session_id"  # the login session's random id (drawn by components.auth)
AUDIT_SEEN_KEY = "audit.seen"  # the reads this login session has logged
EARLIER_SESSIONS_KEY = "auth.earlier_sessions"  # digests of this tab's earlier login sessions


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def engine() -> Engine:
    """The engine for the configured database (made and migrated once per URL)."""
    return _engine_for(database_url().render_as_string(hide_password=False))


get_app_engine = engine  # the name the pages' context module uses


def access() -> AccessContext:
    """Where this request comes from, for the audit log."""
    state = st.session_state
    seen = state.get(AUDIT_SEEN_KEY)
    if seen is None:
        seen = state[AUDIT_SEEN_KEY] = set()
    peer, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    return AccessContext(session_key=session_key(state.get(SESSION_ID_KEY)),
                         client_address=client_address(_text(peer), _text(forwarded)), seen=seen,
                         earlier_session_keys=frozenset(state.get(EARLIER_SESSIONS_KEY, ())))


def device() -> str | None:
    """The browser and system of this request ("Firefox, Windows"), when its
    ``User-Agent`` header names them (``store.clients.describe_device``)."""
    return describe_device(_text(st.context.headers.get("User-Agent")))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None  # AppTest's context has no real connection


@contextmanager
def db_session(*, readonly: bool = False) -> Iterator[Session]:
    """A unit of work on the dashboard's database (see ``store.db.session_scope``),
    its audit lines saying where the accesses come from."""
    with access_context(access()), session_scope(engine(), readonly=readonly) as session:
        yield session

"""What every page needs: the acting user and a unit of work on the database.

Pages call store functions inside ``with unit_of_work() as db:`` and show a store
error's message in the user's language via :func:`show_store_error`; a traceback never
reaches the user.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from sqlalchemy.orm import Session

from data_schema.labels import form_message
from store import AccessDenied, InvalidInput, NotFound, Refused, StoreError
from dashboard.i18n import current_language, t


@contextmanager
def unit_of_work(*, readonly: bool = False) -> Iterator[Session]:
    """A unit of work whose audit lines say where the accesses come from
    (``components.database.db_session``)."""
    from dashboard.components.database import db_session

    with db_session(readonly=readonly) as session:
        yield session


def acting_user(*roles: str):
    """The logged-in user as the store expects it (an object with ``id``); with
    ``roles``, any other role is stopped (app.py registers pages per role already: this
    is the second line)."""
    from dashboard.components.auth import require_login

    return require_login(*roles)


def show_store_error(error: StoreError, *, what: str = "error.not_saved") -> None:
    """One clear message for a refused store call, listing every problem found."""
    if isinstance(error, AccessDenied):
        st.error(t("error.access_denied"))
    elif isinstance(error, NotFound):
        st.error(t("error.not_found"))
    elif isinstance(error, InvalidInput):
        lang = current_language()
        st.error(t(what) + "\n\n" + "\n".join(f"- {form_message(p, lang)}" for p in error.problems))
    elif isinstance(error, Refused):
        st.error(error.message(current_language()))
    else:
        st.error(t("error.unexpected"))

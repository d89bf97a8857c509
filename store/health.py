"""Whether the database can serve the app, and if not, what it is: for ``/readyz``, the
server log and the message a user sees.

- ``unreachable``: no connection (a refused or timed-out connection, a wrong password or
  user, a database that does not exist, a SQLite file that cannot be opened);
- ``damaged``: a connection, but what answers is not a Draagkracht database in working
  order (a file that is not a SQLite database, a corrupt one, tables missing);
- ``not_migrated``: a Draagkracht database at another migration than this version's
  (``python -m store upgrade`` brings it there; a newer one needs the newer version).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError, SQLAlchemyError

from .db import current_revision, head_revision

# Words in the driver's message that mean "nothing answered" (OperationalError covers
# both, e.g. SQLite's "database disk image is malformed" is an OperationalError too).
_UNREACHABLE_SIGNS = (
    "unable to open database", "connection refused", "could not connect", "connection timed out",
    "password authentication failed", "no password supplied", "does not exist", "name or service not known",
    "could not translate host name", "timeout expired", "server closed the connection", "no such host",
    "connection to server", "role ",
)


@dataclass(frozen=True)
class DatabaseState:
    """``problem`` is None when the database is ready; ``cause`` is for the server log
    (the driver's message, never shown to a user)."""

    problem: str | None
    cause: str = ""
    revision: str | None = None
    expected: str | None = None

    @property
    def ready(self) -> bool:
        return self.problem is None


def classify(error: BaseException) -> str:
    """``unreachable`` or ``damaged`` for an error the database driver raised."""
    message = str(getattr(error, "orig", None) or error).lower()
    if isinstance(error, InterfaceError):
        return "unreachable"
    if isinstance(error, OperationalError) and any(sign in message for sign in _UNREACHABLE_SIGNS):
        return "unreachable"
    if isinstance(error, (DatabaseError, OperationalError)):
        return "damaged"
    return "unreachable"


def database_state(engine: Engine) -> DatabaseState:
    """Connect, ask, and compare the migration with this version's."""
    expected = head_revision()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(engine)
        if revision is not None:
            with engine.connect() as conn:  # the tables the app reads first are there and readable
                conn.execute(text("SELECT count(*) FROM user_account WHERE 1 = 0"))
    except SQLAlchemyError as error:
        return DatabaseState(classify(error), f"{type(error).__name__}: {getattr(error, 'orig', None) or error}",
                             expected=expected)
    if revision != expected:
        return DatabaseState("not_migrated", f"database at migration {revision!r}, this version needs {expected!r}",
                             revision, expected)
    return DatabaseState(None, revision=revision, expected=expected)

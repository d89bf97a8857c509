"""Database engine, sessions and migrations.

The database is chosen by ``DRAAGKRACHT_DATABASE_URL``; without it, Draagkracht uses a
SQLite file ``data/draagkracht.sqlite3`` under the repository root. PostgreSQL is fully
supported through ``postgresql+psycopg://user@host:port/db``.

SQLite is configured on every new connection (see :func:`_configure_sqlite`) and
SQLAlchemy, not the ``sqlite3`` driver, decides when a transaction begins: a write
session starts with ``BEGIN IMMEDIATE`` so that it takes SQLite's single write lock at
the start of the transaction. Waiting for that lock is covered by ``busy_timeout``; a
deferred transaction that first reads and later tries to write can instead fail at once
with "database is locked" (SQLite cannot wait there without breaking isolation), which
is exactly the error concurrent writers must never see.

Use :func:`session_scope` for a unit of work::

    with session_scope() as session:
        code = cases.add_case(session, user)

and :func:`upgrade` once at start-up (or ``python -m store upgrade``) to bring the
schema to the newest migration.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

ENV_URL = "DRAAGKRACHT_DATABASE_URL"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "draagkracht.sqlite3"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

SQLITE_BUSY_TIMEOUT_MS = 30_000
_READONLY = "draagkracht_readonly"  # execution option: plain BEGIN instead of BEGIN IMMEDIATE


def database_url() -> URL:
    """The configured database URL: ``DRAAGKRACHT_DATABASE_URL`` or the default SQLite file."""
    raw = os.environ.get(ENV_URL, "").strip()
    if raw:
        return make_url(raw)
    return URL.create("sqlite", database=str(DEFAULT_SQLITE_PATH))


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (default: :func:`database_url`) with Draagkracht's
    connection setup. Extra keyword arguments go to :func:`sqlalchemy.create_engine`
    (e.g. ``pool_size``, ``connect_args``)."""
    url = make_url(url) if url is not None else database_url()
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
            raise ValueError(
                "Draagkracht needs a SQLite *file* (WAL and concurrent sessions do not work "
                "with an in-memory database)"
            )
        _ensure_folder(Path(url.database))
        engine = create_engine(url, **kwargs)
        _install_sqlite_hooks(engine)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    raise ValueError(f"unsupported database {backend!r}: use a SQLite file or PostgreSQL")


def _ensure_folder(path: Path) -> None:
    folder = path.expanduser().resolve().parent
    if not folder.exists():
        # The data folder holds health data: readable by the owning account only.
        folder.mkdir(parents=True, mode=0o700)


def _install_sqlite_hooks(engine: Engine) -> None:
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)


def _configure_sqlite(dbapi_connection, connection_record) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _begin_sqlite): the sqlite3 driver's own
    # transaction handling begins late and never for SELECT or DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # First, so that the statements below wait for locks instead of failing.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Foreign keys are off by default in SQLite, per connection.
        cursor.execute("PRAGMA foreign_keys=ON")
        # Write-ahead log: readers do not block the writer and the writer does not block
        # readers; the setting is stored in the file.
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced to disk at every commit. With NORMAL (the usual WAL
        # choice) a transaction acknowledged as committed can still be lost on power
        # failure or an OS crash; Draagkracht may lose no acknowledged write (a therapist
        # who saw "saved" must find the rating back), and the extra fsync per commit is
        # cheap at this application's write rate.
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    if conn.get_execution_options().get(_READONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        # Take the write lock now (waiting up to busy_timeout), not at the first write.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine() -> Engine:
    """The application's engine for :func:`database_url`, created once per URL."""
    url = database_url()
    key = url.render_as_string(hide_password=False)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = make_engine(url)
        return engine


@contextmanager
def read_connection(engine: Engine | None = None) -> Iterator[Connection]:
    """A plain connection for a few reads (cheaper than a session): on SQLite its
    transaction begins with a plain ``BEGIN``, so it never waits for the write lock.
    Write nothing with it."""
    engine = engine if engine is not None else get_engine()
    with engine.execution_options(**{_READONLY: True}).connect() as connection:
        yield connection


@contextmanager
def session_scope(engine: Engine | None = None, *, readonly: bool = False) -> Iterator[Session]:
    """A session whose transaction commits when the block ends and rolls back on an
    exception (which is re-raised).

    ``readonly=True`` begins SQLite transactions with a plain (deferred) ``BEGIN`` so
    that readers do not queue for the write lock. Only for blocks that write nothing:
    the store's use cases write audit events, so call them in a write session
    (the default).
    """
    engine = engine if engine is not None else get_engine()
    bind = engine.execution_options(**{_READONLY: True}) if readonly else engine
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --- migrations -------------------------------------------------------------------------

def alembic_config(connection: Connection | None = None):
    """An Alembic configuration for ``store/migrations`` (no ``alembic.ini`` needed).
    With ``connection``, ``env.py`` migrates over that connection."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction for schema changes; commits at the end.

    On SQLite, foreign keys are switched off for the migration: SQLite rebuilds a
    table to alter it (Alembic's batch mode), and dropping the old copy with foreign
    keys on would run ON DELETE CASCADE on the rows that reference it. Integrity is
    checked with ``PRAGMA foreign_key_check`` before the commit instead.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if sqlite else None
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, else ignored
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:10]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine_or_url: Engine | str | URL | None = None, revision: str = "head") -> None:
    """Run ``alembic upgrade`` (to ``head`` by default) on the database."""
    from alembic import command

    engine, owned = _engine_of(engine_or_url)
    try:
        with migration_connection(engine) as conn:
            command.upgrade(alembic_config(conn), revision)
    finally:
        if owned:
            engine.dispose()


def downgrade(engine_or_url: Engine | str | URL | None, revision: str) -> None:
    """Run ``alembic downgrade`` to ``revision`` (``base`` drops everything)."""
    from alembic import command

    engine, owned = _engine_of(engine_or_url)
    try:
        with migration_connection(engine) as conn:
            command.downgrade(alembic_config(conn), revision)
    finally:
        if owned:
            engine.dispose()


def current_revision(engine_or_url: Engine | str | URL | None = None) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    engine, owned = _engine_of(engine_or_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest migration revision of this version of Draagkracht."""
    return _scripts().get_current_head()


def known_revisions() -> set[str]:
    """Every migration revision this version of Draagkracht knows."""
    return {s.revision for s in _scripts().walk_revisions()}


def _engine_of(engine_or_url) -> tuple[Engine, bool]:
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    if engine_or_url is None:
        return get_engine(), False
    return make_engine(engine_or_url), True


def ping(engine: Engine) -> None:
    """Raise if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))

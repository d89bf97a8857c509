"""Backup and restore of the database, for ``python -m store backup PATH`` and
``python -m store restore PATH [--force]`` (``store/cli/backup.py``).

SQLite
    ``backup`` copies the database with SQLite's online backup API in one step: it reads
    one consistent snapshot (a WAL read transaction) while the app keeps reading and
    writing, writes it to a temporary file next to PATH, turns it into a single
    self-contained file (rollback journal instead of WAL), checks it with
    ``PRAGMA integrity_check`` and only then renames it to PATH. ``restore`` checks the
    backup (integrity, and a migration revision this version of Draagkracht knows)
    before it touches anything, copies it to a temporary file beside the database,
    deletes the database's stale ``-wal``/``-shm`` files and renames the copy over the
    database (``os.replace``: all or nothing). **Stop the app before restoring**: a
    running app keeps its connections to the old file.

PostgreSQL
    ``backup`` runs ``pg_dump --format=custom`` of the schema Draagkracht uses
    (``current_schema()``, normally ``public``); ``restore`` runs ``pg_restore --clean
    --if-exists --single-transaction`` (all or nothing) after the same checks (the
    archive lists, its ``alembic_version`` holds a known revision, and its schema is the
    database's). Both need the PostgreSQL client tools (``pg_dump``/``pg_restore``, of
    the server's major version or newer) on the PATH; without them the command says so
    and exits 2. A password in ``DRAAGKRACHT_DATABASE_URL`` is passed through
    ``PGPASSWORD``, never on the command line.

Both refuse to overwrite an existing file or database without ``--force``. A restore
from an older revision is allowed; run ``python -m store upgrade`` afterwards (the
command tells you).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from data_schema.i18n import Text

from .db import known_revisions
from .errors import Refused


class BackupError(Refused):
    """A backup or restore refused or failed; nothing was changed (``cli.backup.*``)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    revision: str | None  # migration revision of the data copied
    size: int  # bytes


# --- migration revisions ----------------------------------------------------------------

def _check_revision(revision: str | None, where: str) -> str:
    if revision is None:
        raise BackupError("cli.backup.no_revision", where=where)
    if revision not in known_revisions():
        raise BackupError("cli.backup.unknown_revision", where=where, revision=revision)
    return revision


# --- SQLite -----------------------------------------------------------------------------

def _sqlite_path(engine: Engine) -> Path:
    return Path(engine.url.database).expanduser().resolve()


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _integrity(conn: sqlite3.Connection, where: str) -> None:
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        raise BackupError("cli.backup.not_sqlite", where=where, error=str(exc)) from None
    if result != ["ok"]:
        raise BackupError("cli.backup.damaged", where=where, error="; ".join(result[:5]))


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return row[0] if row else None


def _sqlite_backup(engine: Engine, target: Path, force: bool) -> BackupResult:
    from .db import SQLITE_BUSY_TIMEOUT_MS

    source = _sqlite_path(engine)
    if not source.is_file():
        raise BackupError("cli.backup.no_database", path=str(source))
    _refuse_existing(target, force)
    tmp = _temp_beside(target)
    src = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(tmp)
        try:
            # One step (pages=-1): a single read transaction, so a consistent snapshot even
            # while other connections write (a stepwise copy would restart on every write).
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _integrity(dst, "the backup copy")
            revision = _sqlite_revision(dst)
        finally:
            dst.close()
        _fsync_file(tmp)
        os.chmod(tmp, 0o600)  # health data: readable by its owner only
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        src.close()
        tmp.unlink(missing_ok=True)
    return BackupResult(target, "sqlite", revision, target.stat().st_size)


def check_sqlite_backup(path: Path) -> str:
    """Integrity and revision of a SQLite backup file; returns its revision."""
    if not path.is_file():
        raise BackupError("cli.backup.no_backup", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError("cli.backup.cannot_open", path=str(path), error=str(exc)) from None
    try:
        _integrity(conn, str(path))
        return _check_revision(_sqlite_revision(conn), str(path))
    finally:
        conn.close()


def _sqlite_restore(engine: Engine, backup: Path, force: bool) -> BackupResult:
    revision = check_sqlite_backup(backup)
    target = _sqlite_path(engine)
    if target.exists() and target.stat().st_size > 0 and not force:
        raise BackupError("cli.backup.would_overwrite", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine.dispose()  # our own pooled connections to the old file
    tmp = _temp_beside(target)
    try:
        src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")
            _integrity(dst, "the restored copy")
        finally:
            dst.close()
            src.close()
        _fsync_file(tmp)
        # The old database's WAL must not be replayed into the restored file.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.chmod(tmp, 0o600)  # health data: readable by its owner only
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, "sqlite", revision, target.stat().st_size)


def _refuse_existing(target: Path, force: bool) -> None:
    if target.is_dir():
        raise BackupError("cli.backup.is_folder", path=str(target))
    if target.exists() and not force:
        raise BackupError("cli.backup.exists", path=str(target))
    if not target.parent.exists():
        target.parent.mkdir(parents=True, mode=0o700)


# --- PostgreSQL -------------------------------------------------------------------------

def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError("cli.backup.no_tool", tool=name)
    return path


def _pg_connection_args(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = engine.url
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for key, value in url.query.items():  # sslmode=..., etc.
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
            env[f"PG{key.upper()}"] = value if isinstance(value, str) else value[0]
    return args, env


def _pg_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    if schema is None:
        raise BackupError("cli.backup.no_schema")
    return schema


def _run(cmd: list[str], env: dict[str, str], what: str | Text) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("cli.backup.tool_failed", tool=what, error=" / ".join(detail[-3:]) or f"exit {done.returncode}")
    return done.stdout


def _pg_backup(engine: Engine, target: Path, force: bool) -> BackupResult:
    pg_dump = _tool("pg_dump")
    _refuse_existing(target, force)
    schema = _pg_schema(engine)
    args, env = _pg_connection_args(engine)
    tmp = _temp_beside(target)
    try:
        _run([pg_dump, *args, "--format=custom", f"--schema={schema}", f"--file={tmp}",
              "--dbname", engine.url.database], env, "pg_dump")
        revision, _ = _pg_archive_info(tmp)
        _fsync_file(tmp)
        os.chmod(tmp, 0o600)  # health data: readable by its owner only
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(target, "postgresql", revision, target.stat().st_size)


_COPY = re.compile(r"^COPY\s+(?:\"?[\w$]+\"?\.)?\"?alembic_version\"?\s*\(version_num\)\s+FROM\s+stdin;", re.M)


def _pg_archive_info(path: Path) -> tuple[str | None, set[str]]:
    """The alembic revision in a custom-format archive and the schemas of its tables."""
    pg_restore = _tool("pg_restore")
    env = dict(os.environ)
    listing = _run([pg_restore, "--list", str(path)], env, Text("cli.backup.reading_archive", path=str(path)))
    schemas = set()
    for line in listing.splitlines():
        m = re.match(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(?!DATA\s)(\S+)\s+(\S+)", line)
        if m:
            schemas.add(m.group(1))
    data = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)], env,
                Text("cli.backup.reading_revision", path=str(path)))
    m = _COPY.search(data)
    revision = None
    if m:
        rest = data[m.end():].lstrip("\n").splitlines()
        if rest and rest[0] != "\\.":
            revision = rest[0].strip()
    return revision, schemas


def check_pg_backup(path: Path, schema: str | None = None) -> str:
    if not path.is_file():
        raise BackupError("cli.backup.no_backup", path=str(path))
    revision, schemas = _pg_archive_info(path)
    revision = _check_revision(revision, str(path))
    if schema is not None and schemas and schemas != {schema}:
        raise BackupError("cli.backup.other_schema", path=str(path), schemas=", ".join(sorted(schemas)), schema=schema)
    return revision


def _pg_restore(engine: Engine, backup: Path, force: bool) -> BackupResult:
    pg_restore = _tool("pg_restore")
    schema = _pg_schema(engine)
    revision = check_pg_backup(backup, schema)
    with engine.connect() as conn:
        present = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
    if present is not None and not force:
        raise BackupError("cli.backup.database_would_be_overwritten", database=engine.url.database, schema=schema)
    engine.dispose()
    args, env = _pg_connection_args(engine)
    # Restore the tables, not the schema itself: the schema exists (it is the database's
    # current schema) and dropping it would drop its owner and grants (e.g. ``public``).
    listing = _run([pg_restore, "--list", str(backup)], env, "pg_restore --list")
    keep = [line for line in listing.splitlines() if not _SCHEMA_ENTRY.match(line)]
    toc = _temp_beside(Path(tempfile.gettempdir()) / "draagkracht-restore.list")
    try:
        toc.write_text("\n".join(keep) + "\n", encoding="utf-8")
        _run([pg_restore, *args, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
              "--no-owner", f"--use-list={toc}", "--dbname", engine.url.database, str(backup)], env, "pg_restore")
    finally:
        toc.unlink(missing_ok=True)
    return BackupResult(backup, "postgresql", revision, backup.stat().st_size)


_SCHEMA_ENTRY = re.compile(r"^\d+;\s+\d+\s+\d+\s+(?:SCHEMA|COMMENT - SCHEMA|ACL - SCHEMA)\s")


# --- API --------------------------------------------------------------------------------

def backup_database(engine: Engine, path: str | os.PathLike, *, force: bool = False) -> BackupResult:
    """Write a consistent backup of the database to ``path`` (refusing an existing file
    unless ``force``). Safe while the app runs."""
    target = Path(path).expanduser().resolve()
    if engine.dialect.name == "sqlite":
        return _sqlite_backup(engine, target, force)
    return _pg_backup(engine, target, force)


def restore_database(engine: Engine, path: str | os.PathLike, *, force: bool = False) -> BackupResult:
    """Replace the database with the backup at ``path``, after checking it. Refuses to
    overwrite an existing database unless ``force``. All or nothing; disposes of
    ``engine``'s pooled connections."""
    backup = Path(path).expanduser().resolve()
    if engine.dialect.name == "sqlite":
        return _sqlite_restore(engine, backup, force)
    return _pg_restore(engine, backup, force)

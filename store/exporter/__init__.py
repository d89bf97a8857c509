"""Exports: ``python -m store export`` (``store/cli/export.py``) and a therapist's own
download (``My data``), each logged as an ``export`` audit event.

What each role gets (``queries``):

- the **operator** (no ``--as``: whoever runs the command on the server): the practice's
  tables, pseudonymised: ``therapists``, ``cases``, ``ratings``, ``scores``,
  ``sessions``, ``teams``, ``accounts``, ``supervisor_teams`` and ``audit_events``.
  **Never wellbeing data**: no check-ins, self-care goals, share grants or research
  consents (the Dutch DPA: an employer may not process its employees' health data; they
  are the therapist's own, in their own export). Every ``scores`` row carries its
  ``instrument_version`` and ``model_version``; domain scores, contributions and flags
  are recomputed from the stored items for rows of the current model version (empty
  for rows of another version). Each exported therapist gets their own audit line.
- **admin** (``--as`` an admin account): accounts, teams, supervisor teams and the
  audit log only; no clinical or wellbeing content (design.md).
- **therapist**: their own data, their name, reflections and goals included, and their
  ``weekly_load`` of the last 52 weeks.
- **supervisor**: ``weekly_load`` of the therapists in the teams they supervise (last
  52 weeks; each therapist's figures read is audited as a ``read``), no names.
- **researcher**: refused and logged (the research dataset is a separate export).

How the files are written, and their codebook, is ``writers``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from .. import audit
from ..access import actor, own_therapist_id
from ..db import DEFAULT_SQLITE_PATH, session_scope
from ..errors import NotFound
from ..models import UserAccount
from .queries import (
    admin_tables,
    big_table_rows,
    collect_tables,
    refuse_without_export,
    supervisor_tables,
    therapist_tables,
)
from .writers import FORMATS, ExportError, check_fits_excel, csv_zip, neutralise_formulas, write_export


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    tables: Mapping[str, int]  # table -> rows
    files: tuple[Path, ...]
    formats: tuple[str, ...]


def default_folder(now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.timezone.utc)
    return DEFAULT_SQLITE_PATH.parent / "exports" / f"draagkracht-export-{now:%Y%m%d-%H%M%S}"


def export_tables(
    engine: Engine,
    out: str | os.PathLike,
    *,
    formats: Iterable[str] = FORMATS,
    username: str | None = None,
) -> ExportResult:
    """Export what ``username`` may export (``None``: the operator, all tables
    pseudonymised) to the folder ``out``; logs an ``export`` audit event.

    Raises :class:`store.NotFound` for an unknown or inactive account,
    :class:`store.AccessDenied` for a role without an export (logged), and
    :class:`ExportError` when the export cannot be written (nothing written).
    """
    formats = tuple(dict.fromkeys(formats))
    with session_scope(engine) as s:
        user = None
        if username is not None:
            user = s.scalars(
                select(UserAccount).where(UserAccount.username == username.strip().lower())
            ).one_or_none()
            if user is None or not getattr(user, "active", True):
                raise NotFound(f"no active account {username!r}")
        refuse_without_export(s, user)
        if "xlsx" in formats and (user is None or user.role != "supervisor"):
            check_fits_excel(big_table_rows(s, None if user is None or user.role == "admin" else user.therapist_id))
        if user is not None and user.role == "supervisor":
            tables = supervisor_tables(s, user)  # store.load logs each therapist read
    if user is None or user.role != "supervisor":
        # Reading everything can take a while: a read-only snapshot, so that the app keeps
        # writing meanwhile (SQLite: no write lock; PostgreSQL: one REPEATABLE READ snapshot).
        with session_scope(engine, readonly=True) as s:
            if engine.dialect.name == "postgresql":
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            tables = admin_tables(s, clinical=user is None) if user is None or user.role == "admin" \
                else therapist_tables(s, user.therapist_id)
    files = write_export(tables, out, formats)
    folder = files[0].parent if files else Path(out).resolve()
    try:
        with session_scope(engine) as s:
            who = user.id if user is not None else None
            subject = ("therapist", user.therapist_id) if user is not None and user.role == "therapist" else ("export", None)
            audit.record(
                s, "export", actor=who, subject_type=subject[0], subject_id=subject[1],
                detail=(f"{'operator' if user is None else user.role} export of "
                        f"{', '.join(tables)} as {', '.join(formats)}"),
            )
            if user is None and "therapists" in tables:  # each data subject's line (NEN 7513)
                for tid in tables["therapists"]["therapist"]:
                    audit.record(s, "export", actor=None, subject_type="therapist", subject_id=tid,
                                 detail="operator export (pseudonymised, no wellbeing data)")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no export without its audit line
        raise
    return ExportResult(folder, {k: len(v) for k, v in tables.items()}, files, formats)


def my_data_zip(session: Session, user: UserAccount) -> bytes:
    """Everything of the acting therapist (their own free text included) as a zip of
    CSV files (``;``, UTF-8 with BOM, formulas neutralised) with the codebook in
    Markdown (Dutch and English) and CSV; the download is logged (audit ``export``)."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "my_data_zip", "therapist")
    tables = therapist_tables(session, tid)
    archive = csv_zip(tables)
    audit.record(session, "export", actor=acting, subject_type="therapist", subject_id=tid,
                 detail=f"own data download ({', '.join(tables)}) as csv")
    return archive


__all__ = [
    "ExportError", "ExportResult", "FORMATS", "admin_tables", "collect_tables", "csv_zip", "default_folder",
    "export_tables", "my_data_zip", "neutralise_formulas", "supervisor_tables", "therapist_tables", "write_export",
]

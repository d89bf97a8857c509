"""All-or-nothing import of a CSV or XLSX file: ``python -m store import --kind KIND FILE``
(``store/cli/importing.py``).

One file holds one kind of record. Either every row is stored, in one transaction with
one audit event, or nothing is and the report names every bad row and column with the
reason. Programs (the dashboard) call :func:`import_file`; the command line prints its
:class:`ImportReport`.

Accepted files
--------------
- **CSV** (``.csv``, ``.txt``, ``.tsv``): separated by ``;`` (Dutch Excel), ``,`` or tab,
  recognised from the header line. UTF-8 with or without a byte-order mark ("CSV
  UTF-8"), UTF-16 with a byte-order mark ("Unicode text"), or Windows-1252 (Excel's
  "CSV (semicolon delimited)" on a Dutch Windows), tried in that order; CRLF or LF line
  ends. Quote a cell that contains the separator or a line break (``"a;b"``).
- **XLSX** (``.xlsx``, ``.xlsm``): the first sheet; formulas count with the value Excel
  last computed. Legacy ``.xls`` is refused: save as ``.xlsx`` or CSV.
- The first row with content is the header: column names as listed below, in any order
  and any case. Empty rows are skipped; row numbers in reports are those a spreadsheet
  shows (header = row 1, first data row = row 2).
- Every cell is read as text and checked by ``data_schema.validation.validate_table``:
  dates as ``2026-03-02`` or ``2-3-2026`` (day-month-year), decimal commas
  (``2,5``) accepted, an empty cell is "no value".

Limits
------
At most :data:`~data_schema.reader.limits.MAX_FILE_BYTES` (50 MB) per file, refused before it is
read; at most :data:`~data_schema.reader.limits.MAX_ROWS` (1,000,000) data rows and
:data:`~data_schema.reader.limits.MAX_COLUMNS` (200) columns; an XLSX may unpack to at most
512 MB. Reports list at most :data:`MAX_LISTED_PROBLEMS` problems and say how many more
there are (``validate_table`` itself lists the first 1,000 cell problems of a file).

Columns per kind (``*`` = required)
------------------------------------
- ``therapists``: ``username*`` (new; becomes a therapist account without a password:
  an admin gives it a temporary password on the Administration page), ``display_name*``, ``team`` (a team name; a team that does
  not exist yet is created), ``experience*`` (``starting`` or ``experienced``),
  ``contracted_sessions*`` (sessions per week, 1-60), ``started_on``. A username that
  exists already is refused.
- ``cases``: ``case_code`` (empty: a new random code is drawn; given: it may not exist
  yet), ``username*`` (the therapist's account), ``opened_on*``, ``closed_on``.
- ``ratings``: ``case_code*`` (an existing case), ``rated_on*`` (within the case's open
  period), and one column per instrument item id (``complexity.INSTRUMENT.item_ids``),
  each 0-3 or empty (not rated; at least one item per row). A case and date already
  rated (in the file or the database) is refused, so a file cannot be imported twice.
  Each row is scored with ``complexity.score_cases`` and stored with its complexity,
  band, interaction and the instrument and model versions.
- ``sessions``: ``case_code*``, ``session_date*`` (within the case's open period),
  ``duration_minutes*`` (1-480). Each session's weight is ``session_weight`` of the
  case's latest stored complexity at the time of the import (a snapshot).
- ``checkins``: ``username*``, ``week_start*`` (the Monday, or ``2026-W10``), one column
  per check-in scale (``complexity.CHECKIN.scale_ids``), ``selfcare_actions`` (option
  ids or labels separated by ``;``, ``,`` or ``|``) and ``reflection`` (free text, at
  most 2,000 characters; identifying data such as a BSN, e-mail address, phone number
  or full date is refused). A week that already has a check-in of that
  therapist is refused: check-ins are never overwritten. The capacity score is computed
  with ``complexity.capacity_score``.

Dates may not lie in the future. Checks against the database (unknown username, not a
therapist's or an inactive account, unknown case code, a case code or username that
already exists, a check-in or rating already stored, a rating or session outside its
case's open period) are reported like the cell checks, all of them, before anything is
written, in the transaction that writes.

Exit status of the command: 0 stored, 2 nothing stored because of the file (the report
lists every problem; ``--report FILE`` also writes it as CSV ``row,column,code,message``;
``--lang nl`` for Dutch), 1 an unexpected internal error (one line, nothing stored).
Only an admin (or the operator's command line, without an actor) may import.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, ModelConfig
from data_schema.guard import find_identifiers
from data_schema.problems import Problem
from data_schema.reader import read_table
from data_schema.tables import KINDS
from data_schema.validation import validate_table

from .. import audit
from ..db import session_scope
from ..models import UserAccount, utcnow
from .kinds import PREPARE
from .lookups import ImportContext
from .report import MAX_LISTED_PROBLEMS, ImportReport, ProblemList

IMPORT_ROLES = ("admin",)


class _Abort(Exception):
    """Roll back: problems were found."""


def import_file(
    engine: Engine,
    kind: str,
    path: str | Path,
    *,
    actor: UserAccount | int | None = None,
    lang: str = "en",
    config: ModelConfig = DEFAULT_CONFIG,
) -> ImportReport:
    """Import ``path`` as records of ``kind`` (one of ``data_schema.tables.KINDS``): all
    rows in one transaction with one audit event, or none.

    Bad content never raises: the report lists every problem by row and column (file
    refusals have no row). ``actor`` (an admin account, or ``None`` for the operator's
    command line) is recorded in the audit event; another role raises
    :class:`store.AccessDenied` after an ``authz_denied`` event. ``lang`` is the
    report's default language. Database failures other than a conflict with data
    stored at the same moment propagate (nothing is stored).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    path = Path(path)
    report = ImportReport(kind=kind, file_name=path.name, lang="nl" if lang == "nl" else "en")
    if actor is not None:  # refuse before reading anything (checked again when writing)
        with session_scope(engine) as session:
            _check_actor(session, actor)
    problems = ProblemList()
    read = read_table(path)
    for p in read.problems:
        problems.add(p)
    if read.table is None:
        return _finish(report, problems)
    table = read.table
    report.rows = table.data_rows

    # validate_table numbers rows by position (header = 1, first data row = 2); the
    # reader's frame has one row per spreadsheet row, so those are the file's rows.
    result = validate_table(kind, table.frame)
    for p in result.problems:
        problems.add(p)
    clean = result.clean
    file_rows = np.asarray(clean.index, dtype=np.int64)

    try:
        with session_scope(engine) as session:
            actor_id = _check_actor(session, actor)
            ctx = ImportContext(session, clean.reset_index(drop=True), file_rows, problems, config,
                           utcnow(), report)
            write = PREPARE[kind](ctx)
            if problems or not len(clean):
                if not problems:
                    problems.add(Problem.make("empty"))
                raise _Abort
            stored = write()
            audit.record(
                session, "create", actor=actor_id, subject_type=kind,
                detail=f"imported {stored} rows from {_loggable_name(path.name)}",
            )
            session.flush()
            report.stored = stored
    except _Abort:
        report.stored = 0
    except IntegrityError:
        report.stored = 0
        problems.add(Problem.make("conflict"))
    return _finish(report, problems)


def _finish(report: ImportReport, problems: ProblemList) -> ImportReport:
    report.problems = sorted(problems.listed, key=lambda p: (p.row is not None, p.row or 0, p.column or ""))
    report.total_problems = problems.total
    if problems:
        report.stored = 0
        report.created_teams = ()
    return report


def _loggable_name(name: str) -> str:
    """The file name for the audit log, withheld if it holds identifying data."""
    name = "".join(ch if ch.isprintable() else "?" for ch in name)[:120]
    return "(file name withheld)" if find_identifiers(name) else name


def _check_actor(session: Session, actor: UserAccount | int | None) -> int | None:
    if actor is None:
        return None
    actor_id = actor if isinstance(actor, int) else actor.id
    account = session.get(UserAccount, actor_id, populate_existing=True) if actor_id is not None else None
    if account is None or account.role not in IMPORT_ROLES or not account.active:
        audit.deny(session, actor_id, "only an admin can import files", attempted="import_file")
    return account.id


__all__ = ["IMPORT_ROLES", "ImportReport", "KINDS", "MAX_LISTED_PROBLEMS", "import_file"]

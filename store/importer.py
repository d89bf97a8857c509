"""All-or-nothing import of a CSV or XLSX file: ``python -m store import --kind KIND FILE``.

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
- Every cell is read as text and checked by ``data_schema.tables.validate_table``:
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

import argparse
import csv
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complexity import CHECKIN, DEFAULT_CONFIG, INSTRUMENT, ModelConfig, capacity_score, score_cases
from complexity.calendar import iso_week_label
from complexity.load import session_weight
from data_schema.guard import find_identifiers
from data_schema.i18n import plural, translate
from data_schema.problems import Problem
from data_schema.tables import KINDS, validate_table

from . import audit
from .bulk import column_values, insert_columns
from .codes import new_case_code
from .db import session_scope
from data_schema.reader import read_table
from .models import (
    ACTION_COLUMNS,
    SELFCARE_ACTIONS,
    Case,
    CaseRating,
    Team,
    Therapist,
    TherapySession,
    UserAccount,
    WeeklyCheckin,
    utcnow,
)

MAX_LISTED_PROBLEMS = 10_000
LOOKUP_CHUNK = 5_000  # keys per IN (...) list: under every backend's parameter limit
IMPORT_ROLES = ("admin",)

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


# --------------------------------------------------------------------------- report


@dataclass
class ImportReport:
    """What an import did: ``ok`` and ``stored`` rows, or the ``problems`` that stopped
    it (nothing stored). ``problems`` lists at most :data:`MAX_LISTED_PROBLEMS`;
    ``total_problems`` counts all."""

    kind: str
    file_name: str
    lang: str = "en"
    rows: int = 0  # data rows read from the file
    stored: int = 0
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    created_teams: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and self.total_problems == 0

    def summary(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        if self.ok:
            text = plural(lang, "cli.import.stored", self.stored, kind=self.kind, file=self.file_name)
            if self.created_teams:
                text += translate(lang, "cli.import.new_teams", teams=", ".join(self.created_teams))
            return text
        return plural(lang, "cli.import.refused", self.total_problems, file=self.file_name)

    def lines(self, lang: str | None = None) -> list[str]:
        """The summary and one line per problem."""
        lang = lang or self.lang
        out = [self.summary(lang)] + [p.message(lang) for p in self.problems]
        more = self.total_problems - len(self.problems)
        if more > 0:
            out.append(plural(lang, "cli.more_problems", more))
        return out

    def text(self, lang: str | None = None) -> str:
        return "\n".join(self.lines(lang))

    def write_csv(self, path: str | Path, lang: str | None = None) -> None:
        """The problems as CSV ``row,column,code,message`` (UTF-8; a header only when ok)."""
        lang = lang or self.lang
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "column", "code", "message"])
            for p in self.problems:
                writer.writerow(["" if p.row is None else p.row, p.column or "", p.code, p.message(lang)])


class _Problems:
    """Collects problems: at most one per (row, column, code), the first
    MAX_LISTED_PROBLEMS listed, all counted."""

    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.total = 0
        self._seen: set[tuple] = set()
        self.cells: set[tuple[int | None, str | None]] = set()

    def add(self, problem: Problem) -> None:
        if problem.code == "too_many_problems":  # validate_table's count of what it did not list
            self.total += int(problem.params.get("more", 1))
            return
        key = (problem.row, problem.column, problem.code)
        if key in self._seen:
            return
        self._seen.add(key)
        self.cells.add((problem.row, problem.column))
        self.total += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append(problem)

    def __bool__(self) -> bool:
        return self.total > 0


# --------------------------------------------------------------------------- entry point


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
    problems = _Problems()
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
            ctx = _Context(session, clean.reset_index(drop=True), file_rows, problems, config,
                           utcnow(), report)
            write = _PREPARE[kind](ctx)
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


def _finish(report: ImportReport, problems: _Problems) -> ImportReport:
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


# --------------------------------------------------------------------------- shared checks


@dataclass
class _Context:
    session: Session
    clean: pd.DataFrame  # validated, positional index
    rows: np.ndarray  # file row of each clean row
    problems: _Problems
    config: ModelConfig
    now: dt.datetime
    report: ImportReport

    def dates(self, column: str) -> list[dt.date | None]:
        """A date column as ``datetime.date``/None (computed once)."""
        cache = self.__dict__.setdefault("_dates", {})
        if column not in cache:
            cache[column] = _dates(self.clean[column])
        return cache[column]

    def usable(self, column: str) -> np.ndarray:
        """Rows whose ``column`` holds a value without a problem of its own."""
        values = self.clean[column]
        ok = values.notna().to_numpy(dtype=bool, copy=True)
        if self.problems.cells:
            bad = self.problems.cells
            ok &= np.fromiter(((int(r), column) not in bad for r in self.rows), dtype=bool, count=len(self.rows))
        return ok

    def add(self, code: str, mask: np.ndarray, column: str, params: Callable[[int], dict]) -> None:
        """A problem ``code`` in ``column`` of every row in ``mask``, its message
        parameters from ``params(i)``."""
        for i in np.flatnonzero(mask):
            self.problems.add(Problem.make(code, int(self.rows[i]), column, **params(i)))


def _chunks(values: Sequence, size: int = LOOKUP_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _accounts(ctx: _Context, column: str = "username") -> pd.DataFrame:
    """Account facts for the usernames in ``column``, aligned with the clean rows;
    unknown, non-therapist and inactive usernames are reported."""
    names = ctx.clean[column]
    usable = ctx.usable(column)
    wanted = sorted(set(names[usable].tolist()))
    found: dict[str, tuple] = {}
    for chunk in _chunks(wanted):
        stmt = (
            select(UserAccount.username, UserAccount.role, UserAccount.therapist_id, UserAccount.active,
                   Therapist.active)
            .outerjoin(Therapist, Therapist.id == UserAccount.therapist_id)
            .where(UserAccount.username.in_(chunk))
        )
        for username, role, tid, account_active, therapist_active in ctx.session.execute(stmt):
            found[username] = (role, tid, bool(account_active), bool(therapist_active))
    facts = [found.get(n) if ok else None for n, ok in zip(names.tolist(), usable)]
    known = np.array([f is not None for f in facts], dtype=bool)
    therapist = np.array([f is not None and f[0] == "therapist" and f[1] is not None for f in facts], dtype=bool)
    active = np.array([f is not None and f[2] and f[3] for f in facts], dtype=bool)
    shown = names.tolist()
    ctx.add("unknown_username", usable & ~known, column, lambda i: {"value": shown[i]})
    ctx.add("not_a_therapist", known & ~therapist, column, lambda i: {"value": shown[i]})
    ctx.add("inactive_account", therapist & ~active, column, lambda i: {"value": shown[i]})
    tids = [f[1] if f is not None else None for f in facts]
    return pd.DataFrame({"therapist_id": pd.array(tids, dtype="Int64"), "ok": therapist & active})


def _cases(ctx: _Context, codes: Iterable[str]) -> pd.DataFrame:
    """Stored cases by code: ``id``, ``therapist_id``, ``opened_on``, ``closed_on``."""
    rows = []
    for chunk in _chunks(sorted(set(codes))):
        stmt = select(Case.code, Case.id, Case.therapist_id, Case.opened_on, Case.closed_on).where(
            Case.code.in_(chunk))
        rows += ctx.session.execute(stmt).all()
    return pd.DataFrame(
        {
            "id": pd.array([r.id for r in rows], dtype="Int64"),
            "therapist_id": pd.array([r.therapist_id for r in rows], dtype="Int64"),
            "opened_on": np.array([r.opened_on for r in rows] + [None], dtype=object)[:-1],
            "closed_on": np.array([r.closed_on for r in rows] + [None], dtype=object)[:-1],
        },
        index=pd.Index([r.code for r in rows], dtype=object, name="code"),
    )


def _dates(series: pd.Series) -> list[dt.date | None]:
    """A column of dates (datetime64, Timestamps or dates) as ``datetime.date``/None."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        codes, uniques = pd.factorize(series)
        table = [u.date() for u in uniques] + [None]
        return [table[c] for c in codes]
    values = series.tolist()
    if all(v is None or type(v) is dt.date for v in values):  # validate_table's form
        return values
    out = []
    for v in values:
        if v is None or (not isinstance(v, dt.date) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, dt.datetime):
            out.append(v.date())
        elif isinstance(v, dt.date):
            out.append(v)
        else:
            out.append(pd.Timestamp(v).date())
    return out


def _datetime64(days: Sequence[dt.date | None]) -> np.ndarray:
    """Dates (None/NaN = missing) as ``datetime64[D]``, converting each distinct date once."""
    codes, uniques = pd.factorize(pd.Series(days, dtype=object), use_na_sentinel=True)
    table = np.array([np.datetime64(u, "D") for u in uniques] + [np.datetime64("NaT")], dtype="datetime64[D]")
    return table[np.where(codes < 0, len(uniques), codes)]


def _case_period_checks(ctx: _Context, column: str, case_column: str = "case_code") -> pd.DataFrame:
    """Look the cases up and report unknown codes and dates in ``column`` outside the
    case's open period. Returns the cases aligned with the clean rows."""
    codes = ctx.clean[case_column]
    usable = ctx.usable(case_column)
    stored = _cases(ctx, codes[usable].tolist())
    aligned = stored.reindex(codes.where(usable, None).tolist())
    known = aligned["id"].notna().to_numpy(dtype=bool)
    shown = codes.tolist()
    ctx.add("unknown_case_code", usable & ~known, case_column, lambda i: {"value": shown[i]})
    days = ctx.dates(column)
    dated = ctx.usable(column) & known
    opened = aligned["opened_on"].tolist()
    closed = aligned["closed_on"].tolist()
    day64 = _datetime64(days)
    with np.errstate(invalid="ignore"):
        before = dated & (day64 < _datetime64(opened))
        after = dated & (day64 > _datetime64(closed))  # NaT (open case) compares False
    ctx.add("before_case_opened", before, column,
            lambda i: {"value": days[i], "case": shown[i], "opened": opened[i]})
    ctx.add("after_case_closed", after, column,
            lambda i: {"value": days[i], "case": shown[i], "closed": closed[i]})
    return aligned.reset_index(drop=True)


# --------------------------------------------------------------------------- writing


def _int_values(values: pd.Series) -> list:
    """Whole numbers (any numeric or nullable dtype) as Python ints, None for missing."""
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(arr)
    out = np.where(missing, 0, arr).astype(np.int64).tolist()
    for i in np.flatnonzero(missing):
        out[i] = None
    return out


def bulk_insert(session: Session, table: Table, columns: Mapping[str, object], n: int) -> int:
    """Insert ``n`` rows given column-wise (see :func:`store.bulk.insert_columns`); the
    one place the importer writes rows, so the crash tests can stop it halfway."""
    return insert_columns(session, table, columns, n)


# --------------------------------------------------------------------------- kinds


def _normal_team(name: str) -> str:
    return " ".join(name.split()).casefold()


def _prepare_therapists(ctx: _Context) -> Callable[[], int]:
    clean = ctx.clean
    usable = ctx.usable("username")
    names = clean["username"].tolist()
    taken: set[str] = set()
    for chunk in _chunks(sorted({n for n, ok in zip(names, usable) if ok})):
        taken.update(ctx.session.scalars(select(UserAccount.username).where(UserAccount.username.in_(chunk))))
    ctx.add("username_taken", usable & np.array([n in taken for n in names], dtype=bool), "username",
            lambda i: {"value": names[i]})

    def write() -> int:
        session = ctx.session
        n = len(clean)
        team_ids: dict[str, int] = {
            _normal_team(t.name): t.id for t in session.scalars(select(Team))
        }
        teams = clean["team"] if "team" in clean.columns else pd.Series([None] * n, dtype=object)
        wanted: dict[str, str] = {}
        for name in teams.dropna().tolist():
            key = _normal_team(str(name))
            if key and key not in team_ids:
                wanted.setdefault(key, " ".join(str(name).split()))
        if wanted:
            created = session.execute(
                insert(Team).returning(Team.id, Team.name, sort_by_parameter_order=True),
                [{"name": name} for name in wanted.values()],
            ).all()
            team_ids.update({_normal_team(r.name): r.id for r in created})
            ctx.report.created_teams = tuple(wanted.values())
        team_of = [None if pd.isna(t) or not _normal_team(str(t)) else team_ids[_normal_team(str(t))]
                   for t in teams.tolist()]
        started = _dates(clean["started_on"]) if "started_on" in clean.columns else [None] * n
        therapist_rows = [
            {"display_name": d, "team_id": t, "experience": e, "contracted_sessions": c,
             "started_on": s, "active": True}
            for d, t, e, c, s in zip(
                column_values(clean["display_name"]), team_of, column_values(clean["experience"]),
                _int_values(clean["contracted_sessions"]), started,
            )
        ]
        ids = session.scalars(
            insert(Therapist).returning(Therapist.id, sort_by_parameter_order=True), therapist_rows
        ).all()
        bulk_insert(session, UserAccount.__table__, {
            "username": clean["username"], "role": "therapist", "therapist_id": list(ids),
            "language": "nl", "failed_logins": 0, "active": True, "created_at": ctx.now,
        }, n)
        return n

    return write


def _stored_pairs(ctx: _Context, id_column, date_column, ids: Iterable[int | None],
                  days: Iterable[dt.date | None]) -> set[tuple[int, dt.date]]:
    """The (id, date) pairs stored for these ids between the first and last of these
    dates: one range query per chunk of ids (a superset of the pairs asked about)."""
    ids = sorted({i for i in ids if i is not None})
    known = [d for d in days if d is not None]
    found: set[tuple[int, dt.date]] = set()
    if not ids or not known:
        return found
    lo, hi = min(known), max(known)
    for chunk in _chunks(ids):
        stmt = select(id_column, date_column).where(id_column.in_(chunk), date_column >= lo, date_column <= hi)
        found.update((k, d) for k, d in ctx.session.execute(stmt))
    return found


def _prepare_cases(ctx: _Context) -> Callable[[], int]:
    clean = ctx.clean
    n = len(clean)
    accounts = _accounts(ctx)
    codes = clean["case_code"] if "case_code" in clean.columns else pd.Series([None] * n, dtype=object)
    given = codes.notna().to_numpy(dtype=bool, copy=True)
    if "case_code" in clean.columns:
        given &= ctx.usable("case_code")
        stored = _cases(ctx, codes[given].tolist())
        shown = codes.tolist()
        exists = given & codes.isin(stored.index).to_numpy(dtype=bool)
        ctx.add("case_code_exists", exists, "case_code", lambda i: {"value": shown[i]})

    def write() -> int:
        final = codes.astype(object).where(pd.Series(given), None).tolist()
        used = set(c for c in final if c is not None)
        missing = [i for i, c in enumerate(final) if c is None]
        while missing:
            drawn = {i: new_case_code() for i in missing}
            fresh = set(drawn.values())
            clash = set(_cases(ctx, list(fresh)).index) | (fresh & used)
            counts = pd.Series(list(drawn.values())).value_counts()
            clash |= set(counts[counts > 1].index)
            missing = []
            for i, code in drawn.items():
                if code in clash:
                    missing.append(i)
                else:
                    final[i] = code
                    used.add(code)
        return bulk_insert(ctx.session, Case.__table__, {
            "code": final, "therapist_id": accounts["therapist_id"],
            "opened_on": _dates(clean["opened_on"]),
            "closed_on": _dates(clean["closed_on"]) if "closed_on" in clean.columns else None,
            "created_at": ctx.now,
        }, n)

    return write


def _prepare_ratings(ctx: _Context) -> Callable[[], int]:
    clean = ctx.clean
    cases = _case_period_checks(ctx, "rated_on")
    case_ids = _int_values(cases["id"])
    days = ctx.dates("rated_on")
    ok = cases["id"].notna().to_numpy(dtype=bool) & ctx.usable("rated_on")
    stored = _stored_pairs(ctx, CaseRating.case_id, CaseRating.rated_on, case_ids, days)
    exists = np.zeros(len(days), dtype=bool)
    if stored:
        exists = ok & np.fromiter((k in stored for k in zip(case_ids, days)), dtype=bool, count=len(days))
    codes = clean["case_code"].tolist()
    ctx.add("rating_exists", exists, "rated_on", lambda i: {"value": days[i], "case": codes[i]})

    def write() -> int:
        n = len(clean)
        items = clean.reindex(columns=list(INSTRUMENT.item_ids))
        numeric = {i: pd.to_numeric(items[i], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                   for i in INSTRUMENT.item_ids}
        frame = pd.DataFrame({"case_id": np.arange(n), **numeric})
        scores = score_cases(frame, ctx.config)
        columns: dict[str, object] = {
            "case_id": cases["id"],
            "rated_on": days,
            "rated_by_user_id": None,
            "complexity": scores["complexity"].to_numpy(dtype=float),
            "band": scores["band"].astype(object).tolist(),
            "interaction": np.where(scores["complete"].to_numpy(dtype=bool),
                                    scores["interaction"].to_numpy(dtype=float), np.nan),
            "instrument_version": INSTRUMENT.version,
            "model_version": ctx.config.model_version,
            "created_at": ctx.now,
        }
        for i in INSTRUMENT.item_ids:
            arr = numeric[i]
            out = np.where(np.isnan(arr), 0, arr).astype(np.int64).tolist()
            for j in np.flatnonzero(np.isnan(arr)):
                out[j] = None
            columns[i] = out
        return bulk_insert(ctx.session, CaseRating.__table__, columns, n)

    return write


def _latest_complexity(ctx: _Context, case_ids: list[int]) -> dict[int, float | None]:
    """Each case's latest stored complexity (None = unscored or never rated)."""
    out: dict[int, float | None] = {}
    for chunk in _chunks(sorted(set(case_ids))):
        rn = func.row_number().over(
            partition_by=CaseRating.case_id, order_by=(CaseRating.rated_on.desc(), CaseRating.id.desc())
        )
        ranked = (
            select(CaseRating.case_id, CaseRating.complexity, rn.label("rn"))
            .where(CaseRating.case_id.in_(chunk))
            .subquery()
        )
        for case_id, complexity in ctx.session.execute(
            select(ranked.c.case_id, ranked.c.complexity).where(ranked.c.rn == 1)
        ):
            out[case_id] = complexity
    return out


def _prepare_sessions(ctx: _Context) -> Callable[[], int]:
    clean = ctx.clean
    cases = _case_period_checks(ctx, "session_date")

    def write() -> int:
        n = len(clean)
        case_ids = _int_values(cases["id"])
        latest = _latest_complexity(ctx, case_ids)
        complexity = np.array([latest.get(c) for c in case_ids], dtype=float)  # None -> NaN
        weight = session_weight(complexity, ctx.config)
        return bulk_insert(ctx.session, TherapySession.__table__, {
            "case_id": case_ids, "therapist_id": cases["therapist_id"],
            "session_date": ctx.dates("session_date"),
            "duration_minutes": _int_values(clean["duration_minutes"]),
            "complexity": complexity, "weight": np.asarray(weight, dtype=float), "created_at": ctx.now,
        }, n)

    return write


def _selfcare_columns(clean: pd.DataFrame) -> dict[str, list[bool]]:
    """``action_<id>`` booleans from the ``selfcare_actions`` column (validate_table
    gives a tuple of option ids per row, empty when none)."""
    chosen = [set(v) if isinstance(v, (tuple, list, set, frozenset)) else set()
              for v in clean["selfcare_actions"].tolist()] if "selfcare_actions" in clean.columns \
        else [set()] * len(clean)
    return {col: [a in c for c in chosen] for a, col in zip(SELFCARE_ACTIONS, ACTION_COLUMNS)}


def _prepare_checkins(ctx: _Context) -> Callable[[], int]:
    clean = ctx.clean
    n = len(clean)
    accounts = _accounts(ctx)
    weeks = ctx.dates("week_start")
    ok = accounts["ok"].to_numpy(dtype=bool) & ctx.usable("week_start")
    tids = _int_values(accounts["therapist_id"])
    stored = _stored_pairs(ctx, WeeklyCheckin.therapist_id, WeeklyCheckin.week_start, tids, weeks)
    exists = np.zeros(n, dtype=bool)
    if stored:
        exists = ok & np.fromiter((k in stored for k in zip(tids, weeks)), dtype=bool, count=n)
    users = clean["username"].tolist()
    ctx.add("checkin_exists", exists, "week_start",
            lambda i: {"username": users[i], "week": iso_week_label(weeks[i])})

    def write() -> int:
        scales = pd.DataFrame({f: pd.to_numeric(clean[f], errors="coerce") if f in clean.columns
                               else pd.Series(np.nan, index=clean.index) for f in CHECKIN.scale_ids})
        capacity = capacity_score(scales, ctx.config).to_numpy(dtype=float)
        reflection = (clean["reflection"] if "reflection" in clean.columns
                      else pd.Series([None] * n, dtype=object))
        columns: dict[str, object] = {
            "therapist_id": tids, "week_start": weeks, "reflection": reflection,
            "capacity_score": capacity, "checkin_version": CHECKIN.version, "created_at": ctx.now,
        }
        for f in CHECKIN.scale_ids:
            columns[f] = _int_values(scales[f])
        columns.update(_selfcare_columns(clean))
        return bulk_insert(ctx.session, WeeklyCheckin.__table__, columns, n)

    return write


_PREPARE: dict[str, Callable[[_Context], Callable[[], int]]] = {
    "therapists": _prepare_therapists,
    "cases": _prepare_cases,
    "ratings": _prepare_ratings,
    "sessions": _prepare_sessions,
    "checkins": _prepare_checkins,
}


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", required=True, choices=KINDS, help="what the file holds")
    parser.add_argument("file", type=Path, help="a .csv or .xlsx file (see the import docs)")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="also write the problems as CSV (row,column,code,message)")


def run(args: argparse.Namespace) -> int:
    """The command: exit 0 stored, 2 nothing stored (bad file), 1 internal error."""
    lang = args.lang
    engine = None
    try:
        from .db import make_engine

        engine = make_engine()
        report = import_file(engine, args.kind, args.file, lang=lang)
        if args.report is not None:
            try:
                report.write_csv(args.report, lang)
            except OSError as exc:
                _say(f"error: cannot write the report {args.report}: {exc.strerror or exc}", sys.stderr)
                if report.ok:
                    _say(report.summary(lang), sys.stdout)
                return EXIT_BAD_INPUT
        if report.ok:
            _say(report.summary(lang), sys.stdout)
            return EXIT_OK
        _say(report.text(lang), sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _say("interrupted; nothing was imported", sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the operator gets one line, never a traceback
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        _say(f"error: internal error while importing ({type(exc).__name__}: {first}); nothing was imported",
             sys.stderr)
        return EXIT_INTERNAL
    finally:
        if engine is not None:
            try:
                engine.dispose()
            except Exception:  # noqa: BLE001
                pass


def _say(text: str, stream) -> None:
    try:
        print(text, file=stream, flush=True)
    except (BrokenPipeError, OSError):
        pass


__all__ = ["ImportReport", "MAX_LISTED_PROBLEMS", "bulk_insert", "import_file"]

"""The importer's checks against what is stored, and its one way of writing rows.

Every lookup works on whole columns (``IN (...)`` lists of at most ``LOOKUP_CHUNK`` keys),
never row by row, so a 100,000-row file costs a few queries; each problem found is added
to the import's :class:`~store.importer.report.ProblemList` by file row and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from complexity import ModelConfig
from data_schema.problems import Problem

from ..bulk import insert_columns
from ..models import Case, CaseRating, Therapist, UserAccount
from .report import ImportReport, ProblemList

LOOKUP_CHUNK = 5_000  # keys per IN (...) list: under every backend's parameter limit


@dataclass
class ImportContext:
    session: Session
    clean: pd.DataFrame  # validated, positional index
    rows: np.ndarray  # file row of each clean row
    problems: ProblemList
    config: ModelConfig
    now: dt.datetime
    report: ImportReport

    def dates(self, column: str) -> list[dt.date | None]:
        """A date column as ``datetime.date``/None (computed once)."""
        cache = self.__dict__.setdefault("_dates", {})
        if column not in cache:
            cache[column] = dates_of(self.clean[column])
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


def chunks(values: Sequence, size: int = LOOKUP_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def accounts(ctx: ImportContext, column: str = "username") -> pd.DataFrame:
    """Account facts for the usernames in ``column``, aligned with the clean rows;
    unknown, non-therapist and inactive usernames are reported."""
    names = ctx.clean[column]
    usable = ctx.usable(column)
    wanted = sorted(set(names[usable].tolist()))
    found: dict[str, tuple] = {}
    for chunk in chunks(wanted):
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


def stored_cases(ctx: ImportContext, codes: Iterable[str]) -> pd.DataFrame:
    """Stored cases by code: ``id``, ``therapist_id``, ``opened_on``, ``closed_on``."""
    rows = []
    for chunk in chunks(sorted(set(codes))):
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


def dates_of(series: pd.Series) -> list[dt.date | None]:
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


def datetime64(days: Sequence[dt.date | None]) -> np.ndarray:
    """Dates (None/NaN = missing) as ``datetime64[D]``, converting each distinct date once."""
    codes, uniques = pd.factorize(pd.Series(days, dtype=object), use_na_sentinel=True)
    table = np.array([np.datetime64(u, "D") for u in uniques] + [np.datetime64("NaT")], dtype="datetime64[D]")
    return table[np.where(codes < 0, len(uniques), codes)]


def case_period_checks(ctx: ImportContext, column: str, case_column: str = "case_code") -> pd.DataFrame:
    """Look the cases up and report unknown codes and dates in ``column`` outside the
    case's open period. Returns the cases aligned with the clean rows."""
    codes = ctx.clean[case_column]
    usable = ctx.usable(case_column)
    stored = stored_cases(ctx, codes[usable].tolist())
    aligned = stored.reindex(codes.where(usable, None).tolist())
    known = aligned["id"].notna().to_numpy(dtype=bool)
    shown = codes.tolist()
    ctx.add("unknown_case_code", usable & ~known, case_column, lambda i: {"value": shown[i]})
    days = ctx.dates(column)
    dated = ctx.usable(column) & known
    opened = aligned["opened_on"].tolist()
    closed = aligned["closed_on"].tolist()
    day64 = datetime64(days)
    with np.errstate(invalid="ignore"):
        before = dated & (day64 < datetime64(opened))
        after = dated & (day64 > datetime64(closed))  # NaT (open case) compares False
    ctx.add("before_case_opened", before, column,
            lambda i: {"value": days[i], "case": shown[i], "opened": opened[i]})
    ctx.add("after_case_closed", after, column,
            lambda i: {"value": days[i], "case": shown[i], "closed": closed[i]})
    return aligned.reset_index(drop=True)


def int_values(values: pd.Series) -> list:
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

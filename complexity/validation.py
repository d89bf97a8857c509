"""Validation of wide rating tables, reporting every problem by row and column.

Problems are data (a code, the row, the column, the offending value) and nothing else:
this package has no user-facing text. Whoever shows them phrases them for their
audience in the reader's language (the scoring command, ``data_schema.cli.score``, reads
files with ``data_schema``'s reader and validator, whose problems render from its
catalog). ``row`` is the 0-based position in the table.

Codes: ``empty``, ``missing_case_id_column``, ``unknown_column``, ``duplicate_column``
(whole table); ``missing_case_id``, ``duplicate_case_id`` (``value`` the id),
``not_a_number``, ``not_whole``, ``out_of_range`` (``value`` the cell) per cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from .instrument import INSTRUMENT, MAX_LEVEL, MIN_LEVEL

CASE_ID = "case_id"
MAX_REPORTED_PROBLEMS = 200


@dataclass(frozen=True)
class InputProblem:
    """One problem: its ``code``, where (0-based ``row`` position, ``column``), and the
    offending ``value``. ``str()`` is for developers: ``row 3, column 'x': out_of_range (4)``."""

    code: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = self.code if self.value is None else f"{self.code} ({_show(self.value)})"
        return f"{', '.join(where)}: {text}" if where else text


def _show(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass
class RatingsInputError(ValueError):
    """The table cannot be scored. ``problems`` lists what is wrong, by row and column
    (at most :data:`MAX_REPORTED_PROBLEMS`; ``total`` counts all of them)."""

    problems: list[InputProblem]
    total: int = 0
    truncated: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.total = max(self.total, len(self.problems))
        self.truncated = self.total > len(self.problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.truncated:
            lines.append(f"(+{self.total - len(self.problems)})")
        return "\n".join(lines)


class _Collector:
    def __init__(self, limit: int = MAX_REPORTED_PROBLEMS) -> None:
        self.problems: list[InputProblem] = []
        self.total = 0
        self.limit = limit

    def add(self, problem: InputProblem) -> None:
        self.total += 1
        if len(self.problems) < self.limit:
            self.problems.append(problem)

    def raise_if_any(self) -> None:
        if self.total:
            self.problems.sort(key=lambda p: (p.row is not None, p.row or 0, p.column or ""))
            raise RatingsInputError(self.problems, total=self.total)


def item_matrix(
    df: pd.DataFrame, *, ignore_columns: Iterable[str] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a wide rating table and return its item matrices.

    Returns ``(scored, extras)``: float arrays of shape ``(n, n_scored_items)`` and
    ``(n, n_extra_items)`` in instrument order, NaN where an item is not rated.
    Raises :class:`RatingsInputError` listing every problem.
    """
    problems = _Collector()
    ignored = set(ignore_columns)
    columns = [str(c) for c in df.columns]
    for col in sorted({c for c in columns if columns.count(c) > 1}):
        problems.add(InputProblem("duplicate_column", column=col))
    known = set(INSTRUMENT.item_ids) | {CASE_ID} | ignored
    for col in columns:
        if col not in known:
            problems.add(InputProblem("unknown_column", column=col))
    if CASE_ID not in columns:
        problems.add(InputProblem("missing_case_id_column", column=CASE_ID))
    if len(df) == 0:
        problems.add(InputProblem("empty"))
    problems.raise_if_any()

    _check_case_ids(df[CASE_ID], problems)
    n = len(df)
    scored = _matrix(df, INSTRUMENT.scored_item_ids, n, problems)
    extras = _matrix(df, INSTRUMENT.extra_item_ids, n, problems)
    problems.raise_if_any()
    return scored, extras


def _check_case_ids(ids: pd.Series, problems: _Collector) -> None:
    missing = ids.isna().to_numpy().copy()
    if not pd.api.types.is_numeric_dtype(ids.dtype):
        missing |= (ids.astype("string").str.strip() == "").to_numpy(dtype=bool, na_value=True)
    for row in np.flatnonzero(missing):
        problems.add(InputProblem("missing_case_id", row=int(row), column=CASE_ID))
    dup = ids.duplicated(keep="first").to_numpy() & ~missing
    for row in np.flatnonzero(dup):
        problems.add(
            InputProblem("duplicate_case_id", row=int(row), column=CASE_ID, value=ids.iloc[row])
        )


def _matrix(df: pd.DataFrame, item_ids: tuple[str, ...], n: int, problems: _Collector) -> np.ndarray:
    """Item columns as one float matrix; numeric columns are copied as one block."""
    present = [c for c in item_ids if c in df.columns]
    numeric = [c for c in present if pd.api.types.is_numeric_dtype(df[c].dtype)]
    if len(present) == len(item_ids) and len(numeric) == len(present):
        out = df[list(item_ids)].to_numpy(dtype=float, na_value=np.nan)
    else:
        out = np.full((n, len(item_ids)), np.nan)
        index = {c: j for j, c in enumerate(item_ids)}
        if numeric:
            out[:, [index[c] for c in numeric]] = df[numeric].to_numpy(dtype=float, na_value=np.nan)
        for c in present:
            if c not in numeric:
                out[:, index[c]] = _text_values(df[c], c, problems)
    _check_levels(out, item_ids, problems)
    return out


def _text_values(col: pd.Series, name: str, problems: _Collector) -> np.ndarray:
    text = col.astype("string").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
    values = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for row in np.flatnonzero(~blank & np.isnan(values)):
        problems.add(InputProblem("not_a_number", row=int(row), column=name, value=text.iloc[row]))
    return values


def _check_levels(values: np.ndarray, item_ids: tuple[str, ...], problems: _Collector) -> None:
    with np.errstate(invalid="ignore"):
        ok = (values == np.round(values)) & (values >= MIN_LEVEL) & (values <= MAX_LEVEL)
    ok |= np.isnan(values)
    if ok.all():
        return
    for row, j in zip(*np.nonzero(~ok)):
        v = values[row, j]
        code = "out_of_range" if (v < MIN_LEVEL or v > MAX_LEVEL) else "not_whole"
        problems.add(InputProblem(code, row=int(row), column=item_ids[j], value=_number(v)))


def _number(v: float) -> object:
    return int(v) if float(v).is_integer() else v

"""From rows of cells to a table: the header, the data rows, and structural problems.

Both readers (``text`` for CSV, ``workbook`` for XLSX) hand :func:`build` their rows as
``(spreadsheet row number, cells)``; the rules of the module docstring of
``data_schema.reader`` are applied here once, for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pandas as pd

from ..i18n import Text
from ..problems import Problem
from . import limits


@dataclass(frozen=True)
class RawTable:
    """A file's rows as text: ``frame`` has the (stripped, lower-cased) header names as
    columns and ``str`` or ``None`` cells (object dtype). Frame position ``p`` is
    spreadsheet row ``p + 2`` (a validator numbering rows "header = 1, first data row =
    2" names the file's rows); rows before or at the header, empty rows and ragged rows
    (reported as problems) are all-``None`` placeholders."""

    frame: pd.DataFrame
    header_row: int
    data_rows: int  # rows with content below the header (ragged ones included)
    format: str  # "csv" or "xlsx"
    encoding: str | None = None
    separator: str | None = None


@dataclass
class ReadResult:
    """``table`` is ``None`` when the file was refused as a whole; ``problems`` lists
    the refusal or every structural problem (ragged rows, unnamed columns, ...). Rows
    with a structural problem are left out of ``table``."""

    table: RawTable | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.table is not None and not self.problems


class Refused(Exception):
    """The file is refused as a whole; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message("en"))
        self.problem = problem


def refuse(code: str, row: int | None = None, column: str | None = None, **params: object) -> Refused:
    return Refused(Problem.make(code, row, column, **params))


SAVE_AS = Text("reader.hint_save_as")  # how to save a file we can read, from Excel


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_name(cell: str | None) -> str:
    return (cell or "").strip().lstrip("\ufeff").strip().lower()


def blank(cell: str | None) -> bool:
    return cell is None or not cell.strip()


def build(
    records: Iterable[tuple[int, Sequence[str | None]]],
    fmt: str,
    *,
    encoding: str | None = None,
    separator: str | None = None,
) -> ReadResult:
    """Header, data rows and structural problems from ``(row number, cells)`` records.

    A row shorter than the header is filled up with empty cells (a sheet row ends at its
    last filled cell, and some programs drop a CSV row's empty trailing cells); a longer
    one is a problem unless the cells beyond the header are empty."""
    records = iter(records)
    header: Sequence[str | None] | None = None
    header_row = 0
    for row, cells in records:
        if not all(blank(c) for c in cells):
            header, header_row = cells, row
            break
    if header is None:
        raise refuse("empty_file", detail=Text("reader.no_header"))
    names = [header_name(c) for c in header]
    while names and not names[-1]:
        names.pop()
    width = len(names)
    if width > limits.MAX_COLUMNS:
        raise refuse("too_many_columns", header_row, count=width, limit=limits.MAX_COLUMNS)
    problems: list[Problem] = []
    unnamed = [j for j, name in enumerate(names) if not name]
    unnamed_with_values: set[int] = set()

    # One entry per spreadsheet row from row 2 on (position p is row p + 2), so that a
    # validator numbering rows by position names the rows the file has. Rows before the
    # header, empty rows and ragged rows are all-empty placeholders (None).
    data: list[Sequence[str | None] | None] = [None] * (header_row - 1)
    data_rows = 0
    for row, cells in records:
        n = len(cells)
        # any() is the fast test (a typical row's first cell has content); whitespace-only
        # cells need the full one.
        if not any(cells):
            continue
        first = cells[0]
        if (first is None or not first.strip()) and all(blank(c) for c in cells):
            continue
        data_rows += 1
        if n < width:
            cells = list(cells) + [None] * (width - n)
        elif n > width:
            beyond = [j for j in range(width, n) if not blank(cells[j])]
            if beyond and fmt == "xlsx":  # a filled cell right of the header: a column without a name
                unnamed_with_values.update(beyond)
            elif beyond:
                problems.append(_ragged(row, n, width, beyond[0]))
                continue
            cells = cells[:width]
        for j in unnamed:
            if not blank(cells[j]):
                unnamed_with_values.add(j)
        if row - 1 > limits.MAX_ROWS:  # the frame would hold rows 2..row
            raise refuse("too_many_rows", limit=f"{limits.MAX_ROWS:,}")
        if len(data) < row - 2:
            data.extend([None] * (row - 2 - len(data)))
        data.append(cells)
    for j in sorted(unnamed_with_values):
        problems.append(Problem.make("unnamed_column", header_row, column_letter(j)))
    keep = [j for j, name in enumerate(names) if name]
    if not keep:
        raise refuse("no_columns", header_row)
    columns = [names[j] for j in keep]
    empty_row = (None,) * len(keep)
    if len(keep) == width:
        rows = [empty_row if cells is None else cells for cells in data]
    else:
        rows = [empty_row if cells is None else [cells[j] for j in keep] for cells in data]
    frame = pd.DataFrame(rows, columns=columns, dtype=object) if rows else empty_frame(columns)
    if not data_rows:
        problems.append(Problem.make("empty"))
    return ReadResult(RawTable(frame, header_row, data_rows, fmt, encoding, separator), problems)


def empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _ragged(row: int, n: int, width: int, first_beyond: int) -> Problem:
    return Problem.make("ragged_row", row, column_letter(first_beyond), count=n, width=width)

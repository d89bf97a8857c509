"""``validate_table(kind, raw)``: every problem of an import (or scoring) table, by row
and column.

It takes a table as read from CSV or XLSX (every cell text, headers stripped and
lower-cased) and returns a :class:`ValidationResult`: the typed, normalised rows and
**every** problem, each located by spreadsheet row (header = row 1) and column, in Dutch
and English. It works in three steps:

1. *Structure*: unknown, duplicate and missing required columns; rows that are entirely
   empty are skipped (spreadsheets leave them), an empty file is one problem.
2. *Parsing*: each distinct cell text of a column is parsed once (``data_schema.cells``
   with ``data_schema.rules``: whole numbers ``3``/``3.0``/``3,0``, dates ``2026-03-02``
   or ``2-3-2026``, weeks as a Monday or ``2026-W10``, ...).
3. *Rules*: the typed frame is validated by the pandera model of ``data_schema.tables``
   (``lazy=True``) and its failure cases become problems: ranges, lengths, patterns,
   options, dates not in the future, Mondays, the identifier guard on free text,
   closed-before-opened, duplicate keys within the file (the first occurrence is kept,
   later ones are reported).

Problems are sorted by row and column; after :data:`MAX_PROBLEMS` the list ends with one
``too_many_problems`` entry giving the count of the rest. ``validate_table`` never
raises on a table's content; only an unknown ``kind`` is a ``ValueError``.

``clean`` holds the spec's columns in spec order, indexed by spreadsheet row number
(index name ``row``): whole numbers as nullable ``Int64``, decimals ``Float64``, dates
and weeks as ``datetime.date`` (weeks as their Monday), text as ``str`` (NaN when
empty), choices as their id, usernames in lower case, case codes normalised, self-care
actions as a tuple of option ids (``()`` when none).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .cells import Column, empty_column, header, parse_column, read_column, take
from .guard import find_identifiers, found_params
from .i18n import Text
from .problems import Problem
from .rules import RuleError, cell_text, monday_params, range_params
from .spec import FieldSpec, TableSpec
from .tables import CHECKED, KINDS, SCORE_KIND

MAX_PROBLEMS = 1000


@dataclass
class ValidationResult:
    clean: pd.DataFrame  # typed, normalised rows; only meaningful if ok
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


_CHECK_CODES = {  # pandera check name -> problem code (str_matches: the field's pattern_code)
    "greater_than_or_equal_to": "out_of_range", "less_than_or_equal_to": "out_of_range",
    "in_range": "out_of_range", "str_length": "too_long", "isin": "not_an_option",
    "future_date": "future_date", "not_a_monday": "not_a_monday", "identifier_found": "identifier_found",
}


class _Validation:
    """One run of validate_table. Cell problems are collected as arrays (row position,
    column position, code); only the first MAX_PROBLEMS are rendered into messages."""

    def __init__(self, table: TableSpec, model: type[pa.DataFrameModel]) -> None:
        self.table = table
        self.model = model
        self.columns: dict[str, Column] = {}
        self.structure: list[Problem] = []  # whole-file problems, listed first
        self.missing: set[str] = set()
        self.n = 0

    def run(self, raw: object) -> ValidationResult:
        frame = _as_frame(raw)
        if frame is None:
            return ValidationResult(empty_clean(self.table), [Problem.make("not_a_table")])
        n = self.n = len(frame)
        all_present = np.zeros(n, dtype=bool)
        known = set(self.table.columns)
        seen: set[str] = set()
        for pos, name in enumerate(header(c) for c in frame.columns):
            col = read_column(frame.iloc[:, pos], name, pos)
            present = col.present
            all_present |= present
            if name in known and name not in self.columns:
                self.columns[name] = col
            elif (name == "" or name.startswith("unnamed")) and not present.any():
                continue  # a spreadsheet's trailing empty column
            elif name in seen:
                self.structure.append(Problem.make("duplicate_column", None, name))
            else:
                self.structure.append(self._unknown(name))
            seen.add(name)
        for f in self.table.fields:
            if f.name not in self.columns and f.required:
                self.missing.add(f.name)
                self.structure.append(Problem.make("missing_column", None, f.name, name=f.name))

        keep = np.flatnonzero(all_present)
        typed, clean = {}, {}
        for f in self.table.fields:
            if f.name in self.columns:
                parse_column(self.columns[f.name], f)
                typed[f.name], clean[f.name] = self.columns[f.name].typed, self.columns[f.name].clean
            else:
                typed[f.name], clean[f.name] = empty_column(f, n)
        typed_frame = pd.DataFrame(typed).iloc[keep]
        clean_frame = pd.DataFrame(clean).iloc[keep]
        clean_frame.index = pd.Index(keep + 2, name="row")
        if len(keep) == 0:
            self.structure.append(Problem.make("empty"))
            return ValidationResult(clean_frame, self.structure)

        rows, cols, codes = self._parse_failures(keep, n)
        rules, extra = self._rule_failures(typed_frame)
        rows, cols, codes = _one_per_cell(np.concatenate([rows, rules[0]]), np.concatenate([cols, rules[1]]),
                                          np.concatenate([codes, rules[2]]))
        problems = list(self.structure) + self._render(rows, cols, codes, extra)
        return ValidationResult(clean_frame, problems)

    def _unknown(self, name: str) -> Problem:
        expected = self.table.columns
        shown = ", ".join(expected) if len(expected) <= 12 else ", ".join(expected[:8]) + ", ... (codebook)"
        close = difflib.get_close_matches(name, expected, n=1)
        return Problem.make(
            "unknown_column", None, name, expected=shown,
            hint=Text("problem.did_you_mean", name=close[0]) if close else "",
        )

    def _col_index(self) -> dict[str, int]:
        return {name: col.pos for name, col in self.columns.items()}

    def _parse_failures(self, keep: np.ndarray, n: int):
        rows, cols, codes = [], [], []
        kept = np.zeros(n, dtype=bool)
        kept[keep] = True
        for col in self.columns.values():
            bad = np.fromiter((e is not None for e in col.errors), dtype=bool, count=len(col.errors))
            if not bad.any():
                continue
            at = np.flatnonzero((col.codes >= 0) & bad[np.maximum(col.codes, 0)] & kept)
            rows.append(at)
            cols.append(np.full(len(at), col.pos))
            codes.append(np.full(len(at), "parse", dtype=object))
        if not rows:
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=object)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(codes)

    def _rule_failures(self, typed: pd.DataFrame):
        """Run the pandera model; turn each failed check into (rows, column, code).

        Rows come from each check's full boolean output (pandera's own failure-case
        listing is limited to a few per check, so a file with millions of bad cells
        stays fast)."""
        out_rows, out_cols, out_codes = [], [], []
        extra: dict = {}
        try:
            self.model.validate(typed, lazy=True)
            errors = []
        except pa.errors.SchemaErrors as exc:
            errors = exc.schema_errors
        positions = self._col_index()

        def add(rows: np.ndarray, pos: int, code: str) -> None:
            out_rows.append(rows.astype(np.int64))
            out_cols.append(np.full(len(rows), pos, dtype=np.int64))
            out_codes.append(np.full(len(rows), code, dtype=object))

        for err in errors:
            reason = getattr(err.reason_code, "name", str(err.reason_code))
            check = err.check if isinstance(err.check, str) or err.check is None else err.check.name
            column = getattr(err.schema, "name", None) if isinstance(err.schema, pa.Column) else None
            if reason == "DUPLICATES":
                candidates = np.unique(err.failure_cases["index"].dropna().astype(np.int64).to_numpy())
                rows, firsts, key = self._duplicates(typed, candidates)
                extra.setdefault("first", {}).update(zip(rows.tolist(), firsts.tolist()))
                add(rows, positions.get(key, -1), "duplicate")
            elif reason == "SERIES_CONTAINS_NULLS" and column is not None:
                rows = err.failure_cases["index"].dropna().astype(np.int64).to_numpy()
                if column not in self.missing and column in positions:
                    add(rows[~self._unparsed((column,))[rows]], positions[column], "required")
            elif reason == "DATAFRAME_CHECK" and err.check_output is not None:
                output = err.check_output
                if isinstance(output, pd.DataFrame):
                    output = output.all(axis=1)
                failed = output.index[~output.fillna(False).to_numpy(dtype=bool)].to_numpy(dtype=np.int64)
                if column is not None:
                    if column in self.missing or column not in positions:
                        continue
                    spec = self.table.field(column)
                    code = spec.pattern_code if check == "str_matches" else _CHECK_CODES.get(check, "invalid")
                    add(failed[~self._unparsed((column,))[failed]], positions[column], code)
                elif str(check).startswith("date_order:"):
                    _, earlier, later = str(check).split(":")
                    failed = failed[~self._unparsed((earlier, later))[failed]]
                    add(failed, positions.get(later, -1), f"date_order:{earlier}")
                elif check == "no_ratings":
                    add(failed[~self._unparsed(self.table.at_least_one)[failed]], -1, "no_ratings")
                else:
                    self.structure.append(Problem.make("internal_error", error=str(check)))
            else:  # wrong dtype, a check that crashed, ...: not expected from our frames
                self.structure.append(Problem.make("internal_error", error=f"{column or ''} {check}".strip()))
        if not out_rows:
            empty = np.array([], dtype=np.int64)
            return (empty, empty, np.array([], dtype=object)), extra
        return (np.concatenate(out_rows), np.concatenate(out_cols), np.concatenate(out_codes)), extra

    def _unparsed(self, names) -> np.ndarray:
        """Per row: does any of these columns hold a cell that did not parse?"""
        out = np.zeros(self.n, dtype=bool)
        for name in names:
            col = self.columns.get(name)
            if col is None or not col.errors:
                continue
            bad = np.fromiter((e is not None for e in col.errors), dtype=bool, count=len(col.errors))
            if bad.any():
                out |= (col.codes >= 0) & bad[np.maximum(col.codes, 0)]
        return out

    def _duplicates(self, typed: pd.DataFrame, candidates: np.ndarray):
        keys = list(self.table.unique)
        sub = typed.loc[candidates, keys]
        sub = sub[sub.notna().all(axis=1)]
        firsts: dict = {}
        rows, first_rows = [], []
        for r, key in zip(sub.index, zip(*(sub[k].tolist() for k in keys))):
            if key in firsts:
                rows.append(r)
                first_rows.append(firsts[key])
            else:
                firsts[key] = r
        return np.array(rows, dtype=np.int64), np.array(first_rows, dtype=np.int64), keys[0]

    def _render(self, rows: np.ndarray, cols: np.ndarray, codes: np.ndarray, extra: dict) -> list[Problem]:
        total = len(rows)
        if total == 0:
            return []
        by_pos = {col.pos: col for col in self.columns.values()}
        order = np.lexsort((np.where(cols < 0, np.iinfo(np.int64).max, cols), rows))
        out = []
        for i in order[:MAX_PROBLEMS]:
            r, p, code = int(rows[i]), int(cols[i]), codes[i]
            col = by_pos.get(p)
            out.append(self._problem(r, col, code, extra))
        if total > MAX_PROBLEMS:
            out.append(Problem.make("too_many_problems", more=total - MAX_PROBLEMS))
        return out

    def _problem(self, r: int, col: Column | None, code: str, extra: dict) -> Problem:
        row = r + 2
        name = col.name if col is not None else None
        text = col.text(r) if col is not None else None
        if code == "parse":
            exc = col.errors[col.codes[r]]
            return Problem.make(exc.code, row, name, **exc.params)
        spec = col.spec if col is not None else None
        params: dict[str, Any] = {"value": text}
        if code == "out_of_range":
            params = range_params(spec, text)
        elif code == "too_long":
            params = {"length": len(text), "max": spec.max_length}
        elif code == "not_an_option":
            params["allowed"] = ", ".join(spec.choices)
        elif code == "not_a_monday":
            params = monday_params(col.clean.iloc[r], text)
        elif code == "identifier_found":
            params = found_params(find_identifiers(text))
        elif code == "duplicate":
            first = extra["first"][r]
            params = {"key": ", ".join(_key_text(self.columns.get(k), k, r) for k in self.table.unique),
                      "first": first + 2}
        elif code.startswith("date_order:"):
            earlier = code.split(":", 1)[1]
            params["other_column"] = earlier
            params["other"] = self.columns[earlier].text(r)
            code = "date_order"
        return Problem.make(code, row, name, **params)


# When one cell breaks several rules, the first of these is reported (the order in which
# ``data_schema.rules.check_value`` checks, so a form and a file say the same).
_PRIORITY = ("parse", "required", "too_long", "bad_case_code", "bad_username", "bad_format", "out_of_range",
             "not_an_option", "not_a_monday", "future_date", "identifier_found", "duplicate")


def _one_per_cell(rows: np.ndarray, cols: np.ndarray, codes: np.ndarray):
    if len(rows) == 0:
        return rows, cols, codes
    rank = {code: i for i, code in enumerate(_PRIORITY)}
    priority = np.fromiter((rank.get(c, len(_PRIORITY)) for c in codes), dtype=np.int64, count=len(codes))
    order = np.lexsort((priority, cols, rows))
    rows, cols, codes = rows[order], cols[order], codes[order]
    repeat = np.zeros(len(rows), dtype=bool)
    repeat[1:] = (rows[1:] == rows[:-1]) & (cols[1:] == cols[:-1]) & (cols[1:] >= 0)
    return rows[~repeat], cols[~repeat], codes[~repeat]


def _key_text(col: Column | None, name: str, r: int) -> str:
    if col is None:
        return "?"
    value = col.clean.iloc[r]
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _as_frame(raw: object) -> pd.DataFrame | None:
    if isinstance(raw, pd.DataFrame):
        frame = raw
    else:
        try:
            frame = pd.DataFrame(raw)
        except Exception:
            return None
    return frame if frame.ndim == 2 else None


def empty_clean(table: TableSpec) -> pd.DataFrame:
    frame = pd.DataFrame({f.name: empty_column(f, 0)[1] for f in table.fields})
    frame.index = pd.Index([], dtype=np.int64, name="row")
    return frame


def validate_table(kind: str, raw: pd.DataFrame) -> ValidationResult:
    """Check a table of ``kind``: an import kind (one of :data:`KINDS`) or
    :data:`SCORE_KIND`, the cases to score; see the module docstring.

    Raises ValueError only for an unknown ``kind``; any content, shape or size of
    ``raw`` gives a result.
    """
    if kind not in CHECKED:
        raise ValueError(f"unknown table kind {kind!r}; expected one of {', '.join(CHECKED)}")
    table, model = CHECKED[kind]
    try:
        return _Validation(table, model).run(raw)
    except Exception as exc:  # the last line of defence: a file must never crash the caller
        return ValidationResult(empty_clean(table), [Problem.make("internal_error", error=type(exc).__name__)])


__all__ = ["MAX_PROBLEMS", "ValidationResult", "empty_clean", "validate_table"]

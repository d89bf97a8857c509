"""Pandera schemas for import tables and query results, and :func:`validate_table`.

Each import kind (:data:`KINDS`) has a pandera ``DataFrameModel`` generated from its
field specs (``data_schema.fields``): ratings get one column per instrument item and
check-ins one per check-in field, so a new item needs no edit here. So do the cases
the scoring command reads (:data:`SCORE_KIND`, ``CasesToScoreTable``: a unique
``case_id`` and the items), which are checked here too but never imported.

``validate_table(kind, raw)`` takes a table as read from CSV or XLSX (every cell text,
headers stripped and lower-cased) and returns a :class:`ValidationResult`: the typed,
normalised rows and **every** problem, each located by spreadsheet row (header = row 1)
and column, with Dutch and English messages. It works in three steps:

1. *Structure*: unknown, duplicate and missing required columns; rows that are entirely
   empty are skipped (spreadsheets leave them), an empty file is one problem.
2. *Parsing*: each distinct cell text of a column is parsed once (``data_schema.rules``:
   whole numbers ``3``/``3.0``/``3,0``, dates ``2026-03-02`` or ``2-3-2026``, weeks as a
   Monday or ``2026-W10``, ...), so a 100,000-row file costs what its distinct values cost.
3. *Rules*: the typed frame is validated by the pandera model (``lazy=True``) and its
   failure cases become problems: ranges, lengths, patterns, options, dates not in the
   future, Mondays, the identifier guard on free text, closed-before-opened, duplicate
   keys within the file (the first occurrence is kept, later ones are reported).

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
import keyword
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from complexity import INSTRUMENT
from complexity.calendar import monday_of, today
from .fields import (
    BAND, CASE_ID, COMPLEXITY, FLAGS, INSTRUMENT_VERSION, INTERACTION, MODEL_VERSION, contribution_fields,
    domain_fields,
)
from .layouts import EXPORT_TABLES, IMPORT_TABLES, SCORE_INPUT
from .spec import FieldSpec, TableSpec
from .guard import find_identifiers, found_params
from .i18n import Text
from .problems import Problem
from .rules import RuleError, cell_text, monday_params, parse_value, range_params

KINDS: tuple[str, ...] = ("therapists", "cases", "ratings", "sessions", "checkins")
SCORE_KIND = "cases_to_score"  # what the scoring command reads; not an import kind
MAX_PROBLEMS = 1000
_TEXT_TYPES = ("text", "free_text", "username", "case_code", "choice")


# --- pandera models ----------------------------------------------------------------------

def _dtype(spec: FieldSpec):
    t = spec.type
    if t == "whole":
        return pd.Int64Dtype
    if t == "decimal":
        return pd.Float64Dtype
    if t in ("date", "week", "timestamp"):
        return pa.DateTime
    if t == "boolean":
        return pd.BooleanDtype
    if t == "multi":
        return object
    return str


def _as_datetimes(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    return pd.to_datetime(pd.Series(s, dtype=object), errors="coerce")


def _not_future_check(week: bool) -> Callable:
    def check(cls, s: pd.Series) -> pd.Series:
        now = today()
        limit = pd.Timestamp(monday_of(now) if week else now)
        d = _as_datetimes(s)
        return d.isna() | (d <= limit)
    return check


def _monday_check(cls, s: pd.Series) -> pd.Series:
    d = _as_datetimes(s)
    return d.isna() | (d.dt.day_of_week == 0)


def _identifier_check(max_length: int | None) -> Callable:
    def check(cls, s: pd.Series) -> pd.Series:
        text = s.astype("str")
        candidate = (text.str.contains("@", regex=False) | (text.str.count("[0-9]") >= 4)).fillna(False)
        if max_length is not None:  # too long is reported as such; its text is not searched
            candidate &= (text.str.len() <= max_length).fillna(False)
        ok = np.ones(len(s), dtype=bool)
        values = text.to_numpy(dtype=object)
        for i in np.flatnonzero(candidate.to_numpy(dtype=bool)):
            ok[i] = not find_identifiers(values[i])
        return pd.Series(ok, index=s.index)
    return check


def _order_check(earlier: str, later: str) -> Callable:
    def check(cls, df: pd.DataFrame) -> pd.Series:
        a, b = _as_datetimes(df[earlier]), _as_datetimes(df[later])
        return a.isna() | b.isna() | (b >= a)
    return check


def _at_least_one_check(columns: tuple[str, ...]) -> Callable:
    def check(cls, df: pd.DataFrame) -> pd.Series:
        present = [c for c in columns if c in df.columns]
        if not present:
            return pd.Series(False, index=df.index)
        return df[present].notna().any(axis=1)
    return check


def _attribute(name: str, i: int) -> str:
    if name.isidentifier() and not keyword.iskeyword(name) and not hasattr(pa.DataFrameModel, name) \
            and not name.startswith("_"):
        return name
    return f"column_{i}"


def build_model(table: TableSpec, name: str, *, loose_dtypes: bool = False, strict: bool = True,
                columns: tuple[FieldSpec, ...] | None = None,
                n_failure_cases: int | None = None) -> type[pa.DataFrameModel]:
    """A pandera DataFrameModel for ``table``, generated from its field specs.

    ``loose_dtypes`` leaves dtypes unchecked (query results carry NumPy floats,
    categoricals and date objects); the value rules apply either way.
    ``n_failure_cases`` limits the failure cases pandera lists per check (the import
    models use a few: validate_table reads each check's full output instead).
    """
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__doc__": f"Generated from the {table.name!r} table spec."}
    for i, f in enumerate(columns if columns is not None else table.fields):
        attr = _attribute(f.name, i)
        annotations[attr] = Series[Any] if loose_dtypes else Series[_dtype(f)]
        kwargs: dict[str, Any] = {"nullable": not f.required, "title": f.label("en"),
                                  "description": f.label("nl"), "n_failure_cases": n_failure_cases}
        if attr != f.name:
            kwargs["alias"] = f.name
        if f.type in ("whole", "decimal"):
            if f.min is not None and f.max is not None:
                kwargs["in_range"] = {"min_value": f.min, "max_value": f.max}
            elif f.min is not None:
                kwargs["ge"] = f.min
            elif f.max is not None:
                kwargs["le"] = f.max
        elif f.type == "choice":
            kwargs["isin"] = list(f.choices)
        elif f.type in _TEXT_TYPES:
            if f.max_length is not None:
                kwargs["str_length"] = {"max_value": f.max_length}
            if f.pattern is not None:
                kwargs["str_matches"] = f.pattern
        namespace[attr] = pa.Field(**kwargs)
        if f.type == "week":
            namespace[f"_monday_{i}"] = pa.check(f.name, name="not_a_monday", n_failure_cases=n_failure_cases)(_monday_check)
        if f.not_future and f.type in ("date", "week"):
            namespace[f"_not_future_{i}"] = pa.check(f.name, name="future_date", n_failure_cases=n_failure_cases)(_not_future_check(f.type == "week"))
        if f.type == "free_text":
            namespace[f"_guard_{i}"] = pa.check(f.name, name="identifier_found", n_failure_cases=n_failure_cases)(_identifier_check(f.max_length))
    for j, (earlier, later) in enumerate(table.order):
        namespace[f"_order_{j}"] = pa.dataframe_check(name=f"date_order:{earlier}:{later}", n_failure_cases=n_failure_cases)(
            _order_check(earlier, later))
    if table.at_least_one:
        namespace["_at_least_one"] = pa.dataframe_check(name="no_ratings", n_failure_cases=n_failure_cases)(_at_least_one_check(table.at_least_one))
    namespace["__annotations__"] = annotations
    config = type("Config", (), {"strict": strict, "name": name,
                                 "unique": list(table.unique) if table.unique else None})
    namespace["Config"] = config
    return type(name, (pa.DataFrameModel,), namespace)


def _class_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_")) + "Table"


# The import tables, generated: TherapistsTable, CasesTable, RatingsTable, SessionsTable, CheckinsTable.
IMPORT_MODELS: Mapping[str, type[pa.DataFrameModel]] = {
    kind: build_model(IMPORT_TABLES[kind], _class_name(kind), n_failure_cases=5) for kind in KINDS
}
TherapistsTable = IMPORT_MODELS["therapists"]
CasesTable = IMPORT_MODELS["cases"]
RatingsTable = IMPORT_MODELS["ratings"]
SessionsTable = IMPORT_MODELS["sessions"]
CheckinsTable = IMPORT_MODELS["checkins"]

# The cases the scoring command reads (layouts.SCORE_INPUT): CasesToScoreTable.
CasesToScoreTable = build_model(SCORE_INPUT, _class_name(SCORE_KIND), n_failure_cases=5)

# Every table validate_table checks: the import kinds and the cases to score.
_CHECKED: Mapping[str, tuple[TableSpec, type[pa.DataFrameModel]]] = {
    **{kind: (IMPORT_TABLES[kind], IMPORT_MODELS[kind]) for kind in KINDS},
    SCORE_KIND: (SCORE_INPUT, CasesToScoreTable),
}

# Export tables (what an export writes; the codebook has a row for each column).
EXPORT_MODELS: Mapping[str, type[pa.DataFrameModel]] = {
    name: build_model(spec, "Export" + _class_name(name).removesuffix("Table"), loose_dtypes=True)
    for name, spec in EXPORT_TABLES.items()
}

# Query results the dashboard reads.
WeeklyLoadFrame = build_model(EXPORT_TABLES["weekly_load"], "WeeklyLoadFrame", loose_dtypes=True)
"""``complexity.weekly_load`` / the store's weekly load: one row per therapist per week."""

ScoredCasesFrame = build_model(
    TableSpec("scored_cases", ()), "ScoredCasesFrame", loose_dtypes=True, strict=False,
    columns=(CASE_ID, COMPLEXITY, BAND, *domain_fields(INSTRUMENT), *contribution_fields(INSTRUMENT),
             INTERACTION, FLAGS, INSTRUMENT_VERSION, MODEL_VERSION),
)
"""``complexity.score_cases`` output (further columns allowed)."""


# --- validate_table ----------------------------------------------------------------------

@dataclass
class ValidationResult:
    clean: pd.DataFrame  # typed, normalised rows; only meaningful if ok
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Column:
    """One column of the file: its distinct texts and, per row, which one it holds."""

    name: str
    pos: int
    codes: np.ndarray  # per row: index into texts, -1 = empty
    texts: np.ndarray  # distinct stripped texts (None = empty)
    spec: FieldSpec | None = None
    errors: list | None = None  # per distinct text: the RuleError of parsing it, or None
    typed: pd.Series | None = None  # for pandera
    clean: Any = None  # for the result

    def text(self, row: int) -> str | None:
        code = self.codes[row]
        return None if code < 0 else self.texts[code]

    @cached_property
    def present(self) -> np.ndarray:
        if len(self.texts) == 0:
            return np.zeros(len(self.codes), dtype=bool)
        filled = np.fromiter((t is not None for t in self.texts), dtype=bool, count=len(self.texts))
        return (self.codes >= 0) & filled[np.maximum(self.codes, 0)]


def _header(name: object) -> str:
    try:
        return str(name).lstrip("\ufeff").strip().lower()
    except Exception:
        return "?"


def _read(series: pd.Series, name: str, pos: int) -> _Column:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): read them as text first
        codes, uniques = pd.factorize(pd.Series([cell_text(v) for v in series], dtype=object))
    texts = np.array([cell_text(u) for u in np.asarray(uniques, dtype=object)], dtype=object)
    return _Column(name, pos, np.asarray(codes, dtype=np.int64), texts)


def _take(values: np.ndarray, codes: np.ndarray, fill) -> np.ndarray:
    if len(values) == 0:
        return np.full(len(codes), fill, dtype=values.dtype)
    out = values[np.maximum(codes, 0)]
    out[codes < 0] = fill
    return out


def _parse(col: _Column, spec: FieldSpec) -> None:
    """Parse each distinct text; build the typed (pandera) and clean columns."""
    col.spec = spec
    values: list[Any] = [None] * len(col.texts)
    col.errors = [None] * len(col.texts)
    for k, text in enumerate(col.texts):
        if text is None:
            continue
        try:
            values[k] = parse_value(spec, text)
        except RuleError as exc:
            col.errors[k] = exc
    missing = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    codes = col.codes
    t = spec.type
    if t in ("whole", "decimal", "boolean"):
        numpy_type = {"whole": np.int64, "decimal": np.float64, "boolean": np.bool_}[t]
        data = np.array([0 if v is None else v for v in values], dtype=numpy_type)
        mask = _take(missing, codes, True)
        data = _take(data, codes, 0)
        array = {"whole": pd.arrays.IntegerArray, "decimal": pd.arrays.FloatingArray,
                 "boolean": pd.arrays.BooleanArray}[t](data, mask)
        col.typed = col.clean = pd.Series(array)
    elif t in ("date", "week"):
        days = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values],
                        dtype="datetime64[D]")
        col.typed = pd.Series(_take(days, codes, np.datetime64("NaT")).astype("datetime64[s]"))
        col.clean = pd.Series(_take(np.array(values, dtype=object), codes, None), dtype=object)
    elif t == "multi":
        objects = np.empty(len(values) + 1, dtype=object)
        for k, v in enumerate(values):
            objects[k] = () if v is None else v
        objects[-1] = ()
        col.typed = col.clean = pd.Series(objects[np.where(codes >= 0, codes, len(values))], dtype=object)
    else:
        strings = _take(np.array(values, dtype=object), codes, None)
        col.typed = col.clean = pd.Series(strings, dtype="str")


def _empty_column(spec: FieldSpec, n: int) -> tuple[pd.Series, pd.Series]:
    col = _Column(spec.name, -1, np.full(n, -1, dtype=np.int64), np.array([], dtype=object))
    _parse(col, spec)
    return col.typed, col.clean


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
        self.columns: dict[str, _Column] = {}
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
        for pos, name in enumerate(_header(c) for c in frame.columns):
            col = _read(frame.iloc[:, pos], name, pos)
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
                _parse(self.columns[f.name], f)
                typed[f.name], clean[f.name] = self.columns[f.name].typed, self.columns[f.name].clean
            else:
                typed[f.name], clean[f.name] = _empty_column(f, n)
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

    def _problem(self, r: int, col: _Column | None, code: str, extra: dict) -> Problem:
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


def _key_text(col: _Column | None, name: str, r: int) -> str:
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
    frame = pd.DataFrame({f.name: _empty_column(f, 0)[1] for f in table.fields})
    frame.index = pd.Index([], dtype=np.int64, name="row")
    return frame


def validate_table(kind: str, raw: pd.DataFrame) -> ValidationResult:
    """Check a table of ``kind``: an import kind (one of :data:`KINDS`) or
    :data:`SCORE_KIND`, the cases to score; see the module docstring.

    Raises ValueError only for an unknown ``kind``; any content, shape or size of
    ``raw`` gives a result.
    """
    if kind not in _CHECKED:
        raise ValueError(f"unknown table kind {kind!r}; expected one of {', '.join(_CHECKED)}")
    table, model = _CHECKED[kind]
    try:
        return _Validation(table, model).run(raw)
    except Exception as exc:  # the last line of defence: a file must never crash the caller
        return ValidationResult(empty_clean(table), [Problem.make("internal_error", error=type(exc).__name__)])


__all__ = [
    "CasesTable", "CasesToScoreTable", "CheckinsTable", "EXPORT_MODELS", "IMPORT_MODELS", "KINDS", "MAX_PROBLEMS",
    "Problem", "RatingsTable", "SCORE_KIND", "ScoredCasesFrame", "SessionsTable", "TherapistsTable", "ValidationResult", "WeeklyLoadFrame",
    "build_model", "empty_clean", "validate_table",
]

"""Writing exported tables: CSV for Dutch Excel, Parquet, XLSX, each with its codebook.

- ``csv``: one ``<table>.csv`` per table in **UTF-8 with a BOM, ``;`` as separator and
  ``,`` as decimal mark**, which Dutch Excel opens correctly by double-click. Read back
  with ``pandas.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")``. Dates are
  ISO (``2026-03-09``), timestamps ISO in UTC.
- ``parquet``: one ``<table>.parquet`` per table, typed (dates, UTC timestamps,
  nullable integers).
- ``xlsx``: ``draagkracht-export.xlsx`` with one sheet per table and a ``codebook``
  sheet; timestamps in UTC without a zone (Excel has none). A table over Excel's
  1,048,575 rows is refused before anything is written.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a leading ``'`` in csv and xlsx (OWASP's CSV
injection advice); parquet keeps the text as it is. Beside the tables: ``codebook.md``
(Dutch), ``codebook.en.md`` and ``codebook.csv``, describing exactly the exported
columns (``data_schema.codebook``). A folder is written to a temporary sibling and
renamed into place, so it is complete or absent; a zip (:func:`csv_zip`) is built in
memory.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from data_schema.codebook import codebook_frame, codebook_markdown

from ..errors import Refused

FORMATS: tuple[str, ...] = ("csv", "parquet", "xlsx")
CSV_SEPARATOR = ";"
CSV_DECIMAL = ","
XLSX_NAME = "draagkracht-export.xlsx"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, minus the header
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportError(Refused):
    """The export cannot be written as asked; nothing was written (``cli.export.*``)."""


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which text cells a spreadsheet would evaluate (``=``, ``+``, ``-``,
    ``@``, tab, carriage return at the start) begin with a single quote."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
            continue
        values = col.to_numpy(dtype=object)
        risky = np.fromiter((isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in values),
                            dtype=bool, count=len(values))
        if risky.any():
            values = values.copy()
            values[risky] = ["'" + v for v in values[risky]]
            out[name] = pd.Series(values, index=out.index, dtype=object)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as Dutch Excel reads it: UTF-8 with a BOM, ``;``, decimal comma."""
    return neutralise_formulas(frame).to_csv(sep=CSV_SEPARATOR, decimal=CSV_DECIMAL, index=False,
                                             lineterminator="\n").encode("utf-8-sig")


def _for_xlsx(frame: pd.DataFrame) -> pd.DataFrame:
    out = neutralise_formulas(frame)
    for name in out.columns:
        col = out[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            out[name] = col.dt.tz_convert("UTC").dt.tz_localize(None)
        elif pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col):
            out[name] = col.map(lambda v: _ILLEGAL_XLSX.sub("", v) if isinstance(v, str) else v)
    return out


def codebooks(tables: Mapping[str, pd.DataFrame]) -> dict[str, bytes]:
    """The codebook files of exactly these tables' columns: file name -> content."""
    columns = {name: list(frame.columns) for name, frame in tables.items()}
    try:
        table = codebook_frame(lang="en", columns=columns)
        return {
            "codebook.md": codebook_markdown(lang="nl", columns=columns).encode("utf-8"),
            "codebook.en.md": codebook_markdown(lang="en", columns=columns).encode("utf-8"),
            "codebook.csv": csv_bytes(table),
        }
    except KeyError as exc:  # a programming error: a column without a field spec
        raise ExportError("cli.export.no_codebook", columns=str(exc.args[0])) from None


def csv_zip(tables: Mapping[str, pd.DataFrame], *, codebook: bool = True) -> bytes:
    """The tables as CSV files in a zip (with their codebook), built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", csv_bytes(frame))
        for name, content in (codebooks(tables) if codebook else {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def check_fits_excel(counts: Mapping[str, int]) -> None:
    """Refuse an xlsx export of tables (name -> rows) that an Excel sheet cannot hold."""
    too_big = {name: n for name, n in counts.items() if n > XLSX_MAX_ROWS}
    if too_big:
        listed = ", ".join(f"{k} ({v:,})" for k, v in too_big.items())
        raise ExportError("cli.export.too_big_for_excel", tables=listed, limit=f"{XLSX_MAX_ROWS:,}")


def write_export(tables: Mapping[str, pd.DataFrame], out: str | os.PathLike, formats: Iterable[str] = FORMATS,
                 ) -> tuple[Path, ...]:
    """Write ``tables`` and the codebook to the folder ``out`` (which must not exist or
    be empty), atomically: into a temporary sibling folder first, renamed at the end."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ExportError("cli.export.unknown_format", formats=", ".join(unknown) or "-", known=", ".join(FORMATS))
    folder = Path(out).expanduser().resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportError("cli.export.folder_taken", folder=str(folder))
    if "xlsx" in formats:
        check_fits_excel({name: len(frame) for name, frame in tables.items()})
    books = codebooks(tables)
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir(mode=0o700)
    try:
        for name, frame in tables.items():
            if "csv" in formats:
                (tmp / f"{name}.csv").write_bytes(csv_bytes(frame))
            if "parquet" in formats:
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
        if "xlsx" in formats:
            codebook = codebook_frame(lang="en", columns={n: list(f.columns) for n, f in tables.items()})
            with pd.ExcelWriter(tmp / XLSX_NAME, engine="openpyxl") as writer:
                for name, frame in tables.items():
                    _for_xlsx(frame).to_excel(writer, sheet_name=name[:31], index=False)
                _for_xlsx(codebook).to_excel(writer, sheet_name="codebook", index=False)
        for name, content in books.items():
            (tmp / name).write_bytes(content)
        if folder.exists():
            folder.rmdir()  # empty, checked above
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tuple(sorted(folder.iterdir()))


__all__ = [
    "CSV_DECIMAL", "CSV_SEPARATOR", "ExportError", "FORMATS", "XLSX_MAX_ROWS", "XLSX_NAME", "check_fits_excel",
    "codebooks", "csv_bytes", "csv_zip", "neutralise_formulas", "write_export",
]

"""The one file reader: a CSV or XLSX file (or its bytes) into a table of text cells.

Used by the importer (``python -m store import``) and the scoring command
(``python -m complexity score``), so both accept the same files and say the same things
about them. This package only splits a file into a header and string cells, with the
spreadsheet row number of every row; the meaning of the cells (types, dates, decimal
commas) is checked by ``data_schema.validation.validate_table``.

- **Size** (``limits``): a file larger than ``MAX_FILE_BYTES`` (50 MB) is refused before
  it is read; more than ``MAX_ROWS`` (1,000,000) data rows or ``MAX_COLUMNS`` (200)
  columns are refused while reading. A workbook that unpacks to more than 512 MB is
  refused before it is opened (a "zip bomb").
- **CSV** (``text``): UTF-8 with or without a byte-order mark, UTF-16 with one,
  otherwise Windows-1252; separator ``;``, ``,`` or tab from the header line; RFC 4180
  quotes. Binary content is refused.
- **XLSX** (``workbook``, also ``.xlsm``): the first sheet, the values Excel last
  computed. Legacy ``.xls`` workbooks are refused with a hint.
- **Rows**: the first row with content is the header; names are stripped and
  lower-cased. Entirely empty rows (also ``;;;`` rows Excel leaves behind) are skipped
  without changing the numbering. A row with fewer cells than the header is filled up
  with empty cells; cells beyond the header must be empty (else the row is reported).
  A column without a name is dropped when it is empty and an error when it holds a
  value. (Unknown, duplicate and missing column names are for the validator: the
  reader passes every named column on.)

Rows are numbered as a spreadsheet shows them: the header is row 1 (unless empty rows
precede it) and the first data row 2; a quoted CSV cell spanning several lines is one row.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import Text
from . import limits
from .table import SAVE_AS, RawTable, ReadResult, Refused, column_letter, refuse
from .text import SEPARATORS, decode, read_csv, sniff_separator
from .workbook import read_xlsx

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


def read_table(path: str | Path) -> ReadResult:
    """Read a CSV or XLSX file (see the package docstring). Never raises for bad content:
    a file that cannot be read at all gives ``table=None`` and one problem."""
    path = Path(path)
    try:
        size = _check_size(path)
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC) or path.suffix.lower() in XLSX_SUFFIXES:
            return _read_typed(head, path, path.suffix)
        return read_csv(path.read_bytes() if size else b"")
    except Refused as exc:
        return ReadResult(None, [exc.problem])


def read_bytes(data: bytes, suffix: str = "") -> ReadResult:
    """The same for a file's bytes (standard input, an upload); ``suffix`` as the file
    was named (``.xlsx``), if known."""
    try:
        if len(data) > limits.MAX_FILE_BYTES:
            raise _too_large(len(data))
        head = data[:8]
        if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC) or suffix.lower() in XLSX_SUFFIXES:
            return _read_typed(head, data, suffix)
        return read_csv(data)
    except Refused as exc:
        return ReadResult(None, [exc.problem])


def _read_typed(head: bytes, source: Path | bytes, suffix: str) -> ReadResult:
    if head.startswith(_OLE_MAGIC):
        raise refuse("xls_format", hint=SAVE_AS)
    if not head.startswith(_ZIP_MAGIC):
        raise refuse("not_xlsx", detail=Text("reader.named_not_xlsx", suffix=suffix), hint=SAVE_AS)
    return read_xlsx(source)


def _too_large(size: int) -> Refused:
    return refuse("file_too_large", detail=Text("reader.file_size", size=limits.size_text(size),
                                                limit=limits.size_text(limits.MAX_FILE_BYTES)))


def _check_size(path: Path) -> int:
    try:
        if not path.is_file():
            if path.exists():
                raise refuse("not_a_file", name=path.name)
            raise refuse("file_not_found", name=path.name)
        size = path.stat().st_size
    except OSError as exc:
        raise refuse("unreadable", name=path.name, error=exc.strerror or str(exc)) from None
    if size > limits.MAX_FILE_BYTES:
        raise _too_large(size)
    return size


__all__ = [
    "CSV_SUFFIXES", "RawTable", "ReadResult", "SEPARATORS", "XLSX_SUFFIXES", "column_letter", "decode", "limits",
    "read_bytes", "read_table", "sniff_separator",
]

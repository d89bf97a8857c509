"""Reading an Excel workbook (``.xlsx``, ``.xlsm``): the first sheet, as text cells.

Read in openpyxl's read-only mode with the values Excel last computed for formulas.
Numbers become text without a spurious ``.0`` (``3``, ``2.5``); date cells become
``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when they hold a time). A workbook whose
unpacked content exceeds ``MAX_XLSX_UNPACKED_BYTES`` is refused before it is opened.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Iterator, Sequence

from ..i18n import Text
from . import limits
from .table import SAVE_AS, ReadResult, Refused, build, refuse


def _not_readable() -> Refused:
    return refuse("not_xlsx", detail=Text("reader.damaged_xlsx"), hint=SAVE_AS)


def read_xlsx(source: Path | bytes) -> ReadResult:
    import openpyxl  # imported on use: a CSV import does not pay for it

    opened = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(opened) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_readable() from None
    if unpacked > limits.MAX_XLSX_UNPACKED_BYTES:
        raise refuse("file_too_large", detail=Text("reader.unpacked_size", size=limits.size_text(unpacked),
                                                   limit=limits.size_text(limits.MAX_XLSX_UNPACKED_BYTES)))
    if isinstance(opened, io.BytesIO):
        opened.seek(0)
    try:
        workbook = openpyxl.load_workbook(opened, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises anything for a damaged workbook
        raise _not_readable() from None
    try:
        sheets = workbook.worksheets
        if not sheets or not hasattr(sheets[0], "iter_rows"):
            raise refuse("empty_file", detail=Text("reader.no_sheet"))
        sheet = sheets[0]
        if hasattr(sheet, "reset_dimensions"):
            # Read the rows that are there; a stale dimension tag (A1:XFD1048576) would
            # otherwise pad every row to 16,384 cells and the sheet to a million rows.
            sheet.reset_dimensions()
        try:
            return build(_records(sheet), "xlsx")
        except Refused:
            raise
        except Exception:  # noqa: BLE001 - malformed sheet XML surfaces while iterating
            raise _not_readable() from None
    finally:
        workbook.close()


def _records(sheet) -> Iterator[tuple[int, Sequence[str | None]]]:
    for row, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield row, [cell_text(v) for v in values]


def cell_text(value: object) -> str | None:
    """A workbook cell as the text a user typed or sees."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)

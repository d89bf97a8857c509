"""Reading an import file (CSV or XLSX) into a table of text cells.

This module only splits a file into a header and string cells, with the spreadsheet row
number of every row; the meaning of the cells (types, dates, decimal commas) is checked
by ``data_schema.tables.validate_table``. See :mod:`store.importer` for the accepted
formats as the user sees them.

- **Size**: a file larger than :data:`MAX_FILE_BYTES` is refused before it is read; more
  than :data:`MAX_ROWS` data rows or :data:`MAX_COLUMNS` columns are refused while
  reading (nothing further is parsed). An XLSX whose unpacked content exceeds
  :data:`MAX_XLSX_UNPACKED_BYTES` is refused before it is opened (a "zip bomb").
- **CSV**: UTF-8 with or without a byte-order mark; UTF-16 with a byte-order mark
  (Excel's "Unicode text"); otherwise Windows-1252 (Excel's "CSV (semicolon
  delimited)" on a Dutch Windows) when the bytes are not UTF-8. Text with control
  characters (other than tab, CR and LF) is binary content and refused. The separator
  (``;``, ``,`` or tab) is the most frequent of the three on the header line. Quotes
  follow RFC 4180 (``"a;b"``, ``""`` inside quotes). A cell may hold at most
  ``csv.field_size_limit()`` characters (128 KiB by default).
- **XLSX** (also ``.xlsm``): the first sheet, read in openpyxl's read-only mode with the
  values Excel last computed for formulas. Numbers become text without a spurious
  ``.0`` (``3``, ``2.5``); date cells become ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when
  they hold a time). Legacy ``.xls`` workbooks are refused with a hint.
- **Rows**: the first row with content is the header; names are stripped and lower-cased.
  Entirely empty rows (also ``;;;`` rows Excel leaves behind) are skipped without
  changing the numbering. Every CSV data row must have exactly as many cells as the
  header (trailing empty cells beyond it are tolerated; a sheet row simply ends at its
  last filled cell); a column without a name is dropped
  when it is empty and an error when it holds a value. (Unknown, duplicate and missing
  column names are for the validator: the reader passes every named column on.)

Rows are numbered as a spreadsheet shows them: the header is row 1 (unless empty rows
precede it) and the first data row 2; a quoted CSV cell spanning several lines is one row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pandas as pd

from data_schema.problems import Problem, where

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MiB
MAX_ROWS = 1_000_000  # data rows
MAX_COLUMNS = 200
MAX_XLSX_UNPACKED_BYTES = 512 * 1024 * 1024  # what the zip holds once unpacked

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
SEPARATORS = (";", ",", "\t")  # ties go to the first: ';' is what Dutch Excel writes

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
# C0 controls except tab/LF/CR, DEL and C1 controls: never in a text export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def file_problem(code: str, en: str, nl: str, row: int | None = None, column: str | None = None) -> Problem:
    """A :class:`~data_schema.problems.Problem` with its location prefixed to both messages."""
    return Problem(row, column, code, where(row, column, "en") + en, where(row, column, "nl") + nl)


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


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_en)
        self.problem = problem


def _refuse(code: str, en: str, nl: str, row: int | None = None, column: str | None = None) -> _Refused:
    return _Refused(file_problem(code, en, nl, row, column))


_HINT_SAVE_EN = 'save it from Excel as "CSV UTF-8", "CSV (semicolon delimited)" or "Excel Workbook (.xlsx)"'
_HINT_SAVE_NL = 'sla het in Excel op als "CSV UTF-8", "CSV (gescheiden door puntkomma\'s)" of "Excel-werkmap (.xlsx)"'


# --------------------------------------------------------------------------- entry point


def read_table(path: str | Path) -> ReadResult:
    """Read a CSV or XLSX file (see the module docstring). Never raises for bad content:
    a file that cannot be read at all gives ``table=None`` and one problem."""
    path = Path(path)
    try:
        size = _check_size(path)
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(_OLE_MAGIC):
            raise _refuse(
                "xls_format",
                f"this is an old Excel workbook (.xls), which is not read; {_HINT_SAVE_EN}",
                f"dit is een oude Excel-werkmap (.xls), die niet wordt gelezen; {_HINT_SAVE_NL}",
            )
        if head.startswith(_ZIP_MAGIC) or path.suffix.lower() in XLSX_SUFFIXES:
            if not head.startswith(_ZIP_MAGIC):
                raise _refuse(
                    "not_xlsx",
                    f"the file is named {path.suffix} but is not an Excel workbook; {_HINT_SAVE_EN}",
                    f"het bestand heet {path.suffix} maar is geen Excel-werkmap; {_HINT_SAVE_NL}",
                )
            return _read_xlsx(path)
        data = path.read_bytes() if size else b""
        return _read_csv(data)
    except _Refused as exc:
        return ReadResult(None, [exc.problem])


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n:,} bytes"


def _check_size(path: Path) -> int:
    try:
        if not path.is_file():
            if path.exists():
                raise _refuse("not_a_file", f"{path.name} is not a file",
                              f"{path.name} is geen bestand")
            raise _refuse("file_not_found", f"file not found: {path.name}",
                          f"bestand niet gevonden: {path.name}")
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse("unreadable", f"cannot read {path.name}: {exc.strerror or exc}",
                      f"kan {path.name} niet lezen: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise _refuse(
            "file_too_large",
            f"the file is {_size(size)}; at most {_size(MAX_FILE_BYTES)} can be imported at once: "
            "split it into smaller files",
            f"het bestand is {_size(size)}; er kan maximaal {_size(MAX_FILE_BYTES)} tegelijk worden "
            "ingelezen: splits het in kleinere bestanden",
        )
    return size


# --------------------------------------------------------------------------- CSV


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with; raises ``_Refused``."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise _refuse(
                "undecodable",
                f"the file starts like UTF-16 text but is not valid UTF-16; {_HINT_SAVE_EN}",
                f"het bestand begint als UTF-16-tekst maar is geen geldige UTF-16; {_HINT_SAVE_NL}",
            ) from None
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            row = _line_of_bytes(data, exc.start)
            raise _refuse(
                "undecodable",
                f"line {row}: the file is marked as UTF-8 but byte 0x{data[exc.start]:02X} is not "
                f"UTF-8; {_HINT_SAVE_EN}",
                f"regel {row}: het bestand is gemarkeerd als UTF-8 maar byte 0x{data[exc.start]:02X} "
                f"is geen UTF-8; {_HINT_SAVE_NL}",
            ) from None
    else:
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                encoding, text = "cp1252", data.decode("cp1252")
            except UnicodeDecodeError as exc:
                row = _line_of_bytes(data, exc.start)
                raise _refuse(
                    "undecodable",
                    f"line {row}: byte 0x{data[exc.start]:02X} is neither UTF-8 nor Windows-1252 text; "
                    f"this is not a text file; {_HINT_SAVE_EN}",
                    f"regel {row}: byte 0x{data[exc.start]:02X} is geen UTF-8- of Windows-1252-tekst; "
                    f"dit is geen tekstbestand; {_HINT_SAVE_NL}",
                ) from None
    if text.endswith("\x1a"):  # DOS end-of-file mark
        text = text[:-1]
    bad = _CONTROL.search(text)
    if bad:
        row = _line_of_text(text, bad.start())
        raise _refuse(
            "binary",
            f"line {row}: contains the control character U+{ord(bad.group()):04X}; this is binary "
            f"content, not a CSV text file; {_HINT_SAVE_EN}",
            f"regel {row}: bevat het stuurteken U+{ord(bad.group()):04X}; dit is binaire inhoud, "
            f"geen CSV-tekstbestand; {_HINT_SAVE_NL}",
        )
    return text, encoding


def _line_of_bytes(data: bytes, pos: int) -> int:
    prefix = data[:pos]
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1


def _line_of_text(text: str, pos: int) -> int:
    prefix = text[:pos]
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1


def sniff_separator(text: str) -> str:
    """The most frequent of ``;``, ``,`` and tab on the first line with content (the
    header); if that line has none (one column), on the next lines with content."""
    seen = 0
    for line in io.StringIO(text, newline=""):
        if line.strip(" \r\n\t;,\"'"):
            counts = [line.count(sep) for sep in SEPARATORS]
            if max(counts) > 0:
                return SEPARATORS[counts.index(max(counts))]
            seen += 1
            if seen > 20:
                break
    return SEPARATORS[0]


def _read_csv(data: bytes) -> ReadResult:
    if not data.strip():
        raise _refuse("empty_file", "the file is empty", "het bestand is leeg")
    text, encoding = decode(data)
    separator = sniff_separator(text)
    fast = _read_simple_csv(text, separator, encoding)
    if fast is not None:
        return fast
    return _build(_csv_records(text, separator), "csv", encoding=encoding, separator=separator)


def _read_simple_csv(text: str, separator: str, encoding: str) -> ReadResult | None:
    """pandas' C parser for the common file: no quotes (so every line is one row), every
    line with content has as many separators as the header, every column named. Gives
    the same table as the general reader, several times faster; ``None`` sends any
    other file to the general reader (which names the rows that break the rules)."""
    if '"' in text or "\u2028" in text or "\u2029" in text:
        return None
    lines = text.splitlines()  # the control characters it also splits on are refused above
    counts = [line.count(separator) for line in lines]
    if not lines or not lines[0].replace(separator, "").strip():
        return None  # no header on the first line: the general reader finds it
    header_index = 0
    width = counts[header_index]
    data_rows = 0
    for i in range(header_index + 1, len(lines)):
        blank = not lines[i].replace(separator, "").strip()
        if counts[i] != width and not blank:
            return None
        data_rows += not blank
    names = [c.strip().lstrip("\ufeff").strip().lower() for c in lines[header_index].split(separator)]
    if not all(names) or len(names) > MAX_COLUMNS or len(lines) - 1 > MAX_ROWS:
        return None
    if max(map(len, lines)) > csv.field_size_limit():
        return None  # a cell may be too large: the general reader says which row
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=separator, header=None, dtype=object, na_filter=False,
            skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    if frame.shape != (len(lines), len(names)):
        return None
    frame = frame.iloc[1:].reset_index(drop=True)  # position p is row p + 2
    frame.columns = names
    problems = [] if data_rows else [file_problem(
        "empty", "the file has a header but no data rows", "het bestand heeft een kopregel maar geen gegevensrijen",
    )]
    return ReadResult(RawTable(frame, header_index + 1, data_rows, "csv", encoding, separator), problems)


def _csv_records(text: str, separator: str) -> Iterator[tuple[int, Sequence[str | None]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    row = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            detail = str(exc)
            if "field larger than field limit" in detail:
                limit = csv.field_size_limit()
                raise _refuse(
                    "cell_too_large",
                    f"a cell holds more than {limit:,} characters",
                    f"een cel bevat meer dan {limit:,} tekens",
                    row=row,
                ) from None
            raise _refuse(
                "bad_quotes",
                f"the row cannot be split into cells ({detail}); check the quotes (\")",
                f"de rij kan niet in cellen worden gesplitst ({detail}); controleer de "
                "aanhalingstekens (\")",
                row=row,
            ) from None
        row += 1
        yield row, cells


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path) -> ReadResult:
    import openpyxl  # imported on use: a CSV import does not pay for it

    not_readable = (
        "not_xlsx",
        f"the file cannot be read as an Excel workbook (.xlsx); it may be damaged; {_HINT_SAVE_EN}",
        f"het bestand kan niet als Excel-werkmap (.xlsx) worden gelezen; het is mogelijk "
        f"beschadigd; {_HINT_SAVE_NL}",
    )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(*not_readable) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _refuse(
            "file_too_large",
            f"the workbook unpacks to {_size(unpacked)}; at most {_size(MAX_XLSX_UNPACKED_BYTES)} can "
            "be read: split it into smaller files",
            f"de werkmap is uitgepakt {_size(unpacked)}; er kan maximaal {_size(MAX_XLSX_UNPACKED_BYTES)} "
            "worden gelezen: splits het in kleinere bestanden",
        )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises anything for a damaged workbook
        raise _refuse(*not_readable) from None
    try:
        sheets = workbook.worksheets
        if not sheets or not hasattr(sheets[0], "iter_rows"):
            raise _refuse("empty_file", "the workbook's first sheet holds no table",
                          "het eerste werkblad van de werkmap bevat geen tabel")
        sheet = sheets[0]
        if hasattr(sheet, "reset_dimensions"):
            # Read the rows that are there; a stale dimension tag (A1:XFD1048576) would
            # otherwise pad every row to 16,384 cells and the sheet to a million rows.
            sheet.reset_dimensions()
        try:
            return _build(_xlsx_records(sheet), "xlsx")
        except _Refused:
            raise
        except Exception:  # noqa: BLE001 - malformed sheet XML surfaces while iterating
            raise _refuse(*not_readable) from None
    finally:
        workbook.close()


def _xlsx_records(sheet) -> Iterator[tuple[int, Sequence[str | None]]]:
    for row, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield row, [_xlsx_text(v) for v in values]


def _xlsx_text(value: object) -> str | None:
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


# --------------------------------------------------------------------------- table


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _blank(cell: str | None) -> bool:
    return cell is None or not cell.strip()


def _build(
    records: Iterable[tuple[int, Sequence[str | None]]],
    fmt: str,
    *,
    encoding: str | None = None,
    separator: str | None = None,
) -> ReadResult:
    """Header, data rows and structural problems from ``(row number, cells)`` records."""
    records = iter(records)
    header: Sequence[str | None] | None = None
    header_row = 0
    for row, cells in records:
        if not all(_blank(c) for c in cells):
            header, header_row = cells, row
            break
    if header is None:
        raise _refuse("empty_file", "the file is empty: there is no header row",
                      "het bestand is leeg: er is geen kopregel")
    names = [(c or "").strip().lstrip("\ufeff").strip().lower() for c in header]
    while names and not names[-1]:
        names.pop()
    width = len(names)
    if width > MAX_COLUMNS:
        raise _refuse(
            "too_many_columns",
            f"the header has {width} columns; at most {MAX_COLUMNS} are read",
            f"de kopregel heeft {width} kolommen; er worden er maximaal {MAX_COLUMNS} gelezen",
            row=header_row,
        )
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
        if (first is None or not first.strip()) and all(_blank(c) for c in cells):
            continue
        data_rows += 1
        if n != width and fmt == "xlsx":
            # A sheet row ends at its last filled cell; a filled cell right of the header
            # is a value in a column without a name.
            if n < width:
                cells = list(cells) + [None] * (width - n)
            else:
                unnamed_with_values.update(j for j in range(width, n) if not _blank(cells[j]))
                cells = cells[:width]
        elif n != width:
            if n > width and all(_blank(c) for c in cells[width:]):
                cells = cells[:width]
            else:
                problems.append(_ragged(row, n, width, cells))
                continue
        for j in unnamed:
            if not _blank(cells[j]):
                unnamed_with_values.add(j)
        if row - 1 > MAX_ROWS:  # the frame would hold rows 2..row
            raise _refuse(
                "too_many_rows",
                f"the file has more than {MAX_ROWS:,} data rows; split it into smaller files",
                f"het bestand heeft meer dan {MAX_ROWS:,} gegevensrijen; splits het in kleinere bestanden",
            )
        if len(data) < row - 2:
            data.extend([None] * (row - 2 - len(data)))
        data.append(cells)
    for j in sorted(unnamed_with_values):
        letter = column_letter(j)
        problems.append(file_problem(
            "unnamed_column",
            "this column holds values but has no name in the header",
            "deze kolom bevat waarden maar heeft geen naam in de kopregel",
            row=header_row, column=letter,
        ))
    keep = [j for j, name in enumerate(names) if name]
    if not keep:
        raise _refuse("no_columns", "the header names no columns",
                      "de kopregel noemt geen kolommen", row=header_row)
    columns = [names[j] for j in keep]
    blank = (None,) * len(keep)
    if len(keep) == width:
        rows = [blank if cells is None else cells for cells in data]
    else:
        rows = [blank if cells is None else [cells[j] for j in keep] for cells in data]
    frame = pd.DataFrame(rows, columns=columns, dtype=object) if rows else _empty_frame(columns)
    if not data_rows:
        problems.append(file_problem(
            "empty", "the file has a header but no data rows",
            "het bestand heeft een kopregel maar geen gegevensrijen",
        ))
    table = RawTable(frame, header_row, data_rows, fmt, encoding, separator)
    return ReadResult(table, problems)


def _empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _ragged(row: int, n: int, width: int, cells: Sequence[str | None]) -> Problem:
    if n > width:
        extra = next(j for j in range(width, n) if not _blank(cells[j]))
        letter = column_letter(extra)
        return file_problem(
            "ragged_row",
            f"the row has {n} cells, the header {width}; check for a separator or a decimal comma "
            "inside an unquoted cell",
            f"de rij heeft {n} cellen, de kopregel {width}; controleer op een scheidingsteken of een "
            "decimale komma in een cel zonder aanhalingstekens",
            row=row, column=letter,
        )
    return file_problem(
        "ragged_row",
        f"the row has {n} cells, the header {width}",
        f"de rij heeft {n} cellen, de kopregel {width}",
        row=row,
    )

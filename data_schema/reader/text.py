"""Reading a CSV text file: its encoding, its separator and its rows.

- **Encoding**: UTF-8 with or without a byte-order mark; UTF-16 with a byte-order mark
  (Excel's "Unicode text"); otherwise Windows-1252 (Excel's "CSV (semicolon
  delimited)" on a Dutch Windows) when the bytes are not UTF-8. Text with control
  characters (other than tab, CR and LF) is binary content and refused.
- **Separator**: the most frequent of ``;``, ``,`` and tab on the header line; a tie
  goes to ``;`` (what Dutch Excel writes), then ``,``.
- **Quotes** follow RFC 4180 (``"a;b"``, ``""`` inside quotes); a cell may hold at most
  ``csv.field_size_limit()`` characters (128 KiB by default).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Iterator, Sequence

import pandas as pd

from ..i18n import Text
from ..problems import Problem
from . import limits
from .table import SAVE_AS, RawTable, ReadResult, build, header_name, refuse

SEPARATORS = (";", ",", "\t")  # ties go to the first: ';' is what Dutch Excel writes

# C0 controls except tab/LF/CR, DEL and C1 controls: never in a text export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with; raises ``Refused``."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise refuse("undecodable", detail=Text("reader.bad_utf16"), hint=SAVE_AS) from None
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise refuse("undecodable", detail=Text("reader.bad_utf8", line=_line_of_bytes(data, exc.start),
                                                    byte=f"{data[exc.start]:02X}"), hint=SAVE_AS) from None
    else:
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                encoding, text = "cp1252", data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise refuse("undecodable", detail=Text("reader.not_text", line=_line_of_bytes(data, exc.start),
                                                        byte=f"{data[exc.start]:02X}"), hint=SAVE_AS) from None
    if text.endswith("\x1a"):  # DOS end-of-file mark
        text = text[:-1]
    bad = _CONTROL.search(text)
    if bad:
        raise refuse("binary", line=_line_of_text(text, bad.start()), char=f"{ord(bad.group()):04X}", hint=SAVE_AS)
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
        if line.strip(" \r\n\t;,\"'\ufeff"):
            counts = [line.count(sep) for sep in SEPARATORS]
            if max(counts) > 0:
                return SEPARATORS[counts.index(max(counts))]
            seen += 1
            if seen > 20:
                break
    return SEPARATORS[0]


def read_csv(data: bytes) -> ReadResult:
    if not data.strip():
        raise refuse("empty_file", detail=Text("reader.empty"))
    text, encoding = decode(data)
    separator = sniff_separator(text)
    fast = _read_simple_csv(text, separator, encoding)
    if fast is not None:
        return fast
    return build(csv_records(text, separator), "csv", encoding=encoding, separator=separator)


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
    width = counts[0]
    data_rows = 0
    for i in range(1, len(lines)):
        empty = not lines[i].replace(separator, "").strip()
        if counts[i] != width and not empty:
            return None
        data_rows += not empty
    names = [header_name(c) for c in lines[0].split(separator)]
    if not all(names) or len(names) > limits.MAX_COLUMNS or len(lines) - 1 > limits.MAX_ROWS:
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
    problems = [] if data_rows else [Problem.make("empty")]
    return ReadResult(RawTable(frame, 1, data_rows, "csv", encoding, separator), problems)


def csv_records(text: str, separator: str) -> Iterator[tuple[int, Sequence[str | None]]]:
    """``(row, cells)`` per CSV record; a quoted cell spanning lines is one row."""
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
                raise refuse("cell_too_large", row, limit=f"{csv.field_size_limit():,}") from None
            raise refuse("bad_quotes", row, error=detail) from None
        row += 1
        yield row, cells

"""The one file reader (data_schema.reader): CSV in every encoding and separator Excel
writes, XLSX, and the limits, as the importer and the scoring command meet them."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from data_schema.reader import limits, read_bytes, read_table
from data_schema.reader.table import build
from data_schema.reader.text import _read_simple_csv, csv_records, decode, sniff_separator


def write_text(folder: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- the reader


def _frame(result):
    assert result.table is not None, result.problems
    frame = result.table.frame
    return {c: [None if v is None or v == "" else v for v in frame[c].tolist()] for c in frame.columns}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_reader_encodings_and_separators(tmp_path, encoding, sep):
    content = f"Naam{sep} Team {sep}x\r\nRenée{sep}\"Noord{sep} Oost\"{sep}2,5\r\n".replace(
        "2,5", '"2,5"' if sep == "," else "2,5")
    result = read_table(write_text(tmp_path, content.encode(encoding)))
    assert result.problems == []
    assert _frame(result) == {"naam": ["Renée"], "team": [f"Noord{sep} Oost"], "x": ["2,5"]}
    assert result.table.separator == sep
    assert result.table.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp1252": "cp1252",
                                     "utf-16": "utf-16"}[encoding]


def test_reader_quoted_line_breaks_count_as_one_row(tmp_path):
    content = 'a;b\r\n"line one\r\nline two";1\r\n2;"x"";y"\r\n3;4;5\r\n'
    result = read_table(write_text(tmp_path, content))
    assert [(p.row, p.code) for p in result.problems] == [(4, "ragged_row")]
    assert _frame(result) == {"a": ["line one\r\nline two", "2"], "b": ["1", 'x";y']}


def test_reader_refuses_unclosed_quotes_and_huge_cells(tmp_path):
    result = read_table(write_text(tmp_path, 'a;b\r\n1;2\r\n"open;3\r\n4;5\r\n'))
    assert result.table is None and [(p.row, p.code) for p in result.problems] == [(3, "bad_quotes")]
    huge = "a;b\r\n1;" + "x" * (csv.field_size_limit() + 1) + "\r\n"
    result = read_table(write_text(tmp_path, huge))
    assert result.table is None and [(p.row, p.code) for p in result.problems] == [(2, "cell_too_large")]


def test_reader_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    path = write_text(tmp_path, b"\x00" * 1001)  # binary: only the size check can refuse it first
    result = read_table(path)
    assert [p.code for p in result.problems] == ["file_too_large"]
    assert "at most 0 MB" not in result.problems[0].message("en")
    path.write_bytes(b"a\n" + b"1\n" * 499)  # 1000 bytes: read
    assert read_table(path).ok


@pytest.mark.parametrize("quoted", [False, True])  # the fast and the general CSV reader
def test_reader_row_limit(tmp_path, monkeypatch, quoted):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    cell = '"1"' if quoted else "1"
    path = write_text(tmp_path, "a\n" + f"{cell}\n" * 3)
    assert read_table(path).ok
    path.write_bytes(("a\n" + f"{cell}\n" * 4).encode())
    result = read_table(path)
    assert result.table is None and [p.code for p in result.problems] == ["too_many_rows"]
    assert "more than 3 data rows" in result.problems[0].message("en")


def test_reader_empty_blank_and_header_only(tmp_path):
    for content, code in [(b"", "empty_file"), (b" \r\n\r\n", "empty_file"), (b";;;\r\n;;\r\n", "empty_file"),
                          (b"a;b\r\n", "empty"), (b"a;b\r\n;\r\n\r\n", "empty")]:
        result = read_table(write_text(tmp_path, content))
        assert [p.code for p in result.problems] == [code], content


def test_reader_unnamed_columns(tmp_path):
    result = read_table(write_text(tmp_path, "a;;b;\r\n1;;2;\r\n3;;4;\r\n"))
    assert result.problems == [] and _frame(result) == {"a": ["1", "3"], "b": ["2", "4"]}
    result = read_table(write_text(tmp_path, "a;;b\r\n1;x;2\r\n"))
    assert [(p.row, p.column, p.code) for p in result.problems] == [(1, "B", "unnamed_column")]


def test_reader_xlsx_cell_types(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Datum", "Heel", "Half", "Tekst", "Waar", "Tijd", "Leeg"])
    ws.append([dt.datetime(2024, 3, 4), 3, 2.5, " x ", True, dt.datetime(2024, 3, 4, 9, 30), None])
    ws.append([dt.date(2024, 3, 11), 3.0, 1e-5, "niet", False, None, None])
    ws["A5"] = "na een lege rij"
    ws.column_dimensions["Z"].width = 30  # formatting far away adds no columns
    wb.save(tmp_path / "types.xlsx")
    result = read_table(tmp_path / "types.xlsx")
    assert result.problems == [] and result.table.format == "xlsx"
    assert _frame(result) == {
        "datum": ["2024-03-04", "2024-03-11", None, "na een lege rij"],
        "heel": ["3", "3", None, None], "half": ["2.5", "1e-05", None, None],
        "tekst": [" x ", "niet", None, None], "waar": ["true", "false", None, None],
        "tijd": ["2024-03-04 09:30:00", None, None, None], "leeg": [None, None, None, None],
    }


def test_reader_refuses_an_xlsx_that_unpacks_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_UNPACKED_BYTES", 10_000)
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "0" * 20_000)
    result = read_table(tmp_path / "bomb.xlsx")
    assert [p.code for p in result.problems] == ["file_too_large"]


def test_short_rows_are_filled_up_and_long_rows_reported(tmp_path):
    # Some programs drop a row's empty trailing cells: the row is read with empty cells,
    # as a sheet row that ends at its last filled cell is.
    result = read_table(write_text(tmp_path, "a;b;c\r\n1;2\r\n3\r\n4;5;6;7\r\n8;9;10;;\r\n"))
    assert [(p.row, p.column, p.code) for p in result.problems] == [(4, "D", "ragged_row")]
    assert _frame(result) == {"a": ["1", "3", None, "8"], "b": ["2", None, None, "9"], "c": [None, None, None, "10"]}
    assert "check for a separator or a decimal comma" in result.problems[0].message("en")


def test_bytes_read_like_a_file_csv_and_xlsx(tmp_path):
    text = "case_id;emo_distress\r\nP1;2\r\n".encode("cp1252")
    assert _frame(read_bytes(text)) == _frame(read_table(write_text(tmp_path, text)))
    wb = openpyxl.Workbook()
    wb.active.append(["case_id", "emo_distress"])
    wb.active.append(["P1", 2])
    wb.save(tmp_path / "x.xlsx")
    assert _frame(read_bytes((tmp_path / "x.xlsx").read_bytes())) == {"case_id": ["P1"], "emo_distress": ["2"]}
    refused = read_bytes(b"not a workbook", suffix=".xlsx")
    assert refused.table is None and [p.code for p in refused.problems] == ["not_xlsx"]
    assert "named .xlsx" in refused.problems[0].message("en") and "CSV UTF-8" in refused.problems[0].message("en")
    assert "Excel-werkmap" in refused.problems[0].message("nl")


def test_a_tie_between_separators_goes_to_the_semicolon(tmp_path):
    result = read_table(write_text(tmp_path, "a;b,c\r\n1;2,3\r\n"))
    assert result.table.separator == ";" and _frame(result) == {"a": ["1"], "b,c": ["2,3"]}


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(st.text(alphabet=st.characters(blacklist_characters='"\r\n\x85\u2028\u2029',
                                                               blacklist_categories=("Cc", "Cs")), max_size=5),
                              min_size=3, max_size=3), min_size=1, max_size=6),
       sep=st.sampled_from([";", ",", "\t"]), newline=st.sampled_from(["\r\n", "\n"]))
def test_fast_csv_reader_agrees_with_the_general_one(rows, sep, newline):
    header = ["a", "b", "c"]
    assume(all(sep not in cell for row in rows for cell in row))
    text = newline.join(sep.join(r) for r in [header, *rows]) + newline
    text, encoding = decode(text.encode("utf-8"))
    assert sniff_separator(text) == sep
    fast = _read_simple_csv(text, sep, encoding)
    general = build(csv_records(text, sep), "csv", encoding=encoding, separator=sep)

    def cells(result):
        frame = result.table.frame
        return [[None if (v is None or not str(v).strip()) else v for v in row]
                for row in frame.itertuples(index=False, name=None)]

    assert fast is not None  # no quotes and equal widths: the fast reader takes it
    assert cells(fast)[:len(cells(general))] == cells(general)
    assert all(all(v is None for v in row) for row in cells(fast)[len(cells(general)):])
    assert (fast.table.header_row, fast.table.data_rows) == (general.table.header_row, general.table.data_rows)
    assert [p.code for p in fast.problems] == [p.code for p in general.problems]
    assert list(fast.table.frame.columns) == list(general.table.frame.columns)

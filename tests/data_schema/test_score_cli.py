"""The scoring command ``python -m complexity score`` (``data_schema.cli.score``, also
``python -m data_schema score``): files read as the importer reads them (CSV the way
Excel writes it, XLSX), scores out, the options, help and ``columns``. Bad input, messages
and fuzzing: ``test_score_cli_errors.py``.

Most tests call :func:`data_schema.cli.score.main` in-process; the end-to-end tests run
the real ``python -m complexity`` and ``python -m data_schema`` in a subprocess.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import data_schema.cli
from complexity import INSTRUMENT, score_cases
from complexity.scoring import DOMAINS
from tests.data_schema.score_files import (
    CASES, HEADER, P01_COMPLEXITY, POINT_COLUMNS, REPO, H as _H, csv_bytes, expected_frame, read_scores, run,
    write, xlsx_bytes,
)


# --------------------------------------------------------------------------- happy paths


def test_scores_a_comma_file_into_an_output_file(tmp_path, capsys):
    src = write(tmp_path / "cases.csv", csv_bytes(CASES))
    out_path = tmp_path / "scores.csv"
    rc, out, err = run(capsys, "score", str(src), "-o", str(out_path))
    assert rc == 0
    assert out == ""
    assert err == f"scored 5 cases (1 incomplete) -> {out_path}\n"
    scores = read_scores(out_path)
    assert list(scores.columns) == list(score_cases(expected_frame()).columns)
    assert list(scores["case_id"]) == ["P01", "P02", "P03", "P04", "P05"]
    assert out_path.read_bytes().startswith(b"case_id,complexity,complexity_low,complexity_high,unrated_items,band,")
    assert not list(tmp_path.glob(".*tmp")), "no temporary file may be left behind"


def test_written_scores_equal_score_cases_rounded(tmp_path, capsys):
    src = write(tmp_path / "cases.csv", csv_bytes(CASES))
    rc, out, _ = run(capsys, "score", str(src))
    assert rc == 0
    written = read_scores(out)
    truth = score_cases(expected_frame())
    for k, case in enumerate(truth["case_id"]):
        row = written.iloc[k]
        assert row["case_id"] == case
        rounded = [(col, 2) for col in POINT_COLUMNS] + [(col, 3) for col in (*DOMAINS, "interaction_share")]
        for col, decimals in rounded:
            want = truth[col].iloc[k]
            if np.isnan(want):
                assert row[col] == ""
            else:
                assert float(row[col]) == pytest.approx(round(want, decimals), abs=1e-9)
                assert len(row[col].partition(".")[2]) <= decimals
        assert row["band"] == truth["band"].iloc[k]
        assert row["flags"] == truth["flags"].iloc[k]
    # A known case: with every item at 2, both the additive and the interaction part
    # take their value at x = 2/3: 100 * ((1 - g) * x + g * x * x).
    p01 = written.set_index("case_id").loc["P01"]
    assert p01["complexity"] == f"{P01_COMPLEXITY:.2f}"
    assert p01["band"] == "moderate" and p01["complete"] == "True"
    # The incomplete case: empty complexity, band 'incomplete'; levels print as integers.
    p03 = written.set_index("case_id").loc["P03"]
    assert p03["complexity"] == "" and p03["band"] == "incomplete" and p03["complete"] == "False"
    assert p01["safety_concern"] == "2" and p03["safety_concern"] == ""


def test_dutch_excel_semicolon_bom_crlf_gives_the_same_scores(tmp_path, capsys):
    comma = write(tmp_path / "comma.csv", csv_bytes(CASES))
    excel = write(tmp_path / "excel.csv", csv_bytes(CASES, sep=";", newline="\r\n", bom=True))
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfcase_id;content_chronicity;")
    rc1, out1, _ = run(capsys, "score", str(comma))
    rc2, out2, _ = run(capsys, "score", str(excel))
    assert rc1 == rc2 == 0
    assert out2 == out1


def test_tab_separated_and_padded_cells_and_blank_lines_read_the_same(tmp_path, capsys):
    comma = write(tmp_path / "comma.csv", csv_bytes(CASES))
    padded = [[f"  {c} " for c in row] for row in CASES]
    text = csv_bytes(padded, header=[f" {h}" for h in HEADER], sep="\t").decode()
    text = text.replace("\n", "\n\n", 1) + "\t\t\n\n"  # a blank line after the header, blank tail
    tabbed = write(tmp_path / "tabbed.tsv", text)
    assert run(capsys, "score", str(tabbed))[1] == run(capsys, "score", str(comma))[1]


def test_decimal_comma_is_read_in_any_file_as_the_importer_reads_it(tmp_path, capsys):
    plain = write(tmp_path / "plain.csv", "case_id;emo_distress;emo_anxiety\nP1;2;1\n")
    dutch = write(tmp_path / "dutch.csv", "case_id;emo_distress;emo_anxiety\nP1;2,0;1,0\n")
    assert run(capsys, "score", str(dutch))[:2] == run(capsys, "score", str(plain))[:2]

    # In a comma-separated file a quoted "2,0" is one cell, read as 2 (it used to be refused).
    comma = write(tmp_path / "comma.csv", 'case_id,emo_distress,emo_anxiety\nP1,"2,0",1\n')
    rc, out, err = run(capsys, "score", str(comma))
    assert rc == 0, err
    assert out == run(capsys, "score", str(plain))[1]

    half = write(tmp_path / "half.csv", "case_id;emo_distress\nP1;2,5\n")
    rc, _, err = run(capsys, "score", str(half))
    assert rc == 2 and "row 2, column emo_distress: 2,5 is not a whole number" in err


def test_short_rows_are_padded_and_empty_trailing_cells_ignored(tmp_path, capsys):
    full = write(tmp_path / "full.csv", f"{_H}\nP1,2,\nP2,1,1\n")
    ragged = write(tmp_path / "ragged.csv", f"{_H},,\nP1,2\nP2,1,1,,\n")
    rc, out, err = run(capsys, "score", str(ragged))
    assert rc == 0, err
    assert out == run(capsys, "score", str(full))[1]


def test_utf16_with_byte_order_mark_is_read(tmp_path, capsys):
    """Excel's "Unicode text" is UTF-16 with a BOM and tabs; the BOM makes it unambiguous."""
    utf8 = write(tmp_path / "utf8.csv", csv_bytes(CASES))
    utf16 = write(tmp_path / "utf16.txt", csv_bytes(CASES, sep="\t", newline="\r\n").decode().encode("utf-16"))
    assert utf16.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    rc, out, err = run(capsys, "score", str(utf16))
    assert rc == 0, err
    assert out == run(capsys, "score", str(utf8))[1]


def test_windows_1252_is_read(tmp_path, capsys):
    """Excel's "CSV (semicolon delimited)" on a Dutch Windows is Windows-1252; it used to
    be refused as "not UTF-8", it is read now, as by the importer."""
    src = write(tmp_path / "cp1252.csv", f"{_H}\nP1,1,1\nPé,1,1\n".encode("cp1252"))
    rc, out, err = run(capsys, "score", str(src))
    assert rc == 0, err
    assert list(read_scores(out)["case_id"]) == ["P1", "Pé"]


def test_an_excel_workbook_is_read_like_the_csv(tmp_path, capsys, monkeypatch):
    csv_path = write(tmp_path / "cases.csv", csv_bytes(CASES))
    book = write(tmp_path / "cases.xlsx", xlsx_bytes(CASES))
    rc, from_csv, _ = run(capsys, "score", str(csv_path))
    rc2, from_xlsx, err = run(capsys, "score", str(book))
    assert rc == rc2 == 0, err
    assert from_xlsx == from_csv
    assert err == "scored 5 cases (1 incomplete)\n"
    # From standard input too: the workbook is recognised by its content.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(book.read_bytes())))
    assert run(capsys, "score", "-")[:2] == (0, from_csv)


def test_headers_are_read_in_any_case(tmp_path, capsys):
    upper = write(tmp_path / "upper.csv", csv_bytes(CASES, header=[h.upper() for h in HEADER]))
    lower = write(tmp_path / "lower.csv", csv_bytes(CASES))
    rc, out, err = run(capsys, "score", str(upper))
    assert rc == 0, err
    assert out == run(capsys, "score", str(lower))[1]


def test_case_ids_are_kept_verbatim_even_with_separators_or_commas(tmp_path, capsys):
    src = write(tmp_path / "ids.csv", 'case_id;emo_distress\n"A;1";2\n"2,0";1\nméé;3\n')
    rc, out, _ = run(capsys, "score", str(src))
    assert rc == 0
    assert list(read_scores(out)["case_id"]) == ["A;1", "2,0", "méé"]


def test_stdout_mode_and_stdin_dash(tmp_path, capsys, monkeypatch):
    data = csv_bytes(CASES)
    src = write(tmp_path / "cases.csv", data)
    rc, from_file, err = run(capsys, "score", str(src))
    assert rc == 0 and err == "scored 5 cases (1 incomplete)\n"
    assert len(read_scores(from_file)) == 5
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    rc, from_stdin, _ = run(capsys, "score", "-")
    assert rc == 0 and from_stdin == from_file


def test_quiet_prints_nothing_on_stderr(tmp_path, capsys):
    src = write(tmp_path / "cases.csv", csv_bytes(CASES))
    rc, out, err = run(capsys, "score", "-q", str(src), "-o", str(tmp_path / "o.csv"))
    assert (rc, out, err) == (0, "", "")


def test_output_separator_and_decimal_mark(tmp_path, capsys):
    src = write(tmp_path / "cases.csv", csv_bytes(CASES))
    rc, out, _ = run(capsys, "score", str(src), "--sep", ";", "--decimal", ",")
    assert rc == 0
    header, first = out.splitlines()[:2]
    assert header.startswith("case_id;complexity;complexity_low;complexity_high;unrated_items;band;content;")
    points = f"{P01_COMPLEXITY:.2f}".replace(".", ",")  # every item rated: the range is the score
    assert first.startswith(f"P01;{points};{points};{points};0;moderate;2,0;")
    rc, out, _ = run(capsys, "score", str(src), "--sep", "tab")
    assert rc == 0 and out.startswith("case_id\tcomplexity\tcomplexity_low\t")
    rc, out, err = run(capsys, "score", str(src), "--decimal", ",")
    assert rc == 2 and out == "" and "--decimal" in err and "Traceback" not in err


def test_existing_output_is_replaced_on_success_and_kept_on_failure(tmp_path, capsys):
    out_path = write(tmp_path / "scores.csv", "old scores\n")
    bad = write(tmp_path / "bad.csv", "case_id,emo_distress\nP1,7\n")
    rc, _, err = run(capsys, "score", str(bad), "-o", str(out_path))
    assert rc == 2 and out_path.read_text() == "old scores\n"
    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    rc, _, _ = run(capsys, "score", str(good), "-o", str(out_path))
    assert rc == 0 and out_path.read_text().startswith("case_id,complexity")


def test_a_failed_write_leaves_neither_a_partial_file_nor_a_temp_file(tmp_path, capsys, monkeypatch):
    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    out_path = write(tmp_path / "scores.csv", "old scores\n")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(data_schema.cli.os, "replace", disk_full)
    rc, out, err = run(capsys, "score", str(good), "-o", str(out_path))
    assert rc == 2 and out == ""
    assert f"error: cannot write {out_path}: No space left on device" in err
    assert out_path.read_text() == "old scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv", "scores.csv"]


def test_a_new_output_file_gets_normal_permissions(tmp_path, capsys):
    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    out_path = tmp_path / "scores.csv"
    assert run(capsys, "score", str(good), "-o", str(out_path))[0] == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out_path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_help_and_usage(capsys):
    rc, out, _ = run(capsys, "--help")
    assert rc == 0 and "score" in out and "columns" in out and "codebook" not in out
    rc, out, _ = run(capsys, "score", "--help")
    assert rc == 0
    flat = " ".join(out.split())
    for text in ("INPUT", "--output", "--sep", "--lang", "case_id", "exit status", "CSV UTF-8", "Windows-1252",
                 ".xlsx", "'2,0' is 2", "the header is row 1", "python -m complexity columns"):
        assert text in flat
    rc, out, err = run(capsys)
    assert rc == 2 and "usage:" in err and "Traceback" not in err
    rc, _, err = run(capsys, "score", "x.csv", "--sep", "|")
    assert rc == 2 and "invalid choice" in err
    rc, _, err = run(capsys, "score", "x.csv", "--lang", "de")
    assert rc == 2 and "invalid choice" in err
    rc, out, _ = run(capsys, "--version")
    assert rc == 0 and INSTRUMENT.version in out


def test_columns_lists_case_id_and_every_item(capsys):
    rc, out, _ = run(capsys, "columns")
    assert rc == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(HEADER)
    assert "required: the case's identifier, unique within the file" in out.splitlines()[0]
    assert INSTRUMENT.items[0].label("en") in out
    rc, out, _ = run(capsys, "columns", "--lang", "nl")
    assert rc == 0 and [line.split()[0] for line in out.splitlines()] == list(HEADER)
    assert "verplicht: het kenmerk van de casus" in out and INSTRUMENT.items[0].label("nl") in out


def test_data_schema_runs_the_same_commands(tmp_path, capsys):
    """``python -m data_schema score|columns`` is the same command; only the program
    name in its hints differs."""
    bad = write(tmp_path / "bad.csv", "case_id,emo_distres,emo_anxiety\nP1,1,1\nP2,1,4\nP1,1,1\n")
    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    for argv in (["score", str(bad)], ["score", str(good)], ["score", str(bad), "--lang", "nl"], ["columns"]):
        via_complexity = run(capsys, *argv)
        rc = data_schema.cli.main(argv)
        out, err = capsys.readouterr()
        assert (rc, out, err.replace("python -m data_schema", "python -m complexity")) == via_complexity
    assert "'python -m data_schema columns'" in run_data_schema(capsys, "score", str(bad))[2]


def run_data_schema(capsys, *argv: str) -> tuple[int, str, str]:
    rc = data_schema.cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# --------------------------------------------------------------------------- end to end


def python_m(*args: str, stdin: bytes | None = None, module: str = "complexity") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO, input=stdin, capture_output=True, timeout=120,
    )


def test_end_to_end_score_to_file_and_stdout(tmp_path):
    src = write(tmp_path / "cases.csv", csv_bytes(CASES, sep=";", newline="\r\n", bom=True))
    out_path = tmp_path / "scores.csv"
    done = python_m("score", str(src), "-o", str(out_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"" and done.stderr == f"scored 5 cases (1 incomplete) -> {out_path}\n".encode()
    piped = python_m("score", "-", stdin=src.read_bytes())
    assert piped.returncode == 0 and piped.stdout == out_path.read_bytes()
    assert len(read_scores(out_path)) == 5
    book = write(tmp_path / "cases.xlsx", xlsx_bytes(CASES))
    from_book = python_m("score", str(book), "-q")
    assert (from_book.returncode, from_book.stderr) == (0, b"") and from_book.stdout == out_path.read_bytes()


def test_end_to_end_bad_input_gives_the_same_problems_from_both_programs(tmp_path):
    src = write(tmp_path / "bad.csv", f"{_H}\nP1,1,1\nP2,1,4\n")
    done = python_m("score", str(src), "-o", str(tmp_path / "scores.csv"))
    assert done.returncode == 2 and done.stdout == b""
    err = done.stderr.decode()
    assert "  row 3, column emo_anxiety: 4 is outside 0-3\n" in err and "Traceback" not in err
    assert not (tmp_path / "scores.csv").exists()
    same = python_m("score", str(src), "-o", str(tmp_path / "scores.csv"), module="data_schema")
    assert (same.returncode, same.stdout, same.stderr) == (2, b"", done.stderr)
    dutch = python_m("score", str(src), "--lang", "nl", module="data_schema")
    assert dutch.returncode == 2 and "  rij 3, kolom emo_anxiety: 4 ligt buiten 0-3\n" in dutch.stderr.decode()

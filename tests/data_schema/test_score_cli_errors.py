"""The scoring command on bad input: exit 2 naming every problem by spreadsheet row and
column (in English or Dutch), unwritable output, unexpected errors (exit 1), a closed
pipe (141), and fuzzing: random bytes, CSV-like text and tables exit 0 or 2, never with
a traceback.
"""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import data_schema.cli
from complexity import score_cases
from data_schema.cli import score as cli
from tests.data_schema.score_files import (
    CASES, HEADER, ITEMS, H as _H, csv_bytes, expected_frame, read_scores, run, write,
)


# --------------------------------------------------------------------------- bad input

_SAVE_AS = 'save it from Excel as "CSV UTF-8"'
_LEVELS = "hint: rate every item with a whole number 0-3"
BAD_INPUTS = {
    # name: (file bytes, substrings stderr must contain); rows as a spreadsheet shows them
    "unknown column": (
        "case_id,emo_distres\nP1,1\n",
        ["column emo_distres: unknown column (did you mean 'emo_distress'?)", "'python -m complexity columns'"],
    ),
    "missing case_id": ("case,emo_distress\nP1,1\n", ["column case_id: this required column is missing"]),
    "misspelt case_id": (
        "Case ID,emo_distress\nP1,1\n",
        ["column case id: unknown column (did you mean 'case_id'?)", "column case_id: this required column is missing"],
    ),
    "duplicate column": (
        "case_id,emo_distress,emo_distress\nP1,1,1\n",
        ["column emo_distress: this column appears more than once"],
    ),
    "duplicate case id": (
        f"{_H}\nP1,1,1\nP2,1,1\nP1,2,2\n",
        ["row 4, column case_id: P1 also appears in row 2", "hint: every row needs its own, non-empty 'case_id'"],
    ),
    "empty case id": (f"{_H}\nP1,1,1\n,2,2\n", ["row 3, column case_id: a value is required"]),
    "outside 0-3": (f"{_H}\nP1,1,1\nP2,1,4\n", ["row 3, column emo_anxiety: 4 is outside 0-3", _LEVELS]),
    "negative": (f"{_H}\nP1,-1,1\n", ["row 2, column emo_distress: -1 is outside 0-3"]),
    "not whole": (f"{_H}\nP1,1.5,1\n", ["row 2, column emo_distress: 1.5 is not a whole number"]),
    "not a number": (f"{_H}\nP1,1,abc\n", ["row 2, column emo_anxiety: 'abc' is not a number"]),
    "exponent is not a number": (f"{_H}\nP1,1e3,1\n", ["row 2, column emo_distress: '1e3' is not a number"]),
    "several problems at once": (
        f"{_H}\nP1,9,1\nP2,1,x\nP1,0.5,1\n",
        [
            "  row 2, column emo_distress: 9 is outside 0-3\n"
            "  row 3, column emo_anxiety: 'x' is not a number\n"
            "  row 4, column case_id: P1 also appears in row 2\n"
            "  row 4, column emo_distress: 0.5 is not a whole number\n",
            _LEVELS,
        ],
    ),
    "rows numbered with blank rows kept": (f"{_H}\n\nP1,1,1\n\n\nP2,1,5\n", ["row 6, column emo_anxiety"]),
    "a quoted cell spanning lines is one row": (
        f'{_H}\n"P\n1",1,1\nP2,1,5\n', ["row 3, column emo_anxiety: 5 is outside 0-3"]
    ),
    "rows numbered with CR line ends": (f"{_H}\rP1,1,1\rP2,7,1\r", ["row 3, column emo_distress"]),
    "empty file": (b"", ["  the file is empty\n"]),
    "header only": (f"{_H}\r\n", ["  the file has no data rows"]),
    "only blank lines": ("\n\n;;\n", ["the file is empty: there is no header row"]),
    "undecodable bytes": (
        f"{_H}\nP1,1,1\nP\x81,1,1\n".encode("latin-1"),
        ["line 3: byte 0x81 is neither UTF-8 nor Windows-1252 text", _SAVE_AS],
    ),
    "more cells than the header": (
        f"{_H}\nP1,1,1\nP2,1,1,3\n",
        ["row 3, column D: the row has 4 cells, the header 3", "hint: every row must have the same columns"],
    ),
    "unnamed column with values": (
        "case_id,emo_distress,,emo_anxiety\nP1,1,,1\nP2,1,2,1\n",
        ["row 1, column C: this column holds values but has no name in the header"],
    ),
    "unterminated quote": (f'{_H}\nP1,1,1\nP2,"1,1\nP3,1,1\n', ["row 3: the row cannot be split into cells"]),
    "text after a closing quote": (f'{_H}\nP1,"1"x,1\n', ["row 2: the row cannot be split into cells"]),
    "binary garbage": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", ["binary content", _SAVE_AS]),
    "cell larger than the CSV field limit": (
        f'{_H}\nP1,1,1\nP2,"{"1" * 200_000}",1\n', ["row 3: a cell holds more than"]
    ),
    "NUL bytes": (f"{_H}\nP1,1\x00,1\n".encode(), ["line 2: contains the control character U+0000"]),
    "damaged Excel workbook": (
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)),
        ["cannot be read as an Excel workbook (.xlsx)", _SAVE_AS],
    ),
    "old Excel workbook": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), ["old Excel workbook (.xls)", _SAVE_AS]),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_exits_2_naming_row_and_column(name, tmp_path, capsys):
    content, expected = BAD_INPUTS[name]
    src = write(tmp_path / "input.csv", content)
    out_path = tmp_path / "scores.csv"
    rc, out, err = run(capsys, "score", str(src), "-o", str(out_path))
    assert rc == 2, err
    assert out == ""
    assert err.splitlines()[0] == f"error: cannot score {src}:"
    for text in expected:
        assert text in err
    assert "Traceback" not in err
    assert not out_path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv"]


def test_messages_in_dutch(tmp_path, capsys):
    bad = write(tmp_path / "bad.csv", f"{_H}\nP1,1,1\nP2,1,4\nP1,x,1\n")
    rc, out, err = run(capsys, "score", str(bad), "--lang", "nl")
    assert (rc, out) == (2, "")
    assert err.splitlines() == [
        f"fout: kan {bad} niet scoren:",
        "  rij 3, kolom emo_anxiety: 4 ligt buiten 0-3",
        "  rij 4, kolom case_id: P1 staat ook in rij 2",
        "  rij 4, kolom emo_distress: 'x' is geen getal",
        "tip: scoor elk item met een heel getal 0-3, of laat de cel leeg voor 'niet gescoord'",
        "tip: elke rij heeft een eigen, niet-lege 'case_id' nodig",
    ]
    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    out_path = tmp_path / "scores.csv"
    rc, _, err = run(capsys, "score", "--lang", "nl", str(good), "-o", str(out_path))
    assert rc == 0 and err == f"5 casussen gescoord (1 onvolledig) -> {out_path}\n"
    one = write(tmp_path / "one.csv", csv_bytes(CASES[:1]))
    assert run(capsys, "score", str(one), "--lang", "nl")[2] == "1 casus gescoord (0 onvolledig)\n"
    assert run(capsys, "score", str(one))[2] == "scored 1 case (0 incomplete)\n"
    rc, _, err = run(capsys, "score", str(tmp_path / "nope.csv"), "--lang", "nl")
    assert rc == 2 and err.startswith(f"fout: kan {tmp_path / 'nope.csv'} niet scoren:\n  ")
    rc, _, err = run(capsys, "score", str(good), "--lang", "nl", "--decimal", ",")
    assert rc == 2 and err.startswith("fout: --decimal ',' kan niet hetzelfde zijn als --sep")


def test_every_problem_is_reported_up_to_a_limit(tmp_path, capsys):
    rows = "".join(f"P{i},9,1\n" for i in range(250))
    src = write(tmp_path / "many.csv", f"{_H}\n{rows}")
    rc, _, err = run(capsys, "score", str(src))
    assert rc == 2
    assert "row 2, column emo_distress: 9 is outside 0-3" in err
    assert "row 201, column emo_distress" in err and "row 202," not in err
    assert "... and 50 more problems" in err


def test_missing_file_directory_and_unwritable_output(tmp_path, capsys):
    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    missing_dir = tmp_path / "missing" / "scores.csv"
    nope = tmp_path / "nope.csv"
    cases = [
        (["score", str(nope)], f"error: cannot score {nope}:\n  file not found: nope.csv"),
        (["score", str(tmp_path)], f"error: cannot score {tmp_path}:\n  {tmp_path.name} is not a file"),
        (
            ["score", str(good), "-o", str(missing_dir)],
            f"error: cannot write {missing_dir}: the directory '{missing_dir.parent}' does not exist\n"
            "hint: create it first",
        ),
        (["score", str(good), "-o", str(tmp_path)], f"error: cannot write {tmp_path}: it is a directory"),
        (["score", str(good), "-o", str(good)], f"error: cannot write {good}: that is the input file"),
    ]
    for argv, message in cases:
        rc, out, err = run(capsys, *argv)
        assert (rc, out) == (2, ""), err
        assert err.startswith(message) and "Traceback" not in err
    assert not missing_dir.parent.exists()
    assert good.read_bytes() == csv_bytes(CASES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv"]


def test_an_unexpected_error_is_one_line_with_exit_1(tmp_path, capsys, monkeypatch):
    good = write(tmp_path / "good.csv", csv_bytes(CASES))

    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "score_cases", broken)
    rc, out, err = run(capsys, "score", str(good), "-o", str(tmp_path / "o.csv"))
    assert rc == 1 and out == ""
    assert err.startswith("error: unexpected internal error (RuntimeError: boom second line)")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()
    rc, _, err = run(capsys, "score", str(good), "--lang", "nl")
    assert rc == 1 and err.startswith("fout: onverwachte interne fout (RuntimeError: boom second line)")
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "score", str(good)])


def test_a_closed_pipe_on_stdout_ends_quietly(tmp_path, capsys, monkeypatch):
    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    rc = cli.main(["score", str(good)])
    assert rc == data_schema.cli.EXIT_BROKEN_PIPE == 141
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Valid tables go through full validation (about 70 ms each), so fewer of them.
FUZZ_VALID = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def main_on(path: Path, content: bytes, *extra: str) -> tuple[int, str, str]:
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = cli.main(["score", str(path), *extra])
    return rc, out.getvalue(), err.getvalue()


def check_outcome(rc: int, out: str, err: str) -> None:
    assert rc in (0, 2), err
    assert "Traceback" not in err
    if rc == 2:
        assert err.startswith("error: ") and out == ""
    else:
        assert out.startswith("case_id,complexity,") and err.startswith("scored ")


@FUZZ
@given(content=st.binary(max_size=400))
def test_random_bytes_exit_0_or_2(fuzz_dir, content):
    check_outcome(*main_on(fuzz_dir / "bytes.csv", content))


_TOKENS = st.sampled_from(
    [*HEADER[:4], "safety_concern", "case_id", "0", "1", "2", "3", "4", "-1", "1.5", "2,0", "1e3",
     "nan", "inf", "x", "", " ", ",", ";", "\t", "\n", "\r\n", "\r", '"', '""', "\ufeff", "é", "\x00"]
)


@FUZZ
@given(tokens=st.lists(_TOKENS, max_size=60), noise=st.text(max_size=20))
def test_random_csv_like_text_exits_0_or_2(fuzz_dir, tokens, noise):
    text = "".join(tokens) + noise
    check_outcome(*main_on(fuzz_dir / "text.csv", text.encode("utf-8", "surrogatepass")))


_CELL = st.sampled_from(["", "0", "1", "2", "3", " 2 ", "2.0", "3,0", "4", "1.5", "x", "-0"])


@FUZZ
@given(
    columns=st.lists(st.sampled_from([*ITEMS[:8], *ITEMS[-3:], "bogus", "case_id", ""]), max_size=8),
    cells=st.lists(st.lists(_CELL, max_size=10), max_size=8),
    ids=st.lists(st.sampled_from(["P1", "P2", "P3", "", " P4 "]), min_size=8, max_size=8),
    sep=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_random_tables_exit_0_or_2(fuzz_dir, columns, cells, ids, sep, newline, bom):
    rows = [[ids[k], *row] for k, row in enumerate(cells)]
    content = csv_bytes(rows, header=["case_id", *columns], sep=sep, newline=newline, bom=bom)
    check_outcome(*main_on(fuzz_dir / "table.csv", content))


@FUZZ_VALID
@given(
    levels=st.lists(
        st.lists(st.sampled_from(["", "0", "1", "2", "3"]), min_size=len(ITEMS), max_size=len(ITEMS)),
        min_size=1, max_size=6,
    ),
    sep=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    pad=st.sampled_from(["", " ", "  "]),
    decimal_comma=st.booleans(),
)
def test_any_dialect_of_a_valid_table_scores_like_score_cases(
    fuzz_dir, levels, sep, newline, bom, pad, decimal_comma
):
    rows = [[f"C{k}", *row] for k, row in enumerate(levels)]
    # A decimal comma reads in every file; in a comma-separated one the cell is quoted.
    comma = (lambda v: f'"{pad}{v},0{pad}"') if sep == "," else (lambda v: f"{pad}{v},0{pad}")
    dialect_rows = [[row[0], *(comma(v) if v and decimal_comma else f"{pad}{v}" for v in row[1:])] for row in rows]
    content = csv_bytes(dialect_rows, sep=sep, newline=newline, bom=bom)
    rc, out, err = main_on(fuzz_dir / "valid.csv", content)
    assert rc == 0, err
    written = read_scores(out)
    truth = score_cases(expected_frame(rows))
    assert list(written["case_id"]) == list(truth["case_id"])
    want = truth["complexity"].round(2).to_numpy()
    got = pd.to_numeric(written["complexity"].replace("", np.nan)).to_numpy(dtype=float)
    np.testing.assert_allclose(got, want, atol=1e-9)
    assert list(written["band"]) == list(truth["band"].astype(str))

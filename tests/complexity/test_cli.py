"""The command line ``python -m complexity score``: reading CSV the way Excel writes it,
scores out, and a clear ``error:`` naming the file line and column for every bad input.

Error cases call :func:`complexity.cli.main` in-process; a few end-to-end tests run the
real ``python -m complexity`` in a subprocess.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complexity import DEFAULT_CONFIG, INSTRUMENT, cli, score_cases
from complexity.scoring import DOMAINS

REPO = Path(__file__).resolve().parents[2]
ITEMS = INSTRUMENT.item_ids
HEADER = ("case_id", *ITEMS)
_G = DEFAULT_CONFIG.scoring.interaction_strength
P01_COMPLEXITY = 100 * ((1 - _G) * 2 / 3 + _G * 4 / 9)  # every item at 2
POINT_COLUMNS = ["complexity", "interaction", *(f"contrib_{d}" for d in DOMAINS)]


def _cases() -> list[list[str]]:
    """Five cases as text cells: fixed patterns plus an incomplete one."""
    rng = np.random.default_rng(7)
    rows = [
        ["P01", *("2" for _ in ITEMS)],
        ["P02", *(str(v) for v in rng.integers(0, 4, len(ITEMS)))],
        ["P03", *(str(v) if k < 6 else "" for k, v in enumerate(rng.integers(0, 4, len(ITEMS))))],
        ["P04", *("0" for _ in ITEMS)],
        ["P05", *(str(v) if k % 3 else "" for k, v in enumerate(rng.integers(0, 4, len(ITEMS))))],
    ]
    return rows


CASES = _cases()


def csv_bytes(rows, header=HEADER, sep=",", newline="\n", bom=False) -> bytes:
    text = newline.join(sep.join(r) for r in [list(header), *rows]) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def expected_frame(rows=CASES, header=HEADER) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in rows], columns=list(header), dtype=str)


def read_scores(path_or_text, sep=",") -> pd.DataFrame:
    source = io.StringIO(path_or_text) if isinstance(path_or_text, str) else path_or_text
    return pd.read_csv(source, sep=sep, dtype=str, keep_default_na=False)


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
    assert out_path.read_bytes().startswith(b"case_id,complexity,band,")
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
        for col in POINT_COLUMNS:
            want = truth[col].iloc[k]
            if np.isnan(want):
                assert row[col] == ""
            else:
                assert float(row[col]) == pytest.approx(round(want, 2), abs=1e-9)
                assert len(row[col].partition(".")[2]) <= 2
        for col in (*DOMAINS, "interaction_share"):
            want = truth[col].iloc[k]
            if np.isnan(want):
                assert row[col] == ""
            else:
                assert float(row[col]) == pytest.approx(round(want, 3), abs=1e-9)
                assert len(row[col].partition(".")[2]) <= 3
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


def test_decimal_comma_is_read_only_when_the_separator_is_not_a_comma(tmp_path, capsys):
    plain = write(tmp_path / "plain.csv", "case_id;emo_distress;emo_anxiety\nP1;2;1\n")
    dutch = write(tmp_path / "dutch.csv", "case_id;emo_distress;emo_anxiety\nP1;2,0;1,0\n")
    assert run(capsys, "score", str(dutch))[:2] == run(capsys, "score", str(plain))[:2]

    comma = write(tmp_path / "comma.csv", 'case_id,emo_distress,emo_anxiety\nP1,"2,0",1\n')
    rc, out, err = run(capsys, "score", str(comma))
    assert rc == 2 and out == ""
    assert "line 2, column 'emo_distress': '2,0' is not a number" in err

    half = write(tmp_path / "half.csv", "case_id;emo_distress\nP1;2,5\n")
    rc, _, err = run(capsys, "score", str(half))
    assert rc == 2 and "line 2, column 'emo_distress': 2.5 is not a whole number" in err


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
    assert header.startswith("case_id;complexity;band;content;")
    assert first.startswith(f"P01;{P01_COMPLEXITY:.2f};moderate;2,0;".replace(".", ",", 1))
    rc, out, _ = run(capsys, "score", str(src), "--sep", "tab")
    assert rc == 0 and out.startswith("case_id\tcomplexity\tband\t")
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

    monkeypatch.setattr(cli.os, "replace", disk_full)
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


# --------------------------------------------------------------------------- bad input

_H = "case_id,emo_distress,emo_anxiety"
BAD_INPUTS = {
    # name: (file bytes, substrings stderr must contain)
    "unknown column": (
        "case_id,emo_distres\nP1,1\n",
        ["line 1, column 'emo_distres': unknown column", "did you mean 'emo_distress'"],
    ),
    "missing case_id": ("case,emo_distress\nP1,1\n", ["line 1: there is no 'case_id' column"]),
    "misspelt case_id": (
        "Case ID,emo_distress\nP1,1\n",
        ["line 1: there is no 'case_id' column; is column 'Case ID' meant to be 'case_id'?"],
    ),
    "duplicate column": (
        "case_id,emo_distress,emo_distress\nP1,1,1\n",
        ["line 1, column 'emo_distress': this column appears more than once"],
    ),
    "duplicate case id": (
        f"{_H}\nP1,1,1\nP2,1,1\nP1,2,2\n",
        ["line 4, column 'case_id': case id 'P1' appears more than once"],
    ),
    "empty case id": (f"{_H}\nP1,1,1\n,2,2\n", ["line 3, column 'case_id': the case id is empty"]),
    "outside 0-3": (f"{_H}\nP1,1,1\nP2,1,4\n", ["line 3, column 'emo_anxiety': 4 is outside 0-3"]),
    "negative": (f"{_H}\nP1,-1,1\n", ["line 2, column 'emo_distress': -1 is outside 0-3"]),
    "not whole": (f"{_H}\nP1,1.5,1\n", ["line 2, column 'emo_distress': 1.5 is not a whole number"]),
    "not a number": (f"{_H}\nP1,1,abc\n", ["line 2, column 'emo_anxiety': 'abc' is not a number"]),
    "several problems at once": (
        f"{_H}\nP1,9,1\nP2,1,x\nP1,0.5,1\n",
        [
            "line 2, column 'emo_distress': 9 is outside 0-3",
            "line 3, column 'emo_anxiety': 'x' is not a number",
            "line 4, column 'case_id': case id 'P1' appears more than once",
            "line 4, column 'emo_distress': 0.5 is not a whole number",
            "hint: rate every item 0, 1, 2 or 3",
        ],
    ),
    "line numbers skip blank lines": (f"{_H}\n\nP1,1,1\n\n\nP2,1,5\n", ["line 6, column 'emo_anxiety'"]),
    "line numbers count quoted line breaks": (
        f'{_H}\n"P\n1",1,1\nP2,1,5\n', ["line 4, column 'emo_anxiety': 5 is outside 0-3"]
    ),
    "line numbers with CR line ends": (f"{_H}\rP1,1,1\rP2,7,1\r", ["line 3, column 'emo_distress'"]),
    "empty file": (b"", ["the file is empty (0 bytes)"]),
    "header only": (f"{_H}\r\n", ["line 1: the file has a header but no data lines"]),
    "only blank lines": ("\n\n;;\n", ["the file has no header line"]),
    "not UTF-8 (Windows-1252)": (
        f"{_H}\nP1,1,1\nPé,1,1\n".encode("cp1252"),
        ["line 3: byte 0xE9 is not UTF-8", "not UTF-8 text", "CSV UTF-8"],
    ),
    "more cells than the header": (
        f"{_H}\nP1,1,1\nP2,1,1,3\n",
        ["line 3: 4 cells but the header on line 1 has 3 columns", "'emo_anxiety'"],
    ),
    "unnamed column with values": (
        "case_id,emo_distress,,emo_anxiety\nP1,1,,1\nP2,1,2,1\n",
        ["line 1, column 3: the column has no name, but line 3 has a value in it ('2')"],
    ),
    "unterminated quote": (f'{_H}\nP1,1,1\nP2,"1,1\nP3,1,1\n', ["lines 3-4: cannot split into cells"]),
    "text after a closing quote": (f'{_H}\nP1,"1"x,1\n', ["line 2: cannot split into cells"]),
    "binary garbage": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        ["line 1: byte 0x89 is not UTF-8"],
    ),
    "cell larger than the CSV field limit": (
        f'{_H}\nP1,1,1\nP2,"{"1" * 200_000}",1\n', ["line 3: cannot split into cells", "field limit"]
    ),
    "NUL bytes": (f"{_H}\nP1,1\x00,1\n".encode(), ["line 2: contains a NUL character"]),
    "Excel workbook": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), ["Excel workbook", "CSV UTF-8"]),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_exits_2_naming_line_and_column(name, tmp_path, capsys):
    content, expected = BAD_INPUTS[name]
    src = write(tmp_path / "input.csv", content)
    out_path = tmp_path / "scores.csv"
    rc, out, err = run(capsys, "score", str(src), "-o", str(out_path))
    assert rc == 2, err
    assert out == ""
    assert err.startswith("error: cannot score ") and str(src) in err.splitlines()[0]
    for text in expected:
        assert text in err
    assert "Traceback" not in err
    assert not out_path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv"]


def test_every_problem_is_reported_up_to_a_limit(tmp_path, capsys):
    rows = "".join(f"P{i},9,1\n" for i in range(250))
    src = write(tmp_path / "many.csv", f"{_H}\n{rows}")
    rc, _, err = run(capsys, "score", str(src))
    assert rc == 2
    assert "line 2, column 'emo_distress': 9 is outside 0-3" in err
    assert "line 201, column 'emo_distress'" in err
    assert "... and 50 more problems" in err


def test_missing_file_directory_and_unwritable_output(tmp_path, capsys):
    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    missing_dir = tmp_path / "missing" / "scores.csv"
    cases = [
        (["score", str(tmp_path / "nope.csv")], f"error: cannot read {tmp_path / 'nope.csv'}: no such file"),
        (["score", str(tmp_path)], f"error: cannot read {tmp_path}: it is a directory"),
        (
            ["score", str(good), "-o", str(missing_dir)],
            f"error: cannot write {missing_dir}: the directory '{missing_dir.parent}' does not exist",
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
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "score", str(good)])


def test_a_closed_pipe_on_stdout_ends_quietly(tmp_path, capsys, monkeypatch):
    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    good = write(tmp_path / "good.csv", csv_bytes(CASES))
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    rc = cli.main(["score", str(good)])
    assert rc == cli.EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def test_help_and_usage(capsys):
    rc, out, _ = run(capsys, "--help")
    assert rc == 0 and "score" in out and "columns" in out
    rc, out, _ = run(capsys, "score", "--help")
    assert rc == 0
    flat = " ".join(out.split())
    for text in ("INPUT.csv", "--output", "--sep", "case_id", "exit status", "CSV UTF-8", "'2,0' is 2"):
        assert text in flat
    rc, out, err = run(capsys)
    assert rc == 2 and "usage:" in err and "Traceback" not in err
    rc, _, err = run(capsys, "score", "x.csv", "--sep", "|")
    assert rc == 2 and "invalid choice" in err
    rc, out, _ = run(capsys, "--version")
    assert rc == 0 and INSTRUMENT.version in out


def test_columns_lists_case_id_and_every_item(capsys):
    rc, out, _ = run(capsys, "columns")
    assert rc == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(HEADER)


# --------------------------------------------------------------------------- end to end


def python_m(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "complexity", *args],
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


def test_end_to_end_bad_input(tmp_path):
    src = write(tmp_path / "bad.csv", f"{_H}\nP1,1,1\nP2,1,4\n")
    done = python_m("score", str(src), "-o", str(tmp_path / "scores.csv"))
    assert done.returncode == 2 and done.stdout == b""
    err = done.stderr.decode()
    assert "line 3, column 'emo_anxiety': 4 is outside 0-3" in err and "Traceback" not in err
    assert not (tmp_path / "scores.csv").exists()


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
    dialect_rows = [
        [row[0], *(f"{pad}{v},0{pad}" if v and decimal_comma and sep != "," else f"{pad}{v}" for v in row[1:])]
        for row in rows
    ]
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

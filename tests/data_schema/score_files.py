"""Files of cases and a runner for the scoring command's tests (test_score_cli*.py)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from complexity import DEFAULT_CONFIG, INSTRUMENT
from complexity.scoring import DOMAINS
from data_schema.cli import score as cli

REPO = Path(__file__).resolve().parents[2]
ITEMS = INSTRUMENT.item_ids
HEADER = ("case_id", *ITEMS)


def _every_item_at_two() -> float:
    """Model 2.0 by hand for a case with every item (the interplay too) at 2: every domain
    has the same value v = ((2/3)**p)**r, so the index is v, the base B = h(v) and every
    pair of domains multiplies B by B: 100 * (B + g(2) * B**2 * (1 - B))."""
    sc = DEFAULT_CONFIG.scoring
    v = ((2 / 3) ** sc.level_exponent) ** sc.domain_curvature
    cut = sc.index_cutoffs
    base = float(np.interp(v, (0, cut.mild, cut.moderate, cut.severe, 1),
                           (0, sc.bands.mild / 100, sc.bands.moderate / 100, sc.bands.severe / 100, 1)))
    return 100 * (base + sc.interplay_strengths[2] * base ** 2 * (1 - base))


P01_COMPLEXITY = _every_item_at_two()
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


def xlsx_bytes(rows, header=HEADER) -> bytes:
    """A workbook as Excel saves it: numbers as numbers, ids as text."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row[0], *(int(v) if v.strip() else None for v in row[1:])])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def expected_frame(rows=CASES, header=HEADER) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in rows], columns=list(header), dtype=str)


def read_scores(path_or_text, sep=",") -> pd.DataFrame:
    source = io.StringIO(path_or_text) if isinstance(path_or_text, str) else path_or_text
    return pd.read_csv(source, sep=sep, dtype=str, keep_default_na=False)


H = "case_id,emo_distress,emo_anxiety"  # a header for small hand-written files

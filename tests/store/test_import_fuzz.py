"""Property tests of the importer with Hypothesis: whatever the file, ``import_file``
returns a report (stored rows, or problems and nothing stored) and never raises; the
command line exits 0 or 2 and never shows a traceback.

Inputs: random bytes (as .csv, .txt or .xlsx), random CSV shapes (header subsets,
unknown and duplicate columns, ragged rows, separators, quoting, encodings) filled with
valid values, wrong types, huge fields and identifiers, random workbooks, and
reflections hiding a BSN, e-mail address or phone number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_schema.layouts import IMPORT_TABLES
from data_schema.tables import KINDS
from store.__main__ import main
from store.db import session_scope
from store.importer import import_file
from store.models import AuditEvent, Case, CaseRating, Team, Therapist, TherapySession, UserAccount, WeeklyCheckin

from .test_importer import CHECKINS, CODE_A, CODE_B, database_url

SETTINGS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
TABLES = {"therapists": Therapist, "cases": Case, "ratings": CaseRating, "sessions": TherapySession,
          "checkins": WeeklyCheckin, "accounts": UserAccount, "teams": Team, "audit": AuditEvent}
FUTURE = (dt.date.today() + dt.timedelta(days=9)).isoformat()
HUGE = 140_000  # beyond csv.field_size_limit()

POOL = {
    "username": ["anna", "bram", "cas", "sanne", "nobody", "ANNA ", "a", "x" * 70, "renée"],
    "display_name": ["Renée", "Bram", "x" * 150, "=HYPERLINK()"],
    "team": ["Team A", "team b", "Nieuw", "x" * 150],
    "experience": ["starting", "ervaren", "expert", "3"],
    "case_code": [CODE_A, CODE_B, "c-7kq2-m9xd", "XYZ", "C-AAAA-AAAA", "C-7KQ2-M9XD-1"],
    "date": ["2024-03-04", "4-3-2024", "2024-02-30", "gisteren", FUTURE, "2024-W10", "1899-01-01",
             "2024-03-04 00:00:00", "31/12/2023"],
    "number": ["0", "1", "2", "3", "3,0", "2.5", "-1", "1e9", "9" * 25, "NaN", "inf", "twee", "45", "480"],
    "text": ["Renée", "a" * 2500, "BSN 111222333", "mail a@b.nl", "bel 06-12345678", "12-03-1985",
             "\u2028", "'", '"', ";", ",", "\t", "\r\n", "é" * 10],
    "selfcare_actions": ["pause_walk", "dansen", "pause_walk;intervisie", "breathing|boundary"],
}
COLUMN_POOL = {
    "username": "username", "display_name": "display_name", "team": "team", "experience": "experience",
    "case_code": "case_code", "opened_on": "date", "closed_on": "date", "rated_on": "date",
    "session_date": "date", "week_start": "date", "started_on": "date", "reflection": "text",
    "selfcare_actions": "selfcare_actions",
}


def counts(engine) -> dict[str, int]:
    with session_scope(engine, readonly=True) as s:
        return {name: s.scalar(select(func.count()).select_from(model)) for name, model in TABLES.items()}


def check_report(engine, kind, report, before) -> None:
    """The property every import must have."""
    after = counts(engine)
    event("stored" if report.ok else f"refused: {sorted({p.code for p in report.problems})[0]}")
    assert report.kind == kind and report.file_name
    if report.ok:
        assert report.stored > 0
        assert after[kind] == before[kind] + report.stored
        assert after["audit"] == before["audit"] + 1
    else:
        assert report.stored == 0 and report.problems and report.total_problems >= len(report.problems)
        assert after == before, "a refused import changed the database"
        for p in report.problems:
            assert p.row is None or (isinstance(p.row, int) and p.row >= 1)
            assert p.message("en") and p.message("nl") and p.code
            assert "\n" not in p.message("en") or p.code == "internal_error"


def run_cli(kind, path, capsys) -> None:
    capsys.readouterr()
    status = main(["import", "--kind", kind, str(path)])
    out, err = capsys.readouterr()
    assert status in (0, 2), (status, out, err)
    assert "Traceback" not in out and "Traceback" not in err
    assert (status == 0) == bool(out) and (status == 2) == bool(err)


@pytest.fixture
def world(engine, people, monkeypatch):
    from .test_importer import add_case

    add_case(engine, people, CODE_A, dt.date(2024, 1, 8))
    add_case(engine, people, CODE_B, dt.date(2024, 1, 8), closed=dt.date(2024, 6, 1))
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", database_url(engine))
    return engine


# --------------------------------------------------------------------------- strategies


PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))


def cell_values(column: str) -> st.SearchStrategy[str]:
    """Mostly values from the column's pool (valid and invalid), some empty cells and
    random printable text."""
    pool = POOL.get(COLUMN_POOL.get(column, "number"), POOL["number"])
    return st.integers(0, 99).flatmap(lambda k: (
        st.sampled_from(pool) if k < 75 else st.just("") if k < 85 else st.text(PRINTABLE, max_size=12)
    ))


# Now and then one cell of a file is huge or holds a control character (binary content).
ODD_CELLS = st.sampled_from([None] * 8 + ["x" * HUGE, "x" * 33_000, "\x00", "a\x07b", "\x1b[0m"])


@st.composite
def csv_files(draw):
    kind = draw(st.sampled_from(KINDS))
    known = list(IMPORT_TABLES[kind].columns)
    header = draw(st.lists(st.sampled_from(known), min_size=1, max_size=len(known), unique=True))
    if draw(st.booleans()):  # most files carry every column, in some order
        header = draw(st.permutations(known))
    extra = draw(st.lists(st.one_of(st.sampled_from(["", "notes", known[0]]), st.text(PRINTABLE, max_size=6)),
                          max_size=1))
    header = [*header, *extra]
    n_rows = draw(st.sampled_from([0, 1, 1, 2, 2, 3, 4]))
    rows = []
    for _ in range(n_rows):
        row = [draw(cell_values(c)) for c in header]
        shift = draw(st.sampled_from([0] * 8 + [-1, 1, 2]))
        rows.append(row[:len(row) + shift] if shift < 0 else row + [draw(cell_values("x")) for _ in range(shift)])
    odd = draw(ODD_CELLS)
    if odd is not None and rows and rows[0]:
        rows[draw(st.integers(0, len(rows) - 1))][0] = odd
    sep = draw(st.sampled_from([";", ",", "\t"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    header_text = [draw(st.sampled_from([h, h.upper(), f" {h} "])) for h in header]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, quoting=quoting, lineterminator=newline)
    writer.writerow(header_text)
    writer.writerows(rows)
    return kind, buffer.getvalue().encode(encoding, errors="replace")


@st.composite
def workbooks(draw, tmp_path):
    kind = draw(st.sampled_from(KINDS))
    known = list(IMPORT_TABLES[kind].columns)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(draw(st.permutations(known)))
    for _ in range(draw(st.integers(0, 4))):
        cells = []
        for c in known:
            value = draw(st.one_of(cell_values(c), ODD_CELLS, st.integers(-5, 500), st.floats(allow_nan=True),
                                   st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), st.booleans(), st.none()))
            if isinstance(value, str):
                value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)[:32_000].lstrip("=")
            cells.append(value)
        ws.append(cells)
    path = tmp_path / "fuzz.xlsx"
    wb.save(path)
    return kind, path


def _bsn(digits: list[int]) -> str | None:
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits))
    last = total % 11
    return None if last > 9 or (not any(digits) and last == 0) else "".join(map(str, digits)) + str(last)


identifiers = st.one_of(
    st.lists(st.integers(0, 9), min_size=8, max_size=8).map(_bsn).filter(bool),
    st.from_regex(r"[a-z]{1,8}\.?[a-z]{1,6}@[a-z]{2,10}\.(nl|com|org)", fullmatch=True),
    st.from_regex(r"06-?[1-9][0-9]{7}", fullmatch=True),
    st.from_regex(r"\+31 ?6 ?[1-9][0-9]{3} ?[0-9]{4}", fullmatch=True),
)


# --------------------------------------------------------------------------- properties


@settings(max_examples=25, **SETTINGS)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".txt", ".xlsx"]),
       kind=st.sampled_from(KINDS))
def test_random_bytes_never_crash(world, tmp_path, capsys, data, suffix, kind):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    before = counts(world)
    report = import_file(world, kind, path)
    check_report(world, kind, report, before)
    run_cli(kind, path, capsys)


@settings(max_examples=40, **SETTINGS)
@given(case=csv_files())
def test_random_csv_shapes_are_stored_whole_or_refused(world, tmp_path, capsys, case):
    kind, content = case
    path = tmp_path / "shape.csv"
    path.write_bytes(content)
    before = counts(world)
    report = import_file(world, kind, path, lang="nl")
    check_report(world, kind, report, before)
    run_cli(kind, path, capsys)


@settings(max_examples=15, **SETTINGS)
@given(data=st.data())
def test_random_workbooks_are_stored_whole_or_refused(world, tmp_path, capsys, data):
    kind, path = data.draw(workbooks(tmp_path))
    before = counts(world)
    check_report(world, kind, import_file(world, kind, path), before)


@settings(max_examples=20, **SETTINGS)
@given(found=identifiers, before_text=st.sampled_from(["", "Gebeld met ", "Contact: "]),
       after_text=st.sampled_from(["", " over de casus", ". Verder rustig."]))
def test_identifiers_in_the_reflection_are_refused(world, tmp_path, found, before_text, after_text):
    reflection = before_text + found + after_text
    rows = [CHECKINS.rows[0][:-1] + ["Een rustige week"], CHECKINS.rows[1][:-1] + [reflection]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([CHECKINS.header, *[["" if v is None else
                                                                     (v.isoformat() if isinstance(v, dt.date) else v)
                                                                     for v in r] for r in rows]])
    path = tmp_path / "reflections.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    before = counts(world)
    report = import_file(world, "checkins", path)
    assert {(p.row, p.column, p.code) for p in report.problems} == {(3, "reflection", "identifier_found")}
    assert all(found not in p.message(lang) for p in report.problems for lang in ("en", "nl"))
    assert counts(world) == before

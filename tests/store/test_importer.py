"""The all-or-nothing importer (store.importer); its file reader is tested in tests/data_schema/test_reader.py.

Reader tests need no database. Import tests run on SQLite and PostgreSQL (the
``engine``/``people`` fixtures): every kind imports good files in every accepted form,
a file with several bad rows stores nothing and names every bad row and column, and the
command line exits 0/2/1 with a report and never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from sqlalchemy import func, select, text

from complexity import CHECKIN, DEFAULT_CONFIG, INSTRUMENT, capacity_score, score_case
from complexity.load import session_weight
from store import AccessDenied
from store.cases import rate_case
from store.__main__ import main
from store.codes import is_case_code
from store.db import session_scope
from store.importer import ImportReport, import_file
from store.models import (
    AuditEvent,
    Case,
    CaseRating,
    Team,
    Therapist,
    TherapySession,
    UserAccount,
    WeeklyCheckin,
)

D = dt.date
ITEMS = INSTRUMENT.item_ids
SCALES = CHECKIN.scale_ids
REPO_ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("comma_utf8", "semicolon_bom_decimal_comma", "cp1252", "xlsx")
MODELS = {"therapists": Therapist, "cases": Case, "ratings": CaseRating, "sessions": TherapySession,
          "checkins": WeeklyCheckin}


# --------------------------------------------------------------------------- helpers


def _cell(value: object, dutch: bool) -> str:
    """How a spreadsheet user writes a value: Dutch variants use d-m-yyyy dates and a
    decimal comma (``2,0``) for numbers."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}" if dutch else value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return f"{value},0" if dutch else str(value)
    return str(value)


def write_file(folder: Path, header: list[str], rows: list[list], fmt: str, name: str = "data") -> Path:
    """Write header and rows (Python values) as a user's file in format ``fmt``."""
    if fmt == "xlsx":
        path = folder / f"{name}.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for row in rows:
            ws.append(row)
        other = wb.create_sheet("notes")  # only the first sheet is read
        other.append(["this", "sheet", "is", "ignored"])
        wb.save(path)
        return path
    sep, encoding, dutch, newline = {
        "comma_utf8": (",", "utf-8", False, "\n"),
        "semicolon_bom_decimal_comma": (";", "utf-8-sig", True, "\r\n"),
        "cp1252": (";", "cp1252", True, "\r\n"),
        "tab": ("\t", "utf-8", False, "\r\n"),
    }[fmt]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v, dutch) for v in row])
    path = folder / f"{name}.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_text(folder: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def count(engine, model) -> int:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model))


def counts(engine) -> dict[str, int]:
    return {name: count(engine, model) for name, model in
            {**MODELS, "accounts": UserAccount, "teams": Team, "audit": AuditEvent}.items()}


def where_problems(report: ImportReport) -> set[tuple[int | None, str | None, str]]:
    return {(p.row, p.column, p.code) for p in report.problems}


def add_case(engine, people, code: str, opened: dt.date, closed: dt.date | None = None, therapist=None) -> int:
    with session_scope(engine) as s:
        case = Case(code=code, therapist_id=(therapist or people.t1).id, opened_on=opened, closed_on=closed)
        s.add(case)
        s.flush()
        return case.id


def items_row(level_of: Callable[[int], int | None]) -> list[int | None]:
    return [level_of(k) for k in range(len(ITEMS))]


# --------------------------------------------------------------------------- scenarios per kind

CODE_A, CODE_B, CODE_CLOSED = "C-7KQ2-M9XD", "C-0A1B-2C3D", "C-ZZ99-0000"


@dataclass
class Scenario:
    header: list[str]
    rows: list[list]
    setup: Callable  # (engine, people) -> context
    verify: Callable  # (engine, people, context, fmt) -> None


def _no_setup(engine, people):
    return None


def _verify_therapists(engine, people, ctx, fmt):
    with session_scope(engine, readonly=True) as s:
        accounts = {a.username: a for a in s.scalars(select(UserAccount).where(UserAccount.username.in_(["renee", "joost"])))}
        assert set(accounts) == {"renee", "joost"}
        renee, joost = (s.get(Therapist, accounts[u].therapist_id) for u in ("renee", "joost"))
        assert all(a.role == "therapist" and a.password_hash is None and a.active for a in accounts.values())
        assert renee.display_name == "Renée van Dijk"  # é survives every encoding
        assert (renee.experience, renee.contracted_sessions, renee.started_on) == ("experienced", 20, D(2024, 3, 1))
        assert (joost.experience, joost.contracted_sessions, joost.started_on) == ("starting", 16, None)
        assert renee.team_id == people.team_id  # "team a" is the existing "Team A"
        new_team = s.get(Team, joost.team_id)
        assert new_team.name == "Team Noord"
        assert s.scalar(select(func.count()).select_from(Team)) == 3


THERAPISTS = Scenario(
    ["username", "display_name", "team", "experience", "contracted_sessions", "started_on"],
    [["renee", "Renée van Dijk", "team a", "ervaren", 20, D(2024, 3, 1)],
     ["Joost", "Joost", "Team Noord", "starting", 16, None]],
    _no_setup, _verify_therapists,
)


def _verify_cases(engine, people, ctx, fmt):
    with session_scope(engine, readonly=True) as s:
        cases = s.scalars(select(Case).order_by(Case.opened_on)).all()
    assert len(cases) == 2
    given, drawn = cases
    assert (given.code, given.therapist_id, given.opened_on, given.closed_on) == (
        CODE_A, people.t1.id, D(2024, 1, 8), D(2024, 6, 3))
    assert is_case_code(drawn.code) and drawn.code != CODE_A
    assert (drawn.therapist_id, drawn.opened_on, drawn.closed_on) == (people.t2.id, D(2024, 2, 5), None)


CASES = Scenario(
    ["case_code", "username", "opened_on", "closed_on"],
    [["c-7kq2-m9xd", "anna", D(2024, 1, 8), D(2024, 6, 3)],  # typed in lower case
     [None, "BRAM", D(2024, 2, 5), None]],
    _no_setup, _verify_cases,
)


def _level_a(k: int) -> int | None:
    return None if k == 3 else (k % 4)


def _level_b(k: int) -> int | None:
    return 2 if k < 12 else None  # only the first domains: possibly incomplete


def _setup_ratings(engine, people):
    add_case(engine, people, CODE_A, D(2024, 1, 8))
    add_case(engine, people, CODE_B, D(2024, 2, 5), therapist=people.t2)


def _verify_ratings(engine, people, ctx, fmt):
    with session_scope(engine, readonly=True) as s:
        ratings = s.scalars(select(CaseRating).order_by(CaseRating.rated_on)).all()
        case_of = {c.id: c.code for c in s.scalars(select(Case))}
    assert len(ratings) == 3
    expected = [
        (CODE_A, D(2024, 1, 15), {i: _level_a(k) for k, i in enumerate(ITEMS)}, 4),
        (CODE_B, D(2024, 2, 5), {i: _level_b(k) for k, i in enumerate(ITEMS)}, None),
        (CODE_A, D(2024, 3, 4), {i: 3 for i in ITEMS}, 10),
    ]
    for stored, (code, day, items, burden) in zip(ratings, expected):
        score = score_case(items)
        assert (case_of[stored.case_id], stored.rated_on) == (code, day)
        assert stored.items() == items
        assert stored.burden == burden
        assert stored.band == score.band
        assert (stored.complexity_low, stored.complexity_high) == pytest.approx((score.low, score.high))
        if score.complexity is None:
            assert stored.complexity is None and stored.interaction is None
        else:
            assert stored.complexity == pytest.approx(score.complexity)
            assert stored.interaction == pytest.approx(score.interaction)
        assert (stored.instrument_version, stored.model_version) == (INSTRUMENT.version, DEFAULT_CONFIG.model_version)
        assert stored.rated_by_user_id is None


RATINGS = Scenario(
    ["case_code", "rated_on", *ITEMS, "burden"],
    [[CODE_A, D(2024, 1, 15), *items_row(_level_a), 4],
     [CODE_B, D(2024, 2, 5), *items_row(_level_b), None],  # on the day the case opened
     [CODE_A, D(2024, 3, 4), *items_row(lambda k: 3), 10]],
    _setup_ratings, _verify_ratings,
)


def _setup_sessions(engine, people):
    add_case(engine, people, CODE_A, D(2024, 1, 8))
    add_case(engine, people, CODE_B, D(2024, 1, 8), closed=D(2024, 4, 1))
    with session_scope(engine) as s:  # the latest rating counts, not the highest
        rate_case(s, people.u1, CODE_A, {i: 3 for i in INSTRUMENT.scored_item_ids}, D(2024, 1, 10))
        latest = rate_case(s, people.u1, CODE_A, {i: 1 for i in INSTRUMENT.scored_item_ids}, D(2024, 2, 1))
    return latest.complexity


def _verify_sessions(engine, people, latest, fmt):
    with session_scope(engine, readonly=True) as s:
        sessions = s.scalars(select(TherapySession).order_by(TherapySession.session_date)).all()
        case_of = {c.id: c.code for c in s.scalars(select(Case))}
    assert [(case_of[x.case_id], x.session_date, x.duration_minutes) for x in sessions] == [
        (CODE_B, D(2024, 1, 8), 30), (CODE_A, D(2024, 3, 5), 45), (CODE_B, D(2024, 4, 1), 60)]
    assert all(x.therapist_id == people.t1.id for x in sessions)
    b1, a, b2 = sessions
    assert a.complexity == pytest.approx(latest)
    assert a.weight == pytest.approx(float(session_weight(latest)))
    assert a.model_version == DEFAULT_CONFIG.model_version
    assert b1.complexity is None and b2.complexity is None  # never rated: the reference weight
    assert b1.model_version is None and b2.model_version is None
    assert b1.weight == pytest.approx(float(session_weight(float("nan"))))


SESSIONS = Scenario(
    ["case_code", "session_date", "duration_minutes"],
    [[CODE_A, D(2024, 3, 5), 45],
     [CODE_B, D(2024, 1, 8), 30],  # the day it opened
     [CODE_B, D(2024, 4, 1), 60]],  # the day it closed
    _setup_sessions, _verify_sessions,
)

CHECKIN_A = {"energy": 6, "body_tension": 3, "emotional_exhaustion": 4, "rumination": 2, "sleep": 7,
             "meaning": 8, "selfcare_time": 5, "burnout": 2}


def _verify_checkins(engine, people, ctx, fmt):
    with session_scope(engine, readonly=True) as s:
        rows = s.scalars(select(WeeklyCheckin).order_by(WeeklyCheckin.week_start)).all()
    assert [(r.therapist_id, r.week_start) for r in rows] == [(people.t1.id, D(2024, 3, 4)), (people.t2.id, D(2024, 3, 11))]
    first, second = rows
    assert first.answers() == {**CHECKIN_A, "selfcare_actions": ["pause_walk", "intervision"],
                               "reflection": "Drukke week, één lastige casus"}
    assert first.capacity_score == pytest.approx(capacity_score(CHECKIN_A))
    assert first.checkin_version == CHECKIN.version
    only = {"energy": 3, "burnout": 4}
    assert second.answers() == {**dict.fromkeys(SCALES), **only, "selfcare_actions": [], "reflection": None}
    assert second.capacity_score == pytest.approx(capacity_score(only))


CHECKINS = Scenario(
    ["username", "week_start", *SCALES, "selfcare_actions", "reflection"],
    [["anna", D(2024, 3, 4), *[CHECKIN_A[f] for f in SCALES], "pause_walk;intervisie",
      "Drukke week, één lastige casus"],
     ["bram", "2024-W11", *[{"energy": 3, "burnout": 4}.get(f) for f in SCALES], None, None]],
    _no_setup, _verify_checkins,
)

SCENARIOS = {"therapists": THERAPISTS, "cases": CASES, "ratings": RATINGS, "sessions": SESSIONS,
             "checkins": CHECKINS}


# --------------------------------------------------------------------------- good files


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_good_file_is_stored_whole(engine, people, tmp_path, kind, fmt):
    scenario = SCENARIOS[kind]
    ctx = scenario.setup(engine, people)
    before = count(engine, MODELS[kind])
    path = write_file(tmp_path, scenario.header, scenario.rows, fmt, name=f"{kind} import")
    report = import_file(engine, kind, path)
    assert report.ok, report.text()
    assert (report.stored, report.rows) == (len(scenario.rows), len(scenario.rows))
    assert count(engine, MODELS[kind]) == before + len(scenario.rows)
    scenario.verify(engine, people, ctx, fmt)
    with session_scope(engine, readonly=True) as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == kind)).all()
    assert (event.action, event.actor_user_id) == ("create", None)
    assert event.detail == f"imported {len(scenario.rows)} rows from {path.name}"
    summary = f"imported {len(scenario.rows)} rows ({kind}) from {path.name}"
    assert report.summary() == summary + ("; new teams: Team Noord" if kind == "therapists" else "")


def test_tab_separated_crlf_file_with_blank_rows(engine, people, tmp_path):
    rows = [CHECKINS.rows[0], [None] * len(CHECKINS.header), CHECKINS.rows[1]]
    path = write_file(tmp_path, CHECKINS.header, rows, "tab")
    report = import_file(engine, "checkins", path)
    assert report.ok, report.text()
    assert report.stored == 2
    _verify_checkins(engine, people, None, "tab")


def test_columns_in_any_order_and_case(engine, people, tmp_path):
    _setup_ratings(engine, people)
    header = ["Rated_On ", " CASE_CODE", *reversed([i.upper() for i in ITEMS])]
    row = [D(2024, 1, 15), CODE_A, *reversed(items_row(_level_a))]
    report = import_file(engine, "ratings", write_file(tmp_path, header, [row], "comma_utf8"))
    assert report.ok, report.text()
    with session_scope(engine, readonly=True) as s:
        stored = s.scalars(select(CaseRating)).one()
    assert stored.items() == {i: _level_a(k) for k, i in enumerate(ITEMS)}


def test_an_admin_may_import_and_is_logged_as_the_actor(engine, people, tmp_path):
    path = write_file(tmp_path, CHECKINS.header, CHECKINS.rows, "comma_utf8")
    report = import_file(engine, "checkins", path, actor=people.admin)
    assert report.ok
    with session_scope(engine, readonly=True) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "checkins")).one()
    assert event.actor_user_id == people.admin.id


def test_other_roles_may_not_import(engine, people, tmp_path):
    path = write_file(tmp_path, CHECKINS.header, CHECKINS.rows, "comma_utf8")
    for user, file in ((people.u1, path), (people.supervisor, tmp_path / "missing.csv")):
        with pytest.raises(AccessDenied):
            import_file(engine, "checkins", file, actor=user)
    assert count(engine, WeeklyCheckin) == 0
    with session_scope(engine, readonly=True) as s:
        denied = s.scalars(select(AuditEvent).where(AuditEvent.action == "authz_denied")).all()
    assert sorted(e.actor_user_id for e in denied) == sorted([people.u1.id, people.supervisor.id])


def test_a_file_name_with_identifying_data_is_not_logged(engine, people, tmp_path):
    path = write_file(tmp_path, CHECKINS.header, CHECKINS.rows, "comma_utf8", name="anna 06-12345678")
    assert import_file(engine, "checkins", path).ok
    with session_scope(engine, readonly=True) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "checkins")).one()
    assert event.detail == "imported 2 rows from (file name withheld)"


# --------------------------------------------------------------------------- bad files


def _setup_bad_cases(engine, people):
    add_case(engine, people, CODE_A, D(2024, 1, 8))


def _setup_bad_ratings(engine, people):
    add_case(engine, people, CODE_A, D(2024, 1, 8))
    add_case(engine, people, CODE_CLOSED, D(2024, 1, 8), closed=D(2024, 2, 1))
    with session_scope(engine) as s:
        rate_case(s, people.u1, CODE_A, {i: 1 for i in ITEMS}, D(2024, 1, 20))


FUTURE = dt.date.today() + dt.timedelta(days=30)
BSN = "111222333"  # passes the 11-check

# kind -> (header, rows, setup, the expected problems {(row, column, code)})
BAD_FILES = {
    "therapists": (
        THERAPISTS.header,
        [["okay", "Okay", "Team A", "starting", 10, None],
         ["new1", "New", "Team A", "expert", 10, None],
         ["anna", "Anna 2", None, "starting", "veel", None],
         ["new2", None, None, "starting", 12, D(2024, 1, 1)],
         ["okay", "Okay again", None, "starting", 12, None]],
        _no_setup,
        {(3, "experience", "not_an_option"), (4, "username", "username_taken"),
         (4, "contracted_sessions", "not_a_number"), (5, "display_name", "required"),
         (6, "username", "duplicate")},
    ),
    "cases": (
        CASES.header,
        [[None, "anna", D(2024, 1, 8), None],
         [None, "nobody", D(2024, 1, 8), None],
         [CODE_A, "anna", D(2024, 1, 8), None],
         [None, "sanne", D(2024, 1, 8), None],
         [None, "bram", D(2024, 5, 1), D(2024, 4, 1)],
         ["XYZ", "bram", FUTURE, None]],
        _setup_bad_cases,
        {(3, "username", "unknown_username"), (4, "case_code", "case_code_exists"),
         (5, "username", "not_a_therapist"), (6, "closed_on", "date_order"),
         (7, "case_code", "bad_case_code"), (7, "opened_on", "future_date")},
    ),
    "ratings": (
        RATINGS.header,
        [[CODE_A, D(2024, 3, 1), *items_row(lambda k: 1), 3],
         ["C-AAAA-BBBB", D(2024, 3, 1), *items_row(lambda k: 1), None],
         [CODE_A, D(2023, 12, 1), *items_row(lambda k: 1), None],
         [CODE_A, D(2024, 3, 2), *items_row(lambda k: 5 if k == 4 else 1), 11],
         [CODE_CLOSED, D(2024, 3, 1), *items_row(lambda k: 1), None],
         [CODE_A, D(2024, 1, 20), *items_row(lambda k: 1), None],
         [CODE_A, D(2024, 3, 3), *items_row(lambda k: None), 5]],  # a burden alone is no rating
        _setup_bad_ratings,
        {(3, "case_code", "unknown_case_code"), (4, "rated_on", "before_case_opened"),
         (5, ITEMS[4], "out_of_range"), (5, "burden", "out_of_range"), (6, "rated_on", "after_case_closed"),
         (7, "rated_on", "rating_exists"), (8, None, "no_ratings")},
    ),
    "sessions": (
        SESSIONS.header,
        [[CODE_A, D(2024, 1, 9), 45],
         [CODE_A, D(2024, 1, 9), 0],
         [CODE_A, D(2024, 1, 7), 45],
         [CODE_CLOSED, D(2024, 2, 2), 45],
         ["C-AAAA-BBBB", D(2024, 1, 9), 45],
         [CODE_A, FUTURE, 45],
         [CODE_A, "gisteren", 45.5]],
        _setup_bad_ratings,
        {(3, "duration_minutes", "out_of_range"), (4, "session_date", "before_case_opened"),
         (5, "session_date", "after_case_closed"), (6, "case_code", "unknown_case_code"),
         (7, "session_date", "future_date"), (8, "session_date", "bad_date"),
         (8, "duration_minutes", "not_a_whole_number")},
    ),
    "checkins": (
        CHECKINS.header,
        [["anna", D(2024, 3, 4), *[5] * len(SCALES), None, None],
         ["nobody", D(2024, 3, 4), *[5] * len(SCALES), None, None],
         ["bram", D(2024, 3, 6), *[5] * len(SCALES), None, None],
         ["bram", D(2024, 3, 11), *[5] * len(SCALES), None, f"BSN {BSN} gebeld"],
         ["sanne", D(2024, 3, 4), *[5] * len(SCALES), None, None],
         ["cas", D(2024, 3, 4), *[11] + [5] * (len(SCALES) - 1), "dansen", None],
         ["anna", D(2024, 3, 4), *[5] * len(SCALES), None, None]],
        _no_setup,
        {(3, "username", "unknown_username"), (4, "week_start", "not_a_monday"),
         (5, "reflection", "identifier_found"), (6, "username", "not_a_therapist"),
         (7, SCALES[0], "out_of_range"), (7, "selfcare_actions", "not_an_option"),
         (8, "username", "duplicate")},
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_rows_store_nothing_and_every_problem_is_named(engine, people, tmp_path, kind):
    header, rows, setup, expected = BAD_FILES[kind]
    setup(engine, people)
    before = counts(engine)
    report = import_file(engine, kind, write_file(tmp_path, header, rows, "comma_utf8"))
    assert not report.ok and report.stored == 0
    assert where_problems(report) == expected, report.text()
    assert report.total_problems == len(expected)
    assert counts(engine) == before  # row 2 is fine, yet not stored; no team, account or audit event
    for p in report.problems:  # each message names its row and column, in both languages
        assert p.message("en").startswith(f"row {p.row}" + (f", column {p.column}" if p.column else ""))
        assert p.message("nl").startswith(f"rij {p.row}")
    lines = report.lines()
    assert lines[0].startswith(f"nothing imported from data.csv: {len(expected)} problems")
    assert len(lines) == 1 + len(expected)


def test_problem_rows_are_the_files_rows_despite_blank_and_leading_rows(engine, people, tmp_path):
    content = ("\r\n;;\r\nusername;display_name;team;experience;contracted_sessions;started_on\r\n"
               "a1b;A;;starting;10;\r\n\r\n;;;;;\r\nb2c;B;;starting;1000;\r\n")
    report = import_file(engine, "therapists", write_text(tmp_path, content))
    assert where_problems(report) == {(7, "contracted_sessions", "out_of_range")}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(row=3, column=1, value="username")
    for j, name in enumerate(THERAPISTS.header[1:], start=2):
        ws.cell(row=3, column=j, value=name)
    for j, value in enumerate(["a1b", "A", None, "starting", 10], start=1):
        ws.cell(row=4, column=j, value=value)
    for j, value in enumerate(["b2c", "B", None, "starting", 1000], start=1):
        ws.cell(row=9, column=j, value=value)
    wb.save(tmp_path / "t.xlsx")
    report = import_file(engine, "therapists", tmp_path / "t.xlsx")
    assert where_problems(report) == {(9, "contracted_sessions", "out_of_range")}
    assert count(engine, Therapist) == 3


def test_reimporting_checkins_is_refused_as_a_whole(engine, people, tmp_path):
    path = write_file(tmp_path, CHECKINS.header, CHECKINS.rows, "comma_utf8")
    assert import_file(engine, "checkins", path).ok
    with session_scope(engine, readonly=True) as s:
        stored = [(r.week_start, r.energy, r.capacity_score) for r in s.scalars(select(WeeklyCheckin))]
    again = import_file(engine, "checkins", path)
    assert not again.ok
    assert where_problems(again) == {(2, "week_start", "checkin_exists"), (3, "week_start", "checkin_exists")}
    assert "anna already has a check-in for week 2024-W10" in again.problems[0].message("en")
    # One new week among the stored ones: still nothing is stored.
    mixed = [[*CHECKINS.rows[0][:2], *[1] * len(SCALES), None, None],
             ["anna", D(2024, 3, 18), *[1] * len(SCALES), None, None]]
    report = import_file(engine, "checkins", write_file(tmp_path, CHECKINS.header, mixed, "xlsx"))
    assert where_problems(report) == {(2, "week_start", "checkin_exists")}
    with session_scope(engine, readonly=True) as s:
        assert [(r.week_start, r.energy, r.capacity_score) for r in s.scalars(select(WeeklyCheckin))] == stored
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_type == "checkins")) == 1


def test_a_conflict_at_write_time_stores_nothing(engine, people, tmp_path, monkeypatch):
    """A row that passed the checks but conflicts when written (stored by someone else
    meanwhile; simulated by hiding the stored case from the check) rolls everything back."""
    from store.importer import lookups

    add_case(engine, people, CODE_A, D(2024, 1, 8))
    stored_cases = lookups.stored_cases
    monkeypatch.setattr(lookups, "stored_cases", lambda ctx, codes: stored_cases(ctx, []))
    rows = [[None, "anna", D(2024, 1, 8), None], [CODE_A, "bram", D(2024, 2, 5), None]]
    report = import_file(engine, "cases", write_file(tmp_path, CASES.header, rows, "comma_utf8"))
    assert [p.code for p in report.problems] == ["conflict"] and report.stored == 0
    assert count(engine, Case) == 1 and counts(engine)["audit"] == 0


def test_header_only_and_missing_columns(engine, people, tmp_path):
    report = import_file(engine, "sessions", write_text(tmp_path, "case_code;session_date;duration_minutes\r\n"))
    assert [p.code for p in report.problems] == ["empty"]
    report = import_file(engine, "sessions", write_text(tmp_path, "case_code;datum\r\nC-7KQ2-M9XD;2024-01-01\r\n"))
    assert {(p.row, p.column, p.code) for p in report.problems} == {
        (None, "datum", "unknown_column"), (None, "session_date", "missing_column"),
        (None, "duration_minutes", "missing_column"), (2, "case_code", "unknown_case_code")}
    assert count(engine, TherapySession) == 0


def test_file_refusals_are_reports_not_exceptions(engine, people, tmp_path):
    cases = {
        "missing.csv": None,
        "empty.csv": b"",
        "binary.csv": b"username,week_start\n\x00\x01\x02\x03",
        "latin.csv": b"username,week_start\n\x81\x8d\x8f,2024-03-04\n",
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "fake.xlsx": b"username,week_start\n",
        "broken.xlsx": b"PK\x03\x04 not really a zip",
    }
    codes = {}
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        report = import_file(engine, "checkins", path)
        assert not report.ok and report.stored == 0
        codes[name] = report.problems[0].code
    assert codes == {"missing.csv": "file_not_found", "empty.csv": "empty_file", "binary.csv": "binary",
                     "latin.csv": "undecodable", "old.xls": "xls_format", "fake.xlsx": "not_xlsx",
                     "broken.xlsx": "not_xlsx"}
    assert counts(engine)["audit"] == 0


def test_ragged_rows_are_reported_with_their_rows(engine, people, tmp_path):
    content = ("case_code,session_date,duration_minutes\n"
               "C-7KQ2-M9XD,2024-01-09,45\n"
               "C-7KQ2-M9XD,2024-01-09,45,5\n"  # a decimal comma in a comma file: one cell too many
               "C-7KQ2-M9XD,2024-01-09\n"  # a short row is filled up: its duration is missing
               "C-7KQ2-M9XD,2024-01-09,45,,\n")  # trailing empty cells are fine
    _setup_bad_ratings(engine, people)
    report = import_file(engine, "sessions", write_text(tmp_path, content))
    assert where_problems(report) == {(3, "D", "ragged_row"), (4, "duration_minutes", "required")}
    assert report.rows == 4
    assert count(engine, TherapySession) == 0


def test_many_problems_are_counted_beyond_the_listed_ones(engine, people, tmp_path, monkeypatch):
    from store.importer import report as import_report

    monkeypatch.setattr(import_report, "MAX_LISTED_PROBLEMS", 5)
    rows = [[f"user{i:03d}", f"U{i}", None, "starting", 0, None] for i in range(12)]
    report = import_file(engine, "therapists", write_file(tmp_path, THERAPISTS.header, rows, "comma_utf8"))
    assert len(report.problems) == 5 and report.total_problems == 12
    assert report.lines()[-1] == "... and 7 more problems"


def test_problems_beyond_the_validators_list_are_counted(engine, people, tmp_path):
    rows = [[f"user{i:04d}", f"U{i}", None, "expert", 0, None] for i in range(600)]  # 1,200 cell problems
    report = import_file(engine, "therapists", write_file(tmp_path, THERAPISTS.header, rows, "comma_utf8"))
    assert report.total_problems == 1200 and len(report.problems) == 1000
    assert report.lines()[-1] == "... and 200 more problems"
    assert report.summary().startswith("nothing imported from data.csv: 1200 problems")


def test_report_csv_and_dutch_text(engine, people, tmp_path):
    header, rows, setup, expected = BAD_FILES["sessions"]
    setup(engine, people)
    report = import_file(engine, "sessions", write_file(tmp_path, header, rows, "comma_utf8"), lang="nl")
    assert report.summary().startswith("niets ingelezen uit data.csv: 7 problemen")
    report.write_csv(tmp_path / "report.csv")
    with open(tmp_path / "report.csv", encoding="utf-8", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert {(int(r["row"]), r["column"], r["code"]) for r in written} == expected
    assert all(r["message"].startswith(f"rij {r['row']}, kolom {r['column']}") for r in written)


# --------------------------------------------------------------------------- command line


def database_url(engine) -> str:
    if engine.dialect.name == "sqlite":
        return engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    url = engine.url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def cli_env(engine, monkeypatch):
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", database_url(engine))


def test_cli_stores_and_exits_0(engine, people, tmp_path, cli_env, capsys):
    path = write_file(tmp_path, CHECKINS.header, CHECKINS.rows, "semicolon_bom_decimal_comma")
    assert main(["import", "--kind", "checkins", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "imported 2 rows (checkins) from data.csv" and err == ""
    assert count(engine, WeeklyCheckin) == 2


def test_cli_bad_file_exits_2_with_every_row(engine, people, tmp_path, cli_env, capsys):
    header, rows, setup, expected = BAD_FILES["checkins"]
    path = write_file(tmp_path, header, rows, "comma_utf8")
    report_path = tmp_path / "problems.csv"
    assert main(["import", "--kind", "checkins", str(path), "--report", str(report_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0] == "nothing imported from data.csv: 7 problems (all rows are stored or none)"
    assert {(line.split(",")[0]) for line in lines[1:]} == {f"row {r}" for r, _, _ in expected}
    assert "Traceback" not in err
    with open(report_path, encoding="utf-8", newline="") as fh:
        assert {(int(r["row"]), r["column"], r["code"]) for r in csv.DictReader(fh)} == expected
    assert main(["import", "--kind", "checkins", str(path), "--lang", "nl"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("niets ingelezen uit data.csv: 7 problemen")
    assert "rij 5, kolom reflection: bevat een BSN" in err
    assert BSN not in err  # the identifier is shown masked
    assert count(engine, WeeklyCheckin) == 0


def test_cli_internal_error_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}")
    path = write_file(tmp_path, CHECKINS.header, CHECKINS.rows, "comma_utf8")
    assert main(["import", "--kind", "checkins", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("error: internal error while importing (OperationalError:")
    assert "nothing was imported" in err


def test_cli_as_a_process_never_shows_a_traceback(tmp_path, sqlite_template):
    db = tmp_path / "db.sqlite3"
    db.write_bytes(sqlite_template.read_bytes())
    env = {**os.environ, "DRAAGKRACHT_DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(REPO_ROOT)}
    bad = write_text(tmp_path, b"username;week_start\r\nnobody;4-3-2024\r\n\x00")
    proc = subprocess.run([sys.executable, "-m", "store", "import", "--kind", "checkins", str(bad)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert "this is binary content" in proc.stderr
    missing = subprocess.run([sys.executable, "-m", "store", "import", "--kind", "nonsense", "x.csv"],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and "invalid choice" in missing.stderr

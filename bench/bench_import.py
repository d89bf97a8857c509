"""Importing 100,000 ratings vs. the floor of loading the same CSV into SQLite with pandas.

Target: ``store.importer.import_file`` of a 100,000-row ratings CSV (case code, date and
all 31 items, ~10 % of the cells empty) into a fresh SQLite database takes at most 3x
``pandas.read_csv(file)`` + ``DataFrame.to_sql(...)`` of the same file into another
fresh SQLite file with the same durability settings (WAL, ``synchronous=FULL``). The
import does much more than the floor: it decodes and checks every cell with row and
column reports, looks every case up, checks each date against the case's open period,
scores every rating, and writes the scores, versions and an audit event in one
transaction. The ratio says what that costs.

The cases the ratings refer to are created beforehand (a bulk insert into a template
database, outside the timed part); each timed import starts from a copy of it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select

from complexity import INSTRUMENT
from store.codes import ALPHABET
from store.db import make_engine, session_scope, upgrade
from store.importer import import_file
from store.models import Case, CaseRating, Therapist, UserAccount

from .harness import Comparison, compare

N_ROWS = 100_000
N_CASES = 5_000
SEED = 2026
OPENED_ON = dt.date(2020, 1, 6)


def case_codes(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct, valid case codes."""
    symbols = np.array(list(ALPHABET))
    codes: set[str] = set()
    while len(codes) < n:
        draw = rng.integers(0, len(symbols), size=(n, 8))
        for row in symbols[draw]:
            codes.add(f"C-{''.join(row[:4])}-{''.join(row[4:])}")
            if len(codes) == n:
                break
    return sorted(codes)


def write_ratings_csv(path: Path, codes: list[str], n: int = N_ROWS, seed: int = SEED) -> None:
    """A comma-separated UTF-8 ratings file: ``case_code,rated_on,<items...>``."""
    rng = np.random.default_rng(seed)
    items = rng.integers(0, 4, size=(n, len(INSTRUMENT.item_ids))).astype(float)
    items[rng.random(items.shape) < 0.10] = np.nan
    # Distinct (case, date) pairs: each case is rated on consecutive days from its start.
    case_index = np.arange(n) % len(codes)
    day = OPENED_ON + dt.timedelta(days=30)
    offsets = np.arange(n) // len(codes)
    frame = pd.DataFrame(items, columns=list(INSTRUMENT.item_ids)).astype("Int64")
    frame.insert(0, "rated_on", [(day + dt.timedelta(days=int(o))).isoformat() for o in offsets])
    frame.insert(0, "case_code", [codes[i] for i in case_index])
    frame.to_csv(path, index=False)


def make_template(path: Path, codes: list[str]) -> None:
    """A migrated database with one therapist owning every case (not timed)."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_scope(engine) as s:
        therapist = Therapist(display_name="Bench", experience="experienced", contracted_sessions=24)
        s.add(therapist)
        s.flush()
        s.add(UserAccount(username="bench", role="therapist", therapist_id=therapist.id))
        s.execute(insert(Case), [{"code": c, "therapist_id": therapist.id, "opened_on": OPENED_ON} for c in codes])
    engine.dispose()  # checkpoints the WAL into the file


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run() -> list[Comparison]:
    folder = Path(tempfile.mkdtemp(prefix="draagkracht-bench-import-"))
    try:
        rng = np.random.default_rng(SEED)
        codes = case_codes(N_CASES, rng)
        csv_path = folder / "ratings.csv"
        write_ratings_csv(csv_path, codes)
        template = folder / "template.sqlite3"
        make_template(template, codes)
        target_db = folder / "import.sqlite3"
        floor_db = folder / "floor.sqlite3"

        def subject() -> None:
            _fresh(target_db)
            shutil.copyfile(template, target_db)
            engine = make_engine(f"sqlite:///{target_db}")
            try:
                report = import_file(engine, "ratings", csv_path)
                if not report.ok or report.stored != N_ROWS:
                    raise RuntimeError("benchmark import failed:\n" + "\n".join(report.lines()[:20]))
            finally:
                engine.dispose()

        def floor() -> None:
            _fresh(floor_db)
            con = sqlite3.connect(floor_db)
            try:
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=FULL")
                df = pd.read_csv(csv_path)
                df.to_sql("case_rating", con, index=False)
                con.commit()
            finally:
                con.close()

        # The subject must have stored every row with a score, or the ratio means nothing.
        subject()
        engine = make_engine(f"sqlite:///{target_db}")
        with session_scope(engine, readonly=True) as s:
            stored = s.scalar(select(func.count()).select_from(CaseRating))
            scored = s.scalar(select(func.count()).select_from(CaseRating).where(CaseRating.band.is_not(None)))
        engine.dispose()
        assert stored == scored == N_ROWS, f"benchmark import stored {stored} rows, {scored} scored"
        return [
            compare(
                f"import {N_ROWS:,} ratings (CSV -> SQLite)",
                ("store.importer.import_file(kind='ratings')", subject),
                ("pandas.read_csv + DataFrame.to_sql (sqlite3)", floor),
                target=3.0,
                repeats=3,
            )
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)

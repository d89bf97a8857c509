"""An import killed with SIGKILL in the middle of its write leaves the database whole:
afterwards it holds all of the import or none of it, never part, and SQLite's
``PRAGMA integrity_check`` is "ok".

A forked child imports 20,000 ratings. Crash points are drawn at random (the seed is in
every failure message):

- **tick** (SQLite): the child installs an SQLite progress handler when the import's
  bulk insert starts and SIGKILLs itself after a random number of ticks (1,000 virtual-machine
  steps each), drawn from 1.1x the ticks a complete import takes; no timing involved.
  Kills in the first 90 % certainly land before the commit, so nothing may be stored.
- **signal** (both backends): the child reports when the bulk insert starts, and the parent
  SIGKILLs it after a random delay of up to 1.2x a complete write's duration, which can
  also land in the commit itself. (The delay is the crash point, not a wait.)
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import random
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, insert, select, text

from complexity import INSTRUMENT
from data_schema.validation import validate_table
from store.db import make_engine, session_scope
from store import importer
from store.importer import lookups
from store.models import AuditEvent, Case, CaseRating

from .conftest import _truncate_postgres, make_people

N_ROWS = 20_000
N_CASES = 400
TICK = 1_000  # SQLite VM instructions per progress callback
OPENED_ON = dt.date(2023, 1, 2)
SQLITE_ITERATIONS = 18  # half tick, half signal
POSTGRES_ITERATIONS = 4
FORK = mp.get_context("fork")

pytestmark = pytest.mark.slow


def _codes(n: int) -> list[str]:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return [f"C-{''.join(alphabet[(i >> s) % 32] for s in (15, 10, 5, 0))}-0000" for i in range(n)]


def _write_ratings(path: Path, codes: list[str]) -> None:
    rng = np.random.default_rng(7)
    items = rng.integers(0, 4, size=(N_ROWS, len(INSTRUMENT.item_ids)))
    frame = pd.DataFrame(items, columns=list(INSTRUMENT.item_ids))
    day = OPENED_ON + dt.timedelta(days=1)
    frame.insert(0, "rated_on", [(day + dt.timedelta(days=i // len(codes))).isoformat() for i in range(N_ROWS)])
    frame.insert(0, "case_code", [codes[i % len(codes)] for i in range(N_ROWS)])
    frame.to_csv(path, index=False, sep=";")


def _fill(engine) -> None:
    people = make_people(engine)
    with session_scope(engine) as s:
        s.execute(insert(Case), [{"code": c, "therapist_id": people.t1.id, "opened_on": OPENED_ON}
                                 for c in _codes(N_CASES)])


def _child(new_engine, csv_path: Path, pipe, mode: str, kill_tick: int | None) -> None:
    """Import the file; report when the write starts and, at the end, the outcome."""
    engine = new_engine()
    state = {"ticks": 0}
    bulk_insert = lookups.bulk_insert

    def writing(session, table, columns, n):  # this process only: it is a fork
        if mode in ("tick", "measure"):
            def progress() -> int:
                state["ticks"] += 1
                if state["ticks"] == kill_tick:
                    os.kill(os.getpid(), signal.SIGKILL)
                return 0

            session.connection().connection.driver_connection.set_progress_handler(progress, TICK)
        pipe.send(("writing", time.monotonic()))
        return bulk_insert(session, table, columns, n)

    lookups.bulk_insert = writing
    report = importer.import_file(engine, "ratings", csv_path)
    pipe.send(("done", report.stored, state["ticks"], time.monotonic()))


def _run(new_engine, csv_path: Path, mode: str, *, kill_tick: int | None = None,
         delay: float | None = None) -> tuple[int | None, list]:
    receiver, sender = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_child, args=(new_engine, csv_path, sender, mode, kill_tick), daemon=True)
    child.start()
    sender.close()
    messages = []
    try:
        messages.append(receiver.recv())  # blocks until the write starts (or the child dies)
        if mode == "signal":
            child.join(timeout=delay)  # the crash point
            if child.is_alive():
                os.kill(child.pid, signal.SIGKILL)
        while True:
            messages.append(receiver.recv())
    except EOFError:
        pass
    child.join(timeout=120)
    assert not child.is_alive(), "the importing child did not end"
    return child.exitcode, messages


def _sqlite_state(path: Path) -> tuple[list, int, int, list]:
    con = sqlite3.connect(path)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchall()
        rows = con.execute("SELECT count(*) FROM case_rating").fetchone()[0]
        events = con.execute("SELECT count(*) FROM audit_event WHERE subject_type = 'ratings'").fetchone()[0]
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    return integrity, rows, events, broken


def _fresh_copy(template: Path, path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)


@pytest.fixture(scope="module")
def ratings_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "ratings.csv"
    _write_ratings(path, _codes(N_CASES))
    # pandera imports its backends on first use (seconds): do it once, before the forks.
    validate_table("ratings", pd.read_csv(path, dtype=object, nrows=5))
    return path


def test_sqlite_import_killed_at_random_moments_is_all_or_nothing(tmp_path, sqlite_template, ratings_csv):
    template = tmp_path / "template.sqlite3"
    shutil.copyfile(sqlite_template, template)
    engine = make_engine(f"sqlite:///{template}")
    _fill(engine)
    engine.dispose()  # checkpoints: the template is one file
    db = tmp_path / "db.sqlite3"

    def new_engine():
        return make_engine(f"sqlite:///{db}")

    # A complete import: how many ticks and how long its write takes.
    _fresh_copy(template, db)
    code, messages = _run(new_engine, ratings_csv, "measure")
    assert code == 0 and messages[-1][:2] == ("done", N_ROWS), messages
    ticks = messages[-1][2]
    write_seconds = messages[-1][3] - messages[0][1]
    assert ticks > 50, "the write is too short to crash in"
    assert _sqlite_state(db) == ([("ok",)], N_ROWS, 1, [])

    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    outcomes = []
    for i in range(SQLITE_ITERATIONS):
        _fresh_copy(template, db)
        if i % 2 == 0:
            # Stratified over the write, the last stratum reaching past its end.
            lo, hi = i / SQLITE_ITERATIONS * 1.1 * ticks, (i + 2) / SQLITE_ITERATIONS * 1.1 * ticks
            kill_tick = max(1, int(rng.uniform(lo, hi)))
            code, messages = _run(new_engine, ratings_csv, "tick", kill_tick=kill_tick)
            crash = f"tick {kill_tick} of {ticks}"
        else:
            delay = rng.uniform(0, 1.2 * write_seconds)
            code, messages = _run(new_engine, ratings_csv, "signal", delay=delay)
            crash = f"{delay:.3f} s of {write_seconds:.3f} s"
            kill_tick = None
        integrity, rows, events, broken = _sqlite_state(db)
        where = f"(seed {seed}, iteration {i}, killed at {crash}, exit code {code})"
        assert integrity == [("ok",)], f"integrity_check {integrity} {where}"
        assert broken == [], f"foreign keys broken {where}"
        assert rows in (0, N_ROWS), f"{rows} of {N_ROWS} rows stored {where}"
        assert events == (rows == N_ROWS), f"audit event and rows disagree {where}"
        completed = bool(messages) and messages[-1][0] == "done"
        if completed:
            assert code == 0 and rows == N_ROWS, where
        else:
            assert code == -signal.SIGKILL, where
        if kill_tick is not None and kill_tick < 0.9 * ticks:
            assert not completed and rows == 0, f"killed during the insert, yet rows stored {where}"
        outcomes.append(rows)
    assert outcomes.count(0) >= SQLITE_ITERATIONS // 4, f"too few crashes before the commit: {outcomes} (seed {seed})"


@pytest.mark.postgres
def test_postgres_import_killed_at_random_moments_is_all_or_nothing(postgres_schema, ratings_csv):
    new_engine = postgres_schema
    engine = new_engine()
    _fill(engine)

    logged_before = [0]  # import lines already in the (append-only) log before this run

    def state() -> tuple[int, int]:
        with session_scope(engine, readonly=True) as s:
            rows = s.scalar(select(func.count()).select_from(CaseRating))
            events = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_type == "ratings"))
        return rows, events - logged_before[0]

    def clear() -> None:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM case_rating"))
        logged_before[0] += state()[1]

    try:
        code, messages = _run(new_engine, ratings_csv, "signal", delay=600)
        assert code == 0 and messages[-1][:2] == ("done", N_ROWS), messages
        write_seconds = messages[-1][3] - messages[0][1]
        assert state() == (N_ROWS, 1)
        seed = random.SystemRandom().randrange(2**32)
        rng = random.Random(seed)
        for i in range(POSTGRES_ITERATIONS):
            clear()
            delay = rng.uniform(0, 1.2 * write_seconds)
            code, messages = _run(new_engine, ratings_csv, "signal", delay=delay)
            rows, events = state()
            where = f"(seed {seed}, iteration {i}, killed at {delay:.3f} s of {write_seconds:.3f} s, exit {code})"
            assert rows in (0, N_ROWS), f"{rows} of {N_ROWS} rows stored {where}"
            assert events == (rows == N_ROWS), where
            if messages[-1][0] == "done":
                assert rows == N_ROWS, where
    finally:
        _truncate_postgres(engine)
        engine.dispose()

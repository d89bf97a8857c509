"""The databases a store benchmark runs on: a temporary SQLite file, and PostgreSQL
(``DRAAGKRACHT_BENCH_POSTGRES_URL``, default the local test database) in a schema of its
own that is dropped afterwards, skipped with the reason printed when unreachable."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, text

from store.db import make_engine

from .harness import Comparison

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def on_sqlite(measure: Callable[[Engine, str], Comparison]) -> Comparison:
    with tempfile.TemporaryDirectory(prefix="draagkracht-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            return measure(engine, "SQLite")
        finally:
            engine.dispose()


def on_postgres(measure: Callable[[Engine, str], Comparison], what: str) -> Comparison | None:
    url = os.environ.get("DRAAGKRACHT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        admin = make_engine(url, connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "skip"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"{what} (PostgreSQL): skipped, {url} unreachable ({type(exc).__name__}: {first})")
        return None
    schema = f"draagkracht_bench_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        return measure(engine, "PostgreSQL")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def on_both(measure: Callable[[Engine, str], Comparison], what: str) -> list[Comparison]:
    return [c for c in (on_sqlite(measure), on_postgres(measure, what)) if c is not None]

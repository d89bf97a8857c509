"""The migrations build exactly the tables of the models, on both backends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from data_schema.fields import MAX_CONTRACTED_SESSIONS, MIN_CONTRACTED_SESSIONS

from store.db import MIGRATIONS_DIR, alembic_config, current_revision, downgrade, upgrade
from store.models import Base


def _diffs(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, Base.metadata)


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgraded_database_matches_the_models(engine):
    # The fixture's database was built by `upgrade` (head) from empty.
    assert _diffs(engine) == []
    assert _tables(engine) == set(Base.metadata.tables)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head


def test_downgrade_to_base_and_upgrade_again(engine):
    downgrade(engine, "base")
    assert _tables(engine) == set()
    assert current_revision(engine) is None
    upgrade(engine)
    assert _diffs(engine) == []
    upgrade(engine)  # at head already: nothing to do, no error


def test_upgrade_on_an_empty_sqlite_file_by_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'fresh.sqlite3'}"
    upgrade(url)  # creates the folder, runs every migration, disposes its engine
    from store.db import make_engine

    engine = make_engine(url)
    try:
        assert _diffs(engine) == []
    finally:
        engine.dispose()


def test_one_head_and_frozen_migration_files():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for path in Path(MIGRATIONS_DIR, "versions").glob("*.py"):
        source = path.read_text("utf-8")
        # Migrations are history: they must not follow today's instrument or models.
        assert not re.search(r"^\s*(from|import)\s+(complexity|store|data_schema)\b", source, re.M), path.name


def _insert_therapist(engine, contracted_sessions: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO therapist (display_name, experience, contracted_sessions, active) "
                          "VALUES ('x', 'starting', :n, :active)"), {"n": contracted_sessions, "active": True})


@pytest.mark.parametrize("outside", [MIN_CONTRACTED_SESSIONS - 1, MAX_CONTRACTED_SESSIONS + 1])
def test_the_database_holds_the_schemas_range_of_contracted_sessions(engine, outside):
    # The edges (forms, imports, the store) refuse these first; the database is the last line.
    with pytest.raises(IntegrityError):
        _insert_therapist(engine, outside)
    _insert_therapist(engine, MAX_CONTRACTED_SESSIONS)  # the edge itself is fine


def test_the_range_migration_stops_on_a_value_outside_it_and_changes_nothing(engine):
    downgrade(engine, "0004")
    _insert_therapist(engine, 80)  # allowed by revision 0001's 0-100
    with pytest.raises(CommandError, match=r"therapist \d+: 80.*nothing was changed"):
        upgrade(engine)
    assert current_revision(engine) == "0004"
    with engine.begin() as conn:
        conn.execute(text("UPDATE therapist SET contracted_sessions = 40"))
    upgrade(engine)
    assert _diffs(engine) == []
    with pytest.raises(IntegrityError):
        _insert_therapist(engine, 80)


def test_the_command_line_upgrade_explains_a_refused_migration(tmp_path, capsys, monkeypatch):
    from store.__main__ import main
    from store.db import make_engine

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0004")
    engine = make_engine(url)
    try:
        _insert_therapist(engine, 0)
    finally:
        engine.dispose()
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", url)
    assert main(["upgrade"]) == 1
    err = capsys.readouterr().err
    assert "contracted sessions per week must be 1-60" in err and ": 0;" in err
    assert "Traceback" not in err and "unexpected" not in err


def test_the_range_migration_keeps_the_other_checks_and_never_reuses_an_id(engine):
    downgrade(engine, "0004")
    for _ in range(3):
        _insert_therapist(engine, 20)
    with engine.begin() as conn:
        highest = conn.execute(text("SELECT MAX(id) FROM therapist")).scalar()
        conn.execute(text("DELETE FROM therapist WHERE id = :id"), {"id": highest})
    upgrade(engine)
    checks = {c["name"] for c in inspect(engine).get_check_constraints("therapist")}
    assert {"ck_therapist_experience", "ck_therapist_contracted_sessions_range"} <= checks
    _insert_therapist(engine, 20)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT MAX(id) FROM therapist")).scalar() > highest  # the deleted id stays unused


# --- 0006: instrument and model 2.0 --------------------------------------------------------

NEW_IN_2 = ("content_social_context", "content_language_barrier", "content_time_demand",
            "ther_personal_resonance", "interplay")


def _items_of_1_0() -> tuple[str, ...]:
    import complexity
    from complexity.instrument import parse_instrument

    return parse_instrument((Path(complexity.__file__).parent / "instrument-1.0.0.toml").read_text("utf-8")).item_ids


def _columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _a_1_0_practice(engine) -> None:
    """A therapist with a case, a model 1.0 rating and two sessions (one scored), as a
    database at 0005 holds them."""
    _insert_therapist(engine, 20)
    items = _items_of_1_0()
    assert not set(NEW_IN_2) & set(items)
    with engine.begin() as conn:
        tid = conn.execute(text("SELECT MAX(id) FROM therapist")).scalar()
        conn.execute(text("INSERT INTO \"case\" (code, therapist_id, opened_on, created_at) "
                          "VALUES ('C-AAAA-BBBB', :t, '2026-01-05', CURRENT_TIMESTAMP)"), {"t": tid})
        cid = conn.execute(text("SELECT id FROM \"case\" WHERE code = 'C-AAAA-BBBB'")).scalar()
        conn.execute(text(
            f"INSERT INTO case_rating (case_id, rated_on, complexity, band, interaction, instrument_version, "
            f"model_version, created_at, {', '.join(items)}) VALUES (:c, '2026-01-05', 41.5, 'moderate', 3.2, "
            f"'1.0.0', '1.0.0', CURRENT_TIMESTAMP, {', '.join('2' for _ in items)})"), {"c": cid})
        for complexity, weight in ((41.5, 1.83), (None, 1.0)):
            conn.execute(text("INSERT INTO therapy_session (case_id, therapist_id, session_date, duration_minutes, "
                              "complexity, weight, created_at) VALUES (:c, :t, '2026-01-06', 45, :x, :w, "
                              "CURRENT_TIMESTAMP)"), {"c": cid, "t": tid, "x": complexity, "w": weight})


def test_instrument_2_migration_keeps_1_0_ratings_as_they_were_and_goes_back(engine):
    downgrade(engine, "0005")
    _a_1_0_practice(engine)
    upgrade(engine)
    assert _diffs(engine) == []
    with engine.connect() as conn:
        rating = conn.execute(text("SELECT * FROM case_rating")).mappings().one()
        sessions = conn.execute(text("SELECT complexity, model_version FROM therapy_session ORDER BY id")).all()
    # The 1.0 rating keeps its score and versions; 2.0's items are simply unrated.
    assert (rating["complexity"], rating["band"], rating["model_version"]) == (41.5, "moderate", "1.0.0")
    assert rating["instrument_version"] == "1.0.0"
    assert all(rating[i] is None for i in NEW_IN_2)
    assert all(rating[i] == 2 for i in _items_of_1_0())
    assert rating["complexity_low"] is None and rating["complexity_high"] is None and rating["burden"] is None
    # Sessions say which model weighed them: 1.0.0, the only one there was; none if unscored.
    assert [tuple(s) for s in sessions] == [(41.5, "1.0.0"), (None, None)]
    with pytest.raises(IntegrityError):  # the burden is 0-10
        with engine.begin() as conn:
            conn.execute(text("UPDATE case_rating SET burden = 11"))
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(text("UPDATE case_rating SET interplay = 4"))

    downgrade(engine, "0005")
    assert not set(NEW_IN_2) & _columns(engine, "case_rating")
    assert not {"burden", "complexity_low", "complexity_high"} & _columns(engine, "case_rating")
    assert "model_version" not in _columns(engine, "therapy_session") and "rating_rescore" not in _tables(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT complexity, model_version FROM case_rating")).one() == (41.5, "1.0.0")
        assert conn.execute(text("SELECT COUNT(*) FROM therapy_session")).scalar() == 2
    upgrade(engine)
    assert _diffs(engine) == []

"""The migrations build exactly the tables of the models, on both backends."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

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

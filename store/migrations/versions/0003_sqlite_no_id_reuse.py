"""SQLite: never reuse the id of a deleted therapist, account or case.

Without AUTOINCREMENT, SQLite hands the highest id to the next row after that row was
deleted (e.g. a therapist who erased their data). Audit lines name their subject and
actor by id, so a reused id would show one person's access log to another. PostgreSQL's
sequences never reuse ids: nothing changes there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:40:00

Frozen history: no imports of the models. Batch mode rebuilds each table on SQLite
(foreign keys are off during migrations, see store.db.migration_connection).
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("therapist", "user_account", "case")


def _rebuild(autoincrement: bool) -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)

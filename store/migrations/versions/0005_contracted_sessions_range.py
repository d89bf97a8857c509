"""The database's range for a therapist's contracted sessions per week is the schemas' 1-60.

Revision 0001 allowed 0-100 while every way in (forms, imports, the store's checks)
allows 1-60; now the database holds the same line. A database with a value outside 1-60
(possible only by writing to it directly) is not changed: the upgrade stops and names
the therapists, for the operator to correct first.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:10:00

Frozen history: no imports of the models (the range is written out here).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NAME = "ck_therapist_contracted_sessions_range"
OLD_RANGE = (0, 100)
NEW_RANGE = (1, 60)


def _replace_check(low: int, high: int) -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:  # the rebuild restarts the id counter at the highest id still there
        used = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'therapist'")).scalar()
    # SQLite rebuilds the table: keep its AUTOINCREMENT (revision 0003).
    with op.batch_alter_table("therapist", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint(op.f(NAME), type_="check")
        batch.create_check_constraint(op.f(NAME),
                                      f"contracted_sessions >= {low} AND contracted_sessions <= {high}")
    if sqlite and used is not None:
        # ... and a deleted therapist's id must never come back (revision 0003: audit
        # lines name people by id).
        bind.execute(sa.text("UPDATE sqlite_sequence SET seq = MAX(seq, :used) WHERE name = 'therapist'"),
                     {"used": used})
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) SELECT 'therapist', :used "
                             "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'therapist')"),
                     {"used": used})


def upgrade() -> None:
    low, high = NEW_RANGE
    outside = op.get_bind().execute(
        sa.text("SELECT id, contracted_sessions FROM therapist "
                "WHERE contracted_sessions < :low OR contracted_sessions > :high ORDER BY id"),
        {"low": low, "high": high},
    ).all()
    if outside:
        listed = ", ".join(f"therapist {row.id}: {row.contracted_sessions}" for row in outside)
        raise CommandError(
            f"cannot upgrade to revision {revision}: contracted sessions per week must be "
            f"{low}-{high}, but the database holds {listed}; correct these first "
            f"(nothing was changed)")
    _replace_check(low, high)


def downgrade() -> None:
    _replace_check(*OLD_RANGE)

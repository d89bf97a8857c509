"""Temporary passwords: an admin can give an account a password the user must change.

Accounts imported without a password (``python -m store import therapists``) and users
who forgot theirs get a temporary password from an admin; ``password_must_change`` keeps
them on the account page until they choose their own.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:20:00

Frozen history: no imports of the models.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("password_must_change", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    # SQLite rebuilds the table to drop a column: keep its AUTOINCREMENT (revision 0003).
    with op.batch_alter_table("user_account", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("password_must_change")

"""Login and access: account deactivation, password-change time, last login, TOTP set-up.

Adds to ``user_account``: ``active`` (true for existing accounts), ``password_changed_at``,
``last_login_at``, ``totp_pending_secret`` and ``totp_last_counter``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00

Migrations are frozen history: write columns out literally, never import the
instrument, the check-in or the models here. Batch mode so that SQLite (which cannot
alter a table in place) rebuilds the table; on PostgreSQL it is a plain ALTER TABLE.
Test on both backends: pytest tests/store -k migrations.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_counter', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_counter')
        batch_op.drop_column('totp_pending_secret')
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('active')

"""Server-side login sessions (``login_session``): the digest of the random token the
browser holds in an HttpOnly cookie, the account, when it began and was last used, the
validity start a password change is compared with, where from (client address, device),
the digest and expiry of the one-time ticket exchanged for the cookie, what the user is to
be told on the first page after the login (changes an admin made), and when and why it
ended.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:00:00

Frozen history: no imports of the models (the reasons are written out here).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

REASONS = "'logout', 'ended_by_user', 'rotated', 'idle', 'absolute', 'password_changed', 'account'"


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("device", sa.String(64), nullable=True),
        sa.Column("handoff_digest", sa.String(64), nullable=True),
        sa.Column("handoff_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notices", sa.Text(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(24), nullable=True),
        sa.CheckConstraint(f"end_reason IN ({REASONS})", name=op.f("ck_login_session_end_reason")),
        sa.ForeignKeyConstraint(["account_id"], ["user_account.id"],
                                name=op.f("fk_login_session_account_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_login_session_token_digest")),
        sa.UniqueConstraint("handoff_digest", name=op.f("uq_login_session_handoff_digest")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_login_session_account_id"), "login_session", ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_session_account_id"), table_name="login_session")
    op.drop_table("login_session")

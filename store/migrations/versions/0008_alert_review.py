"""Alerts a supervisor marked as discussed (``alert_review``): the kind, the therapist,
the subject (a case code, or empty), the week or day the cause began, the day it was
discussed and by whom. No free text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 09:40:00

Frozen history: no imports of the models (the kinds are written out here).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "alert_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("discussed_on", sa.Date(), nullable=False),
        sa.Column("discussed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('red_two_weeks', 'load_rising', 'consult_now')", name=op.f("ck_alert_review_kind")),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapist.id"], name=op.f("fk_alert_review_therapist_id_therapist"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["discussed_by_user_id"], ["user_account.id"],
                                name=op.f("fk_alert_review_discussed_by_user_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_review")),
        sa.UniqueConstraint("kind", "therapist_id", "subject", "since",
                            name=op.f("uq_alert_review_kind_therapist_id_subject_since")),
    )
    op.create_index(op.f("ix_alert_review_therapist_id"), "alert_review", ["therapist_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_review_therapist_id"), table_name="alert_review")
    op.drop_table("alert_review")

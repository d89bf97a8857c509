"""Team history: a team can be archived (``team.archived_on``), and a therapist's moves
between teams are kept (``team_membership``: from which Monday on they belonged to which
team), so a team's past weeks keep the therapists it had then.

Existing therapists get no rows: without rows, a therapist has always been in
``therapist.team_id``, which is what every week showed until now.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:40:00

Frozen history: no imports of the models.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.add_column(sa.Column("archived_on", sa.Date(), nullable=True))
    op.create_table(
        "team_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapist.id"],
                                name=op.f("fk_team_membership_therapist_id_therapist"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_team_membership_team_id_team"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_membership")),
        sa.UniqueConstraint("therapist_id", "valid_from", name=op.f("uq_team_membership_therapist_id_valid_from")),
    )
    op.create_index(op.f("ix_team_membership_therapist_id"), "team_membership", ["therapist_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_team_membership_therapist_id"), table_name="team_membership")
    op.drop_table("team_membership")
    with op.batch_alter_table("team") as batch:
        batch.drop_column("archived_on")

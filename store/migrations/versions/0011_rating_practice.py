"""The rating practice (issue 14): vignettes a researcher or admin added
(``practice_vignette``: band, instrument version, titles and texts in Dutch and
English, the reference rating as JSON, who added it), and the therapists' practice
ratings of vignettes (``practice_rating``: one per therapist, vignette and instrument
version; its levels in ``practice_rating_item``). Practice ratings never touch
``case_rating``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00

Frozen history: no imports of the models (the bands and levels are written out here).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BANDS = "'uncomplicated', 'mild', 'moderate', 'severe'"


def upgrade() -> None:
    op.create_table(
        "practice_vignette",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("instrument_version", sa.String(20), nullable=False),
        sa.Column("title_nl", sa.String(120), nullable=False),
        sa.Column("title_en", sa.String(120), nullable=False),
        sa.Column("text_nl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("added_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"band IN ({BANDS})", name=op.f("ck_practice_vignette_band")),
        sa.ForeignKeyConstraint(["added_by_user_id"], ["user_account.id"],
                                name=op.f("fk_practice_vignette_added_by_user_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_vignette")),
        sa.UniqueConstraint("key", name=op.f("uq_practice_vignette_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "practice_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vignette_key", sa.String(16), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("instrument_version", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapist.id"],
                                name=op.f("fk_practice_rating_therapist_id_therapist"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_rating")),
        sa.UniqueConstraint("vignette_key", "therapist_id", "instrument_version",
                            name=op.f("uq_practice_rating_vignette_key_therapist_id_instrument_version")),
    )
    op.create_index(op.f("ix_practice_rating_therapist_id"), "practice_rating", ["therapist_id"], unique=False)
    op.create_table(
        "practice_rating_item",
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("level >= 0 AND level <= 3", name=op.f("ck_practice_rating_item_level_range")),
        sa.ForeignKeyConstraint(["rating_id"], ["practice_rating.id"],
                                name=op.f("fk_practice_rating_item_rating_id_practice_rating"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("rating_id", "item_id", name=op.f("pk_practice_rating_item")),
    )


def downgrade() -> None:
    op.drop_table("practice_rating_item")
    op.drop_index(op.f("ix_practice_rating_therapist_id"), table_name="practice_rating")
    op.drop_table("practice_rating")
    op.drop_table("practice_vignette")

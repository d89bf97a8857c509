"""Instrument and model 2.0: the new items, the score's range, the therapist's burden,
and the history of rescored ratings.

- ``case_rating`` gains a column for each item instrument 2.0 adds (0-3, NULL = not
  rated: ratings made with 1.0 simply have them unrated), ``complexity_low`` and
  ``complexity_high`` (the range a 2.0 score could take once every unrated item is rated;
  NULL for 1.0 scores), and ``burden`` (0-10, "how heavy does this case feel to you right
  now?", optional).
- ``therapy_session`` gains ``model_version``: the model that gave the complexity the
  session was weighed with (sessions recorded before this migration: 1.0.0, the only
  model there was; NULL where the case was not scored).
- ``rating_rescore`` keeps the score a rating had before ``python -m store rescore``
  scored it again under a newer model.

Existing ratings keep their 1.0 scores and model version until the operator runs
``python -m store rescore``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:00:00

Frozen history: no imports of the models (the new item ids are written out here).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NEW_ITEMS = ("content_social_context", "content_language_barrier", "content_time_demand",
             "ther_personal_resonance", "interplay")


def upgrade() -> None:
    with op.batch_alter_table("case_rating") as batch:
        for item in NEW_ITEMS:
            batch.add_column(sa.Column(item, sa.SmallInteger(), nullable=True))
            batch.create_check_constraint(op.f(f"ck_case_rating_{item}_range"), f"{item} >= 0 AND {item} <= 3")
        batch.add_column(sa.Column("complexity_low", sa.Double(), nullable=True))
        batch.add_column(sa.Column("complexity_high", sa.Double(), nullable=True))
        batch.add_column(sa.Column("burden", sa.SmallInteger(), nullable=True))
        batch.create_check_constraint(op.f("ck_case_rating_burden_range"),
                                      "burden IS NULL OR (burden >= 0 AND burden <= 10)")
        batch.create_check_constraint(op.f("ck_case_rating_complexity_low_range"),
                                      "complexity_low IS NULL OR (complexity_low >= 0 AND complexity_low <= 100)")
        batch.create_check_constraint(op.f("ck_case_rating_complexity_high_range"),
                                      "complexity_high IS NULL OR (complexity_high >= 0 AND complexity_high <= 100)")
    with op.batch_alter_table("therapy_session") as batch:
        batch.add_column(sa.Column("model_version", sa.String(length=40), nullable=True))
    op.execute("UPDATE therapy_session SET model_version = '1.0.0' WHERE complexity IS NOT NULL")
    op.create_table(
        "rating_rescore",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_rating_id", sa.Integer(), nullable=False),
        sa.Column("complexity", sa.Double(), nullable=True),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("interaction", sa.Double(), nullable=True),
        sa.Column("complexity_low", sa.Double(), nullable=True),
        sa.Column("complexity_high", sa.Double(), nullable=True),
        sa.Column("model_version", sa.String(length=40), nullable=False),
        sa.Column("rescored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_rating_id"], ["case_rating.id"],
                                name=op.f("fk_rating_rescore_case_rating_id_case_rating"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_rescore")),
    )
    op.create_index(op.f("ix_rating_rescore_case_rating_id"), "rating_rescore", ["case_rating_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rating_rescore_case_rating_id"), table_name="rating_rescore")
    op.drop_table("rating_rescore")
    with op.batch_alter_table("therapy_session") as batch:
        batch.drop_column("model_version")
    with op.batch_alter_table("case_rating") as batch:
        for name in ("complexity_high_range", "complexity_low_range", "burden_range",
                     *(f"{item}_range" for item in reversed(NEW_ITEMS))):
            batch.drop_constraint(op.f(f"ck_case_rating_{name}"), type_="check")
        for column in ("burden", "complexity_high", "complexity_low", *reversed(NEW_ITEMS)):
            batch.drop_column(column)

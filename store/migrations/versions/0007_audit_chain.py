"""A tamper-evident access log (NEN 7513): who in which role, from where, in which
session, with which outcome; every line chained to the one before by a SHA-256 hash, and
UPDATE and DELETE on ``audit_event`` refused by a trigger on both backends.

Existing lines keep their content (role, session and address unknown: NULL; outcome
from the action: ``authz_denied`` and ``login_failure`` were refused, the rest allowed)
and are chained in id order, so `python -m store audit verify` holds from the first line.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:20:00

Frozen history: no imports of the models or the store. The line digest below must stay
the one ``store.audit.line_digest`` computes; ``tests/store/test_audit_chain.py`` checks
that lines chained here verify.
"""
import datetime as dt
import hashlib
import json
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

GENESIS = "0" * 64
REFUSED_ACTIONS = ("authz_denied", "login_failure")
COLUMNS = ("actor_user_id", "actor_role", "on_behalf_of_user_id", "action", "subject_type", "subject_id",
           "detail", "outcome", "session_key", "client_address")


def _at(value) -> str:
    if isinstance(value, str):  # SQLite hands back the stored text through a plain select
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(prev_hash: str, seq: int, at, values: dict) -> str:
    payload = json.dumps([prev_hash, seq, _at(at), *(values[c] for c in COLUMNS)],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit lines are append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit lines are append-only: DELETE refused'); END",
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit lines are append-only: % refused', TG_OP "
    "USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
)


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("actor_role", sa.String(16), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(8), nullable=True))
        batch.add_column(sa.Column("session_key", sa.String(16), nullable=True))
        batch.add_column(sa.Column("client_address", sa.String(64), nullable=True))
        batch.add_column(sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    op.create_index(op.f("ix_audit_event_seq"), "audit_event", ["seq"], unique=True)
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE audit_event SET outcome = CASE WHEN action IN ('authz_denied', 'login_failure') "
        "THEN 'refused' ELSE 'allowed' END"))
    rows = bind.execute(sa.text(
        f"SELECT id, at, {', '.join(COLUMNS)} FROM audit_event ORDER BY id")).mappings().all()
    prev, seq = GENESIS, 0
    for row in rows:
        seq += 1
        digest = _digest(prev, seq, row["at"], row)
        bind.execute(sa.text("UPDATE audit_event SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"),
                     {"seq": seq, "prev": prev, "hash": digest, "id": row["id"]})
        prev = digest
    bind.execute(sa.text("INSERT INTO audit_chain (id, last_seq, last_hash) VALUES (1, :seq, :hash)"),
                 {"seq": seq, "hash": prev})
    for statement in SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        bind.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
    else:
        bind.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event"))
        bind.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event"))
        bind.execute(sa.text("DROP FUNCTION IF EXISTS audit_event_append_only()"))
    op.drop_table("audit_chain")
    op.drop_index(op.f("ix_audit_event_seq"), table_name="audit_event")
    with op.batch_alter_table("audit_event") as batch:
        for column in ("hash", "prev_hash", "seq", "client_address", "session_key", "outcome", "actor_role"):
            batch.drop_column(column)

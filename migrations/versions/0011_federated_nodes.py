"""federated_events -> federated_nodes: the events received from child nodes were written twice, to an inbox
table of their own and to the outbox (`origin` set); the outbox copy, with its unique id, is now the only
one (a redelivered event is a no-op there just the same), and what the status page read from the inbox
(count, last received, lag, newest event per child node) is one row per node, updated once per batch.
Per event: one insert and two index entries instead of two and four.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import haiquan.kit.db

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = haiquan.kit.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "federated_nodes",
        sa.Column("node", sa.String(length=16), nullable=False),
        sa.Column("received", COUNT, nullable=False),
        sa.Column("last_stream_seq", COUNT, nullable=False),
        sa.Column("last_received_at", WHEN, nullable=False),
        sa.Column("last_lag_s", sa.Float(), nullable=False),
        sa.Column("newest_occurred_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("node"),
    )
    # each node's last event by stream order: its lag; counts and the newest event over all
    op.execute(
        """INSERT INTO federated_nodes
        (node, received, last_stream_seq, last_received_at, last_lag_s, newest_occurred_at)
        SELECT f.node, COUNT(*), MAX(f.stream_seq), MAX(f.received_at), 0.0, MAX(f.occurred_at)
        FROM federated_events f GROUP BY f.node"""
    )
    op.drop_table("federated_events")  # and its index


def downgrade() -> None:
    op.create_table(
        "federated_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("node", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("occurred_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("stream_seq", COUNT, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("federated_events", schema=None) as batch_op:
        batch_op.create_index("ix_federated_node_received", ["node", "received_at"], unique=False)
    # the inbox again from the outbox copies (their stream sequence was not kept: 0)
    op.execute(
        """INSERT INTO federated_events (id, node, unit, type, occurred_at, received_at, stream_seq)
        SELECT o.id, o.origin, o.unit, o.type, o.occurred_at, o.published_at, 0
        FROM outbox o WHERE o.origin IS NOT NULL"""
    )
    op.drop_table("federated_nodes")

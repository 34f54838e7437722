"""outbox and federated_events: drop the indexes no query reads (outbox by type and by unit; the inbox by
node, which the (node, received_at) index covers, and by unit). Every event is inserted into the outbox of
its node and, federated, into the parent's inbox and outbox; the relay's mark rewrites each outbox row
once more: each index was written three or four times per event for nothing.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_type"))
        batch_op.drop_index(batch_op.f("ix_outbox_unit"))
    with op.batch_alter_table("federated_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_federated_events_node"))
        batch_op.drop_index(batch_op.f("ix_federated_events_unit"))


def downgrade() -> None:
    with op.batch_alter_table("federated_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_federated_events_unit"), ["unit"], unique=False)
        batch_op.create_index(batch_op.f("ix_federated_events_node"), ["node"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_unit"), ["unit"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_type"), ["type"], unique=False)

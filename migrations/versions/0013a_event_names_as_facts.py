"""Event types named as facts (decision 0017): the declarations' former names (commands: `declaration.register`)
become their catalogue names (`declaration.registered`) where they are stored: the outbox (type and subject:
events recorded but not yet applied or relayed are then taken by the consumers that know the new names), the
per-unit summary (rows of a day held under both names are added together) and the agency agreements' types.
Nothing else keeps a type: the history's `action`, the notifications and the audit log keep their own words.

The mapping is written out here, not read from the catalogue: a migration means what it meant when written.

Revision ID: 0013a
Revises: 0012e
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013a"
down_revision: str | Sequence[str] | None = "0012e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = {
    "declaration.lodge": "declaration.lodged",
    "declaration.amend": "declaration.amended",
    "declaration.register": "declaration.registered",
    "declaration.inspect": "declaration.inspection_ordered",
    "declaration.await_payment": "declaration.held_for_payment",
    "declaration.duties_payment": "declaration.duties_paid",
    "declaration.duties_guarantee": "declaration.duties_guaranteed",
    "declaration.clear": "declaration.cleared",
    "declaration.amend_registered": "declaration.amended_after_registration",
    "declaration.cancel": "declaration.cancelled",
    "declaration.exit": "declaration.goods_exited",
}

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
AGREEMENTS = sa.table("agency_agreements", sa.column("id", sa.String), sa.column("types", JSON))


def upgrade() -> None:
    rename(RENAMED)


def downgrade() -> None:
    rename({new: old for old, new in RENAMED.items()})


def rename(names: dict[str, str]) -> None:
    conn = op.get_bind()
    _outbox(conn, names)
    for old, new in names.items():
        _totals(conn, old, new)
    for id_, types in conn.execute(sa.select(AGREEMENTS.c.id, AGREEMENTS.c.types)).all():
        renamed = sorted({names.get(t, t) for t in types})
        if renamed != sorted(types):
            conn.execute(AGREEMENTS.update().where(AGREEMENTS.c.id == id_).values(types=renamed))


def _outbox(conn: sa.Connection, names: dict[str, str]) -> None:
    """One pass over the outbox (it has no index on type): each event's type and the subject's tail."""
    outbox = sa.table("outbox", sa.column("type", sa.String), sa.column("subject", sa.String))
    new = sa.case({old: sa.literal(n) for old, n in names.items()}, value=outbox.c.type)
    head = sa.func.substr(
        outbox.c.subject, 1, sa.func.length(outbox.c.subject) - sa.func.length(outbox.c.type)
    )
    conn.execute(
        outbox.update().where(outbox.c.type.in_(list(names))).values(type=new, subject=head.concat(new))
    )


TOTALS_KEY = (
    "o.unit = unit_event_totals.unit AND o.day = unit_event_totals.day AND o.dim = unit_event_totals.dim"
)


def _totals(conn: sa.Connection, old: str, new: str) -> None:
    """The summary's rows of `old` under `new`: added to a row `new` has for the same unit, day and dimension,
    else renamed."""
    other = f"FROM unit_event_totals o WHERE {TOTALS_KEY} AND o.type = :other"
    conn.execute(
        sa.text(
            f"UPDATE unit_event_totals SET count = count + (SELECT o.count {other}), "
            f"amount = amount + (SELECT o.amount {other}) WHERE type = :type AND EXISTS (SELECT 1 {other})"
        ),
        {"type": new, "other": old},
    )
    conn.execute(
        sa.text(f"DELETE FROM unit_event_totals WHERE type = :type AND EXISTS (SELECT 1 {other})"),
        {"type": old, "other": new},
    )
    conn.execute(
        sa.text("UPDATE unit_event_totals SET type = :new WHERE type = :old"), {"new": new, "old": old}
    )

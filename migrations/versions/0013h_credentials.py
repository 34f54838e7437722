"""Credentials that can end (issue #25): officers' sessions held on the server (officer_sessions: logout,
deactivation, idle and absolute timeouts); API keys with scopes and an optional expiry (keys issued before
keep every scope and no end); a webhook secret's predecessor, still signing for a while after a rotation;
the validity of terminal operators' and banks' certificates (filled from the certificates already
registered) and banks' certificate revocation.

Revision ID: 0013h
Revises: 0013b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013h"
down_revision: str | Sequence[str] | None = "0013b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALL_SCOPES = "read write manage"


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "officer_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("officer_id", sa.String(32), sa.ForeignKey("officers.id"), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("last_seen_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("revoked_at", _when(), nullable=True),
        sa.Column("revoked_reason", sa.String(40), nullable=False),
    )
    op.create_index("ix_officer_sessions_officer_id", "officer_sessions", ["officer_id"])
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(100), server_default=ALL_SCOPES, nullable=False))
        batch_op.add_column(sa.Column("expires_at", _when(), nullable=True))
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_secret_previous", sa.String(100), nullable=True))
        batch_op.add_column(sa.Column("webhook_previous_until", _when(), nullable=True))
    with op.batch_alter_table("sv_operator_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", _when(), nullable=True))
        batch_op.add_column(sa.Column("not_after", _when(), nullable=True))
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certificate_not_before", _when(), nullable=True))
        batch_op.add_column(sa.Column("certificate_not_after", _when(), nullable=True))
        batch_op.add_column(sa.Column("certificate_revoked_at", _when(), nullable=True))
    _fill_validity()


def _validity(pem: str | None) -> tuple[object, object]:
    from cryptography import x509

    if not pem:
        return None, None
    try:
        cert = x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError:
        return None, None
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    if op.get_bind().dialect.name == "sqlite":  # stored as naive UTC there (kit.db.UTCDateTime)
        before, after = before.replace(tzinfo=None), after.replace(tzinfo=None)
    return before, after


def _fill_validity() -> None:
    conn = op.get_bind()
    for key_id, pem in conn.execute(sa.text("SELECT id, certificate_pem FROM sv_operator_keys")).all():
        before, after = _validity(pem)
        conn.execute(
            sa.text("UPDATE sv_operator_keys SET not_before = :b, not_after = :a WHERE id = :id"),
            {"b": before, "a": after, "id": key_id},
        )
    for code, pem in conn.execute(sa.text("SELECT code, certificate_pem FROM banks")).all():
        before, after = _validity(pem)
        conn.execute(
            sa.text(
                "UPDATE banks SET certificate_not_before = :b, certificate_not_after = :a WHERE code = :c"
            ),
            {"b": before, "a": after, "c": code},
        )


def downgrade() -> None:
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_column("certificate_revoked_at")
        batch_op.drop_column("certificate_not_after")
        batch_op.drop_column("certificate_not_before")
    with op.batch_alter_table("sv_operator_keys", schema=None) as batch_op:
        batch_op.drop_column("not_after")
        batch_op.drop_column("not_before")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("webhook_previous_until")
        batch_op.drop_column("webhook_secret_previous")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scopes")
    op.drop_index("ix_officer_sessions_officer_id", table_name="officer_sessions")
    op.drop_table("officer_sessions")

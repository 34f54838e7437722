"""Tables of the shared infrastructure: outbox, consumptions, audit log, idempotency, sequences, the
sources officers logged in from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.sql import Base, JSONType

SeqInt = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(Base):
    """Every state change, written in the same transaction as the change."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(80))  # no index: no query reads the outbox by type or unit
    version: Mapped[int] = mapped_column(Integer, default=1)
    unit: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True)  # ix_outbox_unpublished
    # None for events recorded on this node; the child node's unit for events federated from below
    # (never relayed upward again: the parent's hub already sources the child's stream).
    origin: Mapped[str | None] = mapped_column(String(16), nullable=True)


class EventConsumption(Base):
    """An event applied by a consumer, recorded in the consumer's own transaction (exactly once)."""

    __tablename__ = "event_consumptions"
    consumer: Mapped[str] = mapped_column(String(60), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    applied_at: Mapped[datetime]


class ConsumerCursor(Base):
    """Every outbox event at or below low_seq has been applied by the consumer."""

    __tablename__ = "consumer_cursors"
    consumer: Mapped[str] = mapped_column(String(60), primary_key=True)
    low_seq: Mapped[int] = mapped_column(SeqInt, default=0)


class AuditEntry(Base):
    """Tamper-evident log: each entry carries the hash of the previous one."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    principal: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class SequenceCounter(Base):
    """Counters for numbers (SQLite path; PostgreSQL uses native sequences)."""

    __tablename__ = "sequence_counters"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(SeqInt, default=0)


Index("ix_audit_actor_at", AuditEntry.actor, AuditEntry.at)
# What the relay has still to publish, in sequence order: only the rows not yet published, so that reading
# the next batch touches those rows alone, and federated copies (published when written) are not in it.
UNPUBLISHED = OutboxEvent.published_at.is_(None) & OutboxEvent.origin.is_(None)
Index("ix_outbox_unpublished", OutboxEvent.seq, postgresql_where=UNPUBLISHED, sqlite_where=UNPUBLISHED)


class LoginKnownSource(Base):
    """A source address an officer logged in from (kit.login_sources): shared by every worker, so that a
    blocked address still lets in the officers known to log in from it, whichever worker answers."""

    __tablename__ = "login_known_sources"
    username: Mapped[str] = mapped_column(String(60), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(index=True)  # pruned after REMEMBER_GOOD

"""Reference data flowing down (every node): tariffs, risk profiles, watch lists and the organisation
published at the top are sourced into the node's REF stream and applied in version order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import nats
import structlog
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy.exc import IntegrityError

from haiquan.kit.db import Database
from haiquan.sharing import domain, reference
from haiquan.sharing import metrics as m

log = structlog.get_logger(__name__)


async def follow_references(
    js: JetStreamContext, *, db: Database, unit: str, on_applied: Callable[[], None]
) -> None:
    """Pull the node's reference stream for ever; a message is acknowledged once applied (or refused as
    malformed), so a crash redelivers it and the versions make applying it twice harmless."""
    stream = domain.ref_stream(unit)
    cfg = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=60)
    sub = None
    while sub is None:
        try:
            sub = await js.pull_subscribe("", durable=f"ref_{unit}", stream=stream, config=cfg)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("reference_consumer_not_ready", error=str(exc))
            await asyncio.sleep(1)
    while True:
        try:
            msgs = await sub.fetch(50, timeout=2)
        except asyncio.CancelledError:
            raise
        except (nats.errors.TimeoutError, TimeoutError):
            continue
        except Exception as exc:
            log.warning("reference_fetch_failed", error=str(exc))
            await asyncio.sleep(0.5)
            continue
        for msg in msgs:
            try:
                await asyncio.to_thread(apply_reference, db, msg.data, on_applied, node=unit)
            except Exception:  # not acknowledged: redelivered, and versions make it idempotent
                log.exception("reference_apply_failed")
                break
            await msg.ack()


def apply_reference(db: Database, data: bytes, on_applied: Callable[[], None], *, node: str = "00") -> None:
    """One message of the REF stream, in its own transaction: applied (a whole version), staged (a part), or
    refused (older, or a document its kind refuses: rolled back, then the refusal recorded). Either way it
    is then acknowledged; only a failure of the database leaves it to be redelivered."""
    try:
        env = reference.parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        m.REFERENCE_REFUSED.labels("?", "malformed").inc()
        log.error("bad_reference_message", error=str(exc))
        return
    try:
        with db.unit_of_work() as uow:
            outcome = reference.receive(uow.session, env, node=node)
            if outcome.status == "older" and env.part == 0:  # a version in parts: refused once
                reference.refuse(uow.session, outcome, node=node, by=env.published_by)
            uow.commit()
    except (reference.BadDocument, IntegrityError) as exc:
        # a constraint the document breaks (an officer of an unknown unit, a username taken by another id)
        # is the document's fault like a schema's refusal; a database that is down is not (redelivered)
        field, reason = (
            (exc.field, exc.message)
            if isinstance(exc, reference.BadDocument)
            else ("document", str(exc.orig)[:300])
        )
        outcome = reference.Outcome("bad", env.kind, env.version, field=field, reason=reason)
        with db.unit_of_work() as uow:
            reference.refuse(uow.session, outcome, node=node, by=env.published_by)
            uow.commit()
    if outcome.status == "applied":
        on_applied()

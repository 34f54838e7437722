"""Fixtures of the interchange tests: CUSDEC and WCO XML written from the JSON API's example declaration."""

from __future__ import annotations

from typing import Any

from haiquan.declarations.schemas import DeclarationIn
from haiquan.interchange import cusdec_writer, wco
from haiquan.interchange.writer import Writer
from haiquan.kit import clock
from tests.support import World, import_declaration

BROKER = "0100109106"


def cusdec_text(body: dict[str, Any] | None = None, *, lrn: str = "LRN-0001", release: str = "96B") -> str:
    d = DeclarationIn.model_validate(body or import_declaration())
    msg = cusdec_writer.message(d, reference="1", functional_reference=lrn, release=release)
    return Writer().interchange(sender=BROKER, recipient="HAIQUAN", control_ref="CR1", messages=[msg],
                                prepared=clock.now(), newline=True)  # fmt: skip


def wco_xml(body: dict[str, Any] | None = None, *, lrn: str = "LRN-0001") -> bytes:
    return wco.write(DeclarationIn.model_validate(body or import_declaration()), functional_reference=lrn)


def post_edifact(world: World, text: str, *, key: str | None = None, **headers: str) -> Any:
    h = world.ent(BROKER) | {"Content-Type": "application/EDIFACT"} | headers
    if key:
        h["Idempotency-Key"] = key
    return world.client.post("/api/v1/interchange/cusdec", content=text.encode(), headers=h)


def post_xml(world: World, xml: bytes, *, key: str | None = None, **headers: str) -> Any:
    h = world.ent(BROKER) | {"Content-Type": "application/xml"} | headers
    if key:
        h["Idempotency-Key"] = key
    return world.client.post("/api/v1/interchange/wco/declarations", content=xml, headers=h)

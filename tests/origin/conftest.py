"""The origin tests' world: the test world, T-shirts in the tariff (MFN 20 %, ATIGA 0 %), an ASW gateway
with its API key, Thailand's key registered, the clock on 6 December 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from haiquan.kit import clock
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.origin.tables import CertificateRow
from haiquan.reference.tables import TariffLineRow
from haiquan.tariff import service as tariff_service
from tests.origin.support import country_key, signed
from tests.support import World, import_declaration

GATEWAY = "0312345602"
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


@dataclass
class Asw:
    world: World
    app: Any

    @property
    def gateway(self) -> dict[str, str]:
        return self.world.ent(GATEWAY)

    def deliver(self, body: bytes, who: dict[str, str] | None = None) -> Any:
        headers = (who or self.gateway) | {"Content-Type": "application/xml"}
        return self.world.client.post("/api/v1/origin/certificates", content=body, headers=headers)

    def counts(self) -> tuple[int, int]:
        with self.app.state.db.unit_of_work() as uow:
            certs = uow.session.scalar(select(func.count()).select_from(CertificateRow))
            events = uow.session.scalar(select(func.count()).select_from(OutboxEvent))
        return certs, events

    def register_key(self, country: str = "TH", key_name: str = "TH-2026", **over: Any) -> Any:
        body = {"country": country, "key_name": key_name, "certificate_pem": country_key(country)[1].decode()}
        return self.world.post("/api/v1/origin/country-keys", self.world.off("admin"), body | over)


@pytest.fixture
def asw(world: World, app: Any) -> Asw:
    clock.freeze(NOW)
    with app.state.db.unit_of_work() as uow:
        uow.session.add(TariffLineRow(hs8="61091010", description_vi="Áo phông dệt kim từ bông",
                                      description_en="T-shirts of cotton, knitted", unit="PCE", mfn_rate=Decimal(20),
                                      vat_rate=Decimal(8), excise_rate=Decimal(0), export_rate=Decimal(0),
                                      preferential={"ATIGA": "0"}))  # fmt: skip
        _, key = org.add_enterprise(uow.session, tax_code=GATEWAY, name="ASW gateway", roles=["asw_gateway"],
                                    actor="test")  # fmt: skip
        world.keys[GATEWAY] = key
        uow.commit()
    tariff_service.invalidate()
    out = Asw(world, app)
    assert out.register_key().status_code == 201
    return out


def tshirts(certificate: str | None = "TH2026-0001234", origin: str = "TH", **line: Any) -> dict[str, Any]:
    """T-shirts from Thailand for Minh Anh, lodged by its representative, claiming ATIGA."""
    ln: dict[str, Any] = {"hs_code": "61091010", "description": "Cotton T-shirts", "origin_country": origin,
                          "quantity": "1000", "quantity_unit": "PCE", "net_mass_kg": "200", "value": "4000",
                          "preference": {"scheme": "ATIGA", "certificate": certificate}} | line  # fmt: skip
    return import_declaration(
        exporter={"name": "Siam Garment Co., Ltd.", "country": "TH"},
        invoice={"currency": "USD", "amount": "4000", "incoterm": "CIF"},
        lines=[ln],
    )


def delivered(asw: Asw, data: dict[str, Any] | None = None) -> None:
    r = asw.deliver(signed(data))
    assert r.status_code == 201, r.text

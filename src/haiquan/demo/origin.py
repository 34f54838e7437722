"""The demo's ASEAN e-C/O story: Thailand's issuing authority (a key made now, registered by customs) sends
two e-Form D for T-shirts through the ASW gateway; Minh Anh declares three T-shirt imports claiming ATIGA:
one matching its certificate (ATIGA, 0 %), one naming another exporter than its certificate (MFN, yellow,
the mismatch in the officers' reasons), one of US origin (MFN: the United States is not an ATIGA member)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.errors import Conflict
from haiquan.organization import service as org
from haiquan.origin import building, eformd, keys, receiving
from haiquan.origin.schemas import CountryKeyIn
from haiquan.origin.signer import keygen
from haiquan.risk.channel import ChannelEngine

GATEWAY, IMPORTER = "0312345602", "0101248141"
SIAM, BANGKOK = "Siam Garment Co., Ltd.", "Bangkok Apparel Co., Ltd."


def _certificates(s: Session) -> list[str]:
    key, cert = keygen("TH", "Department of Foreign Trade (demo)")
    keys.register_unchecked(s, actor="demo", development=True, data=CountryKeyIn(
        country="TH", key_name="TH-DFT-DEMO", certificate_pem=cert.decode()))  # fmt: skip
    issued = (clock.today_vn() - timedelta(days=5)).isoformat()
    forms = [building.example(f"TH{clock.today_vn().year}-DEMO-{i}", issue_date=issued) for i in (1, 2)]
    signed = [
        eformd.sign(building.build(f), key_pem=key, cert_pem=cert, key_name="TH-DFT-DEMO") for f in forms
    ]
    parsed = eformd.parse(eformd.batch_of(signed), keys.verifying(s))
    receiving.store(s, parsed, actor="enterprise:ASW gateway (demo)")
    return [p.fields["number"] for p in parsed]


def _tshirts(origin: str, exporter: str, certificate: str) -> DeclarationIn:
    line = {"hs_code": "61091010", "description": "Áo phông cotton / cotton T-shirts", "origin_country": origin,
            "quantity": "1000", "quantity_unit": "PCE", "net_mass_kg": "200", "value": "4000",
            "preference": {"scheme": "ATIGA", "certificate": certificate}}  # fmt: skip
    return DeclarationIn.model_validate({
        "kind": "import", "office": "03CC", "importer": {"tax_code": IMPORTER},
        "exporter": {"name": exporter, "country": origin}, "transport_mode": "sea",
        "transport_document": f"MAEU{origin}{certificate[-6:]}", "package_count": 50, "gross_mass_kg": "250",
        "invoice": {"currency": "USD", "amount": "4000", "incoterm": "CIF"}, "lines": [line],
    })  # fmt: skip


def seed(db: Database, engine: ChannelEngine) -> dict[str, Any]:
    """The three declarations, lodged and registered; what happened to each."""
    with db.unit_of_work() as uow:
        with contextlib.suppress(Conflict):  # seeded before
            org.add_enterprise(uow.session, tax_code=GATEWAY, name="ASEAN Single Window gateway",
                               roles=["asw_gateway"], actor="demo")  # fmt: skip
        first, second = _certificates(uow.session)
        uow.commit()
    out = {}
    cases = {"matching": ("TH", SIAM, first), "mismatched exporter": ("TH", BANGKOK, second),
             "US origin": ("US", "Carolina Apparel Inc.", "US-NOT-ASEAN-1")}  # fmt: skip
    for name, (origin, exporter, cert) in cases.items():
        with db.unit_of_work() as uow:
            who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, IMPORTER))
            lodged = declarations.lodge(uow.session, principal=who, data=_tshirts(origin, exporter, cert))
            row = registration.register_one(
                uow.session, principal=who, number=lodged.row.number, engine=engine
            )
            line = lodged.lines[0]
            out[name] = {"declaration": row.number, "channel": row.channel, "certificate": cert,
                         "scheme": line.applied_scheme or "MFN", "refused": line.preference_refused}  # fmt: skip
            uow.commit()
    return out


def describe(story: dict[str, Any]) -> list[str]:
    if not story:
        return []
    return ["ASEAN e-C/O (ATIGA e-Form D from Thailand, T-shirts HS 6109.10):"] + [
        f"  {name}: declaration {c['declaration']} ({c['channel']}) pays {c['scheme']}"
        + (f" ({c['refused']})" if c["refused"] else "")
        for name, c in story.items()
    ]

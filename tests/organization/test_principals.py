"""Authenticated callers are remembered a few seconds: a revocation in this process takes effect at once,
one made elsewhere (another worker, SQL) once the memory expires."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from haiquan.kit import clock
from haiquan.organization import principals
from haiquan.organization import service as org
from haiquan.organization.tables import ApiKeyRow
from tests.support import World

DECLARANT = "0100109106"


def _enterprise_id(app: Any) -> str:
    with app.state.db.unit_of_work() as uow:
        return str(org.enterprise_by_tax_code(uow.session, DECLARANT).id)


def test_revoking_keys_here_refuses_them_at_once(world: World, app: Any) -> None:
    who = world.ent(DECLARANT)
    assert world.client.get("/api/v1/me", headers=who).status_code == 200  # now remembered
    with app.state.db.unit_of_work() as uow:
        assert org.revoke_api_keys(uow.session, enterprise_id=_enterprise_id(app)) == 1
        uow.commit()
    r = world.client.get("/api/v1/me", headers=who)
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_api_key"


def test_a_change_made_elsewhere_is_seen_once_the_memory_expires(world: World, app: Any) -> None:
    who = world.ent(DECLARANT)
    assert world.client.get("/api/v1/me", headers=who).status_code == 200
    with app.state.db.engine.begin() as conn:  # as another process would: no ORM event here
        conn.execute(update(ApiKeyRow).values(revoked_at=clock.now()))
    assert world.client.get("/api/v1/me", headers=who).status_code == 200  # still remembered
    for slot, (principal, _) in list(principals._callers.entries.items()):  # TTL seconds later
        principals._callers.entries[slot] = (principal, 0.0)
    assert world.client.get("/api/v1/me", headers=who).status_code == 401

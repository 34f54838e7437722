"""The relay outlives its database going away (issue #25, `make reliability`, partition phase): with the
node's nats-server down and PostgreSQL restarting, counting the events still to send (a metric) raised out of
the relay task, which ended for good: the sub-department never sent another event after the link healed."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from sqlalchemy.exc import OperationalError

from haiquan.sharing.node import SharingNode


class AwayRelay:
    """Nothing sent (the publisher is reconnecting); the database refuses every look."""

    def __init__(self) -> None:
        self.rounds = 0

    async def relay_events(self, publisher: Any) -> int:
        self.rounds += 1
        return 0

    async def relay_agency(self, js: Any, publisher: Any, ensure: Any) -> int:
        return 0

    async def relay_work(self, publisher: Any) -> int:
        return 0

    def pending_count(self) -> int:
        raise OperationalError("SELECT count(*)", {}, Exception("the database system is shutting down"))

    def anything_to_send(self) -> bool:
        raise OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))

    def close(self) -> None:
        pass


async def _relay_for(node: SharingNode, relay: AwayRelay, seconds: float) -> bool:
    """Run the relay loop `seconds`; True if it was still running then."""
    node._wake = asyncio.Event()
    task = asyncio.create_task(node._relay(cast(Any, None), cast(Any, relay), cast(Any, None)))
    await asyncio.sleep(seconds)
    alive = not task.done()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return alive


def test_the_relay_goes_on_while_the_database_is_away() -> None:
    node = SharingNode(db=cast(Any, None), url="", layout=cast(Any, None), interval=0.01)
    relay = AwayRelay()
    assert asyncio.run(_relay_for(node, relay, 0.5))
    assert relay.rounds > 3  # it kept trying

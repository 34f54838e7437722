"""The parent's consumer marks its node busy (kit/backlog: the dispatcher then gives way) while its hub
stream holds a batch or more it has not delivered, even when a fetch comes back short of a batch (a fetch
waits a few milliseconds at most), and not when it is up to date."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, cast

from haiquan.kit.backlog import Busy
from haiquan.kit.db import Database
from haiquan.organization.domain import UnitTree
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.federation import Federation
from haiquan.sharing.wire import Puller
from tests.support import UNITS

LAYOUT = NodeLayout.build(UnitTree.build(UNITS), "01", parent=None, children=["01AB"])


@dataclass
class Delivered:
    reply: str


@dataclass
class ShortFetches:
    """A puller whose fetches return `n` messages, the last one saying `pending` more wait."""

    n: int
    pending: int

    async def fetch(self, batch: int, wait: float) -> list[Any]:
        return [Delivered(f"$JS.ACK.u01.H.EV_01.fed_01.1.{i}.{i}.0.{self.pending}.t") for i in range(self.n)]


def fetched(n: int, pending: int, batch: int = 100) -> bool:
    fed = Federation(cast(Database, None), LAYOUT, batch=batch, busy=Busy(hold=60))
    msgs = asyncio.run(fed._fetch(cast(Puller, ShortFetches(n, pending))))
    assert len(msgs) == n
    return fed.busy()


def test_a_short_fetch_with_a_batch_still_pending_marks_the_node_busy() -> None:
    assert fetched(10, pending=5000)
    assert fetched(10, pending=100)


def test_a_full_batch_marks_it_busy_too() -> None:
    assert fetched(100, pending=0)


def test_a_consumer_that_is_up_to_date_leaves_it_alone() -> None:
    assert not fetched(10, pending=0)
    assert not fetched(10, pending=99)
    assert not fetched(0, pending=0)

"""JetStream publishing and pulling in batches, on nats-py's core client: one inbox subscription each, and no
per-message future, task or acknowledgement object. nats-py's `publish_async` costs about 18 µs of Python per
message (a future, a semaphore, a parsed PubAck) and its `fetch` about 22 µs (a task and a timer per
message); these cost about 8.5 and 5 µs (measured on this machine: benchmarks/sharing.py prints both).

The protocol is JetStream's own: a publish with a reply subject is answered by the stream with a PubAck
(`{"stream": ..., "seq": ...}`) or an error; a pull request (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`,
`{"batch": n, "expires": ns}`) is answered by up to n messages, each with its `$JS.ACK...` reply subject, and
ends early with a status message (408 request timeout, 404 no messages, 409 ...)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

Item = tuple[str, bytes, str]  # subject, body, Nats-Msg-Id
STATUS_GRACE = 0.02  # seconds a fetch waits past its request's expiry for the server's 408
RECONNECT_PAUSE = 0.25  # seconds between looks at a connection that is being re-established


@dataclass
class Publisher:
    """Pipelined, acknowledged publishes: each message its own JetStream message with its Nats-Msg-Id, the
    replies counted through one subscription (`<inbox>.<batch>.<index>`)."""

    nc: Client
    ack_timeout: float = 10.0
    _prefix: str = ""
    _sub: Subscription | None = None
    _batch: int = 0
    _ok: list[bool] = field(default_factory=list)
    _left: int = 0
    _done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def publish(self, items: list[Item]) -> int:
        """Publish every item; return how many, from the first, JetStream acknowledged (none while the
        client is reconnecting: they would wait in its buffer and time out)."""
        if not self.connected:
            return 0
        if self._sub is None:
            self._prefix = self.nc.new_inbox()
            self._sub = await self.nc.subscribe(f"{self._prefix}.*.*", cb=self._reply)
        self._batch += 1  # replies to an earlier batch (late, after a timeout) are ignored
        self._ok, self._left, self._done = [False] * len(items), len(items), asyncio.Event()
        reply = f"{self._prefix}.{self._batch}."
        for i, (subject, body, msg_id) in enumerate(items):
            await self.nc.publish(subject, body, reply=f"{reply}{i}", headers={"Nats-Msg-Id": msg_id})
        if items:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.ack_timeout):  # not wait_for: it can lose a cancellation
                    await self._done.wait()
        acked = 0
        for ok in self._ok:
            if not ok:
                break
            acked += 1
        return acked

    async def _reply(self, msg: Msg) -> None:
        _, batch, index = msg.subject.rsplit(".", 2)
        i = int(index)
        if int(batch) != self._batch or i >= len(self._ok) or self._ok[i]:
            return
        self._ok[i] = acknowledged(msg.data)
        self._left -= 1
        if self._left == 0:
            self._done.set()

    async def close(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None


def acknowledged(data: bytes) -> bool:
    """A PubAck (`{"stream":"EV_01AB","seq":7}`, `"duplicate":true` added for a message the stream had)
    names the sequence; an error (`{"error":{"code":503,...}}`) or a no-responders status (empty) does not.
    Read as bytes: parsing each acknowledgement as JSON was a tenth of the relay's time."""
    return b'"seq":' in data and b'"error"' not in data


@dataclass
class Puller:
    """Batches from a pull consumer through one inbox subscription: a request for `batch` messages that
    expires after `wait` seconds. A fetch ends when the batch is full, when the server says the request is
    over (408 at its expiry, 404, 409), or `wait` seconds later in any case (a busy server's 408 was seen a
    second late): it never waits on the server for longer than it asked. Messages that arrive after a fetch
    ended are kept for the next one (they are delivered and pending acknowledgement, in stream order)."""

    nc: Client
    stream: str
    consumer: str
    api_prefix: str = "$JS.API"
    _inbox: str = ""
    _sub: Subscription | None = None
    _msgs: list[Msg] = field(default_factory=list)
    _want: int = 0
    _ended: asyncio.Event = field(default_factory=asyncio.Event)

    async def fetch(self, batch: int, wait: float) -> list[Msg]:
        if not self.nc.is_connected:  # reconnecting: a request would only pile up in the client's buffer
            await asyncio.sleep(max(wait, RECONNECT_PAUSE))
            return []
        if self._sub is None:
            self._inbox = self.nc.new_inbox()
            self._sub = await self.nc.subscribe(self._inbox, cb=self._deliver)
        self._want, self._ended = batch, asyncio.Event()
        if len(self._msgs) < batch:
            request = {"batch": batch - len(self._msgs), "expires": int(wait * 1e9)}
            subject = f"{self.api_prefix}.CONSUMER.MSG.NEXT.{self.stream}.{self.consumer}"
            await self.nc.publish(subject, json.dumps(request).encode(), reply=self._inbox)
            with contextlib.suppress(TimeoutError):  # a busy server's 408 can come late: not waited for
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that
                # comes as the wait ends, and the link would not stop (seen in tests/federation)
                async with asyncio.timeout(wait + STATUS_GRACE):
                    await self._ended.wait()
        msgs, self._msgs = self._msgs[:batch], self._msgs[batch:]
        return msgs

    async def _deliver(self, msg: Msg) -> None:
        if msg.reply:  # a message of the stream
            self._msgs.append(msg)
            if len(self._msgs) >= self._want:
                self._ended.set()
        else:  # a status: the request is over (408 timeout, 404 nothing, 409 ...)
            self._ended.set()

    async def close(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None


def quick_headers(raw: bytes) -> dict[str, str]:
    """nats-py's parser of a message's header lines (2.16: `Client._parse_header_lines`), with the same
    result, without testing each character of each header name in a Python generator: that test was half
    of what receiving a sourced message cost (each carries Nats-Msg-Id and Nats-Stream-Source)."""
    out: dict[str, str] = {}
    for line in raw.split(b"\r\n"):
        if not line:
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        try:
            key = name.strip().decode("ascii")
        except UnicodeDecodeError:
            continue  # a name that is not ASCII is skipped
        if key and key.split() != [key]:
            continue  # a name holding whitespace is skipped
        out[key] = value.strip().decode("utf-8", "replace")
    return out


def quicken(nc: Client) -> Client:
    """Give this connection (only) `quick_headers`, where nats-py parses headers through that hook."""
    if callable(getattr(type(nc), "_parse_header_lines", None)):
        nc._parse_header_lines = quick_headers  # type: ignore[method-assign]
    return nc

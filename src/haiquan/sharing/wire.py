"""JetStream publishing and pulling in batches, on nats-py's core client: one inbox subscription each, and no
per-message future, task or acknowledgement object. nats-py's `publish_async` costs about 18 µs of Python per
message (a future, a semaphore, a parsed PubAck) and its `fetch` about 22 µs (a task and a timer per
message); these cost about 8.5 and 5 µs (measured on this machine), the publisher less since it writes a
batch's commands at once (`Publisher._send`; benchmarks/sharing.py prints its rate beside publish_async's).

The protocol is JetStream's own: a publish with a reply subject is answered by the stream with a PubAck
(`{"stream": ..., "seq": ...}`) or an error; a pull request (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`,
`{"batch": n, "expires": ns}`) is answered by up to n messages, each with its `$JS.ACK...` reply subject, and
ends early with a status message (408 request timeout, 404 no messages, 409 ...)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

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
        await self._send(items, f"{self._prefix}.{self._batch}.")
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

    async def _send(self, items: list[Item], reply: str) -> None:
        """Each item as nats-py's publish sends it; the commands of a batch written at once where the client
        has the buffer publish writes to (`_send_command`, nats-py 2.x): publish checked each subject and
        header with regular expressions and formatted each command on its own, the relay's largest cost."""
        raw, limit = _raw_writer(self.nc), self.nc.max_payload
        ready: list[bytes] = []
        for i, (subject, body, msg_id) in enumerate(items):
            cmd = hpub(subject, f"{reply}{i}", body, msg_id) if raw and len(body) <= limit else None
            if cmd is not None:
                ready.append(cmd)
                continue
            if raw and ready:  # in order: what was formatted goes first
                await raw[0](b"".join(ready))
                ready = []
            await self.nc.publish(subject, body, reply=f"{reply}{i}", headers={"Nats-Msg-Id": msg_id})
        if raw and ready:
            await raw[0](b"".join(ready))
            await raw[1]()

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


RawWriter = tuple[Callable[[bytes], Awaitable[None]], Callable[[], Awaitable[Any]]]


def _raw_writer(nc: Client) -> RawWriter | None:
    """nats-py's own buffer of commands and its flush, where this version of the client has them."""
    send, flush = getattr(nc, "_send_command", None), getattr(nc, "_flush_pending", None)
    return (send, flush) if callable(send) and callable(flush) else None


_PLAIN = re.compile(r"[!-~]+")  # printable ASCII, no space: nothing publish would refuse or change


def hpub(subject: str, reply: str, body: bytes, msg_id: str) -> bytes | None:
    """The command nats-py's publish sends for a message with one header, Nats-Msg-Id (the same bytes), or
    None where a field holds anything but printable ASCII without spaces: publish itself then judges it."""
    if not (_PLAIN.fullmatch(subject) and _PLAIN.fullmatch(reply) and _PLAIN.fullmatch(msg_id)):
        return None
    head = b"NATS/1.0\r\nNats-Msg-Id: %s\r\n\r\n" % msg_id.encode()
    size = len(head)
    return b"HPUB %s %s %d %d\r\n%s%s\r\n" % (
        subject.encode(),
        reply.encode(),
        size,
        size + len(body),
        head,
        body,
    )


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

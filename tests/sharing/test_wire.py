"""What the relay counts as acknowledged by JetStream, from the bytes of the reply (tested on the replies
nats-server sends)."""

from __future__ import annotations

import asyncio
import random

import pytest
from nats.aio.client import Client

from haiquan.sharing.wire import acknowledged, hpub, quick_headers, quicken


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        (b'{"stream":"EV_01AB","seq":7}', True),
        (b'{"stream":"EV_01AB","domain":"u01AB","seq":7}', True),
        (b'{"stream":"EV_01AB","seq":7,"duplicate":true}', True),  # stored before: not lost
        (b'{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}', False),
        (b'{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 5"}}', False),
        (b"", False),  # no responders: no stream takes the subject
    ],
)
def test_a_reply_is_an_acknowledgement_only_with_a_sequence_and_no_error(reply: bytes, ok: bool) -> None:
    assert acknowledged(reply) is ok


HEADER_CASES = [
    b"Nats-Msg-Id: 0123abcd\r\nNats-Stream-Source: EV_01AB:u01AB 7\r\n\r\n",
    b"Name:Value\r\nTabbed:\tvalue\r\n",
    b"Bad Name: x\r\nGood: y\r\n",  # a name holding a space is skipped
    b"\x1cOdd: x\r\n",  # so is one holding another whitespace character
    b": empty name\r\nno colon here\r\n",
    b"T\xc3\xaan: not ascii\r\nV: gi\xc3\xa1 tr\xc3\xad\r\nW: \xff\xfe\r\n",
    b"Repeated: 1\r\nRepeated: 2\r\n",
    b"",
]


def test_quick_headers_read_what_nats_py_reads() -> None:
    rng = random.Random(7)
    alphabet = b"ab:: \t\r\n\x1c\xc3\xaa-_Z9"
    fuzz = [bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    for raw in HEADER_CASES + fuzz:
        assert quick_headers(raw) == Client._parse_header_lines(raw), raw


def test_only_the_connection_given_is_quickened() -> None:
    mine, other = Client(), Client()
    quicken(mine)
    assert mine._parse_header_lines is quick_headers
    assert other._parse_header_lines is not quick_headers


async def _what_publish_sends(subject: str, reply: str, body: bytes, msg_id: str) -> bytes:
    """The command nats-py's publish path formats for a message (captured before it is buffered)."""
    nc, sent = Client(), []

    async def capture(cmd: bytes, priority: bool = False) -> None:
        sent.append(cmd)

    nc._send_command = capture  # type: ignore[method-assign]
    nc._flush_queue = None
    await nc._send_publish(subject, reply, body, len(body), {"Nats-Msg-Id": msg_id})
    return b"".join(sent)


@pytest.mark.parametrize(
    ("subject", "reply", "body", "msg_id"),
    [
        ("hq.ev.01.01AB.declaration.registered", "_INBOX.abc.3.17", b'{"id":"x"}', "0123456789abcdef" * 2),
        ("hq.agency.BDBP.01AB.enforcement.seized", "_INBOX.q.1.0", "Cà phê".encode(), "agr1:ev1"),
        ("hq.ev.01.01AB.x", "_INBOX.q.1.0", b"", "id"),
    ],
)
def test_a_command_written_at_once_is_the_one_publish_sends(
    subject: str, reply: str, body: bytes, msg_id: str
) -> None:
    expected = asyncio.run(_what_publish_sends(subject, reply, body, msg_id))
    assert hpub(subject, reply, body, msg_id) == expected


@pytest.mark.parametrize(
    ("subject", "msg_id"),
    [("hq.ev.01 x", "id"), ("hq.ev.01\r\nPUB x", "id"), ("hq.ev", "a b"), ("hq.ev", "ê")],
)
def test_a_field_publish_would_judge_is_left_to_it(subject: str, msg_id: str) -> None:
    assert hpub(subject, "_INBOX.q.1.0", b"x", msg_id) is None

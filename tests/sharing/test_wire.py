"""What the relay counts as acknowledged by JetStream, from the bytes of the reply (tested on the replies
nats-server sends)."""

from __future__ import annotations

import pytest

from haiquan.sharing.wire import acknowledged


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

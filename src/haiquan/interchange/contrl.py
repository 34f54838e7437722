"""CONTRL (syntax and service report, CONTRL:D:3:UN): the acceptance or rejection of an interchange.

Acceptance: UCI with action 7 (this level and all lower levels acknowledged) and one UCM per message,
action 7. Rejection: UCI action 4 (rejected); when the error is in a message, a UCM (action 4) with a
UCS (segment position, 0096) and a UCD (element and component position, 0098:0104) naming the place and
the syntax error code (0085); an error in UNB or UNZ is named on the UCI itself."""

from __future__ import annotations

from dataclasses import dataclass

from haiquan.interchange import edifact
from haiquan.interchange.edifact import Interchange, Segment
from haiquan.interchange.errors import EdifactError
from haiquan.interchange.writer import Outgoing, Writer
from haiquan.kit import clock

ACCEPTED = "7"
REJECTED = "4"
OUR_ID = "HAIQUAN"


@dataclass(frozen=True)
class Received:
    """What is known of the interchange answered (all may be empty when its UNB could not be read)."""

    control_ref: str = ""
    sender: str = ""
    recipient: str = OUR_ID
    message_ref: str = ""
    message_type: str = ""
    version: str = ""
    release: str = ""
    agency: str = ""

    @classmethod
    def of(cls, ic: Interchange) -> Received:
        m = ic.messages[0] if ic.messages else None
        if m is None:
            return cls(ic.control_ref, ic.sender, ic.recipient)
        return cls(ic.control_ref, ic.sender, ic.recipient, m.reference, m.type, m.version, m.release,
                   m.agency)  # fmt: skip

    @classmethod
    def from_text(cls, text: str) -> Received:
        """What can be read of an interchange refused before it was grouped: its UNB and first UNH."""
        try:
            _, segments = edifact.read_segments(text)
        except EdifactError:
            return cls()
        unb = next((s for s in segments if s.tag == "UNB"), None)
        unh = next((s for s in segments if s.tag == "UNH"), None)
        head = (unb.value(5), unb.value(2), unb.value(3) or OUR_ID) if unb else ("", "", OUR_ID)
        if unh is None:
            return cls(*head)
        return cls(*head, unh.value(1), unh.value(2, 1), unh.value(2, 2), unh.value(2, 3), unh.value(2, 4))


def _uci(r: Received, action: str, error: EdifactError | None = None) -> Segment:
    if error is None or error.place.message_ref:
        return Segment.of("UCI", r.control_ref, r.sender, r.recipient, action)
    p = error.place
    where = (str(p.element or ""), str(p.component or ""))
    return Segment.of("UCI", r.control_ref, r.sender, r.recipient, action, str(int(error.syntax)),
                      p.tag or "", where)  # fmt: skip


def _ucm(r: Received, ref: str, mtype: tuple[str, ...], action: str) -> Segment:
    return Segment.of("UCM", ref, mtype, action)


def acknowledge(ic: Interchange, *, reference: str) -> str:
    """A CONTRL accepting every message of `ic`."""
    r = Received.of(ic)
    body = [_uci(r, ACCEPTED)] + [
        _ucm(r, m.reference, (m.type, m.version, m.release, m.agency), ACCEPTED) for m in ic.messages
    ]
    return _write(r, body, reference)


def reject(error: EdifactError, received: Received, *, reference: str) -> str:
    """A CONTRL rejecting the interchange, naming the place of `error`."""
    p = error.place
    body = [_uci(received, REJECTED, error)]
    if p.message_ref:
        mtype = (received.message_type, received.version, received.release, received.agency)
        body.append(Segment.of("UCM", p.message_ref, mtype, REJECTED))
        body.append(Segment.of("UCS", str(p.position or ""), str(int(error.syntax))))
        if p.element is not None:
            body.append(Segment.of("UCD", str(int(error.syntax)), (str(p.element), str(p.component or ""))))
    return _write(received, body, reference)


def _write(r: Received, body: list[Segment], reference: str) -> str:
    msg = Outgoing(reference="1", type="CONTRL", version="D", release="3", agency="UN", body=body)
    return Writer().interchange(sender=r.recipient or OUR_ID, recipient=r.sender or "UNKNOWN",
                                control_ref=reference, messages=[msg], prepared=clock.now())  # fmt: skip

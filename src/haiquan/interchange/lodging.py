"""Lodging and registering a declaration received as a message: the JSON API's services (declarations
.service.lodge, then registration.register_one) in one savepoint, so that a registration refused (the
declarant's standing, a tax debt) leaves nothing of the lodging either: a rejected message stores nothing.
Applied by the group commit alone (its own transaction), as a large JSON lodging is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from haiquan.declarations import registration, service, views
from haiquan.declarations.schemas import DeclarationIn, DeclarationOut
from haiquan.kit.auth import Principal
from haiquan.risk.channel import ChannelEngine


@dataclass(eq=False)
class LodgeAndRegister:
    principal: Principal
    data: DeclarationIn
    keep_days: int
    engine: ChannelEngine

    @classmethod
    def prefetch(cls, session: Session, works: Sequence[LodgeAndRegister]) -> None:
        return None

    def run(self, session: Session) -> DeclarationOut:
        with session.begin_nested():
            done = service.lodge(session, principal=self.principal, data=self.data, keep_days=self.keep_days)
            row = registration.register_one(
                session, principal=self.principal, number=done.row.number, engine=self.engine
            )
        return views.full(session, row, scope=self.principal.scope, lines=done.lines)

    @classmethod
    def finish(cls, session: Session, works: Sequence[LodgeAndRegister]) -> None:
        return None

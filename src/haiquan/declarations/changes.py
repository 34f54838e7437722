"""Lodging (IDA/EDA) and registration (IDC/EDC) as group-commit work (kit.groupcommit): many declarants'
requests applied in one transaction. What each does is in service.py and registration.py; here is only what a batch does
once for all of them: take declaration numbers in one round trip, read and lock the declarations to
register (one statement for the declarations, one for the lines of those their askers may register),
write the registered ones in one update."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from haiquan.declarations import registration, repository, service, views
from haiquan.declarations.domain import NUMBER_PREFIX
from haiquan.declarations.schemas import DeclarationIn, DeclarationOut
from haiquan.kit import ids, sequences
from haiquan.kit.auth import Principal
from haiquan.risk.channel import ChannelEngine

# A declaration of more lines than this is lodged in its own transaction, not in the shared batch
# (kit.groupcommit.GroupCommit.apply_alone): pricing and writing 10,000 lines takes ~2.5 s, which every
# lodging in its batch waited for (benchmarks/registration_lines.py).
ALONE_LINES = 500


@dataclass(eq=False)
class Lodge:
    principal: Principal
    data: DeclarationIn
    keep_days: int
    number: str | None = None

    @classmethod
    def prefetch(cls, session: Session, works: Sequence[Lodge]) -> None:
        by_prefix: dict[str, list[Lodge]] = defaultdict(list)
        for w in works:
            by_prefix[NUMBER_PREFIX[(w.data.kind, w.data.category)]].append(w)
        for prefix, group in sorted(by_prefix.items()):
            values = sequences.next_values(session, f"declaration_{prefix}", len(group))
            for w, value in zip(group, values, strict=True):
                w.number = ids.declaration_number(prefix, value)

    def run(self, session: Session) -> DeclarationOut:
        done = service.lodge(
            session, principal=self.principal, data=self.data, keep_days=self.keep_days, number=self.number
        )
        return views.full(session, done.row, scope=self.principal.scope, lines=done.lines)

    @classmethod
    def finish(cls, session: Session, works: Sequence[Lodge]) -> None:
        return None


@dataclass(eq=False)
class Register:
    principal: Principal
    number: str
    engine: ChannelEngine
    target: repository.Locked | None = None

    @classmethod
    def prefetch(cls, session: Session, works: Sequence[Register]) -> None:
        locked = registration.read_for_registration(session, [(w.principal, w.number) for w in works])
        registration.read_tax_debts(session, [t for t in locked.values() if t.lines_read])
        for w in works:
            w.target = locked.get(w.number)

    def run(self, session: Session) -> DeclarationOut:
        row = registration.register(
            session, principal=self.principal, number=self.number, target=self.target, engine=self.engine
        )
        assert self.target is not None
        return views.full(session, row, scope=self.principal.scope, lines=self.target.lines)

    @classmethod
    def finish(cls, session: Session, works: Sequence[Register]) -> None:
        registration.save_registered(session, [w.target for w in works if w.target is not None])

"""Phase f: the access sweep. Anonymous, every enterprise role, every officer role and an officer of another
unit, each against every operation of docs/openapi.json (path parameters filled with real objects of
another tenant: a declaration of 0100109106 at 01AB, its tax code, the demo's manifest, bank, officer), and
writes of one role sent with valid bodies by another. Counted: answers that should have been refused (by the
rules below, from the operations' documented audience) and were a 2xx instead: must be 0."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from benchmarks.reliability import probe
from benchmarks.reliability.context import OFFICERS, OTHER_UNIT_OFFICER, Ctx, log_in, say
from benchmarks.reliability.fuzz import SPEC
from benchmarks.reliability.workload import BANK, TERMINAL, declaration, gate_message, payment

OWNER, OTHER = "0100109106", "0302098785"  # the owner of the declaration swept, another declarant
CALLERS = {"anonymous": None, "declarant (another)": OTHER, "terminal_operator": TERMINAL, "carrier": "0300588569",
           "bank": BANK, **{r: u for r, u in OFFICERS.items() if r != "administrator"},
           "officer of another unit": OTHER_UNIT_OFFICER, "administrator": "admin"}  # fmt: skip
ENTERPRISE_CALLERS = {"declarant (another)", "terminal_operator", "carrier", "bank"}
OFFICER_ONLY_TAGS = {"enforcement", "risk", "reports", "sharing"}
SELF_ENDING = {"/api/v1/auth/logout", "/api/v1/officers/{username}/sessions/revoke"}
PUBLIC = "/api/v1/public/"  # public reference data, deliberately without credentials (decision 0034)


def must_refuse(caller: str, method: str, path: str, op: dict[str, Any]) -> bool:
    summary, tags = op.get("summary", ""), set(op.get("tags", []))
    if path.startswith(PUBLIC):
        return False
    if caller == "anonymous":
        return path != "/api/v1/auth/token"
    if "(administrators" in summary and caller != "administrator":
        return not (caller == "bank" and "the bank itself" in summary)
    enterprise = caller in ENTERPRISE_CALLERS
    if enterprise and ("(officers" in summary or "(customs" in summary or tags & OFFICER_ONLY_TAGS):
        return True
    if enterprise and path.startswith(("/api/v1/officer/", "/api/v1/supervision/", "/api/v1/officers/")):
        return True
    if "(carriers)" in summary and caller != "carrier":
        return True
    return _cross_tenant(caller, path)


def _cross_tenant(caller: str, path: str) -> bool:
    """The owner's declaration: refused to another declarant, to every other enterprise and to an officer
    of another unit (the administrator and the officers of 01AB and above may read it)."""
    if "{number}" not in path or path.startswith("/api/v1/containers"):
        return False
    return caller in ENTERPRISE_CALLERS or caller == "officer of another unit"


def fill(ctx: Ctx, path: str, number: str) -> str:
    vessel = ctx.vessel
    values = {"number": number, "tax_code": OWNER, "username": "noibai_1", "code": "VCB", "office": "01AB",
              "manifest_id": vessel.get("manifest_id", "0" * 32), "ident": vessel.get("bill", "HPH0000000"),
              "operator_id": "0" * 32, "hs_code": "85171300", "origin": "CN", "name": "overview"}  # fmt: skip
    for name in [p[1:-1] for p in path.split("/") if p.startswith("{")]:
        value = values.get(name, "0" * 32)
        if path.startswith("/api/v1/containers") and name == "number":
            value = (vessel.get("containers") or ["MSCU9024864"])[0]
        path = path.replace("{" + name + "}", value)
    return path


async def _lodge_owned(ctx: Ctx, c: Any) -> str:
    o = await probe.call(c, "POST", "/api/v1/declarations", json=declaration(OWNER, f"acc{ctx.run_id}"),
                         headers=ctx.auth(OWNER))  # fmt: skip
    assert o.status == 201, o
    return str(o.body["number"])


CROSS_ROLE = [  # (caller, method, path, body): a role's write sent by another role, with a valid body
    ("bank", "POST", "/api/v1/declarations", lambda c: declaration("0100112437", f"x{c.run_id}")),
    ("declarant (another)", "POST", "/api/v1/terminal-messages", lambda c: gate_message(f"x{c.run_id}")),
    ("declarant (another)", "POST", "/api/v1/payments", lambda c: payment(49_000, f"x{c.run_id}")),
    ("terminal_operator", "POST", "/api/v1/payments", lambda c: payment(49_001, f"y{c.run_id}")),
    ("carrier", "POST", "/api/v1/declarations", lambda c: declaration("0300588569", f"y{c.run_id}")),
]


async def _sweep(ctx: Ctx, c: Any, number: str, found: Counter[str], leaks: list[str]) -> None:
    spec = json.loads(SPEC.read_text())
    for caller, who in CALLERS.items():
        headers = ctx.auth(who) if who else {}
        for path, ops in spec["paths"].items():
            for method, op in ops.items():
                if (path in SELF_ENDING and caller in OFFICERS) or (
                    path in SELF_ENDING and caller == "officer of another unit"
                ):
                    continue
                body: dict[str, Any] | None = None if method == "get" else {}
                o = await probe.call(c, method.upper(), fill(ctx, path, number), json=body, headers=headers)
                _count(found, leaks, o, caller, method, path, must_refuse(caller, method, path, op))
    for caller, method, path, make in CROSS_ROLE:
        o = await probe.call(c, method, path, json=make(ctx), headers=ctx.auth(CALLERS[caller] or ""))
        _count(found, leaks, o, caller, method, path, True)


def _count(
    found: Counter[str], leaks: list[str], o: probe.Outcome, caller: str, method: str, path: str, refuse: bool
) -> None:
    found["requests"] += 1
    found[f"{o.status // 100}xx" if o.kind == probe.ANSWERED else o.kind] += 1
    if o.status >= 500 and o.status != 503:
        leaks.append(f"5xx: {caller} {method.upper()} {path} -> {o.status}")
    if refuse:
        found["should_be_refused"] += 1
        if o.kind == probe.ANSWERED and 200 <= o.status < 300:
            found["not_refused"] += 1
            leaks.append(f"{caller} {method.upper()} {path} -> {o.status}")


async def run(ctx: Ctx) -> dict[str, Any]:
    found: Counter[str] = Counter()
    leaks: list[str] = []
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, 4) as c:
        number = await _lodge_owned(ctx, c)
        await _sweep(ctx, c, number, found, leaks)
    log_in(ctx)
    figures = {"callers": list(CALLERS), **dict(found), "five_xx": sum(1 for x in leaks if x.startswith("5xx")),
               "not_refused": found["not_refused"], "unanswered": found[probe.UNANSWERED], "examples": leaks[:30]}  # fmt: skip
    say(
        f"access sweep: {found['requests']} requests, {found['should_be_refused']} to refuse, "
        f"{found['not_refused']} not refused, {figures['five_xx']} 5xx"
    )
    return figures

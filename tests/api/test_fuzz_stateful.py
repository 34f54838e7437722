"""The stateful phase of the fuzz (issue #25 finding 3): sequences of real calls on PostgreSQL where one
answer feeds the next, following the OpenAPI `links` of docs/openapi.json (kit.openapi.LINKS).

schemathesis builds a Hypothesis state machine from the links (`schema.as_state_machine()`): a declarant
lodges a generated declaration, then reads, amends, registers or cancels the `number` it got back; an
officer decides the registered one; the payer lists its payment references and a bank confirms the first;
a terminal operator sends a gate-in batch and looks up the container it named; an enterprise issues an API
key and revokes it by its `key_id`. Each call is made as the role that owns the operation (ROLES), every
input is generated, and every answer is checked: no 5xx, a documented status code and content type, a body
that matches its schema. Failures are collected and reported together (a replay would meet a database
already changed). A generated declaration or gate-in is almost never valid, so each scenario also starts
from a valid lodging and a valid gate-in (`initialize` rules with Hypothesis-varied fields) that feed the
same links; schemathesis's negative mode also sends some calls without credentials (401s, documented).

CI runs a bounded, derandomised budget (EXAMPLES scenarios of at most STEPS calls, well under a minute);
`HAIQUAN_FUZZ_EXPLORE=1 HAIQUAN_FUZZ_EXAMPLES=500 HAIQUAN_FUZZ_STEPS=30` explores at volume."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import initialize, multiple
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.stateful.state_machine import StepInput

from haiquan.risk.channel import RuleSetEngine
from tests.api.test_fuzz import fuzz_env  # noqa: F401  (the PostgreSQL app and its world, module-scoped)
from tests.payments.helpers import add_bank, settle
from tests.supervision.helpers import CARRIER, LOCATION, bill, connect_terminal, container, manifest, msg
from tests.support import World, import_declaration

EXPLORE = os.environ.get("HAIQUAN_FUZZ_EXPLORE") == "1"
EXAMPLES = int(os.environ.get("HAIQUAN_FUZZ_EXAMPLES", "20"))
STEPS = int(os.environ.get("HAIQUAN_FUZZ_STEPS", "8"))
SUITES = 20

MANIFESTED = 424242  # the container the carrier's manifest names (its gate-in applies)
DECLARANT, TERMINAL, BANK, OFFICER = "0100109106", "0200519875", "0100112437", "nb_leader"
# the role each operation of the chains is called as (an officer of the declaration's office decides)
ROLES = {
    "declarations_lodge": DECLARANT,
    "declarations_get": DECLARANT,
    "declarations_history": DECLARANT,
    "declarations_amend": DECLARANT,
    "declarations_register": DECLARANT,
    "declarations_cancel": DECLARANT,
    "declarations_amend_registered": DECLARANT,
    "declarations_documents": DECLARANT,
    "declarations_decision": OFFICER,
    "payments_references": DECLARANT,
    "payments_confirm": BANK,
    "supervision_terminal_messages": TERMINAL,
    "supervision_container_status": TERMINAL,
    "credentials_issue_own_key": DECLARANT,
    "credentials_revoke_own_key": DECLARANT,
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def valid_lodgings() -> st.SearchStrategy[dict[str, Any]]:
    """Declarations the API accepts (a generated one almost never is), varied where it may vary: the
    chains after lodging need a `number` to follow."""
    return st.builds(
        lambda packages, mass, kind: import_declaration(
            package_count=packages, gross_mass_kg=str(mass), transport_mode=kind
        ),
        st.integers(1, 99_999),
        st.integers(13, 10**7),
        st.sampled_from(["air", "road"]),
    )


def gate_ins() -> st.SearchStrategy[dict[str, Any]]:
    """A gate-in batch for the manifested container or any other well-formed one."""
    return st.builds(
        lambda n, mid: {"messages": [msg(f"SF-{mid}", "gate_in", container(n))]},
        st.sampled_from([MANIFESTED]) | st.integers(0, 999_999),
        st.uuids(),
    )


def test_sequences_of_calls_give_no_server_error(
    fuzz_env: tuple[Any, World],  # noqa: F811
    record_property: Any,
) -> None:
    app, world = fuzz_env
    connect_terminal(world, location=LOCATION)
    r = world.post(
        "/api/v1/manifests", world.ent(CARRIER), manifest([bill("SF0001", [(container(MANIFESTED), "S1")])])
    )
    assert r.status_code == 201, r.text
    add_bank(app)  # the bank that confirms payments
    app.state.channel_engine = RuleSetEngine(green=40.0, yellow=30.0, red=30.0)  # decisions to take
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(operation_id=list(ROLES))
    headers = {op: world.off(who) if who == OFFICER else world.ent(who) for op, who in ROLES.items()}
    base = schema.as_state_machine()
    bundles: dict[str, Any] = dict(base.bundles)  # one per (operation, status) a link leaves from
    lodge, gate = schema["/api/v1/declarations"]["POST"], schema["/api/v1/terminal-messages"]["POST"]
    seen: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []
    done: list[int] = []

    class Workflow(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers[case.operation.definition.raw["operationId"]]}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            settle(app)  # the consumers (payment references follow a registration)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            seen[(case.operation.definition.raw["operationId"], response.status_code)] += 1
            try:
                case.validate_response(
                    response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
                )
            except Exception as failure:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {failure}")

        def _seed(self, operation: Any, body: dict[str, Any], status: int) -> Any:
            """Call `operation` with a valid body, as the state machine's own root steps do."""
            step = StepInput.initial(operation.Case(body=body, media_type="application/json"))
            self.recorder.record_case(case=step.case)
            self.control.record_step(step, self.recorder)
            out = self.step(step)
            return multiple(out) if out.response.status_code == status else multiple()

        def teardown(self) -> None:
            done.append(1)
            super().teardown()

        @initialize(target=bundles[f"{lodge.label} -> 201"], body=valid_lodgings())
        def lodged(self, body: dict[str, Any]) -> Any:
            return self._seed(lodge, body, 201)

        @initialize(target=bundles[f"{gate.label} -> 200"], body=gate_ins())
        def gated_in(self, body: dict[str, Any]) -> Any:
            return self._seed(gate, body, 200)

    run_suites(Workflow, done)
    calls = f"{len(done)} scenarios, {sum(seen.values())} calls: {sorted(seen.items())}"
    record_property("calls", calls)  # in --junitxml
    assert not failures, "\n\n".join(failures[:20]) + "\n\n" + calls
    # the chains ran: a lodged number was registered and read, a gated-in container looked up
    followed = {op for (op, status), _ in seen.items() if status < 300}
    assert "declarations_register" in followed, calls
    # read back by its number: which of the two reads the state machine picks depends on the server's
    # answers along the way (lanes, a suite restarted as Flaky), so either one shows the chain ran
    assert followed & {"declarations_get", "declarations_history"}, calls
    assert any(op == "supervision_container_status" for op, _ in seen), calls


def run_suites(machine: Any, done: list[int]) -> None:
    """Run scenarios until EXAMPLES have run. The server keeps its state between scenarios, so a replayed
    prefix can meet other answers (a number already registered) and Hypothesis stops the suite as `Flaky`:
    as schemathesis's own runner does, start another suite with the next seed (at most SUITES)."""
    for suite in range(SUITES):
        if len(done) >= EXAMPLES:
            return
        seeded = machine if EXPLORE else hypothesis.seed(suite)(machine)
        try:
            seeded.run(
                settings=settings(
                    max_examples=EXAMPLES - len(done),
                    stateful_step_count=STEPS,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    database=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                )
            )
        except Flaky:
            continue

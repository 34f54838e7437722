"""`haiquan risk-engine`: profiles (list, add, test), lane rates, value control and compliance
recomputation (nightly), and learned-model registration and promotion."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from haiquan.kit import clock
from haiquan.kit.auth import Scope
from haiquan.kit.cli_support import database, fail
from haiquan.kit.errors import DomainError
from haiquan.risk import compliance, lanes, profiles, registry, scoring, valuecontrol, watch
from haiquan.risk.schemas import LaneRatesIn, ProfileIn

console = Console()
ACTOR = "cli:analyst"
engine_app = typer.Typer(
    help="Risk engine: profiles, lane rates, value control, compliance, models", no_args_is_help=True
)
profile_app = typer.Typer(help="Rule profiles", no_args_is_help=True)
engine_app.add_typer(profile_app, name="profile")


@profile_app.command("list")
def profile_list() -> None:
    """List the profiles."""
    with database().unit_of_work() as uow:
        table = Table("id", "v", "active", "criteria", "units")
        for p in profiles.listing(uow.session):
            table.add_row(
                p.id, str(p.version), "yes" if p.active else "no", p.criteria, ",".join(p.units) or "*"
            )
    console.print(table)


@profile_app.command("add")
def profile_add(
    profile_id: Annotated[str, typer.Argument(help="e.g. P-CARS-JPKR")],
    criteria_text: Annotated[str, typer.Argument(metavar="CRITERIA")],
    why: Annotated[str, typer.Option(help="Why the profile is added")],
    name: Annotated[str, typer.Option()] = "",
    unit: Annotated[list[str] | None, typer.Option(help="Offices in scope (repeat); none = all")] = None,
) -> None:
    """Add a profile."""
    try:
        data = ProfileIn(
            id=profile_id, name=name or profile_id, criteria=criteria_text, units=unit or [], why=why
        )
        with database().unit_of_work() as uow:
            row = profiles.create(uow.session, data=data, actor=ACTOR)
            uow.commit()
            console.print(f"profile {row.id} v{row.version}: {row.criteria}")
    except (DomainError, ValueError) as exc:
        fail(str(exc), 2)


@profile_app.command("test")
def profile_test(
    criteria_text: Annotated[str, typer.Argument(metavar="CRITERIA")],
    days: Annotated[int, typer.Option(help="Look back this many days")] = 30,
) -> None:
    """How many declarations of the last DAYS days the criteria would have hit."""
    end = clock.today_vn()
    try:
        with database().unit_of_work() as uow:
            result = profiles.test(
                uow.session, text=criteria_text, scope=Scope(units=None), date_from=end - timedelta(days=days),
                date_to=end, watched=watch.load_sets(uow.session),
            )  # fmt: skip
    except DomainError as exc:
        fail(exc.message, 2)
    console.print(
        f"{result['hits']} of {result['declarations']} declarations ({result['hit_share']:.2%}); "
        f"lanes then {result['hits_by_lane_then']}; frauds found among hits {result['frauds_found_among_hits']}"
    )


@engine_app.command("lanes")
def lanes_cmd(
    office: Annotated[str, typer.Argument(help="Office code, or * for the default")],
    green: Annotated[Decimal | None, typer.Option()] = None,
    yellow: Annotated[Decimal | None, typer.Option()] = None,
    red: Annotated[Decimal | None, typer.Option()] = None,
    random_share: Annotated[Decimal, typer.Option()] = Decimal("2"),
    blue: Annotated[Decimal, typer.Option(help="Released now, audited later")] = Decimal(0),
) -> None:
    """Show an office's lane rates, or set them with --green --blue --yellow --red (summing to 100)."""
    try:
        with database().unit_of_work() as uow:
            if green is None and yellow is None and red is None:
                out = lanes.rates(uow.session, office)
            else:
                data = LaneRatesIn(
                    green=green or 0, yellow=yellow or 0, red=red or 0, random_share=random_share, blue=blue
                )
                out = lanes.set_rates(uow.session, office=office, data=data, actor=ACTOR)
                uow.commit()
    except (DomainError, ValueError) as exc:
        fail(str(exc), 2)
    console.print(
        f"{office}: green {out.green}% blue {out.blue}% yellow {out.yellow}% red {out.red}% "
        f"random {out.random_share}%"
    )


@engine_app.command("defaults")
def defaults() -> None:
    """Install the rule-set engine's default rules as profiles (low compliance → red, cigarettes → yellow)."""
    with database().unit_of_work() as uow:
        added = profiles.install_defaults(uow.session, actor=ACTOR)
        uow.commit()
    console.print(f"profiles added: {', '.join(added) or 'none (already there)'}")


@engine_app.command("nightly")
def nightly(days: Annotated[int, typer.Option()] = 365) -> None:
    """Recompute value-control bounds and every declarant's compliance class."""
    with database().unit_of_work() as uow:
        vc = valuecontrol.recompute(uow.session, days=days, min_samples=5, actor="system:nightly")
        cc = compliance.recompute_all(uow.session, actor="system:nightly")
        uow.commit()
    console.print(f"value control {vc}; compliance classes {cc}")


@engine_app.command("promote")
def promote(
    path: Annotated[str, typer.Argument(help="Model file from `haiquan risk train`")],
) -> None:
    """Register a model file (if new) and make it the serving model; running servers switch within seconds.
    A file that fails to load or check leaves the current model serving."""
    try:
        with database().unit_of_work() as uow:
            found = registry.by_path(uow.session, path)
            row = found or registry.register(uow.session, path=path, actor=ACTOR)
            row = registry.promote(
                uow.session, version=row.version, actor=ACTOR, holder=scoring.ModelHolder()
            )
            uow.commit()
            console.print(f"model {row.version} serving (feature version {row.feature_version})")
    except DomainError as exc:
        fail(exc.message, 2)

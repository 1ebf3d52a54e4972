"""``creatormatch plan``: a budget plan for a brief (or a stored campaign), printed by tier
with ranges and reasons, and written as an HTML report with charts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli import common
from cli.common import DEMO_ORG, fail, open_database
from core.errors import AppError

if TYPE_CHECKING:
    from planner import Plan, Range

__all__ = ["plan_command"]


def _r(value: Range | None, money: bool = False) -> str:
    if value is None:
        return "n/a"
    fmt = "{:,.0f}" if money or value.expected >= 100 else "{:,.2f}"
    return f"{fmt.format(value.expected)} ({fmt.format(value.low)}-{fmt.format(value.high)})"


def _print(result: Plan) -> None:
    t = result.totals
    typer.echo(
        f"{result.objective.value} plan, budget {result.currency} {result.budget:,.0f}: "
        f"{t.count} creators, cost {_r(t.cost, True)}, solver {result.solver.status.value}"
    )
    typer.echo(
        f"  reach {_r(t.reach, True)}, engagements {_r(t.engagements, True)}, "
        f"conversions {_r(t.conversions)}"
    )
    typer.echo(
        f"  cost per engagement {_r(t.cost_per_engagement)}, "
        f"cost per acquisition {_r(t.cost_per_acquisition)}"
    )
    for tier in result.tiers:
        chosen = [p for p in result.chosen if p.projection.tier == tier.tier]
        typer.echo(
            f"\n{tier.tier.value}: {tier.share:.0%} = {result.currency} {tier.budget:,.0f}, "
            f"{len(chosen)} chosen"
        )
        for p in chosen:
            c = p.candidate
            typer.echo(f"  - {c.platform}/{c.handle}: {p.reason}")


def plan_command(
    brief: Annotated[str | None, typer.Option(help="The brief, in plain words.")] = None,
    objective: Annotated[
        str | None, typer.Option(help="conversions, awareness, launch, ...")
    ] = None,
    budget: Annotated[float | None, typer.Option(help="Budget in the plan's currency.")] = None,
    campaign: Annotated[int | None, typer.Option(help="Plan a stored campaign (kept).")] = None,
    platform: Annotated[list[str] | None, typer.Option(help="Only this platform.")] = None,
    country: Annotated[
        list[str] | None, typer.Option(help="Only creators in this country.")
    ] = None,
    candidates: Annotated[int, typer.Option(min=1, max=200, help="Top matches to weigh.")] = 100,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    org: Annotated[str, typer.Option(help="Organisation name.")] = DEMO_ORG,
) -> None:
    """A plan within budget, by tier, with ranges and reasons, and an HTML report."""
    from campaigns.planning import PlanningService, PlanRequest
    from matcher.service import MatchFilters, brief_from_request
    from planner.report import plan_to_dict, render_html
    from storage.repositories import OrganizationRepository

    if (brief is None) == (campaign is None):
        raise fail("give --brief (with --budget) or --campaign")
    if brief is not None and budget is None:
        raise fail("--budget: how much is there to spend?")
    with open_database() as (settings, database):
        matcher = common.match_service(settings)
        service = PlanningService(matcher)
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                matcher.sync(session, organization.id)
                request = PlanRequest(budget=budget, objective=objective, candidates=candidates)
                if campaign is not None:
                    row = service.plan_campaign(session, organization.id, campaign, request)
                    report, data, title = row.html, row.result, f"plan {row.id}"
                else:
                    assert brief is not None
                    assert budget is not None
                    result = service.make_plan(
                        session,
                        organization.id,
                        brief_from_request(brief, objective=objective),
                        MatchFilters(
                            platforms=tuple(p.lower() for p in platform or ()),
                            countries=tuple(c.upper() for c in country or ()),
                        ),
                        request,
                        budget=budget,
                        currency="USD",
                    )
                    report = render_html(
                        result,
                        campaign=brief,
                        generated_at=datetime.now().astimezone(),
                        estimates_note=service.estimates_note(),
                    )
                    data = {**plan_to_dict(result), "estimates": service.learning_dict()}
                    title = "plan"
                    if not as_json:
                        _print(result)
                        typer.echo(f"\nEstimates: {service.estimates_note()}")
        except AppError as exc:
            raise fail(exc.message) from None
    target = html or settings.data_dir / "plans" / f"plan-{datetime.now():%Y%m%d-%H%M%S}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report, encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
    else:
        if campaign is not None:
            typer.echo(f"{title}: {len(data['chosen'])} creators chosen")
        typer.echo(f"\nHTML report: {target}")

"""``creatormatch programs ...``: ambassador programs from the command line."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

import typer

from cli.common import DEMO_ORG, fail, open_database
from core.errors import AppError

__all__ = ["programs_app"]

programs_app = typer.Typer(
    help="Ambassador programs: deliverables, submissions, conversions, reports.",
    no_args_is_help=True,
)
Org = Annotated[str, typer.Option(help="Organisation name.")]


def parse_cadence_option(value: str) -> dict[str, Any]:
    """``instagram:feed post:2/month`` -> a cadence item."""
    try:
        platform, kind, rate = value.split(":")
        count, per = rate.split("/")
        return {
            "platform": platform.strip(),
            "kind": kind.strip(),
            "count": int(count),
            "per": per.strip(),
        }
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: write PLATFORM:KIND:COUNT/PER, e.g. instagram:feed post:2/month"
        ) from None


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"{name}: not an ISO 8601 time, e.g. 2027-01-16T12:00:00Z") from None
    if parsed.tzinfo is None:
        raise fail(f"{name}: give a time zone, e.g. 2027-01-16T12:00:00Z")
    return parsed


def _echo(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))


@programs_app.command("create")
def create(
    creator: Annotated[int, typer.Option(help="Creator id.")],
    name: Annotated[str, typer.Option(help="Program name.")],
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    cadence: Annotated[
        list[str],
        typer.Option(help="PLATFORM:KIND:COUNT/PER (PER: week, month, quarter); repeatable."),
    ],
    months: Annotated[int, typer.Option(min=1, max=60)] = 12,
    timezone: Annotated[str, typer.Option(help="IANA time zone.")] = "UTC",
    retainer: Annotated[str, typer.Option(help="Monthly retainer.")] = "0",
    per_deliverable: Annotated[str, typer.Option(help="Fee per delivered piece.")] = "0",
    commission: Annotated[str, typer.Option(help="Commission, % of attributed revenue.")] = "0",
    code: Annotated[str | None, typer.Option(help="Discount code for attribution.")] = None,
    utm: Annotated[str | None, typer.Option(help="UTM tag for attribution.")] = None,
    brand: Annotated[int | None, typer.Option(help="Brand id.")] = None,
    reminder_days: Annotated[int, typer.Option(min=0, max=30)] = 3,
    jurisdiction: Annotated[str, typer.Option(help="US, UK, CA or EU.")] = "US",
    now: Annotated[str | None, typer.Option(help="Pretend it is this time (demo).")] = None,
    org: Org = DEMO_ORG,
) -> None:
    """Create a program; its deliverables are generated from the cadence."""
    from programs.service import ProgramService
    from storage.repositories import OrganizationRepository

    try:
        starts_on = date.fromisoformat(start)
    except ValueError:
        raise fail("--start: write YYYY-MM-DD") from None
    with open_database() as (settings, database):
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                program = ProgramService(settings).create(
                    session,
                    organization.id,
                    {
                        "creator_id": creator,
                        "brand_id": brand,
                        "name": name,
                        "starts_on": starts_on,
                        "months": months,
                        "timezone": timezone,
                        "cadence": [parse_cadence_option(c) for c in cadence],
                        "monthly_retainer": retainer,
                        "per_deliverable": per_deliverable,
                        "commission_pct": commission,
                        "discount_code": code,
                        "utm_tag": utm,
                        "reminder_days": reminder_days,
                        "jurisdiction": jurisdiction.upper(),
                    },
                    now=_when(now, "--now"),
                )
                count = len(
                    ProgramService(settings).deliverables(session, organization.id, program.id)
                )
                typer.echo(
                    f"program {program.id}: {program.name}, {program.months} months from "
                    f"{program.starts_on} ({program.timezone}), {count} deliverables"
                )
        except AppError as exc:
            raise fail(exc.message) from None


@programs_app.command("list")
def list_(org: Org = DEMO_ORG) -> None:
    """The organisation's programs."""
    from programs.service import ProgramService
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database), database.session() as session:
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
        except AppError as exc:
            raise fail(exc.message) from None
        for p in ProgramService(settings).find(session, organization.id, limit=1000):
            typer.echo(
                f"{p.id:>5}  {p.name}  creator {p.creator_id}  {p.starts_on} +{p.months} months  "
                f"{p.status}  reports {p.reports_done}"
            )


@programs_app.command("show")
def show(program: int, org: Org = DEMO_ORG) -> None:
    """Deliverables (status, due date, compliance) and the latest notices."""
    from programs.service import ProgramService
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database), database.session() as session:
        service = ProgramService(settings)
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
            row = service.get(session, organization.id, program)
            typer.echo(f"program {row.id}: {row.name} ({row.status}), {row.timezone}")
            for d in service.deliverables(session, organization.id, program):
                verdict = d.compliance_verdict or ""
                typer.echo(
                    f"  #{d.sequence:<3} id {d.id:<6} {d.due_on}  {d.platform:<10} {d.kind:<12} "
                    f"{d.status:<9} {verdict}"
                )
            typer.echo("notices:")
            for n in service.notices(session, organization.id, program, limit=1000):
                typer.echo(
                    f"  {n.created_at:%Y-%m-%d %H:%M}  {n.event:<32} "
                    f"{'deliverable ' + str(n.deliverable_id) if n.deliverable_id else ''}"
                    f"{'  e-mail ' + n.email_status if n.email_status != 'none' else ''}"
                )
        except AppError as exc:
            raise fail(exc.message) from None


@programs_app.command("submit")
def submit(
    deliverable: int,
    caption: Annotated[str, typer.Option(help="The post's caption as published.")],
    url: Annotated[str | None, typer.Option(help="The post's URL.")] = None,
    media: Annotated[str, typer.Option(help="image, video, reel, story, ...")] = "image",
    transcript: Annotated[str | None, typer.Option(help="What the video says.")] = None,
    likes: int = 0,
    comments: int = 0,
    shares: int = 0,
    saves: int = 0,
    views: int = 0,
    now: Annotated[str | None, typer.Option(help="Pretend it is this time (demo).")] = None,
    org: Org = DEMO_ORG,
) -> None:
    """Record the creator's post for a deliverable; its disclosure is checked at once."""
    from programs.service import ProgramService
    from storage.repositories import OrganizationRepository

    when = _when(now, "--now")
    with open_database() as (settings, database):
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                row = ProgramService(settings).submit(
                    session,
                    organization.id,
                    deliverable,
                    {
                        "post_url": url,
                        "caption": caption,
                        "media": media,
                        "transcript": transcript,
                        "metrics": {
                            "likes": likes,
                            "comments": comments,
                            "shares": shares,
                            "saves": saves,
                            "views": views,
                        },
                        "submitted_at": when,
                    },
                    now=when,
                )
                typer.echo(
                    f"deliverable {row.id}: submitted {'on time' if row.on_time else 'late'}, "
                    f"compliance {row.compliance_verdict}"
                )
                for finding in (row.compliance_result or {}).get("findings", []):
                    typer.secho(
                        f"  ! {finding['code']}: {finding['message']}", fg=typer.colors.YELLOW
                    )
        except AppError as exc:
            raise fail(exc.message) from None


@programs_app.command("conversion")
def conversion(
    order_id: Annotated[str, typer.Option(help="The order's id (a re-sent order is a no-op).")],
    revenue: Annotated[str, typer.Option(help="Order revenue.")],
    code: Annotated[str | None, typer.Option(help="Discount code used.")] = None,
    utm: Annotated[str | None, typer.Option(help="UTM tag of the visit.")] = None,
    at: Annotated[str | None, typer.Option(help="When the sale happened (ISO 8601).")] = None,
    org: Org = DEMO_ORG,
) -> None:
    """Record a sale attributed to a program by its discount code or UTM tag."""
    from programs.service import ProgramService
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database):
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                row, created = ProgramService(settings).record_conversion(
                    session,
                    organization.id,
                    {
                        "order_id": order_id,
                        "revenue": revenue,
                        "discount_code": code,
                        "utm_tag": utm,
                        "occurred_at": _when(at, "--at"),
                    },
                )
                typer.echo(
                    f"order {row.order_id}: {row.revenue} {row.currency} to program "
                    f"{row.program_id}{'' if created else ' (already recorded)'}"
                )
        except AppError as exc:
            raise fail(exc.message) from None


@programs_app.command("report")
def report(
    program: int,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV instead of JSON.")] = False,
    org: Org = DEMO_ORG,
) -> None:
    """The monthly reports so far (JSON, or CSV with --csv)."""
    from programs.reports import report_csv
    from programs.service import ProgramService
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database), database.session() as session:
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
            rows = ProgramService(settings).reports(session, organization.id, program)
        except AppError as exc:
            raise fail(exc.message) from None
        if csv_out:
            typer.echo(report_csv(rows), nl=False)
        else:
            _echo([{"month": r.month, **r.figures} for r in rows])

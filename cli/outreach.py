"""``creatormatch outreach ...`` and ``creatormatch campaigns ...``: drafts in every format
through the compliance gate, the sender profile, the pipeline, sequences and sending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli import common
from cli.common import DEMO_ORG, fail, open_database
from core.errors import AppError

__all__ = ["campaigns_app", "outreach_app"]

outreach_app = typer.Typer(
    help="Outreach: drafts, the sender profile, the pipeline, sequences and sending.",
    no_args_is_help=True,
)
campaigns_app = typer.Typer(help="Campaigns (create them with the API).", no_args_is_help=True)
Org = Annotated[str, typer.Option(help="Organisation name.")]

_FORMATS = {"email": ("txt", "html"), "document": ("md", "html", "docx")}


@campaigns_app.command("list")
def campaigns_list(org: Org = DEMO_ORG) -> None:
    """The organisation's campaigns: id, name, objective, platforms."""
    from campaigns.service import CampaignService
    from storage.repositories import OrganizationRepository

    with open_database() as (_, database), database.session() as session:
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
        except AppError as exc:
            raise fail(exc.message) from None
        for c in CampaignService().list(session, organization.id, after_id=None, limit=1000):
            typer.echo(f"{c.id:>5}  {c.name}  ({c.objective}; {', '.join(c.platforms) or '-'})")


@outreach_app.command("sender")
def sender(
    name: Annotated[str, typer.Option(help="Who signs the e-mails.")],
    company: Annotated[str, typer.Option(help="The sending company.")],
    email: Annotated[str, typer.Option(help="From address.")],
    address: Annotated[str, typer.Option(help="Postal address; separate lines with '\\n'.")],
    reply_to: Annotated[str | None, typer.Option(help="Reply-To (default: --email).")] = None,
    jurisdiction: Annotated[str, typer.Option(help="US, UK, CA or EU.")] = "US",
    org: Org = DEMO_ORG,
) -> None:
    """Set the sender profile every outreach e-mail carries (CAN-SPAM: a postal address)."""
    from outreach.service import OutreachService
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database):
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                OutreachService(settings).set_sender(
                    session,
                    organization.id,
                    {
                        "sender_name": name,
                        "company": company,
                        "from_email": email,
                        "reply_to": reply_to or email,
                        "postal_address": address.replace("\\n", "\n"),
                        "jurisdiction": jurisdiction.upper(),
                    },
                )
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(f"sender profile of {org!r} saved")


@outreach_app.command("draft")
def draft(
    campaign: Annotated[int, typer.Option(help="Campaign id (see `campaigns list`).")],
    out: Annotated[Path, typer.Option(help="Directory for the files.")] = Path("var/drafts"),
    creator: Annotated[
        list[int] | None, typer.Option("--creator", help="Creator id (repeatable).")
    ] = None,
    top: Annotated[
        int, typer.Option(min=0, max=50, help="Also draft for the campaign's top N matches.")
    ] = 0,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Document kind (repeatable); default: intro e-mail, brief "
            "and ambassador contract.",
        ),
    ] = None,
    org: Org = DEMO_ORG,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Personalised documents for matched creators, in every format, through the gate.

    E-mails are written as .txt and .html; briefs and contracts as .md, .html and .docx. A
    document the compliance gate blocks is not written: its findings are printed and the
    command exits 1.
    """
    from campaigns.service import CampaignService
    from outreach.service import DRAFT_KINDS, OutreachService
    from storage.repositories import OrganizationRepository

    kinds = kind or ["email_intro", "brief", "contract_ambassador"]
    unknown = [k for k in kinds if k not in DRAFT_KINDS]
    if unknown:
        raise fail(f"--kind: unknown {unknown}; use {', '.join(DRAFT_KINDS)}")
    if not creator and not top:
        raise fail("give --creator ID or --top N")
    summary: list[dict[str, object]] = []
    blocked = False
    with open_database() as (settings, database):
        service = OutreachService(settings)
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                reasons: dict[int, list[str]] = {cid: [] for cid in creator or []}
                inputs = CampaignService().match_inputs(session, organization.id, campaign)
                matcher = common.match_service(settings)
                matcher.sync(session, organization.id)
                if top:
                    page = matcher.match(
                        session, organization.id, inputs.brief, filters=inputs.filters, k=top
                    )
                    for hit in page.hits:
                        reasons[int(hit.creator["id"])] = hit.top_reasons(3)
                explained = matcher.explain(session, organization.id, inputs.brief, list(reasons))
                for cid in reasons:
                    if not reasons[cid] and cid in explained:
                        reasons[cid] = explained[cid].top_reasons(3)
                out.mkdir(parents=True, exist_ok=True)
                for cid, why in reasons.items():
                    for k in kinds:
                        row = service.create_draft(
                            session,
                            organization.id,
                            campaign_id=campaign,
                            creator_id=cid,
                            kind=k,
                            reasons=why,
                        )
                        files: list[str] = []
                        if row.allowed:
                            formats = _FORMATS["email" if k.startswith("email_") else "document"]
                            for fmt in formats:
                                content = service.export_draft(
                                    session,
                                    organization.id,
                                    row.id,
                                    "md" if fmt == "txt" else fmt,  # type: ignore[arg-type]
                                )
                                path = out / f"campaign{campaign}-creator{cid}-{k}.{fmt}"
                                if isinstance(content, bytes):
                                    path.write_bytes(content)
                                else:
                                    text = content
                                    if fmt == "txt" and row.subject:
                                        text = f"Subject: {row.subject}\n\n{content}"
                                    path.write_text(text, encoding="utf-8")
                                files.append(str(path))
                        else:
                            blocked = True
                        summary.append(
                            {
                                "draft_id": row.id,
                                "creator_id": cid,
                                "kind": k,
                                "allowed": row.allowed,
                                "findings": row.findings,
                                "files": files,
                            }
                        )
        except AppError as exc:
            raise fail(exc.message) from None
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        for item in summary:
            mark = "ok     " if item["allowed"] else "BLOCKED"
            typer.echo(
                f"{mark} creator {item['creator_id']} {item['kind']} (draft {item['draft_id']})"
            )
            for path in item["files"]:  # type: ignore[attr-defined]
                typer.echo(f"        {path}")
            for finding in item["findings"]:  # type: ignore[attr-defined]
                typer.secho(
                    f"        ! {finding['code']}: {finding['message']}", fg=typer.colors.YELLOW
                )
    if blocked:
        raise typer.Exit(1)


@outreach_app.command("add")
def add(
    campaign: Annotated[int, typer.Option(help="Campaign id.")],
    creator: Annotated[list[int], typer.Option("--creator", help="Creator id (repeatable).")],
    org: Org = DEMO_ORG,
) -> None:
    """Add creators to a campaign's pipeline as prospects."""
    from campaigns.service import CampaignService
    from outreach.service import OutreachService
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database):
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                inputs = CampaignService().match_inputs(session, organization.id, campaign)
                matcher = common.match_service(settings)
                matcher.sync(session, organization.id)
                hits = matcher.explain(session, organization.id, inputs.brief, creator)
                entries = OutreachService(settings).add_to_pipeline(
                    session,
                    organization.id,
                    campaign,
                    {cid: hits[cid].top_reasons(3) if cid in hits else [] for cid in creator},
                )
                for e in entries:
                    typer.echo(f"entry {e.id}: creator {e.creator_id} {e.stage}")
        except AppError as exc:
            raise fail(exc.message) from None


@outreach_app.command("pipeline")
def pipeline(
    campaign: Annotated[int, typer.Option(help="Campaign id.")], org: Org = DEMO_ORG
) -> None:
    """The campaign's pipeline: each creator's stage and next e-mail."""
    from campaigns.service import CampaignService
    from storage.repositories import OrganizationRepository
    from storage.repositories.outreach import OutreachRepository

    with open_database() as (_, database), database.session() as session:
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
            CampaignService().get(session, organization.id, campaign)
        except AppError as exc:
            raise fail(exc.message) from None
        for e in OutreachRepository(session).entries(organization.id, campaign_id=campaign):
            due = e.next_send_at.isoformat() if e.next_send_at else "-"
            typer.echo(
                f"entry {e.id:>5}  creator {e.creator_id:>6}  {e.stage:<11}  step {e.next_step}  "
                f"next {due}  {e.stopped_reason or ''}"
            )


@outreach_app.command("start")
def start(
    campaign: Annotated[int, typer.Option(help="Campaign id.")],
    followup_days: Annotated[
        str, typer.Option(help="Days before follow-up 1 and 2, e.g. 3,7.")
    ] = "3,7",
    org: Org = DEMO_ORG,
) -> None:
    """Start the campaign's sequence: its prospects become due for the intro e-mail."""
    from outreach.service import OutreachService
    from storage.repositories import OrganizationRepository

    try:
        days = [int(d) for d in followup_days.split(",")]
    except ValueError:
        raise fail("--followup-days: give two whole numbers, e.g. 3,7") from None
    with open_database() as (settings, database):
        service = OutreachService(settings)
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                service.configure_sequence(session, organization.id, campaign, followup_days=days)
                started = service.start_sequence(session, organization.id, campaign)
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(f"{len(started)} creators due for the intro e-mail")


@outreach_app.command("run")
def run(org: Annotated[str | None, typer.Option(help="Only this organisation.")] = None) -> None:
    """Send every due e-mail now (`serve` does this every minute). Dry run unless
    CREATORMATCH_OUTREACH_DRY_RUN=false."""
    from outreach.service import OutreachService, mailer_for
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database):
        org_id = None
        if org is not None:
            with database.session() as session:
                try:
                    org_id = OrganizationRepository(session).get_by_name_or_raise(org).id
                except AppError as exc:
                    raise fail(exc.message) from None
        service = OutreachService(settings, mailer=mailer_for(settings))
        summary = service.run_due(database, organization_id=org_id)
    typer.echo(json.dumps(vars(summary)))
    if summary.errors:
        raise typer.Exit(1)


@outreach_app.command("opt-out")
def opt_out(creator: Annotated[int, typer.Option(help="Creator id.")], org: Org = DEMO_ORG) -> None:
    """Record that a creator wants no more e-mail from the organisation (every campaign)."""
    from outreach.service import OutreachService
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database):
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                OutreachService(settings).opt_out(session, organization.id, creator, source="cli")
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(f"creator {creator} opted out of {org!r} e-mail")

"""The ``creatormatch`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from cli import common
from cli.common import DEMO_ORG, fail, fitted_models, load_settings, open_database
from core.errors import AppError

# Only typer, the standard library and core.errors at the top: `--help` and the commands that
# need no model must not pay for SQLAlchemy, pydantic-settings, the matcher (numpy, faiss,
# scikit-learn, onnxruntime) or the API. Each command imports what it uses.
if TYPE_CHECKING:
    from core.settings import Settings
    from creators.presets import Preset
    from creators.service import ImportSummary

app = typer.Typer(
    help="creatormatch: match creators to briefs, check disclosures, run programs.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
orgs_app = typer.Typer(help="Organisations (tenants).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
creators_app = typer.Typer(help="Import and export creators.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
app.add_typer(keys_app, name="keys")
app.add_typer(creators_app, name="creators")
compliance_app = typer.Typer(help="Sponsorship-disclosure checks.", no_args_is_help=True)
app.add_typer(compliance_app, name="compliance")
index_app = typer.Typer(help="The creator index the matcher searches.", no_args_is_help=True)
app.add_typer(index_app, name="index")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    migrate: Annotated[bool, typer.Option(help="Run `db upgrade` before serving.")] = False,
) -> None:
    """Serve the API (docs at /docs)."""
    import uvicorn

    from api.app import create_app
    from core.logging import configure_logging
    from storage.migrate import upgrade

    settings = load_settings()
    if migrate:
        with open_database() as (_s, database):
            upgrade(database.engine)
    configure_logging(settings.log_level)
    application = create_app(settings)
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        log_config=None,  # our JSON lines (core.logging), not uvicorn's format
        proxy_headers=False,  # the app reads them itself: CREATORMATCH_FORWARDED_ALLOW_IPS
        access_log=False,  # the API logs each request itself, with its request id
    )


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the database schema (Alembic)."""
    from storage.migrate import upgrade

    with open_database() as (_, database):
        upgrade(database.engine, revision)
        typer.echo(f"database at {revision}: {database.engine.url.render_as_string()}")


@orgs_app.command("create")
def orgs_create(name: str) -> None:
    """Create an organisation."""
    from accounts.service import AccountService

    with open_database() as (settings, database):
        accounts = AccountService(settings.api_key_pepper.get_secret_value())
        try:
            with database.session() as session:
                org = accounts.create_organization(session, name)
                typer.echo(f"created organisation {org.name!r} (id {org.id})")
        except AppError as exc:
            raise fail(exc.message) from None


@orgs_app.command("list")
def orgs_list() -> None:
    """List organisations."""
    from storage.repositories import OrganizationRepository

    with open_database() as (_s, database), database.session() as session:
        for org in OrganizationRepository(session).list():
            typer.echo(f"{org.id}\t{org.name}")


@keys_app.command("create")
def keys_create(
    org: Annotated[str, typer.Option(help="Organisation name.")],
    scopes: Annotated[str, typer.Option(help="Comma-separated: read,write,compliance,admin.")] = (
        "read"
    ),
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
) -> None:
    """Create an API key and print it (it is shown only this once)."""
    from accounts.service import AccountService, parse_scopes
    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database):
        accounts = AccountService(settings.api_key_pepper.get_secret_value())
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                created = accounts.create_key(
                    session, organization, parse_scopes(scopes), name=name
                )
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(created.secret)
    typer.secho(
        f"key {created.key.prefix} for {org!r} with scopes {','.join(created.key.scopes)}; "
        "store it now, it is not shown again",
        err=True,
    )


@keys_app.command("list")
def keys_list(org: Annotated[str, typer.Option(help="Organisation name.")]) -> None:
    """List an organisation's keys (never the secrets)."""
    from storage.repositories import ApiKeyRepository, OrganizationRepository

    with open_database() as (_s, database), database.session() as session:
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
        except AppError as exc:
            raise fail(exc.message) from None
        for key in ApiKeyRepository(session).list_for(organization.id, include_revoked=True):
            state = "revoked" if key.revoked_at else "active"
            used = key.last_used_at.isoformat() if key.last_used_at else "never"
            typer.echo(f"{key.prefix}\t{','.join(key.scopes)}\t{state}\tlast used {used}")


def _print_summary(summary: ImportSummary, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary.as_dict()))
        return
    typer.echo(
        f"created {summary.created}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, rejected {summary.rejected}"
    )
    for error in summary.errors:
        typer.echo(f"  {error.describe()}", err=True)


def _open_input(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    file = Path(path)
    if not file.is_file():
        raise fail(f"no such file: {path}")
    return file.open("rb")


_PRESET_HELP = "CSV columns: none (ours), hubspot or salesforce (docs/crm-presets.md)."


def _preset(name: str) -> Preset | None:
    from creators.presets import get_preset

    try:
        return get_preset(name)
    except AppError as exc:
        raise fail(exc.message) from None


@creators_app.command("import")
def creators_import(
    file: Annotated[str, typer.Argument(help="A CSV or JSONL file ('-' for stdin).")],
    org: Annotated[str, typer.Option(help="Organisation name.")] = DEMO_ORG,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Write the valid rows; report the rest.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    preset: Annotated[str, typer.Option("--preset", help=_PRESET_HELP)] = "none",
) -> None:
    """Import creators (upsert on platform and handle); all-or-nothing unless --skip-invalid."""
    from tqdm import tqdm

    from creators.formats import parse_records
    from creators.service import CreatorService, ImportRejectedError
    from storage.repositories import OrganizationRepository

    crm = _preset(preset)
    with open_database() as (settings, database):
        stream = _open_input(file)
        bar = tqdm(unit=" rows", disable=quiet, file=sys.stderr, desc="import")
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                summary = CreatorService().import_rows(
                    session,
                    organization.id,
                    parse_records(iter(lambda: stream.read(64 * 1024), b""), preset=crm),
                    skip_invalid=skip_invalid,
                    batch_size=settings.import_batch_size,
                    progress=bar.update,
                )
        except ImportRejectedError as exc:
            bar.close()
            _print_summary(exc.summary, as_json=as_json)
            raise fail(
                f"{exc.summary.rejected} invalid row(s): nothing was written. "
                "Fix them, or re-run with --skip-invalid.",
                2,
            ) from None
        except AppError as exc:
            bar.close()
            raise fail(exc.message, 2) from None
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        bar.close()
    _print_summary(summary, as_json=as_json)
    if summary.rejected:
        raise typer.Exit(3)


@creators_app.command("export")
def creators_export(
    org: Annotated[str, typer.Option(help="Organisation name.")] = DEMO_ORG,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    output: Annotated[str, typer.Option("--output", "-o", help="File ('-' = stdout).")] = "-",
    preset: Annotated[str, typer.Option("--preset", help=_PRESET_HELP)] = "none",
) -> None:
    """Export creators in the import format (or a CRM's columns with --preset)."""
    from creators.formats import iter_export
    from creators.service import CreatorService
    from storage.repositories import OrganizationRepository

    if fmt not in ("jsonl", "csv"):
        raise fail(f"--format must be jsonl or csv, not {fmt!r}")
    crm = _preset(preset)
    with open_database() as (_s, database), database.session() as session:
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
        except AppError as exc:
            raise fail(exc.message) from None
        records = CreatorService().export(session, organization.id)
        out = sys.stdout if output == "-" else Path(output).open("w", encoding="utf-8")  # noqa: SIM115
        try:
            for chunk in iter_export(records, "csv" if fmt == "csv" else "jsonl", preset=crm):
                out.write(chunk)
        finally:
            if out is not sys.stdout:
                out.close()


@compliance_app.command("check")
def compliance_check(
    file: Annotated[str, typer.Argument(help="JSONL, one post per line ('-' for stdin).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One result object per line, in input order.")
    ] = False,
) -> None:
    """Check posts for sponsorship disclosure (the results are not stored; the API stores checks).

    Exits 0 when every post is compliant, 1 when any needs review or is non-compliant, 2 when
    a line is not a valid post (its error names the line and field; the others are checked).
    """
    from pydantic import ValidationError

    from compliance.checker import check_post
    from compliance.cli_support import format_table, read_jsonl
    from compliance.types import CheckResult, Verdict

    try:
        settings: Settings | None = load_settings()
    except ValidationError:  # e.g. production settings without secrets: check, uncached
        settings = None
    stream = _open_input(file)
    results: list[CheckResult] = []
    bad = 0
    flagged = False
    with fitted_models(settings):
        try:
            lines = (raw.decode("utf-8", errors="replace") for raw in stream)
            for _line, parsed in read_jsonl(lines):
                if isinstance(parsed, AppError):
                    bad += 1
                    typer.echo(f"error: {parsed.message}", err=True)
                    continue
                result = check_post(parsed)
                flagged = flagged or result.verdict is not Verdict.COMPLIANT
                if as_json:
                    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
                else:
                    results.append(result)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    if not as_json:
        typer.echo(format_table(results), nl=False)
    if bad:
        raise typer.Exit(2)
    if flagged:
        raise typer.Exit(1)


@index_app.command("build")
def index_build(
    org: Annotated[str, typer.Option(help="Organisation name.")] = DEMO_ORG,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Encode creators that changed and (re)build the organisation's index beside the live
    one; a creator whose text did not change is not encoded again."""
    from tqdm import tqdm

    from storage.repositories import OrganizationRepository

    with open_database() as (settings, database):
        service = common.match_service(settings, batch=True)
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                bar = tqdm(unit=" creators", disable=quiet, file=sys.stderr, desc="encode")
                summary = service.build_index(session, organization.id, progress=bar.update)
                bar.close()
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(
        f"index of {org!r}: {summary.creators} creators ({summary.kind}), "
        f"{summary.encoded} encoded, {summary.unchanged} unchanged, {summary.seconds}s, "
        f"at {summary.path}"
    )


@app.command()
def match(
    brief: Annotated[str, typer.Argument(help="The brief, in plain words.")],
    org: Annotated[str, typer.Option(help="Organisation name.")] = DEMO_ORG,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many creators.")] = 20,
    platform: Annotated[
        list[str] | None, typer.Option("--platform", help="Only this platform (repeatable).")
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="Only this country (repeatable).")
    ] = None,
    tier: Annotated[list[str] | None, typer.Option("--tier", help="Only this tier.")] = None,
    objective: Annotated[str | None, typer.Option(help="Override the brief's objective.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, results in rank order.")] = False,
) -> None:
    """Rank the organisation's creators for a brief, with scores and reasons."""
    # The matcher and the database only: the result fields come from matcher.ranking, not
    # from the API's schemas (which would import FastAPI).
    from core.tiers import Tier
    from matcher.ranking import result_fields
    from matcher.service import MatchFilters, brief_from_request
    from storage.repositories import OrganizationRepository

    try:
        filters = MatchFilters(
            platforms=tuple(p.lower() for p in platform or ()),
            countries=tuple(c.upper() for c in country or ()),
            tiers=tuple(Tier(t.lower()) for t in tier or ()),
        )
    except ValueError as exc:
        raise fail(f"--tier: {exc}") from None
    with open_database() as (settings, database):
        service = common.match_service(settings)
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                parsed = brief_from_request(brief, objective=objective)
                service.sync(session, organization.id)
                page = service.match(session, organization.id, parsed, filters=filters, k=k)
        except AppError as exc:
            raise fail(exc.message) from None
    results = [result_fields(i + 1, hit) for i, hit in enumerate(page.hits)]
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    for r in results:
        typer.echo(
            f"{r['rank']:>3}. {r['score']:.3f}  {r['platform']}/{r['handle']}  "
            f"{r['tier'] or '-'}  {r['followers'] or '-'} followers  {r['country'] or '-'}"
        )
        for reason in r["reasons"]:
            typer.echo(f"       - {reason}")
        for flag in r["flags"]:
            typer.secho(f"       ! {flag}", fg=typer.colors.YELLOW)


@app.command()
def demo(
    creators: Annotated[int, typer.Option("--creators", min=1, help="How many creators.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same roster).")] = 42,
    org: Annotated[str, typer.Option(help="Organisation to load into.")] = DEMO_ORG,
) -> None:
    """Load the synthetic demo roster; write a demo API key to var/demo-api-key and the demo
    user's sign-in to var/demo-login."""
    from demo.load import load_demo
    from storage.migrate import upgrade

    with open_database() as (settings, database):
        upgrade(database.engine)
        try:
            result = load_demo(settings, database, org=org, creators=creators, seed=seed)
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(
        f"demo organisation {org!r}: created {result.summary.created}, "
        f"updated {result.summary.updated}, unchanged {result.summary.unchanged}"
    )
    typer.echo(f"demo API key (also in {result.key_file}): {result.api_key}")
    if result.program_id is not None:
        typer.echo(f"demo ambassador program {result.program_id}")
    if result.checks_added:
        typer.echo(f"demo compliance checks: {result.checks_added} to review")
    typer.echo(
        f"demo sign-in (also in {result.login_file}): {result.login_email} / "
        f"{result.login_password}  (admin; open http://127.0.0.1:8000/login)"
    )
    typer.echo(
        f"demo campaign {result.campaign_id}: try `creatormatch outreach draft --campaign "
        f"{result.campaign_id} --top 1`"
    )


# Sub-commands in their own modules; they use the helpers above.
from cli.outreach import campaigns_app, outreach_app  # noqa: E402
from cli.plan import plan_command  # noqa: E402
from cli.programs import programs_app  # noqa: E402

app.add_typer(outreach_app, name="outreach")
app.add_typer(campaigns_app, name="campaigns")
app.add_typer(programs_app, name="programs")
app.command("plan")(plan_command)

from cli.scheduler import scheduler_command  # noqa: E402

app.command("scheduler")(scheduler_command)

from cli.users import users_app  # noqa: E402

app.add_typer(users_app, name="users")

if __name__ == "__main__":
    app()

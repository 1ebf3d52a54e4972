"""``creatormatch users``: people who sign in to the web pages."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import fail, open_database
from core.errors import AppError

__all__ = ["users_app"]

users_app = typer.Typer(help="Users of the web pages.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    org: Annotated[str, typer.Option(help="Organisation name.")],
    email: Annotated[str, typer.Option(help="The e-mail address they sign in with.")],
    role: Annotated[str, typer.Option(help="recruiter, reviewer or admin.")] = "recruiter",
    name: Annotated[str, typer.Option(help="Their name, as the pages show it.")] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (else one is made)."
        ),
    ] = False,
) -> None:
    """Create a user; prints the password when it was generated (shown only this once)."""
    from accounts.users import UserService, new_password
    from storage.repositories.organizations import OrganizationRepository

    password = typer.get_text_stream("stdin").readline().rstrip("\n") if password_stdin else ""
    generated = not password
    password = password or new_password()
    with open_database() as (_, database):
        try:
            with database.session() as session:
                organization = OrganizationRepository(session).get_by_name_or_raise(org)
                user = UserService().create(
                    session, organization, email=email, password=password, role=role, name=name
                )
                summary = f"user {user.email} ({user.role}) in {organization.name!r}"
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(summary)
    if generated:
        typer.echo(f"password (shown once): {password}")


@users_app.command("list")
def users_list(org: Annotated[str, typer.Option(help="Organisation name.")]) -> None:
    """List an organisation's users."""
    from storage.repositories.organizations import OrganizationRepository
    from storage.repositories.users import UserRepository

    with open_database() as (_s, database), database.session() as session:
        try:
            organization = OrganizationRepository(session).get_by_name_or_raise(org)
        except AppError as exc:
            raise fail(exc.message) from None
        for user in UserRepository(session).list_for(organization.id):
            last = user.last_login_at.isoformat() if user.last_login_at else "never"
            typer.echo(f"{user.id}\t{user.email}\t{user.role}\t{last}")


@users_app.command("password")
def users_password(
    email: Annotated[str, typer.Option(help="The user's e-mail address.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (else one is made)."
        ),
    ] = False,
) -> None:
    """Set a user's password (a forgotten one); their sessions end. Prints the password when
    it was generated (shown only this once)."""
    from accounts.users import UserService, new_password

    password = typer.get_text_stream("stdin").readline().rstrip("\n") if password_stdin else ""
    generated = not password
    password = password or new_password()
    with open_database() as (_, database):
        try:
            with database.session() as session:
                UserService().reset_password(session, email, password)
        except AppError as exc:
            raise fail(exc.message) from None
    typer.echo(f"password of {email.strip().lower()} set; their sessions ended")
    if generated:
        typer.echo(f"password (shown once): {password}")

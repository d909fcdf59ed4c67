"""`flask --app wsgi heard ...`: admin tasks, each a thin call to a service."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup

from forum.accounts import services as accounts
from forum.errors import DomainError

heard = AppGroup("heard", help="Heard's admin tasks.")


@heard.command("create-admin")
@click.argument("handle")
def create_admin(handle: str) -> None:
    """Create an admin account. The password comes from HEARD_ADMIN_PASSWORD or a prompt."""
    password = os.environ.get("HEARD_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = accounts.create_admin(handle, password)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created admin {user.handle}. Sign in at /login.")


def register(app: Flask) -> None:
    """Attach the `heard` command group to the app."""
    app.cli.add_command(heard)

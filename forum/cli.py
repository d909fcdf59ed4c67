"""`flask --app wsgi heard ...`: admin tasks, each a thin call to a service."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from forum.accounts import services as accounts
from forum.errors import DomainError
from forum.moderation import people as moderation_people
from forum.moderation import services as moderation
from forum.retention import services as retention
from forum.taxonomy import services as taxonomy

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


@heard.command("load-taxonomy")
def load_taxonomy() -> None:
    """Create the starting tags that are missing; never overwrite an admin's edits."""
    try:
        report = taxonomy.load_taxonomy()
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(report.summary())


@heard.command("approve")
@click.argument("story_id", type=int)
@click.option("--reason", default="Approved from the command line", show_default=True)
def approve(story_id: int, reason: str) -> None:
    """Publish a story waiting for review (for demos; moderators use /moderation)."""
    try:
        story = moderation.operator_approve_story(story_id, reason)
    except DomainError as error:
        raise click.ClickException(error.message or "That did not work.") from None
    click.echo(f"Published story {story.id}: {story.title}")


@heard.command("purge")
def purge() -> None:
    """Delete what is past its retention window (run it hourly or daily)."""
    click.echo(retention.purge().summary())


@heard.command("set-role")
@click.argument("handle")
@click.argument("role", type=click.Choice(["member", "moderator", "admin"]))
def set_role(handle: str, role: str) -> None:
    """Grant or remove the moderator (or admin) role of an account."""
    try:
        user = moderation_people.operator_set_role(handle, role)
    except DomainError as error:
        raise click.ClickException(error.message or "That did not work.") from None
    click.echo(f"{user.handle} is now a {user.role.value}.")


def register(app: Flask) -> None:
    """Attach the `heard` command group to the app."""
    app.cli.add_command(heard)


# Resources. The import sits inside each command so these stay an append to this file.


@heard.command("load-resources")
def load_resources() -> None:
    """Create the starter resources and guides that are missing; never overwrite later edits."""
    from forum.resources import loading

    try:
        report = loading.load_resources()
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(report.summary())


@heard.command("check-links")
@click.option("--timeout", default=5.0, show_default=True, help="Seconds per connect or read.")
@click.option("--workers", default=8, show_default=True, help="Links checked at once.")
def check_links(timeout: float, workers: int) -> None:
    """Check every active resource's link, record the result, and list the ones that failed."""
    from flask import current_app

    from forum.resources import loading

    # Only a test's local server is ever allowed to be a private address.
    allow_private = bool(current_app.config.get("RESOURCE_CHECK_ALLOW_PRIVATE", False))
    results = loading.check_links(workers=workers, timeout=timeout, allow_private=allow_private)
    failed = [item for item in results if not item.result.ok]
    for item in failed:
        click.echo(f"FAILED  #{item.resource_id} {item.title}")
        click.echo(f"        {item.url}")
        click.echo(f"        {item.result.summary}")
    answered = len(results) - len(failed)
    click.echo(f"Checked {len(results)} links: {answered} answered, {len(failed)} failed.")
    if failed:
        raise SystemExit(1)


# Operations (forum/operations): backups.


@heard.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it already exists.")
def backup(path: Path, overwrite: bool) -> None:
    """Copy the SQLite database to PATH while the site runs, and check the copy."""
    from flask import current_app

    from forum.db import db
    from forum.operations import backup as backups

    try:
        report = backups.backup_database(
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            path,
            tables=db.metadata.tables,
            overwrite=overwrite,
        )
    except backups.UsePgDump as error:
        click.echo(error.message)
        click.echo(f"  {error.command}")
        click.echo("It asks for the password, or reads it from PGPASSWORD or ~/.pgpass.")
        raise SystemExit(1) from None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(report.summary())

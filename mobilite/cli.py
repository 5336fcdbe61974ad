"""Operations from the shell: `flask --app wsgi <command>`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from marshmallow import ValidationError
from sqlalchemy import func, select

from mobilite.extensions import db


def init_app(app) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(send_outbox_command)
    from mobilite.scheduler import scheduler_command

    app.cli.add_command(scheduler_command)


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only load when the database holds no organisation yet.")
def demo_command(if_empty: bool) -> None:
    """Load the demo network "Capacités publiques" (idempotent) and print its accounts."""
    from mobilite.models import Organisation
    from mobilite.services import demo

    if if_empty and db.session.scalar(select(func.count(Organisation.id))):
        click.echo("La base contient déjà des données : réseau de démonstration non chargé.")
        accounts = demo.demo_accounts()
    else:
        accounts = demo.load_demo(current_app.config["DEMO_PASSWORD"])
    if accounts:
        click.echo(demo.format_accounts(accounts, current_app.config["DEMO_PASSWORD"]))


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(["agent", "rh", "coordinator", "admin"])
)
@click.option("--organisation", "organisation_slug", help="Slug of the organisation (agents and HR).")
@click.option("--network", "network_slug", help="Slug of the network (coordinators).")
@click.option("--password", help="Set this password instead of e-mailing a first-password link.")
def create_user_command(email, first_name, last_name, roles, organisation_slug, network_slug, password) -> None:
    """Create an account; without --password, a one-time link is queued in the outbox."""
    from mobilite.models import Network, Organisation
    from mobilite.schemas.accounts import AccountSchema
    from mobilite.services.accounts import create_account
    from mobilite.services.errors import ServiceError

    organisation_id = network_id = None
    if organisation_slug:
        organisation_id = db.session.scalar(select(Organisation.id).where(Organisation.slug == organisation_slug))
        if organisation_id is None:
            raise click.BadParameter(f"unknown organisation {organisation_slug!r}", param_hint="--organisation")
    if network_slug:
        network_id = db.session.scalar(select(Network.id).where(Network.slug == network_slug))
        if network_id is None:
            raise click.BadParameter(f"unknown network {network_slug!r}", param_hint="--network")
    try:
        data = AccountSchema().load(
            {
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "roles": list(roles),
                "organisation_id": organisation_id,
                "network_id": network_id,
            }
        )
        user = create_account(None, data, token_hours=current_app.config["PASSWORD_TOKEN_HOURS"], password=password)
    except ValidationError as exc:
        raise click.ClickException(_format_errors(exc.messages_dict)) from exc
    except ServiceError as exc:
        raise click.ClickException(_format_errors(exc.errors)) from exc
    click.echo(f"Account {user.email} created (id {user.id}).")


def _format_errors(errors: Mapping[str, Any]) -> str:
    return "; ".join(f"{field}: {' '.join(map(str, messages))}" for field, messages in errors.items())


@click.command("send-outbox")
@with_appcontext
def send_outbox_command() -> None:
    """Send the e-mails that are due now, the digests of rounds just published first (the scheduler does
    this every 30 seconds)."""
    from mobilite.notifications import digests
    from mobilite.services import outbox

    digests.send_round_digests()
    sent, failed = outbox.send_pending(
        outbox.transport_from_config(current_app.config), current_app.config["MAIL_SENDER"]
    )
    click.echo(f"{sent} sent, {failed} failed (kept for retry).")

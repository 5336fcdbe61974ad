"""The scheduler process: `flask --app wsgi scheduler` (or `make scheduler`)."""

from __future__ import annotations

import contextlib
import logging

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext

from mobilite import jobs


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        # Coalesce missed runs into one, and still run a job that is late by up to 10 minutes.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
    )
    scheduler.add_job(jobs.send_outbox, "interval", minutes=1, args=[app], id="send_outbox")
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the background jobs until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(message)s")
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    click.echo("mobilite scheduler: " + ", ".join(job.id for job in scheduler.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()

"""The scheduler process: `flask --app wsgi scheduler` (or `make scheduler`). Web workers never run jobs."""

from __future__ import annotations

import contextlib
import logging

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from mobilite import jobs
from mobilite.extensions import db
from mobilite.models import Network

log = logging.getLogger(__name__)


def network_triggers() -> dict[str, tuple[int, CronTrigger]]:
    """One cron trigger per network, from its settings (default Monday 06:00 Europe/Paris)."""
    triggers = {}
    for network in db.session.scalars(select(Network).order_by(Network.id)):
        try:
            trigger = CronTrigger.from_crontab(network.match_cron, timezone=network.timezone)
        except ValueError as exc:
            log.error("network %s: invalid schedule %r (%s); using Monday 06:00", network.id, network.match_cron, exc)
            trigger = CronTrigger(day_of_week="mon", hour=6, timezone=network.timezone)
        triggers[f"weekly_round:{network.id}"] = (network.id, trigger)
    return triggers


def sync_network_jobs(scheduler, app) -> None:
    """Add, update or remove the weekly round jobs so they follow the networks' settings."""
    with app.app_context():
        wanted = network_triggers()
        db.session.remove()
    for job in scheduler.get_jobs():
        if job.id.startswith("weekly_round:") and job.id not in wanted:
            job.remove()
    for job_id, (network_id, trigger) in wanted.items():
        scheduler.add_job(jobs.weekly_round, trigger, args=[app, network_id], id=job_id, replace_existing=True)


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        # Coalesce missed runs into one, and still run a job that is late by up to an hour (a restart).
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    scheduler.add_job(jobs.send_outbox, "interval", minutes=1, args=[app], id="send_outbox")
    scheduler.add_job(jobs.run_requested_rounds, "interval", seconds=5, args=[app], id="run_requested_rounds")
    scheduler.add_job(sync_network_jobs, "interval", minutes=10, args=[scheduler, app], id="sync_network_jobs")
    daily = (  # (job, hour): after midnight for deadlines, office hours for people
        (jobs.expire_proposals, 0), (jobs.purge_expired_data, 3), (jobs.remind_upcoming, 8),
        (jobs.request_feedback, 9),
    )
    for func, hour in daily:
        scheduler.add_job(func, "cron", hour=hour, minute=5, args=[app], id=func.__name__)
    sync_network_jobs(scheduler, app)
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the background jobs until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our jobs log what they did; not every tick
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    click.echo("mobilite scheduler: " + ", ".join(sorted(job.id for job in scheduler.get_jobs())))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()

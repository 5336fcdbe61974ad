"""The scheduler process: `flask --app wsgi scheduler` (or `make scheduler`). Web workers never run jobs.

Several scheduler processes may run: one leads and runs the jobs, the others wait as hot standbys. The
leader holds a lease that dies with it:
- PostgreSQL: a session advisory lock held on a dedicated connection. A killed process (SIGKILL included)
  closes its connection and PostgreSQL releases the lock at once; TCP keepalives bound a lost host.
- SQLite: an exclusive file lock beside the database file, released by the OS when the process ends.
A standby tries to take the lease every SCHEDULER_LEASE_CHECK_SECONDS; the leader checks it still holds it
as often, and exits at once if it lost it (its supervisor restarts it as a standby). Every job is safe to
run twice anyway (claims, unique keys, SKIP LOCKED): the lease keeps the work in one place, it is not what
stops duplicates.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Protocol

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from mobilite import jobs
from mobilite.extensions import db
from mobilite.models import Network, RoundMode, utcnow
from mobilite.services import network_settings

log = logging.getLogger(__name__)

# The two-integer advisory lock space (classid, objid) is apart from the bigint keys rounds lock with.
LEADER_LOCK = {"classid": 0x6D6F6269, "objid": 1}  # "mobi", 1
LOST_LEASE_EXIT_CODE = 3


def _sql(statement: str):
    return text(statement.format(lock="CAST(:classid AS integer), CAST(:objid AS integer)"))


class LeaderLease(Protocol):
    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


class PostgresLease:
    """A session advisory lock on a connection of its own, kept open while this process leads."""

    def __init__(self, engine: Engine, keepalive_seconds: int = 10) -> None:
        # No pool: the connection is this process's; a broken one is never silently replaced (the lock
        # would be gone with it).
        self.engine = create_engine(
            engine.url,
            poolclass=NullPool,
            connect_args={
                "keepalives": 1,
                "keepalives_idle": keepalive_seconds,
                "keepalives_interval": max(keepalive_seconds // 2, 1),
                "keepalives_count": 3,
                "connect_timeout": 10,
            },
        )
        self.keepalive_seconds = keepalive_seconds
        self.connection: Connection | None = None

    def _connect(self) -> Connection:
        if self.connection is None:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            # The server notices a vanished leader host as fast as the leader notices the server.
            seconds = self.keepalive_seconds
            connection.exec_driver_sql(
                f"SET tcp_keepalives_idle = {seconds}; SET tcp_keepalives_interval = {max(seconds // 2, 1)}; "
                f"SET tcp_keepalives_count = 3; SET application_name = 'mobilite scheduler'"
            )
            self.connection = connection
        return self.connection

    def try_acquire(self) -> bool:
        try:
            return bool(self._connect().scalar(_sql("SELECT pg_try_advisory_lock({lock})"), LEADER_LOCK))
        except Exception as exc:  # noqa: BLE001 - the database is unreachable: not the leader, try later
            log.warning("leader lease: cannot reach the database (%s)", exc)
            self._drop()
            return False

    def still_held(self) -> bool:
        if self.connection is None:
            return False
        try:
            return bool(
                self.connection.scalar(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        " AND pid = pg_backend_pid() AND classid = CAST(:classid AS oid)"
                        " AND objid = CAST(:objid AS oid) AND objsubid = 2)"
                    ),
                    LEADER_LOCK,
                )
            )
        except Exception as exc:  # noqa: BLE001 - a broken connection took the lock with it
            log.error("leader lease: lost the lease connection (%s)", exc)
            self._drop()
            return False

    def _drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.invalidate()
                connection.close()

    def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.scalar(_sql("SELECT pg_advisory_unlock({lock})"), LEADER_LOCK)
            self.connection.close()
            self.connection = None
        self.engine.dispose()


class FileLease:
    """SQLite: an exclusive lock on a file beside the database, which the OS drops when the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[str] | None = None

    def try_acquire(self) -> bool:
        file = open(self.path, "a+")  # noqa: SIM115 - kept open while this process leads
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        file.truncate(0)
        file.write(f"{os.getpid()}\n")
        file.flush()
        self.file = file
        return True

    def still_held(self) -> bool:
        return self.file is not None

    def release(self) -> None:
        if self.file is not None:
            self.file.close()  # closing the descriptor drops the lock
            self.file = None


class SoleLease:
    """An in-memory database lives in one process: there is no one else to lead."""

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        pass


def leader_lease(app) -> LeaderLease:
    engine = db.bound_engine
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine, keepalive_seconds=max(app.config["SCHEDULER_LEASE_CHECK_SECONDS"], 1))
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return FileLease(Path(database).with_name(Path(database).name + ".scheduler-lock"))
    return SoleLease()


# A campaign's round still starts this long after its moment (a scheduler restarting), as the jobs' misfires.
CAMPAIGN_GRACE = timedelta(hours=1)


def network_triggers() -> dict[str, tuple[int, BaseTrigger]]:
    """One trigger per network, from its settings: its weekly cron (default Monday 06:00 Europe/Paris), or
    its campaign's date, once; none while its rounds are paused."""
    triggers: dict[str, tuple[int, BaseTrigger]] = {}
    for network in db.session.scalars(select(Network).order_by(Network.id)):
        if network.rounds_paused:
            continue
        if network.round_mode == RoundMode.CAMPAIGN:
            moment = network_settings.campaign_moment(network)
            # Once: a past moment or a round already claimed adds nothing (its job was removed once fired).
            due = moment is not None and moment > utcnow() - CAMPAIGN_GRACE
            if due and not network_settings.campaign_round_claimed(network):
                triggers[f"weekly_round:{network.id}"] = (network.id, DateTrigger(run_date=moment))
            continue
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


def build_scheduler(app) -> BackgroundScheduler:
    config = app.config
    scheduler = BackgroundScheduler(
        timezone=config["BABEL_DEFAULT_TIMEZONE"],
        # Coalesce missed runs into one, and still run a job that is late by up to an hour (a restart).
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    every = {  # (job, seconds between runs)
        "send_outbox": (jobs.send_outbox, config["SCHEDULER_OUTBOX_SECONDS"], [app]),
        "run_requested_rounds": (jobs.run_requested_rounds, config["SCHEDULER_ROUNDS_SECONDS"], [app]),
        "sync_network_jobs": (sync_network_jobs, config["SCHEDULER_NETWORK_SYNC_SECONDS"], [scheduler, app]),
    }
    for job_id, (func, seconds, args) in every.items():
        scheduler.add_job(func, "interval", seconds=seconds, args=args, id=job_id)
    daily = (  # (job, hour): after midnight for deadlines, office hours for people
        (jobs.expire_proposals, 0),
        (jobs.purge_expired_data, 3),
        (jobs.remind_upcoming, 8),
        (jobs.flag_unsigned_agreements, 8),
        (jobs.request_feedback, 9),
    )
    for func, hour in daily:
        scheduler.add_job(func, "cron", hour=hour, minute=5, args=[app], id=func.__name__)
    # The morning's messages first (deadlines 7:05, arrivals 8:05, feedback 9:05), then one digest of them.
    scheduler.add_job(jobs.remind_deadlines, "cron", hour=7, minute=5, args=[app], id="remind_deadlines")
    scheduler.add_job(jobs.send_daily_digests, "cron", hour=9, minute=35, args=[app], id="send_daily_digests")
    sync_network_jobs(scheduler, app)
    return scheduler


def configure_rounds(config) -> None:
    """The rounds' heartbeat and staleness thresholds, when the settings override them (tests)."""
    from mobilite.services import rounds

    if config["ROUND_HEARTBEAT_SECONDS"] > 0:
        rounds.HEARTBEAT_EVERY = timedelta(seconds=config["ROUND_HEARTBEAT_SECONDS"])
    if config["ROUND_STALE_SECONDS"] > 0:
        rounds.STALE_AFTER = timedelta(seconds=config["ROUND_STALE_SECONDS"])


def run_as_leader_or_standby(
    app,
    lease: LeaderLease,
    *,
    keep_going: Callable[[], bool] = lambda: True,
    on_lost_lease: Callable[[], None] | None = None,
) -> None:
    """Wait as a standby until the lease is ours, then run the jobs while we hold it."""
    check = max(app.config["SCHEDULER_LEASE_CHECK_SECONDS"], 1)
    announced = False
    while not lease.try_acquire():
        if not announced:
            log.info("standby: another scheduler holds the leader lease; trying again every %s s", check)
            announced = True
        if not keep_going():
            return
        time.sleep(check)
    configure_rounds(app.config)
    with app.app_context():
        scheduler = build_scheduler(app)
    log.info("leader: running %s", ", ".join(sorted(job.id for job in scheduler.get_jobs())))
    scheduler.start()
    try:
        while keep_going():
            time.sleep(check)
            if not lease.still_held():
                log.critical("leader lease lost: stopping now, so that the new leader runs alone")
                (on_lost_lease or _exit_now)()
                return
    finally:
        scheduler.shutdown(wait=False)
        lease.release()


def _exit_now() -> None:
    """Leave without waiting for running jobs: whatever they were doing is retried by the new leader."""
    logging.shutdown()
    os._exit(LOST_LEASE_EXIT_CODE)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the background jobs until interrupted (or wait as a standby while another scheduler leads)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our jobs log what they did; not every tick
    # Flask types current_app as the app, not as its proxy: the proxy's method is unknown to mypy.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"mobilite scheduler (pid {os.getpid()})")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        run_as_leader_or_standby(app, leader_lease(app))

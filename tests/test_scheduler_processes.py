"""Two real scheduler processes on PostgreSQL: one leads, one waits; the leader is killed with SIGKILL in the
middle of a round; the standby takes over, finishes the round, and no e-mail is ever sent twice.

The processes are `flask --app wsgi scheduler`, on a database of their own beside the test database
(<name>_proc), migrated here, with short intervals set through MOBILITE_* variables. E-mails go to an
aiosmtpd sink in this process.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mobilite.db import make_engine
from mobilite.models import Network, Notification, NotificationPriority, Round, RoundStatus, User
from mobilite.services.rounds import week_of
from tests.fixtures import POSTGRES_URL, alembic_config, reset_postgres
from tests.test_smtp import Inbox, _free_port

ROOT = Path(__file__).resolve().parent.parent
BATCH = 40
SYNTHETIC_NETWORK = """
from benchmarks.synthetic import load_network
from mobilite import create_app

app = create_app()
with app.app_context():
    load_network(600, 5000, 40, all_approved=True)
"""


def _process_database_url() -> str:
    if not POSTGRES_URL:
        pytest.skip("needs PostgreSQL: set MOBILITE_TEST_POSTGRES_URL")
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_proc"
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available here"
        pytest.skip(f"PostgreSQL at MOBILITE_TEST_POSTGRES_URL is not reachable: {exc}")
    return base.set(database=name).render_as_string(hide_password=False)


class SchedulerProcess:
    """`flask --app wsgi scheduler` with its output collected line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def said(self, words: str) -> bool:
        return any(words in line for line in self.lines)

    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(predicate: Callable[[], bool], seconds: float, what: str, *processes: SchedulerProcess) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    logs = "\n\n".join(f"--- pid {p.process.pid}:\n{p.output()}" for p in processes)
    pytest.fail(f"timed out waiting for {what}\n{logs}")


@pytest.fixture
def process_database():
    url = _process_database_url()
    reset_postgres(url)
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def _queue(engine, label: str, count: int) -> list[str]:
    """Queue `count` e-mails to demo accounts, as a service would (one committed transaction)."""
    with Session(engine) as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        subjects = [f"{label} {n}" for n in range(count)]  # ASCII: read back as sent
        session.add_all(
            Notification(
                recipient_id=users[n % len(users)].id,
                to_email=users[n % len(users)].email,
                kind="test",
                subject=subject,
                body="Corps",
                priority=NotificationPriority.NORMAL,
            )
            for n, subject in enumerate(subjects)
        )
        session.commit()
    return subjects


def _received(inbox: Inbox) -> Counter:
    """How many times each (recipient, subject) arrived: one message may go to several people."""
    found = Counter()
    for envelope in list(inbox.messages):
        message = email.message_from_bytes(envelope.content)
        found[message["To"], message["Subject"]] += 1
    return found


def _subjects(inbox: Inbox) -> set[str]:
    return {subject for _to, subject in _received(inbox)}


def test_the_standby_takes_over_a_killed_leader_and_nothing_is_sent_twice(process_database):
    url, engine = process_database
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "MOBILITE_ENV": "development",
        "MOBILITE_DATABASE_URL": url,
        "MOBILITE_SMTP_HOST": "127.0.0.1",
        "MOBILITE_SMTP_PORT": str(port),
        "MOBILITE_SCHEDULER_OUTBOX_SECONDS": "1",
        "MOBILITE_SCHEDULER_ROUNDS_SECONDS": "1",
        "MOBILITE_SCHEDULER_LEASE_CHECK_SECONDS": "1",
        "MOBILITE_ROUND_HEARTBEAT_SECONDS": "1",
        "MOBILITE_ROUND_STALE_SECONDS": "4",
        "PYTHONUNBUFFERED": "1",
    }
    processes = [SchedulerProcess(env), SchedulerProcess(env)]
    try:
        # The demo network loads while both schedulers start (to save time): one leads, the other waits.
        loaded = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "demo"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert loaded.returncode == 0, loaded.stderr
        wait_for(lambda: any(p.said("leader: running") for p in processes), 30, "a leader", *processes)
        leader, standby = sorted(processes, key=lambda p: not p.said("leader: running"))
        wait_for(lambda: standby.said("standby:"), 30, "the other scheduler to wait", *processes)
        assert not standby.said("leader: running")

        # Two schedulers alive: every e-mail goes out once (the demo's own first-password links included).
        before = _queue(engine, "Avant", BATCH)
        wait_for(lambda: set(before) <= _subjects(inbox), 30, "the first e-mails", leader, standby)

        # A round long enough (seconds, not the demo's fraction of one) that the leader is surely killed in
        # the middle of it, even on a loaded machine: a synthetic network of its own, loaded by a child.
        loaded = subprocess.run(
            [sys.executable, "-c", SYNTHETIC_NETWORK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert loaded.returncode == 0, loaded.stderr
        with Session(engine) as session:
            network = session.scalar(select(Network).where(Network.slug == "bench"))
            round_ = Round(
                network_id=network.id, week_start=week_of(date.today()), status=RoundStatus.SCHEDULED, trigger="manual"
            )
            session.add(round_)
            session.commit()
            round_id = round_.id

        def round_status() -> tuple[str, int]:
            with engine.connect() as conn:
                row = conn.execute(text("SELECT status, attempts FROM rounds WHERE id = :id"), {"id": round_id}).one()
            return row.status, row.attempts

        wait_for(lambda: round_status()[0] == "running", 30, "the leader to start the round", leader, standby)
        leader.process.send_signal(signal.SIGSTOP)  # frozen at once, mid-round; then killed
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(timeout=10)
        assert round_status()[0] == "running"  # killed in the middle of it

        after = _queue(engine, "Apres", BATCH)
        wait_for(lambda: standby.said("leader: running"), 30, "the standby to take over", standby)
        wait_for(lambda: round_status()[0] == "proposed", 45, "the standby to finish the round", standby)
        wait_for(lambda: set(after) <= _subjects(inbox), 30, "the later e-mails", standby)
        time.sleep(1.5)  # another outbox run or two: anything sent twice would show now

        status, attempts = round_status()
        assert (status, attempts) == ("proposed", 2)
        received = _received(inbox)
        assert [sent for sent, n in received.items() if n > 1] == []
        assert set(before) | set(after) <= _subjects(inbox)
        with engine.connect() as conn:
            states = dict(conn.execute(text("SELECT status, count(*) FROM notifications GROUP BY status")).all())
        assert states == {"sent": sum(received.values())}
    finally:
        for process in processes:
            process.stop()
        controller.stop()

"""The scheduler process: one weekly round job per network, plus the outbox and the daily jobs."""

import logging
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mobilite import jobs
from mobilite import scheduler as scheduler_module
from mobilite.extensions import db
from mobilite.models import LoginAttempt, Network, RequestStatus, utcnow
from mobilite.scheduler import FileLease, PostgresLease, build_scheduler, leader_lease, run_as_leader_or_standby
from mobilite.services import retention, rounds
from mobilite.services import round_problem as round_problem_module
from tests.factories import NetworkFactory, RequestFactory


def test_scheduler_has_a_weekly_round_per_network_and_the_daily_jobs(app):
    NetworkFactory(match_cron="30 7 * * tue")
    scheduler = build_scheduler(app)
    ids = {job.id for job in scheduler.get_jobs()}
    network_ids = db.session.scalars(select(Network.id)).all()
    assert {f"weekly_round:{n}" for n in network_ids} <= ids
    assert {
        "send_outbox",
        "run_requested_rounds",
        "expire_proposals",
        "remind_upcoming",
        "flag_unsigned_agreements",
        "request_feedback",
        "purge_expired_data",
    } <= ids
    weekly = scheduler.get_job(f"weekly_round:{network_ids[-1]}")
    assert "tue" in str(weekly.trigger) and "7" in str(weekly.trigger)
    assert scheduler._job_defaults["coalesce"] is True
    assert scheduler._job_defaults["misfire_grace_time"] >= 600


def test_a_failing_job_is_logged_not_raised(app, monkeypatch, caplog):
    monkeypatch.setattr("mobilite.services.outbox.send_pending", lambda *a, **k: 1 / 0)
    jobs.send_outbox(app)
    assert "job send_outbox failed" in caplog.text


def test_purge_deletes_only_what_is_past_retention(app):
    old, recent = RequestFactory(status=RequestStatus.WITHDRAWN), RequestFactory(status=RequestStatus.WITHDRAWN)
    approved = RequestFactory(status=RequestStatus.APPROVED)
    long_ago = utcnow() - timedelta(days=old.organisation.network.retention_days + 1)
    old.updated_at = long_ago
    approved.updated_at = long_ago
    db.session.add(LoginAttempt(account_key="x" * 64, ip="127.0.0.1", at=utcnow() - timedelta(days=2)))
    db.session.commit()
    counts = retention.purge()
    assert counts["requests"] == 1 and counts["login_attempts"] == 1
    remaining = set(db.session.scalars(select(func.count()).select_from(LoginAttempt.__table__)))
    assert remaining == {0}
    from mobilite.models import ImmersionRequest

    ids = set(db.session.scalars(select(ImmersionRequest.id)))
    assert old.id not in ids and {recent.id, approved.id} <= ids


# --- One leader, standbys allowed (finding 14) ------------------------------------------------------------


class FakeLease:
    """Free after `busy_tries` attempts; held for `held_checks` checks once taken."""

    def __init__(self, busy_tries: int = 0, held_checks: int = 1000):
        self.busy_tries, self.held_checks = busy_tries, held_checks
        self.tries = self.checks = 0
        self.released = False

    def try_acquire(self) -> bool:
        self.tries += 1
        return self.tries > self.busy_tries

    def still_held(self) -> bool:
        self.checks += 1
        return self.checks <= self.held_checks

    def release(self) -> None:
        self.released = True


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr(scheduler_module, "time", SimpleNamespace(sleep=lambda seconds: None))


def test_a_standby_says_so_and_runs_no_job(app, no_sleep, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="mobilite.scheduler")
    built = []
    monkeypatch.setattr(scheduler_module, "build_scheduler", lambda app: built.append(app))
    lease = FakeLease(busy_tries=10**6)
    polls = iter(range(5))
    run_as_leader_or_standby(app, lease, keep_going=lambda: next(polls, None) is not None)
    assert lease.tries == 6 and built == []
    assert caplog.text.count("standby: another scheduler holds the leader lease") == 1


def test_a_standby_takes_over_when_the_lease_is_free_and_a_leader_that_loses_it_stops(app, no_sleep, caplog):
    caplog.set_level(logging.INFO, logger="mobilite.scheduler")
    lease = FakeLease(busy_tries=3, held_checks=2)
    stopped = []
    run_as_leader_or_standby(app, lease, on_lost_lease=lambda: stopped.append(True))
    assert lease.tries == 4 and lease.checks == 3 and stopped == [True] and lease.released
    assert "leader: running" in caplog.text and "send_outbox" in caplog.text
    assert "leader lease lost" in caplog.text


def _wait_until(predicate, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_the_leader_lease_is_held_by_one_process_and_dies_with_it(_app):
    """PostgreSQL: an advisory lock on the lease's own connection; SQLite: a file lock beside the database."""
    with _app.app_context():
        first, second = leader_lease(_app), leader_lease(_app)
    expected = PostgresLease if db.engine.dialect.name == "postgresql" else FileLease
    assert isinstance(first, expected) and isinstance(second, expected)
    try:
        assert first.try_acquire() and first.still_held()
        assert not second.try_acquire() and not second.still_held()
        # The leader dies without a word: its connection (or file) goes, and with it the lease.
        if isinstance(first, PostgresLease):
            first.connection.invalidate()
        else:
            first.file.close()
        assert _wait_until(second.try_acquire)
        assert second.still_held()
        if isinstance(first, PostgresLease):
            assert not first.still_held()
    finally:
        first.release()
        second.release()


def test_a_file_lease_is_released_when_its_process_is_killed(tmp_path):
    path = tmp_path / "mobilite.db.scheduler-lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
            "fcntl.flock(f.fileno(), fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        lease = FileLease(path)
        assert not lease.try_acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert lease.try_acquire()
        lease.release()
    finally:
        holder.kill()
        holder.wait()


def test_the_scheduler_does_not_log_done_for_a_failed_round(app, monkeypatch, caplog):
    """Finding 16: the scheduler logged "round … done" for rounds that had failed."""
    caplog.set_level(logging.INFO)
    with app.app_context():
        failing = rounds.request_round(NetworkFactory(), rounds.week_of(date.today()), trigger="manual")
        working = rounds.request_round(NetworkFactory(), rounds.week_of(date.today()), trigger="manual")
        failing_id, working_id = failing.id, working.id
    load = round_problem_module.load_problem

    def load_or_break(network, *args, **kwargs):
        if network.id == failing.network_id:
            raise RuntimeError("the database went away")
        return load(network, *args, **kwargs)

    monkeypatch.setattr(rounds, "load_problem", load_or_break)
    jobs.run_requested_rounds(app)
    logged = [r.getMessage() for r in caplog.records if r.name == "mobilite.jobs"]
    assert f"round {failing_id} ended failed" in logged
    assert not any(message.startswith(f"round {failing_id} done") for message in logged)
    assert any(message.startswith(f"round {working_id} done") for message in logged)

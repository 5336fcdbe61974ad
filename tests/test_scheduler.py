"""The scheduler process: one weekly round job per network, plus the outbox and the daily jobs."""

from datetime import timedelta

from sqlalchemy import func, select

from mobilite import jobs
from mobilite.extensions import db
from mobilite.models import LoginAttempt, Network, RequestStatus, utcnow
from mobilite.scheduler import build_scheduler
from mobilite.services import retention
from tests.factories import NetworkFactory, RequestFactory


def test_scheduler_has_a_weekly_round_per_network_and_the_daily_jobs(app):
    NetworkFactory(match_cron="30 7 * * tue")
    scheduler = build_scheduler(app)
    ids = {job.id for job in scheduler.get_jobs()}
    network_ids = db.session.scalars(select(Network.id)).all()
    assert {f"weekly_round:{n}" for n in network_ids} <= ids
    assert {"send_outbox", "run_requested_rounds", "expire_proposals", "remind_upcoming", "request_feedback",
            "purge_expired_data"} <= ids
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

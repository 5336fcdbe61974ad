"""Background jobs. They run in the scheduler process only, never in web workers.

Each job opens its own app context and session, and logs instead of raising, so that one failure never
stops the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from mobilite.extensions import db
from mobilite.models import Network, RoundStatus
from mobilite.notifications import digests
from mobilite.services import (
    feedback,
    immersions,
    line_manager,
    network_settings,
    outbox,
    outlook,
    proposals,
    reminders,
    retention,
    round_drafts,
    rounds,
)
from mobilite.workdays import paris_today

log = logging.getLogger(__name__)


def job(func: Callable) -> Callable:
    @wraps(func)
    def wrapper(app, *args):
        with app.app_context():
            try:
                return func(app, *args)
            except Exception:  # noqa: BLE001 - keep the scheduler alive; the error is logged
                log.exception("job %s failed", func.__name__)
                db.session.rollback()
            finally:
                db.session.remove()

    return wrapper


def outbox_budget(config) -> int:
    """Messages one run may try: the per-minute rate spread over the job's interval (one at least), so the
    SMTP relay never sees more than OUTBOX_RATE_PER_MINUTE."""
    per_run = config["OUTBOX_RATE_PER_MINUTE"] * config["SCHEDULER_OUTBOX_SECONDS"] // 60
    return max(per_run, 1)


@job
def send_outbox(app) -> None:
    """Tell the unmatched agents of the rounds just published and queue those rounds' digests, then send due
    e-mails, most urgent first, up to the rate; failures stay in the outbox with a backoff."""
    config = app.config
    try:
        told = outlook.notify_pending()
        if told:
            log.info("round publications: %d unmatched agents told why", told)
    except Exception:  # noqa: BLE001 - the pending ones wait for the next run; the outbox still goes out
        log.exception("unmatched agents' messages failed")
        db.session.rollback()
    try:
        queued = digests.send_round_digests()
        if queued:
            log.info("round digests: %d queued", queued)
    except Exception:  # noqa: BLE001 - the digests wait for the next run; the outbox still goes out
        log.exception("round digests failed")
        db.session.rollback()
    sent, failed = outbox.send_pending(
        outbox.transport_from_config(config),
        config["MAIL_SENDER"],
        limit=outbox_budget(config),
        batch_size=config["OUTBOX_BATCH_SIZE"],
        lease=timedelta(seconds=config["OUTBOX_CLAIM_SECONDS"]),
    )
    if sent or failed:
        log.info("outbox: %d sent, %d failed", sent, failed)


@job
def run_requested_rounds(app) -> None:
    """Run rounds asked for by coordinators (and requeue or fail those a killed process left running), then
    the drafts they asked for."""
    for round_id, status in rounds.run_due_round_outcomes():
        if status == RoundStatus.PROPOSED:
            log.info("round %s done: proposals ready for review", round_id)
        else:  # the cause is logged by the round's runner, with its traceback
            log.warning("round %s ended %s", round_id, status.value)
    # Other settings tried on rounds in review ("Essayer d'autres réglages"), after the rounds themselves.
    for draft_id, draft_status in round_drafts.run_pending_drafts():
        log.info("round draft %s: %s", draft_id, draft_status.value)


@job
def weekly_round(app, network_id: int) -> None:
    """A network's cron or campaign date: this week's round, once, whatever the number of schedulers; none
    while the network's rounds are paused, or in a campaign on another day (settings changed meanwhile)."""
    network = db.session.get(Network, network_id)
    if network is None or not network_settings.automatic_round_allowed(network, paris_today()):
        log.info("network %s: no automatic round today (paused, or a campaign on another day)", network_id)
        return
    round_ = rounds.schedule_weekly_round(network_id)
    log.info("network %s weekly round: %s", network_id, round_.id if round_ else "already claimed")


@job
def expire_proposals(app) -> None:
    """Published proposals past their answer date expire; their seats go back to the next round."""
    log.info("expired proposals: %d", proposals.expire_proposals(paris_today()))


@job
def remind_deadlines(app) -> None:
    """The employer's deadline to answer a request (near, then passed), proposals expiring tomorrow, and the
    line manager's opinion a few days before its deadline."""
    log.info("deadline reminders: %s", reminders.remind_deadlines(paris_today()))
    log.info("line manager reminders: %d", line_manager.send_reminders(paris_today()))


@job
def send_daily_digests(app) -> None:
    """Each person's morning digest of the messages they chose to receive that way."""
    log.info("daily digests: %d queued", digests.send_daily_digests())


@job
def remind_upcoming(app) -> None:
    """A reminder a few days before an immersion starts, once."""
    log.info("immersion reminders: %d", immersions.remind_upcoming(paris_today()))


@job
def flag_unsigned_agreements(app) -> None:
    """The day before an immersion starts, flag an agreement not fully signed, once."""
    from mobilite.services import agreement_follow_up  # imports the notifications it sends

    log.info("unsigned agreements flagged: %d", agreement_follow_up.flag_unsigned(paris_today()))


@job
def request_feedback(app) -> None:
    """Close ended immersions and ask both sides for feedback, with reminders at +3 and +10 days."""
    log.info("feedback requests and reminders: %d", feedback.request_feedback(paris_today()))


@job
def purge_expired_data(app) -> None:
    """Delete what is past its retention period."""
    log.info("purged: %s", retention.purge())

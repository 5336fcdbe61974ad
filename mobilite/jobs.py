"""Background jobs. They run in the scheduler process only, never in web workers.

Each job opens its own app context and session, and logs instead of raising, so that one failure never
stops the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from mobilite.extensions import db
from mobilite.services import outbox, rounds

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


@job
def send_outbox(app) -> None:
    """Send due e-mails; failures stay in the outbox with a backoff."""
    sent, failed = outbox.send_pending(outbox.transport_from_config(app.config), app.config["MAIL_SENDER"])
    if sent or failed:
        log.info("outbox: %d sent, %d failed", sent, failed)


@job
def run_requested_rounds(app) -> None:
    """Run rounds asked for by coordinators (and fail those a killed process left running)."""
    for round_id in rounds.run_due_rounds():
        log.info("round %s done", round_id)


@job
def weekly_round(app, network_id: int) -> None:
    """A network's cron: this week's round, once, whatever the number of schedulers."""
    round_ = rounds.schedule_weekly_round(network_id)
    log.info("network %s weekly round: %s", network_id, round_.id if round_ else "already claimed")

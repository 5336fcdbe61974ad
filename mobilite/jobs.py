"""Background jobs. They run in the scheduler process only, never in web workers."""

from __future__ import annotations

import logging

from mobilite.extensions import db
from mobilite.services import outbox

log = logging.getLogger(__name__)


def send_outbox(app) -> None:
    """Send due e-mails; failures stay in the outbox with a backoff."""
    with app.app_context():
        try:
            sent, failed = outbox.send_pending(outbox.transport_from_config(app.config), app.config["MAIL_SENDER"])
            if sent or failed:
                log.info("outbox: %d sent, %d failed", sent, failed)
        finally:
            db.session.remove()

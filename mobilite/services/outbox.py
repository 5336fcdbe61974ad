"""The notification outbox: services queue e-mails in their transaction; a job sends them."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Notification, NotificationStatus, User, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def queue(recipient: User, kind: str, subject: str, body: str) -> Notification:
    """Add an e-mail to the current unit of work: it is sent only if the change commits."""
    notification = Notification(
        recipient=recipient, to_email=recipient.email, kind=kind, subject=subject, body=body
    )
    db.session.add(notification)
    return notification


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between tries, capped at six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class ConsoleTransport:
    """Development: log the message instead of sending it."""

    def send(self, message: EmailMessage) -> None:
        log.warning("E-mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())


class SmtpTransport:
    def __init__(self, host: str, port: int, username: str = "", password: str = "", starttls: bool = False):
        self.host, self.port, self.username, self.password, self.starttls = host, port, username, password, starttls

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def transport_from_config(config) -> ConsoleTransport | SmtpTransport:
    if config.get("SMTP_HOST"):
        return SmtpTransport(
            config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USERNAME"],
            config["SMTP_PASSWORD"], config["SMTP_STARTTLS"],
        )
    return ConsoleTransport()


def send_pending(transport, sender: str, now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Send what is due; a failure is kept for a later try. Returns (sent, failed)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Notification)
        .where(Notification.status == NotificationStatus.PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for notification in due:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = notification.to_email
        message["Subject"] = notification.subject
        message.set_content(notification.body)
        notification.attempts += 1
        try:
            transport.send(message)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            notification.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
            else:
                notification.next_attempt_at = now + backoff(notification.attempts)
        else:
            sent += 1
            notification.status = NotificationStatus.SENT
            notification.sent_at = now
        # One commit per message, so a crash never re-sends what already left.
        db.session.commit()
    return sent, failed

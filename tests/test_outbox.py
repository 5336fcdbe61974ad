"""The outbox keeps every message until it is sent, retrying with backoff."""

from datetime import timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Notification, NotificationStatus, utcnow
from mobilite.services import outbox
from tests.factories import UserFactory


class FlakyTransport:
    def __init__(self, failures: int):
        self.failures, self.sent = failures, []

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("SMTP is down")
        self.sent.append(message)


def test_failed_send_is_kept_and_retried_after_backoff(app):
    user = UserFactory()
    outbox.queue(user, "test", "Sujet", "Corps du message")
    db.session.commit()
    transport = FlakyTransport(failures=1)
    now = utcnow()

    assert outbox.send_pending(transport, "from@example.fr", now) == (0, 1)
    note = db.session.scalar(select(Notification))
    assert note.status == NotificationStatus.PENDING and note.attempts == 1
    assert "SMTP is down" in note.last_error
    assert outbox.send_pending(transport, "from@example.fr", now + timedelta(seconds=10)) == (0, 0)

    assert outbox.send_pending(transport, "from@example.fr", now + timedelta(minutes=2)) == (1, 0)
    assert note.status == NotificationStatus.SENT
    assert transport.sent[0]["To"] == user.email and transport.sent[0]["Subject"] == "Sujet"


def test_message_is_given_up_after_the_last_attempt(app):
    user = UserFactory()
    outbox.queue(user, "test", "Sujet", "Corps")
    db.session.commit()
    transport = FlakyTransport(failures=100)
    now = utcnow()
    for n in range(outbox.MAX_ATTEMPTS):
        outbox.send_pending(transport, "from@example.fr", now + timedelta(days=n))
    assert db.session.scalar(select(Notification)).status == NotificationStatus.FAILED


def test_backoff_grows_and_is_capped():
    assert outbox.backoff(1) < outbox.backoff(2) < outbox.backoff(5)
    assert outbox.backoff(50) == timedelta(hours=6)

"""The outbox against a real SMTP server (aiosmtpd): sent when it is up, kept and retried when it is down."""

import socket
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Notification, NotificationStatus, utcnow
from mobilite.services import outbox
from tests.factories import UserFactory


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_outbox_survives_an_smtp_outage(app):
    port = _free_port()
    transport = outbox.SmtpTransport("127.0.0.1", port)
    user = UserFactory(email="claire.martin@example.fr")
    outbox.queue(user, "test", "Votre immersion", "Bonjour Claire,\n\nVotre immersion commence lundi.")
    db.session.commit()
    now = utcnow()

    # Nothing listens yet: the message stays in the outbox for later.
    assert outbox.send_pending(transport, "mobilite <no-reply@example.fr>", now) == (0, 1)
    note = db.session.scalar(select(Notification))
    assert note.status == NotificationStatus.PENDING and note.attempts == 1

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert outbox.send_pending(transport, "mobilite <no-reply@example.fr>", now + timedelta(hours=1)) == (1, 0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["claire.martin@example.fr"]
    body = envelope.content.decode()
    assert "Subject: Votre immersion" in body and "commence lundi" in body
    assert db.session.scalar(select(Notification)).status == NotificationStatus.SENT


def test_one_connection_per_run_and_a_poisoned_subject_arrives_on_one_line(app):
    port = _free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    connections = []

    class CountingTransport(outbox.SmtpTransport):
        def _connection(self):
            if self._smtp is None:
                connections.append(1)
            return super()._connection()

    user = UserFactory(email="claire.martin@example.fr")
    outbox.queue(user, "offer.published", "Cuisine\u2028centrale\r\nBcc: victime@example.fr", "Corps")
    for n in range(4):
        outbox.queue(user, "test", f"Message {n}", "Corps")
    db.session.commit()
    try:
        assert outbox.send_pending(CountingTransport("127.0.0.1", port), "no-reply@example.fr", utcnow()) == (5, 0)
    finally:
        controller.stop()
    assert len(connections) == 1 and len(inbox.messages) == 5
    assert all(envelope.rcpt_tos == ["claire.martin@example.fr"] for envelope in inbox.messages)
    poisoned = inbox.messages[0].content.decode()
    assert "Subject: Cuisine centrale Bcc: victime@example.fr\r\n" in poisoned
    assert "\nBcc:" not in poisoned

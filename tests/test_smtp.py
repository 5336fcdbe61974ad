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


# --- Notifications people can act on: digests, urgent messages, unsubscribe headers, bounces -------------


class Relay(Inbox):
    """An SMTP relay that refuses some addresses for good (550) and others for now (450)."""

    def __init__(self, refused=(), busy=()):
        super().__init__()
        self.refused, self.busy = set(refused), set(busy)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.busy:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _received(relay):
    from email import message_from_bytes, policy

    return [message_from_bytes(e.content, policy=policy.default) for e in relay.messages]


def test_a_digest_and_an_urgent_message_arrive_with_text_html_and_unsubscribe_headers(app, monkeypatch):
    from datetime import date

    from mobilite import jobs, notifications
    from mobilite.models import Role
    from tests.factories import (
        OfferFactory,
        OfferSessionFactory,
        OrganisationFactory,
        ProposalFactory,
        RequestFactory,
        RoundFactory,
    )

    home = OrganisationFactory()
    host = OrganisationFactory(network=home.network)
    agent = UserFactory(organisation=home, first_name="Inès", email="ines@example.fr")
    officer = UserFactory(organisation=host, first_name="Léon", roles=[Role.RH], email="leon.rh@example.fr")
    round_ = RoundFactory(network=home.network, week_start=date(2027, 1, 4))
    offer = OfferFactory(organisation=host)
    published = []
    for _n in range(2):
        request = RequestFactory(agent=agent, status="matched")
        published.append(ProposalFactory(session=OfferSessionFactory(offer=offer), request=request, round=round_))
    with app.app_context():
        for proposal in published:  # the round's publication: two proposals to the host's offer
            notifications.proposal_published(proposal, [(officer, "host")])
        notifications.proposal_expiring(published[0], [(agent, "agent")])  # urgent: at once
        db.session.commit()

    port = _free_port()
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", port)
        jobs.send_outbox(app)  # the round's digest is queued, then everything due goes out
    finally:
        controller.stop()

    received = {m["To"]: m for m in _received(relay)}
    assert sorted(received) == ["ines@example.fr", "leon.rh@example.fr"]
    digest, urgent = received["leon.rh@example.fr"], received["ines@example.fr"]
    assert "lundi 4 janvier 2027" in digest["Subject"] and "2 messages" in digest["Subject"]
    assert "Dernier délai" in urgent["Subject"]
    for message in (digest, urgent):
        assert message.get_content_type() == "multipart/alternative"
        text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
        assert text.startswith("Bonjour ") and "<script" not in html.lower()
        unsubscribe = message["List-Unsubscribe"]
        assert unsubscribe.startswith("<http://localhost/desabonnement/") and unsubscribe.endswith(">")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html
    digest_text = digest.get_body(("plain",)).get_content()
    for proposal in published:
        assert f"http://localhost/rh/propositions/{proposal.id}" in digest_text
    # The header's link really unsubscribes, with a mail client's one-click POST.
    path = received["ines@example.fr"]["List-Unsubscribe"][len("<http://localhost") : -1]
    response = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200


def test_a_legal_deadline_has_no_unsubscribe_header(app):
    from mobilite import notifications
    from tests.factories import RequestFactory

    agent = UserFactory()
    with app.app_context():
        notifications.request_deadline(RequestFactory(agent=agent), "passed", [])
        db.session.commit()
    port = _free_port()
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert outbox.send_pending(outbox.SmtpTransport("127.0.0.1", port), "no-reply@example.fr") == (1, 0)
    finally:
        controller.stop()
    (message,) = _received(relay)
    assert message["List-Unsubscribe"] is None and "délai légal" in message.get_body(("plain",)).get_content()


def test_a_permanent_refusal_marks_the_address_failing_and_is_not_retried(app):
    from mobilite.models import User

    gone = UserFactory(email="parti@example.fr")
    busy = UserFactory(email="occupe@example.fr")
    fine = UserFactory(email="present@example.fr")
    for user in (gone, busy, fine):
        outbox.queue(user, "request.approved", "Votre demande", "Bonjour,\n\nApprouvée.")
    db.session.commit()
    port = _free_port()
    relay = Relay(refused={"parti@example.fr"}, busy={"occupe@example.fr"})
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    now = utcnow()
    try:
        assert outbox.send_pending(outbox.SmtpTransport("127.0.0.1", port), "no-reply@example.fr", now) == (1, 2)
        # An hour later: the busy mailbox is retried; the refused address is not, nor is anything new to it.
        outbox.queue(db.session.get(User, gone.id), "request.refused", "Autre", "Bonjour,\n\nRefusée.")
        db.session.commit()
        relay.busy.clear()
        later = now + timedelta(hours=1)
        # (the message to the refused address is not even tried: failed at its claim, with why)
        assert outbox.send_pending(outbox.SmtpTransport("127.0.0.1", port), "no-reply@example.fr", later) == (1, 0)
    finally:
        controller.stop()

    assert sorted(e.rcpt_tos[0] for e in relay.messages) == ["occupe@example.fr", "present@example.fr"]
    rows = {
        (n.to_email, n.subject): n
        for n in db.session.scalars(select(Notification).execution_options(populate_existing=True))
    }
    first = rows["parti@example.fr", "Votre demande"]
    assert first.status == NotificationStatus.FAILED and first.attempts == 1 and "550" in first.last_error
    second = rows["parti@example.fr", "Autre"]
    assert second.status == NotificationStatus.FAILED and "refused this address" in second.last_error
    marked = db.session.get(User, gone.id, populate_existing=True)
    assert marked.email_failing and marked.bounce_reason.startswith("550")
    assert not db.session.get(User, busy.id, populate_existing=True).email_failing  # 450: only for now
    assert rows["occupe@example.fr", "Votre demande"].status == NotificationStatus.SENT


def test_a_message_for_a_deactivated_account_is_not_sent(app):
    from mobilite.models import User

    user = UserFactory(email="depart@example.fr")
    outbox.queue(user, "request.approved", "Votre demande", "Bonjour,\n\nApprouvée.")
    db.session.commit()
    db.session.get(User, user.id).active = False  # deactivated after the message was queued
    db.session.commit()
    sent = []

    class Recorder:
        def send(self, message):
            sent.append(message)

    assert outbox.send_pending(Recorder(), "no-reply@example.fr") == (0, 0)
    note = db.session.scalar(select(Notification).execution_options(populate_existing=True))
    assert sent == [] and note.status == NotificationStatus.FAILED and "deactivated" in note.last_error

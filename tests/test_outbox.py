"""The outbox keeps every message until it is sent, retrying with backoff; it cannot be poisoned by one
message, duplicated by two senders, or starved by a big round."""

import threading
from datetime import timedelta
from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from mobilite import jobs
from mobilite.extensions import db
from mobilite.models import Notification, NotificationPriority, NotificationStatus, utcnow
from mobilite.services import outbox
from tests.factories import UserFactory

SENDER = "from@example.fr"


class FlakyTransport:
    def __init__(self, failures: int = 0):
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

    assert outbox.send_pending(transport, SENDER, now) == (0, 1)
    note = db.session.scalar(select(Notification))
    assert note.status == NotificationStatus.PENDING and note.attempts == 1
    assert "SMTP is down" in note.last_error
    assert note.claimed_by is None and note.claimed_until is None
    assert outbox.send_pending(transport, SENDER, now + timedelta(seconds=10)) == (0, 0)

    assert outbox.send_pending(transport, SENDER, now + timedelta(minutes=2)) == (1, 0)
    assert note.status == NotificationStatus.SENT
    assert transport.sent[0]["To"] == user.email and transport.sent[0]["Subject"] == "Sujet"


def test_message_is_given_up_after_the_last_attempt(app):
    user = UserFactory()
    outbox.queue(user, "test", "Sujet", "Corps")
    db.session.commit()
    transport = FlakyTransport(failures=100)
    now = utcnow()
    for n in range(outbox.MAX_ATTEMPTS):
        outbox.send_pending(transport, SENDER, now + timedelta(days=n))
    assert db.session.scalar(select(Notification)).status == NotificationStatus.FAILED


def test_backoff_grows_and_is_capped():
    assert outbox.backoff(1) < outbox.backoff(2) < outbox.backoff(5)
    assert outbox.backoff(50) == timedelta(hours=6)


# --- Poisoning (finding 2) -------------------------------------------------------------------------------

SEPARATORS = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x00", "\x1c", "\x1e", "\t"]


@pytest.mark.parametrize("separator", SEPARATORS, ids=[f"U+{ord(s[0]):04X}" for s in SEPARATORS])
def test_header_values_are_one_line_whatever_the_separator(separator):
    value = outbox.header_value(f"Immersion{separator}Bcc: victime@example.fr")
    assert value == "Immersion Bcc: victime@example.fr"
    message = EmailMessage()
    message["Subject"] = value  # the email package refuses any line break in a header
    message.set_content("x")
    assert message.as_string().count("Bcc") == 1 and "\nBcc" not in message.as_string()


def test_header_values_keep_french_no_break_spaces():
    """A subject is one line, but its French typography (no-break spaces before ":" and inside « ») stays."""
    subject = "«\u202fVégétaliser une cour\u202f»\u00a0: Aurélie  Barbier\taccepte"
    assert outbox.header_value(subject) == "«\u202fVégétaliser une cour\u202f»\u00a0: Aurélie Barbier accepte"


def test_header_values_are_bounded():
    assert len(outbox.header_value("é" * 5000)) == outbox.SUBJECT_MAX_LENGTH
    assert outbox.header_value("  a \u2028\u2028  b  ") == "a b"


def test_queue_sanitises_the_subject(app):
    user = UserFactory()
    note = outbox.queue(user, "offer.submitted", "Offre « Cuisine\u2028centrale » à valider", "Corps")
    db.session.commit()
    assert note.subject == "Offre « Cuisine centrale » à valider"


def test_a_poisoned_subject_does_not_stop_the_password_reset_behind_it(app):
    """Finding 2: a title with a line separator stopped every e-mail, password resets included, forever."""
    user = UserFactory()
    outbox.queue(user, "offer.published", "Nouvelle offre : Cuisine\u2028centrale\r\nBcc: x@example.fr", "Corps")
    db.session.commit()
    # The same subject in a row queued before the fix (or by any path that skips queue()).
    db.session.add(Notification(to_email=user.email, kind="offer.published", subject="Titre\u0085suite", body="b"))
    db.session.commit()
    outbox.queue(user, "password.reset_password", "Réinitialisation de votre mot de passe", "Lien : …")
    db.session.commit()
    transport = FlakyTransport()

    assert outbox.send_pending(transport, SENDER, utcnow()) == (3, 0)
    subjects = [message["Subject"] for message in transport.sent]
    assert "Réinitialisation de votre mot de passe" in subjects
    assert "Nouvelle offre : Cuisine centrale Bcc: x@example.fr" in subjects and "Titre suite" in subjects
    assert all("Bcc" not in message for message in transport.sent)


def test_a_message_that_cannot_be_built_is_failed_with_its_reason_and_the_run_goes_on(app, monkeypatch):
    user = UserFactory()
    broken = outbox.queue(user, "test", "Cassé", "Corps")
    outbox.queue(user, "test", "Suivant", "Corps")
    db.session.commit()
    build = outbox.build_message

    def build_or_break(claimed, sender):
        if claimed.id == broken.id:
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")
        return build(claimed, sender)

    monkeypatch.setattr(outbox, "build_message", build_or_break)
    transport = FlakyTransport()
    assert outbox.send_pending(transport, SENDER, utcnow()) == (1, 1)
    assert [m["Subject"] for m in transport.sent] == ["Suivant"]
    db.session.refresh(broken)
    assert broken.status == NotificationStatus.FAILED and "cannot build" in broken.last_error
    assert "surrogates not allowed" in broken.last_error


def test_an_unexpected_transport_error_is_kept_for_a_retry_and_the_run_goes_on(app):
    user = UserFactory()
    first = outbox.queue(user, "test", "Premier", "Corps")
    outbox.queue(user, "test", "Second", "Corps")
    db.session.commit()

    class OddTransport(FlakyTransport):
        def send(self, message):
            if message["Subject"] == "Premier":
                raise ValueError("odd answer")
            super().send(message)

    transport = OddTransport()
    assert outbox.send_pending(transport, SENDER, utcnow()) == (1, 1)
    db.session.refresh(first)
    assert first.status == NotificationStatus.PENDING and "odd answer" in first.last_error
    assert first.next_attempt_at > utcnow()


# --- Priorities and rate (finding 17) ---------------------------------------------------------------------


def test_priority_follows_the_kind():
    assert outbox.priority_of("password.reset_password") == NotificationPriority.ACCOUNT
    assert outbox.priority_of("password.set_password") == NotificationPriority.ACCOUNT
    assert outbox.priority_of("proposal.published.host") == NotificationPriority.BULK
    assert outbox.priority_of("request.approved") == NotificationPriority.NORMAL


def _queue_many(user, count: int, kind: str = "proposal.published") -> None:
    for n in range(count):
        outbox.queue(user, kind, f"Une immersion vous est proposée n°{n}", "Corps")
    db.session.commit()


def test_a_password_reset_queued_after_a_big_round_goes_out_in_the_first_batch(app):
    user = UserFactory()
    _queue_many(user, 500)
    outbox.queue(user, "password.reset_password", "Réinitialisation", "Lien")
    db.session.commit()
    transport = FlakyTransport()

    outbox.send_pending(transport, SENDER, utcnow(), limit=50)  # one batch
    assert transport.sent[0]["Subject"] == "Réinitialisation"


def test_one_run_sends_more_than_200_messages(app, monkeypatch):
    """The rate is a setting; by default a run empties a 500-message queue."""
    user = UserFactory()
    _queue_many(user, 500, kind="request.approved")
    transport = FlakyTransport()
    monkeypatch.setattr(outbox, "transport_from_config", lambda config: transport)

    jobs.send_outbox(app)
    assert len(transport.sent) == 500
    assert jobs.outbox_budget(app.config) >= 500

    _queue_many(user, 30, kind="request.approved")
    monkeypatch.setitem(app.config, "OUTBOX_RATE_PER_MINUTE", 20)
    monkeypatch.setitem(app.config, "OUTBOX_BATCH_SIZE", 5)
    monkeypatch.setitem(app.config, "SCHEDULER_OUTBOX_SECONDS", 30)
    jobs.send_outbox(app)
    assert len(transport.sent) == 510  # 20 a minute, a run every 30 s: 10 a run


# --- Claims (finding 14) ----------------------------------------------------------------------------------


def test_a_claimed_message_is_skipped_until_its_claim_lapses(app):
    user = UserFactory()
    outbox.queue(user, "test", "Sujet", "Corps")
    db.session.commit()
    now = utcnow()
    token, claimed = outbox.claim_batch(10, now, lease=timedelta(minutes=5))
    assert len(claimed) == 1

    # Another sender, meanwhile: nothing to take. The first one dies without a word.
    assert outbox.claim_batch(10, now + timedelta(minutes=4))[1] == []
    # Its claim lapses: the message is tried again, and the dead sender cannot record a result any more.
    token_2, again = outbox.claim_batch(10, now + timedelta(minutes=6))
    assert [c.id for c in again] == [claimed[0].id] and again[0].attempts == 2
    assert outbox._record(claimed[0].id, token, status=NotificationStatus.SENT) is False
    assert outbox._record(claimed[0].id, token_2, status=NotificationStatus.SENT) is True


def test_a_sender_whose_lease_runs_out_gives_back_what_it_did_not_try(app, monkeypatch):
    user = UserFactory()
    _queue_many(user, 3, kind="test")
    clock = iter([0.0, 0.0, 1000.0])  # claimed; first message tried in time; then past the lease's margin
    monkeypatch.setattr(outbox, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    transport = FlakyTransport()

    assert outbox.send_pending(transport, SENDER, utcnow(), lease=timedelta(seconds=60)) == (1, 0)
    rows = db.session.execute(select(Notification.status, Notification.attempts, Notification.claimed_by)).all()
    assert sorted(rows) == sorted([(NotificationStatus.SENT, 1, None)] + [(NotificationStatus.PENDING, 0, None)] * 2)


@pytest.fixture
def committed_messages(_app):
    """200 committed messages, outside any test transaction, so that two real connections race on them."""
    with _app.app_context():
        db.session.add_all(
            Notification(to_email=f"n{n}@example.fr", kind="test", subject=f"Message {n}", body="Corps")
            for n in range(200)
        )
        db.session.commit()
        db.session.remove()
    yield 200
    with _app.app_context():
        db.session.execute(delete(Notification))
        db.session.commit()
        db.session.remove()


def test_two_senders_at_once_send_each_message_exactly_once(_app, committed_messages):
    """Finding 14: two schedulers sent almost every e-mail twice."""
    barrier = threading.Barrier(2)
    sent: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    class RecordingTransport:
        def send(self, message):
            with lock:
                sent.append(message["To"])

    def sender():
        with _app.app_context():
            try:
                barrier.wait()
                outbox.send_pending(RecordingTransport(), SENDER, batch_size=7)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(sent) == sorted(f"n{n}@example.fr" for n in range(committed_messages))
    with _app.app_context():
        statuses = db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all()
        db.session.remove()
    assert statuses == [(NotificationStatus.SENT, committed_messages)]


def test_the_rate_holds_below_one_batch(app, monkeypatch):
    """A relay that takes 4 messages a minute gets 2 per 30-second run, not a whole batch."""
    user = UserFactory()
    _queue_many(user, 10, kind="request.approved")
    transport = FlakyTransport()
    monkeypatch.setattr(outbox, "transport_from_config", lambda config: transport)
    monkeypatch.setitem(app.config, "OUTBOX_RATE_PER_MINUTE", 4)
    monkeypatch.setitem(app.config, "OUTBOX_BATCH_SIZE", 50)
    monkeypatch.setitem(app.config, "SCHEDULER_OUTBOX_SECONDS", 30)
    jobs.send_outbox(app)
    assert len(transport.sent) == 2

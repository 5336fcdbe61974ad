"""The notification outbox: services queue e-mails in their transaction; a job sends them.

- Header values are sanitised where messages are queued (and again where they are built, for older rows):
  a line separator in a title can never break a header, and one message that cannot be built or sent is
  marked (failed, or kept for a retry) with the reason while the job goes on with the next.
- Senders claim a batch in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single
  writer on SQLite), commit, then send: two schedulers never send one message twice. A claim has a lease:
  a sender that dies keeps nothing, its messages are tried again once the lease lapses. A sender stops
  before its lease could lapse in the middle of a send, and gives back what it has not tried.
- Account and security e-mails go first; the number sent per run is a setting (the rate).
- A message for an account deactivated since, or for an address the relay refused for good, is not sent
  (failed, with why). A permanent refusal of the recipient (SMTP 5xx at RCPT) marks the account's address
  as failing and is not retried; a permanent refusal of the message (5xx at DATA) is not retried either.
- Messages people may turn off carry RFC 8058 one-click unsubscribe headers.

Delivery is at least once: a sender killed between the SMTP server's "250 OK" and its own commit leaves
a message that is sent again after the lease. Nothing else sends one twice.
"""

from __future__ import annotations

import logging
import re
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import Executable, or_, select, update

from mobilite.extensions import db
from mobilite.models import Notification, NotificationPriority, NotificationStatus, User, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SUBJECT_MAX_LENGTH = 200
ADDRESS_MAX_LENGTH = 254
BATCH_SIZE = 50
RUN_BUDGET = 1000
CLAIM_LEASE = timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 20

# Kinds by prefix: a password link or an account message never waits behind a round's publication.
ACCOUNT_KINDS = ("password.", "account.", "security.")
BULK_KINDS = ("proposal.published", "round.unmatched", "immersion.reminder", "feedback.")

# Anything that may end a header line or cannot be encoded: C0 and C1 controls (CR, LF, VT, FF, NUL, NEL
# U+0085…), DEL, the Unicode line and paragraph separators, and lone surrogates.
_HEADER_BREAKERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Runs of breakable white space; the no-break spaces of French typography ("confirmée :", "« titre »") stay.
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def header_value(value: str, max_length: int = SUBJECT_MAX_LENGTH) -> str:
    """One line of printable text: every separator or control character becomes a space, length bounded."""
    value = _HEADER_BREAKERS.sub(" ", value or "")
    value = _SPACES.sub(" ", value).strip()
    if len(value) > max_length:
        value = value[: max_length - 1].rstrip() + "…"
    return value


def priority_of(kind: str) -> NotificationPriority:
    if kind.startswith(ACCOUNT_KINDS):
        return NotificationPriority.ACCOUNT
    if kind.startswith(BULK_KINDS):
        return NotificationPriority.BULK
    return NotificationPriority.NORMAL


def queue(
    recipient: User | None,
    kind: str,
    subject: str,
    body: str,
    priority: NotificationPriority | None = None,
    *,
    html_body: str = "",
    to_email: str | None = None,
    unsubscribe_url: str = "",
) -> Notification:
    """Add an e-mail to the current unit of work: it is sent only if the change commits.

    Messages are written by mobilite.notifications (one function per event); `html_body`, when given, is
    the HTML alternative of the text `body`. A message to someone without an account (a tutor) has no
    `recipient`, only `to_email`.
    """
    address = to_email if to_email is not None else (recipient.email if recipient is not None else "")
    notification = Notification(
        recipient=recipient,
        to_email=header_value(address, ADDRESS_MAX_LENGTH),
        kind=kind[:60],
        subject=header_value(subject),
        body=body,
        html_body=html_body,
        priority=int(priority if priority is not None else priority_of(kind)),
        unsubscribe_url=header_value(unsubscribe_url, 500),
    )
    db.session.add(notification)
    return notification


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between tries, capped at six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class ConsoleTransport:
    """Development: log the message instead of sending it."""

    def send(self, message: EmailMessage) -> None:
        text = message.get_body(("plain",))  # the text part of a multipart message
        content = text.get_content() if text is not None else ""
        log.warning("E-mail to %s: %s\n%s", message["To"], message["Subject"], content)


class SmtpTransport:
    """SMTP, one connection kept open for a run (closed by `close()`, and after any error)."""

    def __init__(self, host: str, port: int, username: str = "", password: str = "", starttls: bool = False):
        self.host, self.port, self.username, self.password, self.starttls = host, port, username, password, starttls
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
            try:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def send(self, message: EmailMessage) -> None:
        smtp = self._connection()
        try:
            smtp.send_message(message)
        except BaseException:
            self.close()  # the session's state is unknown: the next message starts a fresh one
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def transport_from_config(config) -> ConsoleTransport | SmtpTransport:
    if config.get("SMTP_HOST"):
        return SmtpTransport(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config["SMTP_USERNAME"],
            config["SMTP_PASSWORD"],
            config["SMTP_STARTTLS"],
        )
    return ConsoleTransport()


@dataclass(frozen=True)
class ClaimedMessage:
    """What a sender needs, read while it claimed the row (no lazy load after the claim's commit)."""

    id: int
    to_email: str
    subject: str
    body: str
    attempts: int
    html_body: str = ""
    recipient_id: int | None = None
    unsubscribe_url: str = ""


def build_message(claimed: ClaimedMessage, sender: str) -> EmailMessage:
    """Plain text, or multipart/alternative (text first, then HTML) when the message has an HTML part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = header_value(claimed.to_email, ADDRESS_MAX_LENGTH)
    message["Subject"] = header_value(claimed.subject)
    if claimed.unsubscribe_url:
        # RFC 8058: a mail client's "unsubscribe" button POSTs "List-Unsubscribe=One-Click" to the link.
        message["List-Unsubscribe"] = f"<{header_value(claimed.unsubscribe_url, 500)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(claimed.body)
    if claimed.html_body:
        message.add_alternative(claimed.html_body, subtype="html")
    return message


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def claim_batch(size: int, now: datetime, lease: timedelta = CLAIM_LEASE) -> tuple[str, list[ClaimedMessage]]:
    """Claim up to `size` due messages, most urgent first, in one committed transaction.

    Returns the claim's token (needed to record results) and the claimed messages. A message claimed by
    another sender is skipped (PostgreSQL: SKIP LOCKED while it claims; then its lease), never waited for.
    """
    token = uuid.uuid4().hex
    db.begin_write()
    query = (
        select(Notification, User.active, User.email, User.bounced_email)
        .outerjoin(User, Notification.recipient_id == User.id)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
            or_(Notification.claimed_until.is_(None), Notification.claimed_until <= now),
        )
        .order_by(Notification.priority, Notification.next_attempt_at, Notification.id)
        .limit(size)
        .execution_options(populate_existing=True)
    )
    if _is_postgresql():
        query = query.with_for_update(of=Notification, skip_locked=True)
    claimed = []
    for notification, active, email, bounced in db.session.execute(query).all():
        # Counted when claimed: a message that kills its sender every time still ends failed.
        notification.attempts += 1
        unsendable = _unsendable(notification, active, email, bounced)
        if unsendable:
            notification.status, notification.last_error = NotificationStatus.FAILED, unsendable
            continue
        notification.claimed_by = token
        notification.claimed_until = now + lease
        claimed.append(
            ClaimedMessage(
                notification.id,
                notification.to_email,
                notification.subject,
                notification.body,
                notification.attempts,
                notification.html_body or "",
                notification.recipient_id,
                notification.unsubscribe_url or "",
            )
        )
    db.session.commit()
    return token, claimed


def _unsendable(notification: Notification, active: bool | None, email: str | None, bounced: str | None) -> str:
    """Why a message to an account must not go out now ('' if it may)."""
    if notification.recipient_id is None:
        return ""  # someone without an account (a tutor)
    if active is False:
        return "not sent: the account is deactivated"
    # A password link the person asked for goes out anyway: it is how they would find out.
    failing = bool(bounced) and bounced == email and bounced == notification.to_email
    if failing and not notification.kind.startswith(ACCOUNT_KINDS):
        return "not sent: the relay refused this address for good"
    return ""


def _record(notification_id: int, token: str, also: Executable | None = None, **values) -> bool:
    """Record a result, only if the claim is still ours; False if it lapsed and another sender took it.

    `also`: a statement that belongs to the result (the bounced address), run in the same transaction."""
    db.begin_write()
    done = db.rows_matched(
        update(Notification)
        .where(Notification.id == notification_id, Notification.claimed_by == token)
        .values(claimed_by=None, claimed_until=None, **values)
    )
    if done and also is not None:
        db.session.execute(also)
    db.session.commit()
    if not done:
        log.warning("outbox: the claim on message %s lapsed before its result was recorded", notification_id)
    return bool(done)


def _release(ids: list[int], token: str) -> None:
    """Give back messages claimed but not tried (the lease was running out)."""
    db.begin_write()
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.claimed_by == token)
        .values(claimed_by=None, claimed_until=None, attempts=Notification.attempts - 1)
    )
    db.session.commit()


def send_pending(
    transport: Transport,
    sender: str,
    now: datetime | None = None,
    limit: int | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    lease: timedelta = CLAIM_LEASE,
) -> tuple[int, int]:
    """Send what is due, batch after batch, until nothing is due or `limit` messages were tried.

    A message that cannot be built is failed at once; one that cannot be sent is kept for a later try
    (given up after MAX_ATTEMPTS). Returns (sent, failed).
    """
    budget = RUN_BUDGET if limit is None else limit
    sent = failed = 0
    # Stop sending while there is still time for one send to finish inside the lease.
    margin = min(SMTP_TIMEOUT_SECONDS + 10, lease.total_seconds() / 2)
    try:
        while budget > 0:
            claim_started = time.monotonic()
            token, batch = claim_batch(min(batch_size, budget), now or utcnow(), lease)
            if not batch:
                break
            budget -= len(batch)
            for index, claimed in enumerate(batch):
                if time.monotonic() - claim_started > lease.total_seconds() - margin:
                    _release([c.id for c in batch[index:]], token)
                    return sent, failed
                ok = _send_one(transport, sender, claimed, token, now)
                sent, failed = sent + ok, failed + (not ok)
    finally:
        close = getattr(transport, "close", None)
        if close is not None:
            close()
    return sent, failed


def _send_one(transport: Transport, sender: str, claimed: ClaimedMessage, token: str, now: datetime | None) -> bool:
    """Build and send one claimed message, and record the outcome. Nothing it raises stops the run."""
    try:
        message = build_message(claimed, sender)
    except Exception as exc:  # noqa: BLE001 - a message that cannot be built never will be: failed, with why
        log.error("outbox: message %s cannot be built: %s", claimed.id, exc)
        _record(
            claimed.id,
            token,
            status=NotificationStatus.FAILED,
            last_error=f"cannot build the message: {type(exc).__name__}: {exc}"[:500],
        )
        return False
    try:
        transport.send(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            _bounced(claimed, token, exc, now or utcnow())
            return False
        return _retry_later(claimed, token, exc, now)
    except smtplib.SMTPDataError as exc:
        if 500 <= exc.smtp_code < 600:  # the relay refuses this message for good: no point in trying again
            _record(claimed.id, token, status=NotificationStatus.FAILED, last_error=_error(exc))
            return False
        return _retry_later(claimed, token, exc, now)
    except Exception as exc:  # noqa: BLE001 - SMTP down, refused, or odd: kept for a later try
        return _retry_later(claimed, token, exc, now)
    _record(claimed.id, token, status=NotificationStatus.SENT, sent_at=now or utcnow())
    return True


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _retry_later(claimed: ClaimedMessage, token: str, exc: Exception, now: datetime | None) -> bool:
    """Kept for a later try with a backoff, or failed after MAX_ATTEMPTS. Always False (not sent)."""
    at = now or utcnow()
    values: dict = {"last_error": _error(exc)}
    if claimed.attempts >= MAX_ATTEMPTS:
        values["status"] = NotificationStatus.FAILED
    else:
        values["next_attempt_at"] = at + backoff(claimed.attempts)
    _record(claimed.id, token, **values)
    return False


def _bounced(claimed: ClaimedMessage, token: str, exc: smtplib.SMTPRecipientsRefused, at: datetime) -> None:
    """A permanent refusal of the address: the message fails for good and the account's address is marked
    failing (if it is still the account's address), so nothing more is sent to it and people see it."""
    reason = "; ".join(
        f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        for code, text in exc.recipients.values()
    )
    mark = (
        update(User)
        .where(User.id == claimed.recipient_id, User.email == claimed.to_email)
        .values(bounced_email=claimed.to_email, bounced_at=at, bounce_reason=header_value(reason, 300))
        if claimed.recipient_id is not None
        else None
    )
    _record(claimed.id, token, mark, status=NotificationStatus.FAILED, last_error=_error(exc))

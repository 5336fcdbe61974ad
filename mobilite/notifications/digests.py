"""Digests: one e-mail for the messages a person chose to receive together.

Inbox items waiting for a digest (InboxDelivery.WAITING) are gathered per person and key:
- "round:<id>": a round's publication, sent by the outbox job right after it (the publication commits all
  its messages at once, so the job finds them together): a host's HR officer gets one e-mail per round
  listing the proposals to answer;
- "day": the morning digest (the `send_daily_digests` job), e.g. an HR officer's requests to decide.

Exactly once: the items are claimed under their row locks (SKIP LOCKED on PostgreSQL, the single writer on
SQLite) and marked sent in the transaction that queues their e-mail. The digest is rendered when it is
queued, from the items' own words (rendered when they were made).
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import InboxDelivery, InboxItem, Role, Round, User
from mobilite.notifications import kinds, rendering
from mobilite.notifications.rendering import Footer, external_url, full_date, unsubscribe_url
from mobilite.services import outbox
from mobilite.workdays import paris_today

ROUND_PREFIX = "round:"
PARIS = ZoneInfo("Europe/Paris")


def send_round_digests(now: datetime | None = None) -> int:
    """Queue one e-mail per person and published round for the round's waiting messages. Returns how many."""
    return _send(InboxItem.digest_key.startswith(ROUND_PREFIX), now)


def send_daily_digests(now: datetime | None = None) -> int:
    """Queue each person's morning digest. Returns how many e-mails."""
    return _send(InboxItem.digest_key == kinds.DAY, now)


def _send(which, now: datetime | None) -> int:
    due = (InboxItem.delivery == InboxDelivery.WAITING, which)
    if db.session.scalar(select(InboxItem.id).where(*due).limit(1)) is None:
        return 0  # the usual case, every 30 seconds: no write lock taken for nothing
    db.begin_write()
    query = select(InboxItem).where(*due).order_by(InboxItem.user_id, InboxItem.digest_key, InboxItem.id)
    if db.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    items = db.session.scalars(query).all()
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({item.user_id for item in items})).options(selectinload(User.role_rows))
        )
    }
    sent = 0
    for (user_id, key), group in groupby(items, key=lambda item: (item.user_id, item.digest_key)):
        waiting = list(group)
        user = users[user_id]
        if not user.active:  # nothing goes out to a deactivated account; the items stay in its inbox
            for item in waiting:
                item.delivery = InboxDelivery.APP
            continue
        note = _queue_digest(user, key, waiting, now)
        for item in waiting:
            item.delivery, item.email = InboxDelivery.DIGEST, note
        sent += 1
    db.session.commit()
    return sent


def _ordered(items: list[InboxItem]) -> list[InboxItem]:
    """What to do first (by the day it is due), then what is for information, oldest first."""
    return sorted(items, key=lambda item: (item.due_on is None, item.due_on or date.max, item.id))


def _main_link(user: User, key: str, items: list[InboxItem]) -> tuple[str, bool]:
    """The button's page, and whether it is the HR officer's list of proposals."""
    if len(items) == 1:
        return items[0].link, False
    if (
        key.startswith(ROUND_PREFIX)
        and user.has_role(Role.RH)
        and all(item.kind.startswith("proposal.published.") for item in items)
    ):
        return external_url("rh.proposals"), True
    return external_url("notifications.inbox"), False


def _footer(user: User, items: list[InboxItem]) -> Footer:
    """The unsubscribe link only when every message is of one category the person may turn off."""
    categories = {kinds.category_of(item.kind) for item in items}
    essential = any(kinds.is_essential(item.kind) for item in items)
    only = next(iter(categories)) if len(categories) == 1 else None
    unsubscribe = "" if essential or only is None else unsubscribe_url(only.key, user_id=user.id)
    return Footer(preferences=external_url("notifications.preferences"), unsubscribe=unsubscribe, essential=essential)


def _queue_digest(user: User, key: str, items: list[InboxItem], now: datetime | None):
    items = _ordered(items)
    link, proposals_page = _main_link(user, key, items)
    round_ = db.session.get(Round, int(key.removeprefix(ROUND_PREFIX))) if key.startswith(ROUND_PREFIX) else None
    today = paris_today() if now is None else now.astimezone(PARIS).date()
    count = len(items)

    def params() -> dict[str, object]:
        if round_ is not None:
            week = full_date(round_.week_start)
            subject = ngettext(
                "Tour d'appariement de la semaine du %(week)s : %(num)d message pour vous",
                "Tour d'appariement de la semaine du %(week)s : %(num)d messages pour vous",
                count,
                week=week,
            )
            intro = _(
                "Le tour d'appariement de la semaine du %(week)s est publié. Voici ce qui vous concerne, "
                "le plus urgent d'abord.",
                week=week,
            )
        else:
            subject = ngettext(
                "Votre récapitulatif du %(day)s : %(num)d message",
                "Votre récapitulatif du %(day)s : %(num)d messages",
                count,
                day=full_date(today),
            )
            intro = _(
                "Voici ce qui s'est passé pour vous dans mobilite depuis le dernier récapitulatif, "
                "le plus urgent d'abord."
            )
        return {
            "subject": subject,
            "intro": intro,
            "entries": [
                {
                    "subject": item.subject,
                    "summary": " ".join(item.summary.split()),
                    "link": item.link,
                    "due": full_date(item.due_on) if item.due_on else "",
                }
                for item in items
            ],
            "link_label": _("Voir les propositions") if proposals_page else _("Voir mes notifications"),
        }

    footer = _footer(user, items)
    email = rendering.render("digest", user, params, link=link, footer=footer)
    return outbox.queue(
        user,
        "digest.round" if round_ is not None else "digest.day",
        email.subject,
        email.text,
        html_body=email.html,
        unsubscribe_url=footer.unsubscribe,
    )

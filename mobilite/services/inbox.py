"""Each person's notifications in the app, and their choices of what reaches their mailbox.

- The header shows the unread count on every page: one COUNT on the (user, read_at) index, capped.
- Opening a notification marks it read and leads to its page; "tout marquer comme lu" marks them all.
- Preferences: one channel per category (mobilite.notifications.kinds); a category left alone follows its
  default. Legal deadlines cannot be switched off e-mail.
- The one-click unsubscribe (a signed link, no sign-in) turns one category to "in the app only" for an
  account, or opts an address without an account (a tutor) out of its messages.
- An address the relay refused is shown to the person and to their HR officers; either may say it works
  again (after fixing the mailbox), and messages go out to it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import ScalarSelect

from mobilite.extensions import db
from mobilite.models import Channel, EmailOptOut, InboxItem, NotificationPreference, Role, User, utcnow
from mobilite.notifications import kinds, links
from mobilite.services import audit
from mobilite.services.errors import ServiceError
from mobilite.services.pagination import Page, paginate

UNREAD_CAP = 99  # the header says "99+" beyond: counting further costs more and tells nothing
_CACHE_KEY = "notification_channels"


# --- the inbox ----------------------------------------------------------------------------------------


def unread_count_query(user_id: int | BindParameter[int]) -> ScalarSelect[int]:
    """Unread notifications, up to UNREAD_CAP + 1, as a scalar subquery: a count over at most that many
    index entries (services.auth loads it with the signed-in user)."""
    unread = (
        select(InboxItem.id)
        .where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    return select(func.count()).select_from(unread).scalar_subquery()


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(unread_count_query(user_id))) or 0


def items_page(user: User, page: int, unread_only: bool = False) -> Page:
    query = select(InboxItem).where(InboxItem.user_id == user.id)
    if unread_only:
        query = query.where(InboxItem.read_at.is_(None))
    return paginate(query.order_by(InboxItem.id.desc()), page, per_page=30)


def own_item(user: User, item_id: int) -> InboxItem | None:
    """The user's own notification, or None (another person's never answers otherwise)."""
    return db.session.scalar(select(InboxItem).where(InboxItem.id == item_id, InboxItem.user_id == user.id))


def open_item(user: User, item: InboxItem, now: datetime | None = None) -> str:
    """Mark the notification read; returns where it leads: its link's path on this site (never elsewhere)."""
    if item.read_at is None:
        item.read_at = now or utcnow()
        db.session.commit()
    parts = urlsplit(item.link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mark_read(user: User, item: InboxItem, now: datetime | None = None) -> InboxItem:
    if item.read_at is None:
        item.read_at = now or utcnow()
        db.session.commit()
    return item


def mark_all_read(user: User, now: datetime | None = None) -> int:
    marked = db.rows_matched(
        update(InboxItem)
        .where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    db.session.commit()
    return marked


# --- preferences ----------------------------------------------------------------------------------------


def chosen_channel(user_id: int, category: str) -> Channel | None:
    """The person's choice for a category, None if they made none. Read once per person and transaction
    (a round's publication tells the same HR officer about many proposals)."""
    db.session.connection()  # the transaction the answer belongs to, begun if need be
    transaction = db.session().get_transaction()
    kept = db.session.info.get(_CACHE_KEY)
    if kept is None or kept[0] is not transaction:
        kept = db.session.info[_CACHE_KEY] = (transaction, {})
    cache: dict[int, dict[str, Channel]] = kept[1]
    if user_id not in cache:
        rows = db.session.execute(
            select(NotificationPreference.category, NotificationPreference.channel).where(
                NotificationPreference.user_id == user_id
            )
        )
        cache[user_id] = {key: Channel(channel) for key, channel in rows}
    return cache[user_id].get(category)


def _forget_choices() -> None:
    db.session.info.pop(_CACHE_KEY, None)


@dataclass(frozen=True)
class Choice:
    category: kinds.Category
    channel: Channel
    chosen: bool  # False: the default


def preferences(user: User) -> list[Choice]:
    """Every category the person's roles receive, with what they chose (or the default)."""
    _forget_choices()
    choices = []
    for category in kinds.categories_for(user.roles):
        chosen = chosen_channel(user.id, category.key)
        channel = chosen if chosen in category.choices() else category.default
        choices.append(Choice(category, channel, chosen is not None))
    return choices


def save_preferences(user: User, data: Mapping[str, str]) -> list[Choice]:
    """Save one channel per category of the person's roles; a refused value names its category.

    Nothing is saved unless every value is allowed."""
    wanted: dict[str, Channel] = {}
    errors: dict[str, list[str]] = {}
    for category in kinds.categories_for(user.roles):
        raw = data.get(category.key)
        if raw is None or raw == "":
            continue
        try:
            channel = Channel(raw)
        except ValueError:
            errors[category.key] = [_("Choisissez l'une des options proposées.")]
            continue
        if channel not in category.choices():
            errors[category.key] = [
                _("Ces messages portent un délai légal : ils vous sont toujours envoyés par e-mail.")
            ]
            continue
        wanted[category.key] = channel
    if errors:
        raise ServiceError(errors)
    existing = {
        p.category: p
        for p in db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    }
    for key, channel in wanted.items():
        if key in existing:
            existing[key].channel = channel
        else:
            db.session.add(NotificationPreference(user_id=user.id, category=key, channel=channel))
    db.session.commit()
    _forget_choices()
    return preferences(user)


# --- one-click unsubscribe ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscription:
    category: kinds.Category
    email: str  # the address that stops receiving these messages


def read_unsubscribe(token: str) -> Unsubscription | None:
    """What a link would turn off, or None for a link the server did not sign (or a category that may
    not be turned off, or an account that no longer exists)."""
    request = links.read_unsubscribe(token)
    if request is None:
        return None
    category = kinds.BY_KEY.get(request.category)
    if category is None or category.essential:
        return None
    if request.user_id is not None:
        user = db.session.get(User, request.user_id)
        return Unsubscription(category, user.email) if user is not None else None
    return Unsubscription(category, request.email)


def unsubscribe(token: str) -> Unsubscription:
    """Apply a one-click unsubscribe link (RFC 8058). Doing it twice is harmless."""
    found = read_unsubscribe(token)
    request = links.read_unsubscribe(token)
    if found is None or request is None:
        raise ServiceError(_("Ce lien de désabonnement n'est pas valable."))
    if request.user_id is not None:
        db.begin_write()
        preference = db.session.scalar(
            select(NotificationPreference).where(
                NotificationPreference.user_id == request.user_id,
                NotificationPreference.category == found.category.key,
            )
        )
        if preference is None:
            db.session.add(
                NotificationPreference(user_id=request.user_id, category=found.category.key, channel=Channel.APP)
            )
        else:
            preference.channel = Channel.APP
        db.session.commit()
        _forget_choices()
        return found
    if not opted_out(request.email, found.category.key):
        db.begin_write()
        db.session.add(EmailOptOut(email=request.email, category=found.category.key))
        try:
            db.session.commit()
        except IntegrityError:  # the same link clicked twice at once
            db.session.rollback()
    return found


def opted_out(email: str, category: str) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(EmailOptOut.email == email.strip().lower(), EmailOptOut.category == category))
        )
    )


# --- failing addresses --------------------------------------------------------------------------------------


def may_clear_bounce(actor: User, user: User) -> bool:
    return actor.id == user.id or (actor.has_role(Role.RH) and actor.is_hr_of(user.organisation_id))


def clear_bounce(actor: User, user: User) -> User:
    """The person (or their HR officer) says the address works again: messages go out to it again."""
    if not may_clear_bounce(actor, user):
        raise ServiceError(_("Vous ne pouvez pas modifier ce compte."))
    user.bounced_email, user.bounced_at, user.bounce_reason = "", None, ""
    audit.record(actor, "account.email_works_again", user, organisation_id=user.organisation_id)
    db.session.commit()
    return user


def failing_addresses(organisation_id: int) -> list[User]:
    """The organisation's active accounts whose address the relay refused: their HR officers see them."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.active.is_(True),
                User.bounced_email != "",
                User.bounced_email == User.email,
            )
            .order_by(User.last_name, User.first_name)
        )
    )

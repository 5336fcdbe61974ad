"""How one e-mail is made: Jinja templates in the recipient's language, links on BASE_URL, Babel dates.

Every message has two templates, `templates/email/<name>.txt` (which also holds the `subject` block) and
`templates/email/<name>.html` (inline styles, no script, the same paragraphs and link as the text part).
A message is rendered when it is queued: what was sent never changes with later edits of the data.
Each message to an account is also an item of the person's inbox, with the same words and link; whether it
is e-mailed at once, in a digest or not at all is the person's choice per category (notifications.kinds).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.models import Channel, InboxDelivery, InboxItem, Notification, User
from mobilite.notifications import kinds, links
from mobilite.services import inbox, outbox

TEMPLATE_DIRECTORY = "email"
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    # The message's own sentences (no greeting, link or footer): what the inbox and the digests show.
    summary: str = ""


class Addressee(Protocol):
    """Whom a message greets and in which language: an account (User) or a tutor without one."""

    @property
    def first_name(self) -> str: ...

    @property
    def locale(self) -> str: ...


# A recipient and the part they play in the event: agent, home or host (HR of either side), coordination.
Party = tuple[User, str]


@dataclass(frozen=True)
class Tutor:
    """An offer's tutor: an address and a name, maybe no account. Messages in the default language."""

    email: str
    name: str
    locale: str = ""

    @property
    def first_name(self) -> str:
        return self.name


@dataclass(frozen=True)
class Footer:
    """Why the person gets this e-mail, and how to get fewer: preferences and the one-click unsubscribe."""

    preferences: str = ""
    unsubscribe: str = ""
    essential: bool = False
    tutor: bool = False


def recipient_locale(user: Addressee) -> str:
    """The account's language if the app offers it, else the default one."""
    offered = [code.strip() for code in current_app.config["LANGUAGES"].split(",") if code.strip()]
    return user.locale if user.locale in offered else current_app.config["BABEL_DEFAULT_LOCALE"]


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link to a route, by endpoint name, on the configured BASE_URL.

    This is `url_for(endpoint, _external=True)` with the URL adapter bound to BASE_URL rather than to the
    current request: the same in a web request, the API, the CLI and the scheduler (which has no request),
    and never taken from a request's Host header (a forged one would otherwise end up in password links).
    A renamed or removed route raises werkzeug's BuildError when the message is queued.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def full_date(day: date) -> str:
    """A day as people write it in the current language: "lundi 28 décembre 2026", "Monday, December 28, 2026"."""
    return format_date(day, "full")


def _tidy(text: str) -> str:
    """Templates' own line breaks aside: paragraphs separated by one blank line, no trailing spaces."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


Params = Callable[[], dict[str, object]]


def render(name: str, recipient: Addressee, params: Params | None = None, **context: object) -> RenderedEmail:
    """Render the subject, the text and the HTML of message `name` for `recipient`, in their language.

    `params()`, called in that language, gives the message's formatted values (dates, names), as `p`.
    """
    env = current_app.jinja_env
    values = {"recipient": recipient, "full_date": full_date, "footer": None, **context}
    with force_locale(recipient_locale(recipient)):
        values["lang"] = recipient_locale(recipient)
        values["p"] = params() if params is not None else {}
        text_template = env.get_template(f"{TEMPLATE_DIRECTORY}/{name}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
        subject = outbox.header_value(subject)
        summary = _tidy("".join(text_template.blocks["body"](text_template.new_context(values))))
        text = _tidy(text_template.render(values))
        html = env.get_template(f"{TEMPLATE_DIRECTORY}/{name}.html").render({**values, "subject": subject})
    return RenderedEmail(subject, text, html, summary)


def deliver(
    recipient: User,
    kind: str,
    name: str,
    params: Params | None = None,
    *,
    link: str,
    due_on: date | None = None,
    round_id: int | None = None,
    **context: object,
) -> InboxItem | Notification:
    """Render message `name` for one account and deliver it under `kind`, as the person chose.

    The one place every message to an account goes through. Account messages (password links) are e-mailed
    at once and nowhere else. Every other message lands in the person's inbox and, by their preference for
    its category, is e-mailed at once, waits for its digest (`round_id`: gathered with the round's other
    messages), or stays in the app; urgent and legal ones always reach the mailbox. `due_on`: the day by
    which the person should act, shown in the inbox and the digests.
    """
    category = kinds.category_of(kind)
    if category is None:
        email = render(name, recipient, params, link=link, **context)
        return outbox.queue(recipient, kind, email.subject, email.text, html_body=email.html)
    essential = kinds.is_essential(kind)
    unsubscribe = "" if essential else unsubscribe_url(category.key, user_id=recipient.id)
    footer = Footer(preferences=external_url("notifications.preferences"), unsubscribe=unsubscribe, essential=essential)
    email = render(name, recipient, params, link=link, footer=footer, **context)
    item = InboxItem(
        user=recipient,
        kind=kind[:60],
        subject=email.subject,
        summary=email.summary,
        link=link,
        due_on=due_on,
        delivery=InboxDelivery.APP,
        digest_key="",
    )
    way = kinds.channel(category, inbox.chosen_channel(recipient.id, category.key), kind)
    if recipient.active and way == Channel.IMMEDIATE:
        item.delivery = InboxDelivery.EMAIL
        item.email = outbox.queue(
            recipient, kind, email.subject, email.text, html_body=email.html, unsubscribe_url=unsubscribe
        )
    elif recipient.active and way == Channel.DIGEST:
        item.delivery = InboxDelivery.WAITING
        item.digest_key = kinds.digest_key(kind, round_id)
    db.session.add(item)
    return item


def unsubscribe_url(category: str, *, user_id: int | None = None, email: str = "") -> str:
    return external_url(
        "notifications.unsubscribe", token=links.unsubscribe_token(category, user_id=user_id, email=email)
    )


def deliver_to_tutor(
    tutor: Tutor, kind: str, name: str, params: Params | None = None, **context: object
) -> Notification | None:
    """E-mail a tutor (an address, maybe without an account): no inbox, no preferences, but the one-click
    unsubscribe, which this checks. None when the address opted out."""
    category = kinds.category_of(kind)
    if category is None or inbox.opted_out(tutor.email, category.key):
        return None
    unsubscribe = unsubscribe_url(category.key, email=tutor.email)
    email = render(name, tutor, params, footer=Footer(unsubscribe=unsubscribe, tutor=True), **context)
    return outbox.queue(
        None,
        kind,
        email.subject,
        email.text,
        html_body=email.html,
        to_email=tutor.email,
        unsubscribe_url=unsubscribe,
    )

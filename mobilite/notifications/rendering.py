"""How one e-mail is made: Jinja templates in the recipient's language, links on BASE_URL, Babel dates.

Every message has two templates, `templates/email/<name>.txt` (which also holds the `subject` block) and
`templates/email/<name>.html` (inline styles, no script, the same paragraphs and link as the text part).
A message is rendered when it is queued: what was sent never changes with later edits of the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, format_date

from mobilite.models import Notification, User
from mobilite.services import outbox

TEMPLATE_DIRECTORY = "email"
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def recipient_locale(user: User) -> str:
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


def render(name: str, recipient: User, params: Params | None = None, **context: object) -> RenderedEmail:
    """Render the subject, the text and the HTML of message `name` for `recipient`, in their language.

    `params()`, called in that language, gives the message's formatted values (dates, names), as `p`.
    """
    env = current_app.jinja_env
    values = {"recipient": recipient, "full_date": full_date, **context}
    with force_locale(recipient_locale(recipient)):
        values["lang"] = recipient_locale(recipient)
        values["p"] = params() if params is not None else {}
        text_template = env.get_template(f"{TEMPLATE_DIRECTORY}/{name}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
        subject = outbox.header_value(subject)
        text = _tidy(text_template.render(values))
        html = env.get_template(f"{TEMPLATE_DIRECTORY}/{name}.html").render({**values, "subject": subject})
    return RenderedEmail(subject, text, html)


def deliver(recipient: User, kind: str, name: str, params: Params | None = None, **context: object) -> Notification:
    """Render message `name` for one recipient and queue it under `kind` (the kind sets its priority).

    The one place every e-mail goes through: an in-app inbox, digests or per-kind preferences hook in here.
    """
    email = render(name, recipient, params, **context)
    return outbox.queue(recipient, kind, email.subject, email.text, html_body=email.html)

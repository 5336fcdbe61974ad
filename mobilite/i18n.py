"""Flask-Babel: French by default, English on request; the choice sticks to the session and account."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Literal

import flask_babel
from babel import dates, support
from flask import current_app, g, has_app_context, has_request_context, session
from flask_babel import Domain, format_decimal, format_percent, get_locale, to_user_timezone
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from mobilite.extensions import babel


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


# French punctuation spacing, the Imprimerie nationale usage: a narrow no-break space (U+202F) before ; ! ?
# and inside « », a no-break space (U+00A0) before :, so that a line never starts with the mark.
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
_SPACE_BEFORE = {";": NARROW_NBSP, "!": NARROW_NBSP, "?": NARROW_NBSP, ":": NBSP, "»": NARROW_NBSP}
_PUNCTUATION = re.compile(
    # Left as they are: HTML tags (their attributes), entities, URLs, %-placeholders and {placeholders}.
    r"(?P<keep><[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|\b[a-zA-Z][\w+.-]*://[^\s<>\"']*"
    r"|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}\s]*\})"
    # « followed by a space or by a word.
    r"|(?P<open>«)[ \u00a0\u202f]?(?=\S)"
    # A mark after a word (or an opening space: a separator), with or without a space, followed by the end of a
    # word: never "10:30", "https://" (kept above) or "?page=2".
    r"|(?:(?<=[^\s;:!?«])|^)[ \u00a0\u202f]?(?P<mark>[;:!?»])(?=$|[\s<.,;:!?)»\"'\u00a0\u202f])"
)


def _respace(match: re.Match) -> str:
    if match.group("keep"):
        return match.group("keep")
    if match.group("open"):
        return "«" + NARROW_NBSP
    mark = match.group("mark")
    return _SPACE_BEFORE[mark] + mark


def french_spacing(text: str) -> str:
    """`text` with French punctuation spacing ("Statut : publié ?" with no-break spaces before : and ?)."""
    return _french_spacing(str(text))  # str(): a lazy string may be given as a message


@lru_cache(maxsize=8192)
def _french_spacing(text: str) -> str:
    if not any(mark in text for mark in ";:!?«»"):
        return text
    return _PUNCTUATION.sub(_respace, text)


class _FrenchSourcePlurals(support.NullTranslations):
    """The messages are written in French, so French has no catalogue of its own, and gettext's fallback
    would treat 0 as plural ("0 offres"). In French 0 and 1 take the singular ("0 offre", "1 jour").
    Every French message also gets its punctuation spacing here, before its placeholders are filled."""

    def gettext(self, message: str) -> str:
        return french_spacing(message)

    ugettext = gettext

    def pgettext(self, context: str, message: str) -> str:
        return french_spacing(message)

    upgettext = pgettext

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return french_spacing(msgid1 if 0 <= n < 2 else msgid2)

    ungettext = ngettext

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return self.ngettext(singular, plural, num)

    unpgettext = npgettext


def _french() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "fr"


# The day in a date "in words" ("d MMMM", "d MMM"), outside quoted literals: French writes the first "1er".
_DAY_BEFORE_MONTH = re.compile(r"('[^']*')|(?<!d)d(?!d)(?=\s*(?:MMM|LLL))")
_Named = Literal["short", "medium", "long", "full"]
_NAMED_FORMATS: dict[str, _Named] = {"short": "short", "medium": "medium", "long": "long", "full": "full"}


def _first_of_month(pattern: str) -> str:
    return _DAY_BEFORE_MONTH.sub(lambda m: m.group(1) or "d'er'", pattern)


def format_date(date: date | datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's format_date, with "1er février 2027" for the first day of a month in French."""
    value = date if date is not None else datetime.now(UTC)
    if rebase and isinstance(value, datetime):
        value = to_user_timezone(value)
    if _french() and value.day == 1:
        format = format or "medium"
        if named := _NAMED_FORMATS.get(format):
            format = dates.get_date_format(named, get_locale()).pattern
        format = _first_of_month(format)
    return flask_babel.format_date(value, format, rebase=False)


def format_datetime(value: datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's format_datetime, with "1er février 2027, 10:30" for the first day of a month in French."""
    value = value if value is not None else datetime.now(UTC)
    local = to_user_timezone(value) if rebase else value
    if _french() and local.day == 1:
        format = format or "medium"
        if named := _NAMED_FORMATS.get(format):
            locale = get_locale()
            format = (
                str(dates.get_datetime_format(named, locale))
                .replace("{0}", dates.get_time_format(named, locale).pattern)
                .replace("{1}", dates.get_date_format(named, locale).pattern)
            )
        format = _first_of_month(format)
    return flask_babel.format_datetime(value, format, rebase=rebase)


class MessagesDomain(Domain):
    """Flask-Babel's domain, with the French plural rule behind the messages no catalogue translates."""

    def get_translations(self):
        # Asked once per message: a page asks dozens of times, so the answer is kept on the request for its
        # locale object (force_locale, for an e-mail in its recipient's language, swaps that object).
        if not has_app_context():
            return super().get_translations()
        kept = g.get("_mobilite_translations")
        if kept is not None and kept[0] is self and kept[1] is getattr(g.get("_flask_babel"), "babel_locale", None):
            return kept[2]
        translations = super().get_translations()
        if str(get_locale()).startswith("fr") and not getattr(translations, "french_source_plurals", False):
            translations.add_fallback(_FrenchSourcePlurals())
            translations.french_source_plurals = True  # the translations object is cached per locale
        locale = getattr(g.get("_flask_babel"), "babel_locale", None)
        if locale is not None:
            g._mobilite_translations = (self, locale, translations)
        return translations


def _template_gettext(translations) -> tuple[Callable[..., str], Callable[..., str]]:
    """Jinja's "newstyle" gettext and ngettext (jinja2.ext), bound to one render's translations. Flask-Babel's
    look the translations up again at each message, and a page shows dozens. Positional-only: a template may
    name a placeholder `num` or `string`."""

    @pass_context
    def gettext(context: Context, string: str, /, **variables: Any) -> str:
        message = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            message = Markup(message)
        return message % variables  # always a format string, as in Jinja's

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("num", num)
        message = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            message = Markup(message)
        return message % variables

    return gettext, ngettext


def languages() -> list[str]:
    return [code.strip() for code in current_app.config["LANGUAGES"].split(",") if code.strip()]


def select_locale() -> str:
    if not has_request_context():  # CLI and jobs: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    # An API call speaks the token owner's language; looking at the session cookie too would load another
    # user (a browser's) on every call.
    user = g.get("api_user") or current_user
    if user and user.is_authenticated and user.locale in languages():
        return user.locale
    chosen = session.get("lang")
    if chosen in languages():
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    babel.domain_instance = MessagesDomain(domain="messages")
    app.jinja_env.filters.update(dateformat=format_date, datetimeformat=format_datetime)  # Flask-Babel's: no "1er"

    @app.context_processor
    def inject_i18n():
        gettext, ngettext = _template_gettext(flask_babel.get_translations())
        return {
            "gettext": gettext,  # _() and {% trans %} in the template find these first
            "ngettext": ngettext,
            "current_locale": str(get_locale()),
            "languages": languages(),
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_decimal": format_decimal,
            "format_percent": format_percent,
        }

    @app.template_filter("label")
    def label_filter(item) -> str:
        """A taxonomy entry's label in the current language."""
        return item.label(str(get_locale()))

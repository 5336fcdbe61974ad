"""Flask-Babel: French by default, English on request; the choice sticks to the session and account."""

from __future__ import annotations

from babel import support
from flask import current_app, has_request_context, session
from flask_babel import Domain, format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user

from mobilite.extensions import babel


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


class _FrenchSourcePlurals(support.NullTranslations):
    """The messages are written in French, so French has no catalogue of its own, and gettext's fallback
    would treat 0 as plural ("0 offres"). In French 0 and 1 take the singular ("0 offre", "1 jour")."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if 0 <= n < 2 else msgid2

    ungettext = ngettext

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return self.ngettext(singular, plural, num)


class MessagesDomain(Domain):
    """Flask-Babel's domain, with the French plural rule behind the messages no catalogue translates."""

    def get_translations(self):
        translations = super().get_translations()
        if str(get_locale()).startswith("fr") and not getattr(translations, "french_source_plurals", False):
            translations.add_fallback(_FrenchSourcePlurals())
            translations.french_source_plurals = True  # the translations object is cached per locale
        return translations


def languages() -> list[str]:
    return [code.strip() for code in current_app.config["LANGUAGES"].split(",") if code.strip()]


def select_locale() -> str:
    if not has_request_context():  # CLI and jobs: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages():
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages():
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    babel.domain_instance = MessagesDomain(domain="messages")

    @app.context_processor
    def inject_i18n():
        return {
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

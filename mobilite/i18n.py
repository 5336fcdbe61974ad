"""Flask-Babel: French by default, English on request; the choice sticks to the session and account."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from mobilite.extensions import babel


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


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

    @app.context_processor
    def inject_i18n():
        return {
            "current_locale": str(get_locale()),
            "languages": languages(),
            "format_date": format_date,
            "format_datetime": format_datetime,
        }

    @app.template_filter("label")
    def label_filter(item) -> str:
        """A taxonomy entry's label in the current language."""
        return item.label(str(get_locale()))

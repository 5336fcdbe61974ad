"""Settings per environment, every one overridable by a MOBILITE_<NAME> environment variable."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = ""
    DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'mobilite.db'}"
    SQL_ECHO = False
    BASE_URL = "http://127.0.0.1:5000"

    # Cookies: HttpOnly and SameSite=Lax always, Secure outside development.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(days=7)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = "fr,en"

    # Sign-in throttling: failures allowed per window, per account and per address.
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    PASSWORD_TOKEN_HOURS = 48
    PASSWORD_MIN_LENGTH = 12

    MAIL_SENDER = "mobilite <no-reply@mobilite.localhost>"
    SMTP_HOST = ""
    SMTP_PORT = 25
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = False

    DEMO_PASSWORD = "capacites-2026"
    HSTS = True


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SECRET_KEY = "dev-only-secret-key-change-me"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS = False


class TestingConfig(DevelopmentConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    DATABASE_URL = "sqlite://"
    BASE_URL = "http://localhost"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"


ENVIRONMENTS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def _coerce(raw: str, default):
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, timedelta):
        return timedelta(seconds=int(raw))
    return raw


def load_config(env_name: str | None = None, overrides: dict | None = None) -> dict:
    """Settings of one environment, then MOBILITE_* variables, then explicit overrides."""
    env_name = env_name or os.environ.get("MOBILITE_ENV", "production")
    if env_name not in ENVIRONMENTS:
        raise RuntimeError(f"MOBILITE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env_name!r}")
    cls = ENVIRONMENTS[env_name]
    settings = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
    for name, default in list(settings.items()):
        raw = os.environ.get(f"MOBILITE_{name}")
        if raw is not None:
            try:
                settings[name] = _coerce(raw, default)
            except ValueError as exc:
                raise RuntimeError(f"MOBILITE_{name}: {exc}") from exc
    settings.update(overrides or {})
    if not settings["SECRET_KEY"]:
        raise RuntimeError("MOBILITE_SECRET_KEY must be set in production")
    return settings

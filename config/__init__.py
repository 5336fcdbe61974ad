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
    # No request body above this (413): imports take files of at most 5 MB, API bodies are small.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = "fr,en"

    # Sign-in throttling. Per address: failures allowed per window. Per account: that many attempts go
    # through at once, then each next one waits LOGIN_ACCOUNT_DELAY_SECONDS, doubling up to the window
    # (a slow-down, not a lockout; a completed e-mailed reset link lifts it; forgotten after a quiet day).
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    LOGIN_ACCOUNT_DELAY_SECONDS = 15
    LOGIN_ACCOUNT_MEMORY_HOURS = 24
    # Password-reset e-mails asked for, per window, per typed address and per client address.
    RESET_WINDOW_MINUTES = 60
    RESET_MAX_PER_ACCOUNT = 3
    RESET_MAX_PER_IP = 10
    # Every accepted reset request is answered after this long, whether a link was sent or not: only a real
    # account's answer writes a link, an e-mail and an audit row, and its time would otherwise tell it exists.
    # That work takes a few tens of milliseconds at most; a sync worker sleeps the rest.
    RESET_ANSWER_MILLISECONDS = 250
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto: the client address used by the
    # throttles is the one the outermost trusted proxy saw. 0: none, the socket address is the client.
    TRUSTED_PROXIES = 0
    PASSWORD_TOKEN_HOURS = 48
    PASSWORD_MIN_LENGTH = 12

    MAIL_SENDER = "mobilite <no-reply@mobilite.localhost>"
    SMTP_HOST = ""
    SMTP_PORT = 25
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = False

    # The agents' search answers from an in-memory index of the catalogue in each worker (rebuilt when the
    # catalogue changes); False searches in SQL every time.
    CATALOGUE_INDEX = True

    # Outbox: messages claimed per transaction, the sending rate (a per-run budget: rate × interval), and
    # how long a sender's claim lasts before a crashed sender's messages are tried again.
    OUTBOX_BATCH_SIZE = 50
    OUTBOX_RATE_PER_MINUTE = 1200
    OUTBOX_CLAIM_SECONDS = 300

    # Scheduler: job intervals, and how often a standby tries to take the leader lease (and the leader
    # checks it still holds it). A standby takes over within this interval of the leader's death.
    SCHEDULER_OUTBOX_SECONDS = 30
    SCHEDULER_ROUNDS_SECONDS = 5
    SCHEDULER_NETWORK_SYNC_SECONDS = 600
    SCHEDULER_LEASE_CHECK_SECONDS = 10
    # A running round's heartbeat period, and the silence after which its runner counts as dead
    # (0: the defaults of mobilite.services.rounds). Shorter only for tests.
    ROUND_HEARTBEAT_SECONDS = 0
    ROUND_STALE_SECONDS = 0

    # Sign-in with ProConnect (OpenID Connect). Without an issuer, no ProConnect button and nothing changes.
    # The issuer is the URL its discovery document (/.well-known/openid-configuration) hangs from.
    OIDC_ISSUER = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_SCOPES = "openid email given_name usual_name siret uid"
    OIDC_ACR_VALUES = ""  # e.g. "eidas1"; when set, the ID token's acr must be one of these
    OIDC_TIMEOUT_SECONDS = 10
    # The address people write to about the service (named on the page for an unknown SIRET); may be empty.
    CONTACT_EMAIL = ""

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
    RESET_ANSWER_MILLISECONDS = 0  # the test of that time sets its own


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

"""Sign-in, throttling and one-time password links."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from mobilite.extensions import db
from mobilite.models import LoginAttempt, PasswordToken, TokenPurpose, User, utcnow
from mobilite.services import audit, outbox
from mobilite.services.errors import ServiceError, Throttled

hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = hasher.hash("not a password")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def _failures_since(column, value, since: datetime) -> int:
    return db.session.scalar(select(func.count()).where(column == value, LoginAttempt.at > since))


def authenticate(email: str, password: str, ip: str, settings, now: datetime | None = None) -> User:
    """The active user with these credentials. Failures are counted in the database, per account and per IP."""
    now = now or utcnow()
    window = timedelta(minutes=settings["LOGIN_WINDOW_MINUTES"])
    key = _account_key(email)
    since = now - window
    if (
        _failures_since(LoginAttempt.account_key, key, since) >= settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _failures_since(LoginAttempt.ip, ip, since) >= settings["LOGIN_MAX_FAILURES_PER_IP"]
    ):
        minutes = settings["LOGIN_WINDOW_MINUTES"]
        raise Throttled(
            _("Trop de tentatives de connexion. Réessayez dans %(minutes)d minutes.", minutes=minutes), minutes
        )

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        # Same work as a real check, so timing does not reveal which addresses exist.
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH, password)
        ok = False
    else:
        ok = user.active and check_password(user, password)

    if not ok:
        db.session.add(LoginAttempt(account_key=key, ip=ip, at=now))
        db.session.commit()
        raise ServiceError({"email": [_("Adresse e-mail ou mot de passe incorrect.")]})

    db.session.execute(delete(LoginAttempt).where(LoginAttempt.account_key == key))
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    audit.record(user, "auth.login", user, organisation_id=user.organisation_id)
    db.session.commit()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_link(user: User, purpose: TokenPurpose, base_url: str, hours: int) -> str:
    """Queue a one-time link by e-mail, in the caller's unit of work. Returns the raw token."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordToken(
            user=user, token_hash=_token_hash(token), purpose=purpose, expires_at=utcnow() + timedelta(hours=hours)
        )
    )
    link = f"{base_url.rstrip('/')}/mot-de-passe/{token}"
    with force_locale(user.locale):
        if purpose == TokenPurpose.SET_PASSWORD:
            subject = _("Votre compte mobilite")
            intro = _("Un compte mobilite a été créé pour vous. Choisissez votre mot de passe :")
        else:
            subject = _("Réinitialisation de votre mot de passe mobilite")
            intro = _("Vous avez demandé à changer votre mot de passe mobilite. Choisissez-en un nouveau :")
        body = "\n\n".join([
            _("Bonjour %(name)s,", name=user.first_name),
            intro,
            link,
            _("Ce lien ne sert qu'une fois et expire dans %(hours)d heures.", hours=hours),
        ])
    outbox.queue(user, f"password.{purpose.value}", subject, body)
    return token


def request_password_reset(email: str, base_url: str, hours: int) -> None:
    """Send a reset link if the account exists; say nothing either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is not None and user.active:
        issue_password_link(user, TokenPurpose.RESET_PASSWORD, base_url, hours)
        audit.record(user, "auth.reset_requested", user, organisation_id=user.organisation_id)
        db.session.commit()


def find_valid_token(token: str, now: datetime | None = None) -> PasswordToken | None:
    now = now or utcnow()
    row = db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        return None
    return row


def set_password_with_token(token: str, password: str, now: datetime | None = None) -> User:
    row = find_valid_token(token, now)
    if row is None:
        raise ServiceError({"_schema": [_("Ce lien n'est plus valable. Demandez-en un nouveau.")]})
    row.used_at = now or utcnow()
    row.user.password_hash = hash_password(password)
    # Other outstanding links of the account stop working too.
    for other in db.session.scalars(
        select(PasswordToken).where(PasswordToken.user_id == row.user_id, PasswordToken.used_at.is_(None))
    ):
        other.used_at = row.used_at
    audit.record(row.user, "auth.password_set", row.user, organisation_id=row.user.organisation_id)
    db.session.commit()
    return row.user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()

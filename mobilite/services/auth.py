"""Sign-in, sessions that end, throttling and one-time password links.

Throttling counters live in the database (one row per scope and key) and change only under that row's lock
(SELECT … FOR UPDATE on PostgreSQL; on SQLite the database's single write lock, taken up front by
begin_write), so simultaneous attempts are counted one after the other, whatever the worker. An attempt is
counted before its password is checked: the argon2 work happens after the lock is released, and only for
attempts that were let through.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import secrets
import time
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from mobilite import notifications
from mobilite.extensions import db
from mobilite.models import (
    ApiToken,
    LoginAttempt,
    PasswordToken,
    Role,
    SignInThrottle,
    ThrottleScope,
    TokenPurpose,
    User,
    utcnow,
)
from mobilite.services import audit, inbox
from mobilite.services.errors import ServiceError, Throttled

hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Checked when there is no real hash to check (unknown, pending or inactive account), so every sign-in
# answer costs one argon2 verification.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(24))


def hash_password(password: str) -> str:
    return hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify_sign_in(user: User | None, password: str) -> bool:
    """One argon2 verification whatever the account's state, so timing says nothing about it."""
    stored = user.password_hash if user is not None and user.active and user.password_hash else None
    try:
        matches = hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and stored is not None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


# --- Sessions ---------------------------------------------------------------------------------------------

_SESSION_ID = re.compile(r"(\d{1,12}):(\d{1,12}):(\d{1,12}):[A-Za-z0-9_-]{8,64}", re.ASCII)


# Built once, run with the user's id: every request loads its user, and building this statement (its loader
# options, its cache key) cost about as much CPU as running it.
_USER_WITH_ROLES = (
    select(User)
    .where(User.id == bindparam("user_id"))
    .options(joinedload(User.organisation), joinedload(User.role_rows))
)
_USER_WITH_UNREAD = _USER_WITH_ROLES.add_columns(inbox.unread_count_query(bindparam("user_id")))


def user_with_roles(user_id: int) -> User | None:
    """A user with their roles and organisation, which every request asks for (the header, the network, the
    permissions): one query."""
    return db.session.scalars(_USER_WITH_ROLES, {"user_id": user_id}).unique().one_or_none()


def user_for_session_id(value: str, max_age: timedelta, now: datetime | None = None) -> User | None:
    """The user a session or remember-me cookie names (see User.get_id), if that sign-in still holds: same
    session version, begun less than `max_age` ago, account active."""
    found = signed_in(value, max_age, now)
    return found[0] if found else None


def signed_in(value: str, max_age: timedelta, now: datetime | None = None) -> tuple[User, int] | None:
    """user_for_session_id, with the user's unread notifications (inbox.unread_count) read in the same
    query: every page's header shows them."""
    match = _SESSION_ID.fullmatch(value or "")
    if match is None:
        return None
    user_id, version, issued = (int(part) for part in match.groups())
    now_ts = (now or utcnow()).timestamp()
    if not now_ts - max_age.total_seconds() <= issued <= now_ts + 60:
        return None
    row = db.session.execute(_USER_WITH_UNREAD, {"user_id": user_id}).unique().one_or_none()
    if row is None:
        return None
    user: User = row[0]
    unread: int | None = row[1]
    if not user.active or user.session_version != version:
        return None
    return user, unread or 0


def bump_session_version(user: User) -> None:
    """End every session of the user, in the caller's unit of work."""
    user.session_version = User.session_version + 1  # in SQL: two simultaneous bumps both count


def end_sessions(user: User, reason: str = "auth.sessions_ended", actor: User | None = None) -> None:
    """End every session and remember-me cookie of the user, on every device (commits)."""
    db.begin_write()
    bump_session_version(user)
    audit.record(actor or user, reason, user, organisation_id=user.organisation_id)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> User:
    """The signed-in user's own change: the current password is checked, every session ends."""
    if not check_password(user, current):
        raise ServiceError({"current": [_("Mot de passe actuel incorrect.")]})
    new_hash = hash_password(new)
    db.begin_write()
    user.password_hash = new_hash
    bump_session_version(user)
    audit.record(user, "auth.password_changed", user, organisation_id=user.organisation_id)
    db.session.commit()
    return user


# --- Throttling -------------------------------------------------------------------------------------------


def _locked_counter(scope: ThrottleScope, key: str, now: datetime) -> SignInThrottle:
    """The counter's row, created if missing, locked until the transaction ends. Call after begin_write."""
    insert = postgresql_insert if db.dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(SignInThrottle)
        .values(scope=scope, key=key, count=0, window_start=now, last_at=now, next_allowed_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "key"])
    )
    return db.session.scalars(
        select(SignInThrottle)
        .where(SignInThrottle.scope == scope, SignInThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _count_in_window(scope: ThrottleScope, key: str, limit: int, window: timedelta, now: datetime) -> int | None:
    """Count one attempt in a fixed window; None when allowed, else the seconds until the window ends."""
    row = _locked_counter(scope, key, now)
    if row.window_start <= now - window:
        row.count, row.window_start = 0, now
    if row.count >= limit:
        return max(1, math.ceil((row.window_start + window - now).total_seconds()))
    row.count += 1
    row.last_at = now
    return None


def account_delay_seconds(attempts: int, settings) -> int:
    """Wait before the attempt after `attempts` recent ones: none for the first few, then doubling."""
    free = settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    if attempts < free:
        return 0
    cap = settings["LOGIN_WINDOW_MINUTES"] * 60
    return min(cap, settings["LOGIN_ACCOUNT_DELAY_SECONDS"] * 2 ** min(attempts - free, 20))


def _pace_account(key: str, settings, now: datetime) -> int | None:
    """Let an attempt on the account through if its delay has passed; None when allowed, else seconds to wait."""
    row = _locked_counter(ThrottleScope.SIGN_IN_ACCOUNT, key, now)
    if row.last_at <= now - timedelta(hours=settings["LOGIN_ACCOUNT_MEMORY_HOURS"]):
        row.count, row.next_allowed_at = 0, now
    if row.next_allowed_at > now:
        return max(1, math.ceil((row.next_allowed_at - now).total_seconds()))
    row.count += 1
    row.last_at = now
    row.next_allowed_at = now + timedelta(seconds=account_delay_seconds(row.count, settings))
    return None


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(num)d seconde", "%(num)d secondes", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def _refuse(message: str, seconds: int) -> Throttled:
    db.session.rollback()  # nothing was counted
    return Throttled(message, math.ceil(seconds / 60), retry_after_seconds=seconds)


def _forget_account_throttle(email: str) -> None:
    db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.scope == ThrottleScope.SIGN_IN_ACCOUNT, SignInThrottle.key == _account_key(email)
        )
    )


def address_key(ip: str) -> str:
    """What the per-address limits count: an IPv4 address, or an IPv6 address's /64 (one subscriber holds a
    whole /64 and could take a fresh address for each attempt)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def admit_from_address(ip: str, settings, now: datetime) -> None:
    """Count one sign-in attempt from this address, provisionally as a failure (password or ProConnect
    alike); Throttled when the address is over its limit. Call after begin_write."""
    wait = _count_in_window(
        ThrottleScope.SIGN_IN_ADDRESS,
        address_key(ip),
        settings["LOGIN_MAX_FAILURES_PER_IP"],
        timedelta(minutes=settings["LOGIN_WINDOW_MINUTES"]),
        now,
    )
    if wait is not None:
        raise _refuse(
            _(
                "Trop de tentatives de connexion depuis cette adresse. Réessayez dans %(delay)s.",
                delay=_wait_text(wait),
            ),
            wait,
        )


def record_failed_sign_in(account_key: str, ip: str, now: datetime) -> None:
    """The log of failed sign-ins, in the caller's unit of work (the counters are taken before)."""
    db.session.add(LoginAttempt(account_key=account_key, ip=ip, at=now))


def record_sign_in(user: User, ip: str, now: datetime, **details) -> None:
    """A successful sign-in, in the caller's unit of work: the address's provisional failure is taken back,
    the sign-in dated and audited."""
    db.session.execute(
        update(SignInThrottle)
        .where(
            SignInThrottle.scope == ThrottleScope.SIGN_IN_ADDRESS,
            SignInThrottle.key == address_key(ip),
            SignInThrottle.count > 0,
        )
        .values(count=SignInThrottle.count - 1)
        .execution_options(synchronize_session=False)
    )
    user.last_login_at = now
    audit.record(user, "auth.login", user, organisation_id=user.organisation_id, **details)


def password_refused_for(user: User, settings) -> bool:
    """Whether the user's organisation signs its members in with ProConnect only. Applies only while
    ProConnect is configured (otherwise nobody could sign in), and never to an admin."""
    organisation = user.organisation
    return (
        bool(settings.get("OIDC_ISSUER"))
        and organisation is not None
        and not organisation.password_sign_in
        and not user.has_role(Role.ADMIN)
    )


def authenticate(email: str, password: str, ip: str, settings, now: datetime | None = None) -> User:
    """The active user with these credentials.

    Per address: at most LOGIN_MAX_FAILURES_PER_IP failures per window. Per account: a few attempts at
    once, then an exponential delay between attempts (a slow-down, never a lockout of the right password for
    long; a completed reset link lifts it). Both counters are taken under row locks before the check.
    """
    now = now or utcnow()
    key = _account_key(email)
    db.begin_write()
    # Always the address first, then the account: one order, so two sign-ins never wait for each other.
    admit_from_address(ip, settings, now)
    wait = _pace_account(key, settings, now)
    if wait is not None:
        raise _refuse(
            _(
                "Trop de tentatives pour ce compte. Réessayez dans %(delay)s, ou choisissez un nouveau "
                "mot de passe avec « Mot de passe oublié ? ».",
                delay=_wait_text(wait),
            ),
            wait,
        )
    db.session.commit()

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    verified = _verify_sign_in(user, password)
    db.begin_write()
    if user is None or not verified:  # verified implies a user: the check is for the type checker
        record_failed_sign_in(key, ip, now)
        if user is not None:  # an existing account's failure goes to the audit log (an unknown address does not)
            audit.record(None, "auth.login_failed", user, organisation_id=user.organisation_id)
        db.session.commit()
        raise ServiceError({"email": [_("Adresse e-mail ou mot de passe incorrect.")]})

    # Success: the account's delay is forgotten and the address's provisional failure taken back.
    _forget_account_throttle(email)
    if password_refused_for(user, settings):
        # The right password, but the organisation signs in with ProConnect: said only to its holder.
        audit.record(user, "auth.password_refused", user, organisation_id=user.organisation_id)
        db.session.commit()
        raise ServiceError(
            {
                "email": [
                    _(
                        "Votre organisation se connecte avec ProConnect : utilisez le bouton "
                        "« S'identifier avec ProConnect »."
                    )
                ]
            }
        )
    if user.password_hash is not None and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_sign_in(user, ip, now)
    db.session.commit()
    return user


# --- One-time links ---------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_link(user: User, purpose: TokenPurpose, hours: int) -> str:
    """Queue a one-time link by e-mail, in the caller's unit of work. Returns the raw token."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordToken(
            user=user, token_hash=_token_hash(token), purpose=purpose, expires_at=utcnow() + timedelta(hours=hours)
        )
    )
    notifications.password_link(user, purpose, token, hours)
    return token


def request_password_reset(email: str, ip: str, settings, now: datetime | None = None) -> None:
    """Send a reset link if the account exists; say nothing either way.

    Rate-limited per typed address and per client address (known or not, so the limit reveals nothing). An
    accepted request returns RESET_ANSWER_MILLISECONDS after it began, whether a link was sent or not.
    """
    started = time.monotonic()
    now = now or utcnow()
    window = timedelta(minutes=settings["RESET_WINDOW_MINUTES"])
    db.begin_write()
    wait = _count_in_window(ThrottleScope.RESET_ADDRESS, address_key(ip), settings["RESET_MAX_PER_IP"], window, now)
    if wait is None:
        wait = _count_in_window(
            ThrottleScope.RESET_ACCOUNT, _account_key(email), settings["RESET_MAX_PER_ACCOUNT"], window, now
        )
    if wait is not None:
        raise _refuse(
            _("Trop de demandes de réinitialisation. Réessayez dans %(delay)s.", delay=_wait_text(wait)), wait
        )
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is not None and user.active:
        issue_password_link(user, TokenPurpose.RESET_PASSWORD, settings["PASSWORD_TOKEN_HOURS"])
        audit.record(user, "auth.reset_requested", user, organisation_id=user.organisation_id)
    db.session.commit()
    _wait_until(started + settings["RESET_ANSWER_MILLISECONDS"] / 1000)


def _wait_until(deadline: float) -> None:
    """Sleep until the monotonic clock reads `deadline` (at once if it is past)."""
    left = deadline - time.monotonic()
    if left > 0:
        time.sleep(left)


def find_valid_token(token: str, now: datetime | None = None) -> PasswordToken | None:
    now = now or utcnow()
    row = db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == _token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        return None
    return row


def set_password_with_token(
    token: str, password: str, *, keep_api_tokens: bool = False, now: datetime | None = None
) -> User:
    """Use a one-time link: the link is claimed by one conditional UPDATE, so it works once even when posted
    several times at once. Every session of the account ends, its other links stop working, its sign-in
    delay is lifted, and its API tokens are revoked unless the person keeps them."""
    now = now or utcnow()
    new_hash = hash_password(password)  # the slow part, before taking any lock
    invalid = ServiceError({"_schema": [_("Ce lien n'est plus valable. Demandez-en un nouveau.")]})
    db.begin_write()
    claimed = db.session.execute(
        update(PasswordToken)
        .where(
            PasswordToken.token_hash == _token_hash(token),
            PasswordToken.used_at.is_(None),
            PasswordToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(PasswordToken.user_id)
        .execution_options(synchronize_session=False)
    ).first()
    user = db.session.get(User, claimed.user_id, populate_existing=True) if claimed is not None else None
    if user is None or not user.active:
        db.session.rollback()
        raise invalid
    user.password_hash = new_hash
    # Other outstanding links of the account stop working too.
    db.session.execute(
        update(PasswordToken)
        .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    revoked = 0
    if not keep_api_tokens:
        revoked = db.rows_matched(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    bump_session_version(user)
    _forget_account_throttle(user.email)
    audit.record(user, "auth.password_set", user, organisation_id=user.organisation_id, api_tokens_revoked=revoked)
    db.session.commit()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()

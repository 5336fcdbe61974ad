"""Personal API tokens: create, revoke, authenticate, and count requests for the rate limit.

The raw token is shown once, at creation; only its SHA-256 is stored. Authentication and counting are one
atomic UPDATE … RETURNING on the token's row, so the limit holds across workers on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import Table, bindparam, case, func, or_, select, update

from mobilite.extensions import db
from mobilite.models import ApiToken, User, utcnow
from mobilite.services import audit
from mobilite.services.auth import user_with_roles
from mobilite.services.errors import ServiceError

TOKEN_PREFIX = "mob_"
DISPLAY_LENGTH = 12  # "mob_" and eight characters of the secret: enough to recognise a token, not to use it
MAX_ACTIVE_TOKENS = 20


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token of the user; returns it and the raw value, which is never stored nor shown again.

    The user's row is locked while the active tokens are counted (on SQLite, begin_write's write lock), so
    simultaneous creations cannot pass the cap together.
    """
    now = utcnow()
    db.begin_write()
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    active = (
        db.session.scalar(
            select(func.count(ApiToken.id)).where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
            )
        )
        or 0
    )
    if active >= MAX_ACTIVE_TOKENS:
        db.session.rollback()
        raise ServiceError(
            _("Vous avez déjà %(n)d jetons actifs : révoquez-en un avant d'en créer un autre.", n=MAX_ACTIVE_TOKENS)
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=raw[:DISPLAY_LENGTH],
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        window_count=0,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(user, "api_token.create", token, organisation_id=user.organisation_id)
    db.session.commit()
    return token, raw


def revoke_token(user: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(user, "api_token.revoke", token, organisation_id=user.organisation_id)
        db.session.commit()
    return token


_tokens = cast(Table, ApiToken.__table__)
_now = bindparam("now", type_=_tokens.c.last_used_at.type)
_window = bindparam("window", type_=_tokens.c.window_start.type)
# The token's owner, counting this call in the token's one-minute window; built once (every API call runs it).
_COUNT_CALL = (
    update(_tokens)
    .where(
        _tokens.c.token_hash == bindparam("hashed"),
        _tokens.c.revoked_at.is_(None),
        or_(_tokens.c.expires_at.is_(None), _tokens.c.expires_at > _now),
    )
    .values(
        window_count=case((_tokens.c.window_start == _window, _tokens.c.window_count + 1), else_=1),
        window_start=_window,
        last_used_at=_now,
    )
    .returning(_tokens.c.user_id, _tokens.c.window_count)
)


@dataclass(frozen=True)
class Authenticated:
    user: User | None  # None: unknown, revoked or expired token, or inactive account
    retry_after: int | None = None  # seconds, when the rate limit is exceeded


def authenticate(raw: str, limit_per_minute: int, now: datetime | None = None) -> Authenticated:
    """The token's owner, counting this request in the token's current one-minute window.

    A fixed window: at most `limit_per_minute` requests per calendar minute, whatever the worker.
    """
    now = now or utcnow()
    window = now.replace(second=0, microsecond=0)
    db.begin_write()
    # Core statements on the session's connection: a counter needs none of the ORM's bookkeeping (every API
    # call runs this).
    connection = db.session.connection()
    if db.dialect == "postgresql":
        # A rate counter is not worth a disk flush per API call; a crash loses at most a few counts.
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    row = connection.execute(_COUNT_CALL, {"hashed": hash_token(raw), "now": now, "window": window}).first()
    db.session.commit()
    if row is None:
        return Authenticated(None)
    user = user_with_roles(row.user_id)
    if user is None or not user.active:
        return Authenticated(None)
    if row.window_count > limit_per_minute:
        return Authenticated(user, retry_after=max(1, 60 - now.second))
    return Authenticated(user)

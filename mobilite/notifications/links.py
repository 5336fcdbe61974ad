"""Signed links that work without signing in: the one-click unsubscribe, and a tutor's page.

Both are itsdangerous signatures under the app's SECRET_KEY, each with its own salt (one cannot stand for
the other); nothing is stored: a link is valid because the server signed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

UNSUBSCRIBE_SALT = "mobilite.unsubscribe"
TUTOR_SALT = "mobilite.tutor"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


@dataclass(frozen=True)
class Unsubscribe:
    """Who stops receiving which category by e-mail: an account, or an address without one (a tutor)."""

    category: str
    user_id: int | None = None
    email: str = ""


def unsubscribe_token(category: str, *, user_id: int | None = None, email: str = "") -> str:
    payload: dict[str, object] = {"c": category}
    if user_id is not None:
        payload["u"] = user_id
    else:
        payload["e"] = email.strip().lower()
    return _serializer(UNSUBSCRIBE_SALT).dumps(payload)


def read_unsubscribe(token: str) -> Unsubscribe | None:
    """The token's meaning, or None if the server did not sign it (or it is malformed)."""
    try:
        payload = _serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), str):
        return None
    user_id, email = payload.get("u"), payload.get("e", "")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        return Unsubscribe(payload["c"], user_id=user_id)
    if isinstance(email, str) and email:
        return Unsubscribe(payload["c"], email=email)
    return None


def tutor_token(immersion_id: int, email: str) -> str:
    return _serializer(TUTOR_SALT).dumps({"i": immersion_id, "e": email.strip().lower()})


def read_tutor_token(token: str) -> tuple[int, str] | None:
    """(immersion id, tutor address), or None if the server did not sign it."""
    try:
        payload = _serializer(TUTOR_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    immersion_id, email = payload.get("i"), payload.get("e")
    if isinstance(immersion_id, int) and not isinstance(immersion_id, bool) and isinstance(email, str) and email:
        return immersion_id, email
    return None

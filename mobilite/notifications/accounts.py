"""Account messages: the one-time link to choose a password, for a new account or a reset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mobilite.models import (
    TokenPurpose,
    User,
)
from mobilite.notifications.rendering import deliver, external_url

if TYPE_CHECKING:
    pass


def account_invitation(user: User, token: str, hours: int) -> None:
    """A new account: the person chooses a password through a one-time link."""
    deliver(
        user,
        f"password.{TokenPurpose.SET_PASSWORD.value}",
        "account_invitation",
        link=external_url("auth.set_password", token=token),
        hours=hours,
        privacy=external_url("public.privacy"),
    )


def password_reset(user: User, token: str, hours: int) -> None:
    """A password reset was asked for: a one-time link to choose a new one."""
    deliver(
        user,
        f"password.{TokenPurpose.RESET_PASSWORD.value}",
        "password_reset",
        link=external_url("auth.set_password", token=token),
        hours=hours,
    )


def password_link(user: User, purpose: TokenPurpose, token: str, hours: int) -> None:
    """The one-time link of `purpose`: an invitation for a new account, or a reset."""
    if purpose == TokenPurpose.SET_PASSWORD:
        account_invitation(user, token, hours)
    else:
        password_reset(user, token, hours)

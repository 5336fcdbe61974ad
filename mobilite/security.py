"""Sign-in plumbing: the user loader, access decorators and security headers.

Every view carries one access decorator; a test walks the URL map and fails on any view without one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from mobilite.extensions import login_manager
from mobilite.models import Role, User
from mobilite.services import oidc
from mobilite.services.auth import signed_in


def init_app(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # Sessions and remember-me cookies carry User.get_id(): a sign-in that ends when the user's session
        # version moves on, and expires after REMEMBER_COOKIE_DURATION at the latest.
        found = signed_in(session_id, app.config["REMEMBER_COOKIE_DURATION"])
        if found is None:
            return None
        user, unread = found
        g.unread_notifications = (user.id, unread)  # read with the user, for the header (web.notifications)
        return user

    @app.after_request
    def security_headers(response):
        headers = response.headers
        # Signing in and out with ProConnect submits a form of ours that redirects to the provider.
        form_action = " ".join(["'self'", *oidc.redirect_origins(app.config)])
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"frame-ancestors 'none'; form-action {form_action}; base-uri 'self'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # (API views set it themselves: a token call need not load a browser session's user here.)
        if "Cache-Control" not in headers and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response


View = TypeVar("View", bound=Callable[..., Any])


def mark_access(view: View, access: str | tuple[str, ...]) -> View:
    """Record who may reach the view: the route-protection test fails on any view without `access`."""
    setattr(view, "access", access)  # noqa: B010 - a function attribute, which mypy cannot declare
    return view


def public(view: View) -> View:
    """Reachable without signing in; the route-protection test keeps an allow-list of these."""
    return mark_access(view, "public")


def login_required(view):
    """Any signed-in user."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return mark_access(wrapper, "login")


def roles_required(*roles: Role):
    """A signed-in user holding at least one of the roles; others get 404, not a hint."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return mark_access(wrapper, tuple(roles))

    return decorator

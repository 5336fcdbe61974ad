"""Helpers for the API tests: a bearer token for a user, and the API's routes from the URL map."""

from __future__ import annotations

import pytest

from mobilite.services import api_tokens as tokens


def bearer(app, user, **kwargs) -> dict[str, str]:
    """The Authorization header of a fresh personal token of `user`."""
    with app.test_request_context():
        _token, raw = tokens.create_token(user, "tests", **kwargs)
    return {"Authorization": f"Bearer {raw}"}


def api_rules(app):
    """Every API operation's rule, from the URL map (views marked by api_view)."""
    return [rule for rule in app.url_map.iter_rules() if getattr(app.view_functions[rule.endpoint], "api", False)]


@pytest.fixture
def rate_limit(app):
    """Set the per-token limit for one test."""
    saved = app.config["API_RATE_LIMIT_PER_MINUTE"]

    def set_limit(value: int) -> None:
        app.config["API_RATE_LIMIT_PER_MINUTE"] = value

    yield set_limit
    app.config["API_RATE_LIMIT_PER_MINUTE"] = saved


@pytest.fixture
def server_errors(app):
    """Unexpected exceptions become 500 answers, as in production, instead of reaching the test."""
    saved = app.config.get("PROPAGATE_EXCEPTIONS")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield
    app.config["PROPAGATE_EXCEPTIONS"] = saved

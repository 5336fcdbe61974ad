"""Fixtures for the API tests (their helpers, bearer and api_rules, are in tests/fixtures.py)."""

from __future__ import annotations

import pytest


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

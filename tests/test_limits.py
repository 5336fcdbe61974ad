"""The limits and defaults of mobilite/limits.py: the messages state the bounds they go with, the database
constraints enforce them, a new network runs the engine with the engine's own defaults, and the tests share
their helpers through tests/fixtures.py, never through a conftest."""

from __future__ import annotations

import re
from pathlib import Path

import appariement
from mobilite import limits
from mobilite.models import Base
from mobilite.services.round_problem import engine_settings
from tests.factories import NetworkFactory

TESTS = Path(__file__).resolve().parent


def test_the_messages_state_the_bounds_they_go_with():
    low, high = limits.MIN_WORKING_DAYS, limits.MAX_WORKING_DAYS
    assert f"{low} et {high} jours" in limits.WORKING_DAYS_RANGE
    assert f"{low} à {high} jours" in limits.SESSION_WORKING_DAYS
    assert f"{limits.MIN_SATISFACTION} à {limits.MAX_SATISFACTION}" in limits.CHOOSE_A_SATISFACTION
    assert f"{limits.MAX_REASON_LENGTH:,}".replace(",", " ") in limits.REASON_TOO_LONG
    assert f"{limits.MAX_LONG_TEXT_LENGTH:,}".replace(",", " ") in limits.LONG_TEXT_TOO_LONG


def test_the_database_constraints_enforce_the_legal_working_days():
    checks = {
        f"{table.name}.{constraint.name}": str(constraint.sqltext)
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if constraint.__class__.__name__ == "CheckConstraint" and isinstance(constraint.name, str)
    }
    bounds = f"BETWEEN {limits.MIN_WORKING_DAYS} AND {limits.MAX_WORKING_DAYS}"
    assert bounds in checks["offer_sessions.ck_offer_sessions_working_days"]
    assert bounds in checks["immersions.ck_immersions_working_days"]
    for name in ("immersion_requests.ck_immersion_requests_duration", "networks.ck_networks_day_limits"):
        assert f"max_days <= {limits.MAX_WORKING_DAYS}" in checks[name]


def test_a_new_network_runs_the_engine_with_the_engines_defaults(ctx):
    network = NetworkFactory()
    assert network.weights == limits.DEFAULT_WEIGHTS
    assert engine_settings(network) == appariement.Settings()
    assert (network.min_days, network.max_days) == (limits.DEFAULT_MIN_DAYS, limits.MAX_WORKING_DAYS)
    assert (network.quota_days, network.quota_years) == (limits.DEFAULT_QUOTA_DAYS, limits.DEFAULT_QUOTA_YEARS)


def test_no_test_imports_a_helper_from_a_conftest():
    importing = re.compile(r"^\s*(from\s+\S*conftest\s+import|import\s+\S*conftest)", re.MULTILINE)
    offenders = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if path.name != "conftest.py" and importing.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "import test helpers from tests/fixtures.py"

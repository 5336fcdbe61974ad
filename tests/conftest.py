"""Fixtures: every test that uses `app` runs on SQLite and on PostgreSQL, inside a transaction rolled back
at its end (savepoints keep the code under test free to commit).

- MOBILITE_TEST_POSTGRES_URL points the PostgreSQL half at a database (its tables are recreated); under
  pytest-xdist (`make test` runs one worker per core) each worker uses a database of its own beside it.
  Without it, those tests skip and say why.
- MOBILITE_TEST_STRICT=1 (set by .ci/run) turns every skip into a failure, so CI runs everything.

Helpers the tests share (login, csrf_token, fresh, bearer…) live in tests/fixtures.py.
"""

from __future__ import annotations

import os

import pytest
from alembic import command
from sqlalchemy import text

from mobilite import create_app
from mobilite.extensions import db
from tests.fixtures import POSTGRES_URL, STRICT, alembic_config, reset_postgres


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"MOBILITE_TEST_STRICT=1 forbids skips: {reason}"


def worker_postgres_url(url: str) -> str:
    """Under pytest-xdist, each worker gets its own database beside the configured one (test → test_gw0…),
    created on first use, so that workers never drop each other's tables or share advisory locks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy.engine import make_url

    from mobilite.db import make_engine

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def database_url_for(backend: str, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL half skipped: set MOBILITE_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    try:
        url = worker_postgres_url(POSTGRES_URL)
        reset_postgres(url)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not available here"
        pytest.skip(f"PostgreSQL at MOBILITE_TEST_POSTGRES_URL is not reachable: {exc}")
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    url = database_url_for(request.param, tmp_path_factory)
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app("testing", {"DATABASE_URL": database_url})
    yield app
    db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app, with every session bound to one connection whose outer transaction is rolled back.

    No app context stays pushed, so each request gets its own, as in production. Test code may use
    db.session directly (a thread-local session); objects it made stay readable after a request ends.
    """
    connection = db.engine.connect()
    outer = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield _app
    finally:
        db.session.remove()
        outer.rollback()
        connection.close()
        db.session.configure(bind=db.engine, join_transaction_mode="conditional_savepoint", expire_on_commit=True)


@pytest.fixture
def ctx(app):
    """An app context, for tests that call services directly (translations, config)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session

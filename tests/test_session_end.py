"""How a request's database session ends (Database.end_session), on SQLite and PostgreSQL.

On PostgreSQL a transaction that only read is committed, so that psycopg keeps its prepared statements
(it drops them at every rollback); anything that wrote, failed or left unsaved objects is rolled back.
These tests use an engine of their own (not the suite's per-test transaction, which end_session leaves to
the test) and a scratch table they drop at the end.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from mobilite.db import Database
from mobilite.models import Theme

PROBE = "session_end_probe"


@pytest.fixture
def own_db(database_url):
    """A Database on its own engine, bound to a bare Flask app; its transaction endings are recorded."""
    flask_app = Flask(__name__)
    flask_app.config["DATABASE_URL"] = database_url
    database = Database()
    database.init_app(flask_app)
    engine = database.bound_engine
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS {PROBE} (value INTEGER)"))
        conn.execute(text(f"DELETE FROM {PROBE}"))
    endings: list[str] = []
    event.listen(engine, "commit", lambda _conn: endings.append("commit"))
    event.listen(engine, "rollback", lambda _conn: endings.append("rollback"))
    try:
        yield flask_app, database, endings
    finally:
        database.session.remove()
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {PROBE}"))
            conn.execute(Theme.__table__.delete().where(Theme.code == "session-end-probe"))
        engine.dispose()


def _probe_values(database: Database) -> list[int]:
    with database.bound_engine.connect() as conn:
        return list(conn.scalars(text(f"SELECT value FROM {PROBE}")))


def test_a_request_that_only_read_is_committed_on_postgresql(own_db):
    flask_app, database, endings = own_db
    query = text(f"SELECT count(*) FROM {PROBE} WHERE value > :floor")
    for _ in range(7):  # psycopg prepares a statement at its 6th execution on one connection
        with flask_app.app_context():
            database.session.execute(query, {"floor": 0})
    with flask_app.app_context():
        prepared = database.session.scalar(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :probe")
            if database.dialect == "postgresql"
            else text("SELECT 0"),
            {"probe": f"%{PROBE}%"},
        )
    if database.dialect == "postgresql":
        assert endings[-1] == "commit"
        assert prepared == 1, "the read-only requests' rollbacks dropped psycopg's prepared statements"
    else:
        assert endings[-1] == "rollback"  # SQLite has no such cache: the usual rollback


def test_a_request_that_wrote_without_committing_leaves_nothing(own_db):
    flask_app, database, endings = own_db
    with flask_app.app_context():
        database.session.execute(text(f"SELECT count(*) FROM {PROBE}"))
        database.session.execute(text(f"INSERT INTO {PROBE} (value) VALUES (1)"))
    assert endings[-1] == "rollback"
    assert _probe_values(database) == []


def test_a_request_that_left_unsaved_objects_saves_none_of_them(own_db):
    flask_app, database, endings = own_db
    with flask_app.app_context():
        database.session.execute(text(f"SELECT count(*) FROM {PROBE}"))
        database.session.add(Theme(code="session-end-probe", label_fr="Sonde", label_en="Probe"))
    assert endings[-1] == "rollback"
    with flask_app.app_context():
        assert database.session.scalar(select(Theme.id).where(Theme.code == "session-end-probe")) is None


def test_a_request_whose_statement_failed_is_rolled_back(own_db):
    flask_app, database, endings = own_db
    # each database names the error its own way
    with flask_app.app_context(), pytest.raises(Exception):  # noqa: B017, PT011
        database.session.execute(text("SELECT * FROM no_such_table_here"))
    assert endings[-1] == "rollback"


def test_a_request_that_raised_is_rolled_back(own_db):
    flask_app, database, endings = own_db

    @flask_app.route("/boom")
    def boom():
        database.session.execute(text(f"SELECT count(*) FROM {PROBE}"))
        raise RuntimeError("boom")

    flask_app.config["PROPAGATE_EXCEPTIONS"] = False
    assert flask_app.test_client().get("/boom").status_code == 500
    assert endings[-1] == "rollback"


def test_a_request_that_caught_a_failed_flush_ends_quietly(own_db):
    flask_app, database, endings = own_db
    with flask_app.app_context():
        database.session.add(Theme(code="session-end-probe", label_fr="Sonde", label_en="Probe"))
        database.session.add(Theme(code="session-end-probe", label_fr="Sonde", label_en="Probe"))
        with pytest.raises(IntegrityError):
            database.session.flush()
        # the view went on without a rollback: the teardown must not fail the response
    assert endings[-1] == "rollback"
    with flask_app.app_context():
        assert database.session.scalar(select(Theme.id).where(Theme.code == "session-end-probe")) is None

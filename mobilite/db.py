"""The database extension: one engine per app, one scoped session per thread."""

from __future__ import annotations

import logging
from typing import Any, cast

from flask import has_request_context, request
from sqlalchemy import Executable, MetaData, create_engine, event
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, echo: bool = False) -> Engine:
    """Engine for a URL; SQLite gets WAL and a busy timeout so web and scheduler share the file."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs: dict = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        if url in ("sqlite://", "sqlite:///:memory:"):
            from sqlalchemy.pool import StaticPool

            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
        # Short OLTP queries: JIT compilation (triggered by cost estimates on 20,000-offer searches) costs
        # more than it saves.
        kwargs["connect_args"] = {"options": "-c jit=off"}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN. A unit of work
        # that will write (Database.begin_write), and every transaction of a request that may write, asks for
        # BEGIN IMMEDIATE, so it queues for the write lock up front instead of failing when a read
        # transaction tries to upgrade.
        event.listen(engine, "begin", _sqlite_begin)
    return engine


# Methods that never write: every transaction of any other request takes the write lock first on SQLite.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

WROTE = "mobilite_wrote"  # set in a connection's info while its transaction has run anything but a read
READ_VERBS = ("SELECT", "SHOW")


def _note_write(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if not statement.lstrip()[:6].upper().startswith(READ_VERBS):  # WITH … (may hold an UPDATE) counts
        conn.info[WROTE] = True


def _note_failure(context) -> None:
    if context.connection is not None:  # an aborted transaction is rolled back, never committed
        context.connection.info[WROTE] = True


def _forget_writes(conn) -> None:
    conn.info.pop(WROTE, None)


def _sqlite_begin(conn) -> None:
    immediate = conn.get_execution_options().get("sqlite_immediate") or _in_a_writing_request()
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _in_a_writing_request() -> bool:
    """Every transaction of a request that may write (any method but GET, HEAD, OPTIONS) takes SQLite's write
    lock before it reads: two at once then queue (busy timeout) and the second reads what the first wrote.
    Otherwise the second fails with "database is locked" when its read transaction tries to write after the
    first has."""
    return has_request_context() and request.method not in SAFE_METHODS


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """Unbound until init_app, like every other extension."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session = scoped_session(sessionmaker())

    def init_app(self, app) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"], app.config.get("SQL_ECHO", False))
        self.session.configure(bind=self.engine)
        app.extensions["mobilite_db"] = self

        if self.engine.dialect.name == "postgresql":
            for name, listener in (
                ("before_cursor_execute", _note_write),
                ("handle_error", _note_failure),
                ("commit", _forget_writes),
                ("rollback", _forget_writes),
            ):
                event.listen(self.engine, name, listener)

        @app.teardown_appcontext
        def remove_session(exc=None):
            self.end_session(exc)

    def discard_failed_work(self) -> None:
        """Roll back before answering an error, so that the error page can read the database again (a
        failed flush leaves the session unusable until then)."""
        try:
            self.session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection: the page does without the database
            log.warning("rolling back before an error page failed", exc_info=True)

    def end_session(self, exc: BaseException | None = None) -> None:
        """End the request's session. On PostgreSQL a transaction that only read is committed rather than
        rolled back (the same for the database): psycopg forgets its prepared statements at every rollback,
        so with a rollback per request it would parse and plan every query every time. Anything else (a
        write, a failed statement, unsaved objects, an error) is rolled back as before."""
        session = self.session()
        try:
            bind = session.get_bind()
            transaction = session.get_transaction()
            if (
                exc is None
                and isinstance(bind, Engine)  # not a test's outer transaction
                and bind.dialect.name == "postgresql"
                and transaction is not None
                and transaction.is_active
                and not (session.new or session.dirty or session.deleted)
                and not session.connection().info.get(WROTE)
            ):
                session.commit()
        except Exception:  # noqa: BLE001 - nothing was written: a failed commit only ends the transaction
            log.warning("ending a read-only transaction failed; rolled back", exc_info=True)
            session.rollback()
        finally:
            self.session.remove()

    @property
    def bound_engine(self) -> Engine:
        """The engine, once init_app has bound it."""
        if self.engine is None:
            raise RuntimeError("the database is not bound to an app: call init_app() first")
        return self.engine

    @property
    def dialect(self) -> str:
        return self.bound_engine.dialect.name

    def rows_matched(self, statement: Executable) -> int:
        """Execute an UPDATE or DELETE in the session: the number of rows it matched."""
        # Session.execute is typed as returning a Result; for a DML statement it is a CursorResult.
        return cast(CursorResult[Any], self.session.execute(statement)).rowcount

    def begin_write(self) -> None:
        """Start a fresh transaction that will write: on SQLite it takes the write lock first.

        Only between units of work: unsaved changes are refused rather than silently committed.
        """
        session = self.session
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes")
        session.commit()  # ends a read snapshot, if any; nothing is pending
        if self.dialect == "sqlite" and not isinstance(session.get_bind(), Connection):
            session.connection(execution_options={"sqlite_immediate": True})

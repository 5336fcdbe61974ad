"""Alembic environment: the models' metadata, on the database the app is configured for."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context

from config import BaseConfig
from mobilite.db import make_engine
from mobilite.models import Base
from mobilite.models.base import UTCDateTime

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    return (
        config.get_main_option("sqlalchemy.url") or os.environ.get("MOBILITE_DATABASE_URL") or BaseConfig.DATABASE_URL
    )


def render_item(type_, obj, autogen_context):
    """Render the app's UTC wrapper as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(obj, name, type_, reflected, compare_to):
    """Leave out of the comparison what the models only create on another database (Index.ddl_if)."""
    condition = getattr(obj, "_ddl_if", None)
    dialect = context.get_bind().dialect.name
    return condition is None or condition.dialect is None or condition.dialect == dialect


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=render_item,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = database_url()
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(os.path.abspath(url.removeprefix("sqlite:///"))), exist_ok=True)
    engine = make_engine(url)
    with engine.connect() as connection:
        run_with(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Alembic environment: always run programmatically with a connection passed in
``config.attributes["connection"]`` (see app/store/migrate.py)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import app.store.models  # noqa: F401  (registers tables)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Consultory migrations need a connection from app.store.migrate")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

"""Alembic environment: always run from app.db.database.migrate with a live connection."""

from __future__ import annotations

from alembic import context

from app.db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()

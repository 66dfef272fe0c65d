"""Alembic environment: the URL comes from server.db.upgrade (DATABASE_URL), never from a file."""

from alembic import context
from sqlalchemy import create_engine, pool

# Imported for their side effect: they register the tables on Base.metadata.
import server.digital.models
import server.models
import server.salesforce.models  # noqa: F401
from server.db import Base

url = context.config.get_main_option("sqlalchemy.url")
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=url.startswith("sqlite"),  # SQLite cannot ALTER most things in place
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, event

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def _foreign_keys_on(dbapi_connection, connection_record):
    # the application enforces foreign keys on every connection, and so do its migrations
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def run_migrations_online():
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    event.listen(engine, "connect", _foreign_keys_on)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import event

config = context.config
fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')


def _foreign_keys_on(dbapi_connection, connection_record):
    # the application enforces foreign keys on every connection, and so do its migrations
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def run_migrations_online():
    engine = current_app.extensions['migrate'].db.engine
    event.listen(engine, "connect", _foreign_keys_on)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None,
                          **current_app.extensions['migrate'].configure_args)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()

#!/usr/bin/env bash
# Programs the rollback-db tests need: the PostgreSQL 15 client tools (pg_dump, pg_restore, psql; the server the
# tests start is an embedded 15.x bundle from Maven Central), the MariaDB client tools (mysqldump, mysql; the tests
# start an embedded MariaDB from Maven Central, which links against the base libraries listed last), sqlite3, and
# the migration tools Alembic and Flask-Migrate. Idempotent; starts no server.
set -euo pipefail

packages=(postgresql-client-15 mariadb-client sqlite3 alembic python3-flask-migrate
  libstdc++6 libsystemd0 libcrypt1 libcap2 libgcrypt20 liblzma5 libzstd1 liblz4-1)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
pg_dump --version
mysqldump --version
sqlite3 --version
/usr/bin/alembic --version
/usr/bin/python3 -c 'import flask_migrate, flask_sqlalchemy; print("flask-migrate installed")'

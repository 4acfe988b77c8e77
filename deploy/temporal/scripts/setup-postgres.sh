#!/bin/sh
# Creates (or upgrades) Temporal's two PostgreSQL databases: `temporal` and `temporal_visibility`.
# Runs once per `docker compose up` in the temporalio/admin-tools image, before the server starts.
# Safe to run again: `create` skips an existing database, `setup-schema` skips a versioned schema,
# and `update-schema` applies only the versions that are missing (so a newer server image upgrades
# the schema of an existing volume).
set -eu

DB_HOST=${POSTGRES_SEEDS:-postgresql}
DB_PORT=${DB_PORT:-5432}
DB_USER=${POSTGRES_USER:-temporal}
# temporal-sql-tool reads the password from SQL_PASSWORD.
export SQL_PASSWORD="${SQL_PASSWORD:-${POSTGRES_PWD:-temporal}}"
# Where the admin-tools image keeps the schema; `npm run test:cluster` points it at the server module.
SCHEMA_DIR=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

echo "Waiting for PostgreSQL at ${DB_HOST}:${DB_PORT}..."
tries=0
until nc -z -w 5 "$DB_HOST" "$DB_PORT"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "PostgreSQL at ${DB_HOST}:${DB_PORT} is not reachable" >&2
    exit 1
  fi
  sleep 2
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$DB_HOST" -p "$DB_PORT" -u "$DB_USER" "$@"
}

sql_tool --db temporal create
sql_tool --db temporal setup-schema -v 0.0
sql_tool --db temporal update-schema -d "${SCHEMA_DIR}/temporal/versioned"

sql_tool --db temporal_visibility create
sql_tool --db temporal_visibility setup-schema -v 0.0
sql_tool --db temporal_visibility update-schema -d "${SCHEMA_DIR}/visibility/versioned"

echo "PostgreSQL schema setup complete"

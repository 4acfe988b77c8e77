#!/usr/bin/env bash
# A local PostgreSQL for the SQL tests and CI, with Chinook loaded, a read-only role and pgvector.
#
#   scripts/postgres/setup-postgres.sh [start]   install if needed, init, start, load; prints LLMOS_TEST_POSTGRES_URL=...
#   scripts/postgres/setup-postgres.sh stop      stop the cluster (its data stays in .tools/postgres/)
#   scripts/postgres/setup-postgres.sh url       print the URL of the running cluster
#
# The server, PostgreSQL 16 with pgvector, is installed into the cluster's folder by
# install-postgres.sh (why it does not come from Debian's packages is said there); the `vector`
# extension is created in the test database.
# Idempotent: a second `start` reuses the running cluster and the loaded data. Progress goes to
# stderr; stdout carries only the URL line, so callers can capture it. The cluster trusts
# connections from 127.0.0.1 and the private socket: it is a throwaway test database, never a
# place for real data. Environment: LLMOS_POSTGRES_DIR (default .tools/postgres),
# LLMOS_POSTGRES_PORT (default 55432; the next free port is taken when it is busy).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${LLMOS_POSTGRES_DIR:-$root/.tools/postgres}"
data="$dir/data"
sockets="$dir/run"
database=chinook
reader=llmos_reader
command="${1:-start}"

log() { echo "[postgres] $*" >&2; }

# initdb and postgres refuse to run as root: as root, run them as the `postgres` OS user.
as_owner=()
if [[ "$(id -u)" -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  as_owner=(runuser -u postgres --)
  # The postgres user must reach the cluster's folder; a checkout under a private home (/root)
  # is not reachable, so the cluster then lives in /var/tmp, one per checkout.
  if [[ -z "${LLMOS_POSTGRES_DIR:-}" ]] && ! runuser -u postgres -- test -x "$root"; then
    dir="/var/tmp/llmos-postgres-$(echo "$root" | sha1sum | cut -c1-12)"
    data="$dir/data"
    sockets="$dir/run"
  fi
fi

server="$dir/server"
if [[ "$command" == start ]]; then
  bin="$("$root/scripts/postgres/install-postgres.sh" "$server")"
elif [[ -x "$server/bin/pg_ctl" ]]; then
  bin="$server/bin"
else
  log "PostgreSQL is not installed in $server; run: $0 start"
  exit 1
fi

port_file="$dir/port"
running() { [[ -f "$data/PG_VERSION" ]] && "${as_owner[@]}" "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }
url_for() { echo "postgres://$1@127.0.0.1:$(cat "$port_file")/$database"; }

case "$command" in
  stop)
    if running; then
      "${as_owner[@]}" "$bin/pg_ctl" stop -D "$data" -m fast >&2
    else
      log "not running"
    fi
    exit 0
    ;;
  url)
    running || { log "not running; run: $0 start"; exit 1; }
    echo "LLMOS_TEST_POSTGRES_URL=$(url_for "$reader")"
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|stop|url]" >&2
    exit 2
    ;;
esac

port_busy() { (echo >"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }

started_at=$SECONDS
mkdir -p "$dir"
# A cluster made by another major version (this script once ran Debian's PostgreSQL 15) cannot be
# opened: it only holds test data, so it is made anew and Chinook loaded again.
major="$("$bin/pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
if [[ -f "$data/PG_VERSION" && "$(cat "$data/PG_VERSION")" != "$major" ]]; then
  log "the cluster in $data is from PostgreSQL $(cat "$data/PG_VERSION"): making it anew for $major"
  "${as_owner[@]}" "$bin/pg_ctl" stop -D "$data" -m fast >/dev/null 2>&1 || true
  rm -rf "$data"
fi
if ! running; then
  if [[ ! -f "$data/PG_VERSION" ]]; then
    log "creating a cluster in $data ($("$bin/postgres" --version))"
    mkdir -p "$data" "$sockets"
    [[ ${#as_owner[@]} -gt 0 ]] && chown -R postgres: "$dir"
    "${as_owner[@]}" "$bin/initdb" -D "$data" --username=postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >/dev/null
  fi
  port="${LLMOS_POSTGRES_PORT:-55432}"
  while port_busy "$port"; do port=$((port + 1)); done
  echo "$port" >"$port_file"
  mkdir -p "$sockets"
  [[ ${#as_owner[@]} -gt 0 ]] && chown postgres: "$sockets"
  log "starting on 127.0.0.1:$port"
  # A test cluster: durability settings off for speed; loopback only.
  "${as_owner[@]}" "$bin/pg_ctl" start -D "$data" -w -l "$dir/postgres.log" -o \
    "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$sockets -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null
else
  log "reusing the running cluster on port $(cat "$port_file")"
fi

port="$(cat "$port_file")"
psql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }

if [[ "$(psql -d postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = '$database'")" == 0 ]]; then
  psql -d postgres -c "CREATE DATABASE $database"
fi
# pgvector, for the vector-search tests. Created as postgres, the owner: the reader role is
# read-only and not allowed to create extensions. Tests that build vector tables connect as owner.
psql -d "$database" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector"
if [[ "$(psql -d "$database" -Atc "SELECT to_regclass('public.\"Track\"') IS NOT NULL")" != t ]]; then
  log "loading Chinook"
  (cd "$root" && node --import tsx scripts/postgres/load-sqlite-into-postgres.ts \
    examples/databases/chinook.sqlite "$(url_for postgres)") >&2
  psql -d "$database" -f "$root/scripts/postgres/chinook-comments.sql"
fi

psql -d "$database" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$reader') THEN
    CREATE ROLE $reader LOGIN;
  END IF;
END \$\$;
ALTER ROLE $reader SET default_transaction_read_only = on;
REVOKE ALL ON DATABASE $database FROM PUBLIC;
GRANT CONNECT ON DATABASE $database TO $reader;
GRANT USAGE ON SCHEMA public TO $reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO $reader;
SQL

log "ready in $((SECONDS - started_at)) s; stop with: $0 stop"
echo "LLMOS_TEST_POSTGRES_URL=$(url_for "$reader")"

#!/usr/bin/env bash
# The PostgreSQL that `npm run test:cluster` runs the Temporal server on: Debian's packaged server
# with its contrib extensions (Temporal's visibility schema creates btree_gin, which the test
# PostgreSQL of scripts/postgres, a build that carries pgvector, does not have), as the compose
# file's postgres image has them.
#
#   scripts/cluster/setup-temporal-postgres.sh     install if needed, init, start; prints TEMPORAL_POSTGRES_PORT=
#   scripts/cluster/setup-temporal-postgres.sh stop
#
# A throwaway cluster for the check: trust authentication on loopback, durability settings off.
# Progress goes to stderr; stdout carries only the port line.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.tools/cluster/postgres"
log() { echo "[temporal-postgres] $*" >&2; }

as_owner=()
if [[ "$(id -u)" -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  as_owner=(runuser -u postgres --)
  # A checkout under a private home is out of the postgres user's reach.
  if ! runuser -u postgres -- test -x "$root"; then
    dir="/var/tmp/llmos-temporal-postgres-$(echo "$root" | sha1sum | cut -c1-12)"
  fi
fi
data="$dir/data"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  log "installing Debian's postgresql and postgresql-contrib"
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-contrib >&2
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi

running() { [[ -f "$data/PG_VERSION" ]] && "${as_owner[@]}" "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }
if [[ "${1:-start}" == stop ]]; then
  running && "${as_owner[@]}" "$bin/pg_ctl" stop -D "$data" -m fast >&2
  exit 0
fi

if ! running; then
  if [[ ! -f "$data/PG_VERSION" || "$(cat "$data/PG_VERSION")" != "$("$bin/postgres" --version | sed -E 's/.* ([0-9]+)\..*/\1/')" ]]; then
    rm -rf "$data"
    mkdir -p "$data"
    [[ ${#as_owner[@]} -gt 0 ]] && chown -R postgres: "$dir"
    log "creating a cluster in $data ($("$bin/postgres" --version))"
    "${as_owner[@]}" "$bin/initdb" -D "$data" --username=postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >/dev/null
  fi
  port=56432
  while (echo >"/dev/tcp/127.0.0.1/$port") >/dev/null 2>&1; do port=$((port + 1)); done
  echo "$port" >"$dir/port"
  log "starting on 127.0.0.1:$port"
  "${as_owner[@]}" "$bin/pg_ctl" start -D "$data" -w -l "$dir/postgres.log" -o \
    "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null
fi
echo "TEMPORAL_POSTGRES_PORT=$(cat "$dir/port")"

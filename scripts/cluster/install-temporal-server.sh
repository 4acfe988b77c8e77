#!/usr/bin/env bash
# The Temporal server itself (not the dev server) and its schema tool, built from the Go module
# proxy at the version docker-compose.yml runs, for `npm run test:cluster`.
#
#   scripts/cluster/install-temporal-server.sh     build once into .tools/temporal-server-<version>/;
#                                                  prints TEMPORAL_SERVER_BIN=, TEMPORAL_SCHEMA_DIR=
#
# The binaries are what the temporalio/server and temporalio/admin-tools images run:
# `temporal-server` (go.temporal.io/server/cmd/server) and `temporal-sql-tool`
# (go.temporal.io/server/cmd/tools/sql). The PostgreSQL schema comes from the same module.
# It also installs `nc` (Debian's netcat-openbsd) when missing: compose's setup scripts wait with it.
# Progress goes to stderr; stdout carries only the two lines.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
log() { echo "[temporal-server] $*" >&2; }

# One version for the compose file and this check: the server image's tag.
version="$(sed -n 's|^ *image: temporalio/server:\([0-9.]*\)$|\1|p' "$root/docker-compose.yml")"
[[ -n "$version" ]] || { log "no temporalio/server:<version> image in docker-compose.yml"; exit 1; }
module="go.temporal.io/server@v$version"
bin="$root/.tools/temporal-server-$version/bin"

command -v go >/dev/null 2>&1 || { log "Go is needed to build the Temporal server: install it (https://go.dev/dl)"; exit 1; }

if [[ ! -x "$bin/temporal-server" || ! -x "$bin/temporal-sql-tool" ]]; then
  log "building the Temporal server $version and temporal-sql-tool from the Go module proxy (several minutes, once)"
  mkdir -p "$bin"
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' EXIT
  GOBIN="$build" go install "go.temporal.io/server/cmd/server@v$version" "go.temporal.io/server/cmd/tools/sql@v$version" >&2
  mv "$build/server" "$bin/temporal-server"
  mv "$build/sql" "$bin/temporal-sql-tool"
fi

module_dir="$(go mod download -json "$module" | sed -n 's|^\s*"Dir": "\(.*\)",$|\1|p')"
schema="$module_dir/schema/postgresql/v12"
[[ -d "$schema/temporal/versioned" ]] || { log "no PostgreSQL schema in $module_dir"; exit 1; }

if ! command -v nc >/dev/null 2>&1; then
  log "nc not found: installing Debian's netcat-openbsd"
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends netcat-openbsd >&2
fi

echo "TEMPORAL_SERVER_BIN=$bin"
echo "TEMPORAL_SCHEMA_DIR=$schema"

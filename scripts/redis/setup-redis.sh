#!/usr/bin/env bash
# A throwaway local Redis for the response-cache tests.
#
#   scripts/redis/setup-redis.sh [start]   install if needed, start one on a free port; prints redis://127.0.0.1:<port>
#   scripts/redis/setup-redis.sh stop      stop the server this script started (and remove its temp dir)
#   scripts/redis/setup-redis.sh url       print the URL of the running server
#
# The server keeps nothing on disk (no RDB snapshots, no AOF), listens on 127.0.0.1 only, and
# runs from a temp dir recorded in .tools/redis/state so that `stop` can find it. Idempotent: a
# second `start` reuses the running server. Progress goes to stderr; stdout carries only the URL,
# so callers can capture it:
#
#   export LLMOS_TEST_REDIS_URL="$(scripts/redis/setup-redis.sh)"
#
# Environment: LLMOS_REDIS_PORT (default 56379; the next free port is taken when it is busy).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
state_dir="$root/.tools/redis"
state_file="$state_dir/state"
command="${1:-start}"

log() { echo "[redis] $*" >&2; }

install_redis() {
  log "redis-server not found: installing the Debian package"
  local sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends redis-server >&2
}

# The state file holds "<port> <pid> <temp dir>" of the server this script started.
read_state() {
  [[ -f "$state_file" ]] || return 1
  read -r port pid dir <"$state_file" || return 1
  [[ -n "${pid:-}" ]] && kill -0 "$pid" 2>/dev/null
}

port_busy() { (echo >"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }

case "$command" in
  stop)
    if read_state; then
      log "stopping the server on port $port (pid $pid)"
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -rf "$dir"
    else
      log "not running"
    fi
    rm -f "$state_file"
    exit 0
    ;;
  url)
    read_state || { log "not running; run: $0 start"; exit 1; }
    echo "redis://127.0.0.1:$port"
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|stop|url]" >&2
    exit 2
    ;;
esac

if read_state; then
  log "reusing the running server on port $port (pid $pid)"
  echo "redis://127.0.0.1:$port"
  exit 0
fi

command -v redis-server >/dev/null 2>&1 || install_redis
log "$(redis-server --version)"

port="${LLMOS_REDIS_PORT:-56379}"
while port_busy "$port"; do port=$((port + 1)); done
dir="$(mktemp -d "${TMPDIR:-/tmp}/llmos-redis.XXXXXX")"
mkdir -p "$state_dir"

# No persistence: `save ""` turns RDB snapshots off, appendonly no keeps the AOF off.
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2

for _ in $(seq 50); do
  [[ -s "$dir/redis.pid" ]] && port_busy "$port" && break
  sleep 0.1
done
if ! port_busy "$port"; then
  log "the server did not start; its log:"
  cat "$dir/redis.log" >&2 || true
  exit 1
fi
echo "$port $(cat "$dir/redis.pid") $dir" >"$state_file"
log "ready on 127.0.0.1:$port; stop with: $0 stop"
echo "redis://127.0.0.1:$port"

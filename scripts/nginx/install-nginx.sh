#!/usr/bin/env bash
# nginx for the TLS tests, which put it in front of the test Temporal server as a TLS-terminating
# gRPC proxy (test/helpers/tls-proxy.ts starts and stops its own instances).
#
#   scripts/nginx/install-nginx.sh     install the Debian package if needed; prints the binary's path
#
#   export LLMOS_TEST_NGINX="$(scripts/nginx/install-nginx.sh)"
#
# Only the binary is used: the package's own service is never started. Progress goes to stderr;
# stdout carries only the path. The tests also need `openssl` for their certificates.
set -euo pipefail

log() { echo "[nginx] $*" >&2; }

find_nginx() {
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

nginx_path="$(find_nginx)"
if [[ -z "$nginx_path" ]] || ! command -v openssl >/dev/null 2>&1; then
  log "nginx or openssl not found: installing the Debian packages"
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  # policy-rc.d or no init system: the package's service does not start, and need not.
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends nginx openssl >&2
  nginx_path="$(find_nginx)"
fi
[[ -n "$nginx_path" ]] || { log "nginx is still not installed"; exit 1; }
echo "$nginx_path"

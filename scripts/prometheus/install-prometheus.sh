#!/usr/bin/env bash
# Prometheus for the metrics test, which starts its own server to scrape a worker's
# LLMOS_METRICS_ADDRESS and asks it a PromQL query (test/e2e/worker-metrics.test.ts).
#
#   scripts/prometheus/install-prometheus.sh     install the Debian package if needed; prints the binary's path
#
#   export LLMOS_TEST_PROMETHEUS="$(scripts/prometheus/install-prometheus.sh)"
#
# Only the binary is used: the package's own service is never started. Progress goes to stderr;
# stdout carries only the path.
set -euo pipefail

log() { echo "[prometheus] $*" >&2; }

find_prometheus() {
  command -v prometheus 2>/dev/null || { [[ -x /usr/bin/prometheus ]] && echo /usr/bin/prometheus; } || true
}

prometheus_path="$(find_prometheus)"
if [[ -z "$prometheus_path" ]]; then
  log "prometheus not found: installing the Debian package"
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  # policy-rc.d or no init system: the package's service does not start, and need not.
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus >&2
  prometheus_path="$(find_prometheus)"
fi
[[ -n "$prometheus_path" ]] || { log "prometheus is still not installed"; exit 1; }
echo "$prometheus_path"

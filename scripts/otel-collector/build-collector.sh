#!/usr/bin/env bash
# An OpenTelemetry Collector for the tracing test: OTLP in, a JSON-lines file out. Built from the
# Go module proxy (the collector's own packages and the contrib file exporter, pinned by go.sum
# here) into .tools/bin/llmos-otelcol, and built again only when its sources change.
#
#   scripts/otel-collector/build-collector.sh     build if needed; prints the binary's path
#
#   export LLMOS_TEST_OTELCOL="$(scripts/otel-collector/build-collector.sh)"
#
# Needs Go (the version go.mod names, or a toolchain the proxy serves). Progress goes to stderr;
# stdout carries only the path.
set -euo pipefail

log() { echo "[otel-collector] $*" >&2; }

here="$(cd "$(dirname "$0")" && pwd)"
bin_dir="$here/../../.tools/bin"
binary="$bin_dir/llmos-otelcol"
stamp="$binary.sources"

command -v go >/dev/null || { log "go is not installed: install Go to build the collector"; exit 1; }
sources="$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$binary" || "$(cat "$stamp" 2>/dev/null)" != "$sources" ]]; then
  log "building the collector (first time: a few minutes to fetch its modules)"
  mkdir -p "$bin_dir"
  (cd "$here" && go build -trimpath -o "$binary" .) >&2
  echo "$sources" > "$stamp"
fi
echo "$(cd "$bin_dir" && pwd)/llmos-otelcol"

#!/usr/bin/env bash
# Chromium for the browser tests, which drive `llmos serve`'s pages headless with playwright-core
# (test/e2e/serve-browser.test.ts).
#
#   scripts/chromium/install-chromium.sh     install the Debian package if needed; prints the binary's path
#
#   export LLMOS_TEST_CHROMIUM="$(scripts/chromium/install-chromium.sh)"
#
# The distribution's build, not Playwright's download (which fetches from outside any package
# registry). Progress goes to stderr; stdout carries only the path.
set -euo pipefail

log() { echo "[chromium] $*" >&2; }

# Debian's /usr/bin/chromium is a shell wrapper; the browser itself is under /usr/lib.
find_chromium() {
  { [[ -x /usr/lib/chromium/chromium ]] && echo /usr/lib/chromium/chromium; } ||
    command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

chromium_path="$(find_chromium)"
if [[ -z "$chromium_path" ]]; then
  log "chromium not found: installing the Debian package"
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
  chromium_path="$(find_chromium)"
fi
[[ -n "$chromium_path" ]] || { log "chromium is still not installed"; exit 1; }
echo "$chromium_path"

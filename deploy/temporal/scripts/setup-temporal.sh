#!/bin/sh
# Prepares the running Temporal server for llmos workers:
#   1. waits until the server answers,
#   2. creates the namespace (default: `default`) if it does not exist,
#   3. registers the llmos custom search attributes on that namespace.
# Runs once per `docker compose up` in the temporalio/admin-tools image; the workers start only
# after it has exited 0. Safe to run again: an existing namespace is kept, and a search attribute
# that already exists with the same type counts as done. One that exists with a different type
# stops the setup (fix it by hand: `temporal operator search-attribute remove`).
set -eu

NAMESPACE=${DEFAULT_NAMESPACE:-default}
TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
TEMPORAL_HOST=${TEMPORAL_ADDRESS%:*}
TEMPORAL_PORT=${TEMPORAL_ADDRESS##*:}

# The search attributes that llmos workflows set (name and type, one pair a line).
SEARCH_ATTRIBUTES='
LlmosKind Keyword
LlmosModel Keyword
LlmosStopReason Keyword
LlmosCostUsd Double
LlmosTotalTokens Int
LlmosPendingApprovals KeywordList
LlmosHandoff Keyword
LlmosFeedbackScore Double
'

MAX_TRIES=${SETUP_MAX_TRIES:-60}
RETRY_SECONDS=${SETUP_RETRY_SECONDS:-2}

# Runs the command until it succeeds; after MAX_TRIES failures prints the message and exits 1.
wait_until() {
  failure_message=$1
  shift
  tries=0
  until "$@"; do
    tries=$((tries + 1))
    if [ "$tries" -ge "$MAX_TRIES" ]; then
      echo "$failure_message" >&2
      exit 1
    fi
    sleep "$RETRY_SECONDS"
  done
}

echo "Waiting for the Temporal server port at ${TEMPORAL_ADDRESS}..."
wait_until "Temporal server at ${TEMPORAL_ADDRESS} is not reachable" nc -z -w 5 "$TEMPORAL_HOST" "$TEMPORAL_PORT"

# Dial the server by its IPv4 address: the server binds 0.0.0.0 only, and a client that resolves the
# service name to an IPv6 address first would fail (the same workaround as Temporal's own compose
# scripts). Falls back to the name if it does not resolve.
TEMPORAL_IP=$(getent ahosts "$TEMPORAL_HOST" 2>/dev/null | awk '$1 ~ /^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$/ { print $1; exit }')
if [ -n "$TEMPORAL_IP" ]; then
  ADDRESS="${TEMPORAL_IP}:${TEMPORAL_PORT}"
else
  ADDRESS="$TEMPORAL_ADDRESS"
fi
echo "Using Temporal server address ${ADDRESS}"

echo "Waiting for the Temporal server to be healthy..."
wait_until "Temporal server at ${ADDRESS} did not become healthy" temporal operator cluster health --address "$ADDRESS"

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
  echo "Namespace '${NAMESPACE}' already exists"
else
  echo "Creating namespace '${NAMESPACE}'..."
  tries=0
  until out=$(temporal operator namespace create --namespace "$NAMESPACE" --address "$ADDRESS" 2>&1); do
    case "$out" in
      *[Aa]lready*[Ee]xist* | *[Aa]lready*[Rr]egistered*) break ;;
    esac
    tries=$((tries + 1))
    if [ "$tries" -ge "$MAX_TRIES" ]; then
      echo "Could not create namespace '${NAMESPACE}': ${out}" >&2
      exit 1
    fi
    sleep "$RETRY_SECONDS"
  done
  echo "Namespace '${NAMESPACE}' is ready"
fi

# Creates one search attribute. Retries while the namespace is still being loaded by the server.
create_search_attribute() {
  name=$1
  type=$2
  tries=0
  while :; do
    if out=$(temporal operator search-attribute create --namespace "$NAMESPACE" \
      --name "$name" --type "$type" --address "$ADDRESS" 2>&1); then
      echo "Search attribute ${name} (${type}) registered"
      return 0
    fi
    case "$out" in
      *[Dd]ifferent*[Tt]ype*)
        echo "Search attribute ${name} already exists with another type than ${type}: ${out}" >&2
        return 1
        ;;
      *[Aa]lready*[Ee]xist*)
        echo "Search attribute ${name} (${type}) already exists"
        return 0
        ;;
    esac
    tries=$((tries + 1))
    if [ "$tries" -ge "$MAX_TRIES" ]; then
      echo "Could not register search attribute ${name} (${type}): ${out}" >&2
      return 1
    fi
    echo "Search attribute ${name} not registered yet, retrying: ${out}"
    sleep "$RETRY_SECONDS"
  done
}

while read -r name type; do
  [ -n "$name" ] || continue
  create_search_attribute "$name" "$type" || exit 1
done <<EOF
$SEARCH_ATTRIBUTES
EOF

temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS" || true
echo "Temporal setup complete: namespace '${NAMESPACE}' with the llmos search attributes"

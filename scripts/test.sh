#!/usr/bin/env bash
# Runs every check and test of the workspace against the real servers:
#   1. installs missing Debian build packages (gcc, make, zlib1g-dev, pkg-config, libssl-dev for
#      librdkafka's TLS and SCRAM, openssl for the test certificates, curl, e2fsprogs for the
#      stop-path test's chattr, jq for the fault suite; a JDK and Maven only if `java`/`mvn` are
#      missing), with one
#      `apt-get update` and only if something is missing;
#   2. starts Kafka, OpenSearch and the Java Connect peer with scripts/infra.sh up --peer unless they
#      already run (it never stops servers: it only says whether it started them; stop them with
#      scripts/infra.sh down);
#   3. exports KAFKA_BOOTSTRAP, OPENSEARCH_URL, PEER_CONNECT_URL from scripts/infra.sh env;
#   4. cargo fmt --check, cargo clippy -D warnings, cargo build (the e2e tests load the plugin cdylibs
#      from target/), cargo test, and (whole workspace) the short REST fuzzing run and the short
#      fault suite (scripts/faults.sh --short, on its own private Kafka and OpenSearch on ports
#      19092.. and 19200, stopped afterwards; docs/reliability.md); all steps run, the exit code
#      is non-zero if any failed.
#
# Usage: scripts/test.sh [PACKAGE SELECTION]   default --workspace; e.g. scripts/test.sh -p connect-tests
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOGS=$ROOT/.infra/logs
INFRA=$ROOT/scripts/infra.sh

say() { printf 'test.sh: %s\n' "$*"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }

# --- 1. build dependencies ---------------------------------------------------------------------------
ensure_debian_packages() {
    local -a missing=()
    local p
    command -v dpkg >/dev/null 2>&1 || return 0 # not Debian-like: trust the host
    for p in gcc make zlib1g-dev pkg-config libssl-dev openssl curl ca-certificates e2fsprogs jq; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null 2>&1 || missing+=(maven)
    ((${#missing[@]})) || return 0
    say "installing missing Debian packages: ${missing[*]}"
    local -a sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || die "missing packages (${missing[*]}) and not root: apt-get install ${missing[*]}"
        sudo=(sudo -n)
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q </dev/null
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}
ensure_debian_packages
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust 1.95 (rustup)"
cargo fmt --version >/dev/null 2>&1 || die "rustfmt missing: rustup component add rustfmt"
cargo clippy --version >/dev/null 2>&1 || die "clippy missing: rustup component add clippy"

# --- 2./3. servers -------------------------------------------------------------------------------------
before=$("$INFRA" status)
"$INFRA" up --peer
started=()
for role in kafka opensearch connect-peer; do
    grep -q "^$role: running" <<<"$before" || started+=("$role")
done
if ((${#started[@]})); then
    say "started ${started[*]}; they keep running (stop them with scripts/infra.sh down)"
else
    say "using the servers that were already running"
fi
eval "$("$INFRA" env)"
export KAFKA_BOOTSTRAP OPENSEARCH_URL PEER_CONNECT_URL KAFKA_SSL_BOOTSTRAP KAFKA_SASL_SSL_BOOTSTRAP KAFKA_SASL_PLAINTEXT_BOOTSTRAP KAFKA_TLS_DIR
say "KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP OPENSEARCH_URL=$OPENSEARCH_URL PEER_CONNECT_URL=$PEER_CONNECT_URL"

# --- 4. checks -----------------------------------------------------------------------------------------
selection=("$@")
((${#selection[@]})) || selection=(--workspace)
fmt_selection=(--all)
[[ ${selection[*]} == "--workspace" ]] || fmt_selection=("${selection[@]}")

mkdir -p "$LOGS"
declare -a results=()
failed=0
step() { # step NAME CMD...: run, record pass/fail and duration, keep going
    local name=$1 t0 rc=0
    shift
    say "running: $*"
    t0=$EPOCHREALTIME
    "$@" || rc=$?
    if ((rc == 0)); then
        results+=("ok      $name ($(since "$t0") s)")
    else
        results+=("FAILED  $name (exit $rc, $(since "$t0") s)")
        failed=1
    fi
}
# shellcheck disable=SC2329 # called through step
run_tests() {
    # Keep the output (for the summary below) and show it live. Every test binary runs even
    # after one fails, so a run reports every failure, not the first crate's.
    cargo test --no-fail-fast "${selection[@]}" 2>&1 | tee "$LOGS/cargo-test.log"
}

step "cargo fmt --check" cargo fmt "${fmt_selection[@]}" --check
step "cargo clippy -D warnings" cargo clippy "${selection[@]}" --all-targets -- -D warnings
step "cargo build" cargo build "${selection[@]}"
# The ABI compatibility job (older plugins in this host, a newer plugin degraded or refused);
# its libraries are what the e2e test `abi_compat` runs.
if [[ ${selection[*]} == "--workspace" ]]; then step "ABI compatibility" scripts/abi-compat.sh; fi
step "cargo test" run_tests
# The short form of scripts/rest-fuzz.sh (docs/rest-fuzzing.md): schemathesis from Kafka Connect's
# OpenAPI description must get no 5xx from our worker.
if [[ ${selection[*]} == "--workspace" ]]; then step "REST fuzzing (short)" scripts/rest-fuzz.sh 5 1; fi
# The short fault suite (docs/reliability.md): SIGKILLs, server outages, a full disk, a stall.
if [[ ${selection[*]} == "--workspace" ]]; then step "fault suite (short)" scripts/faults.sh --short --no-build; fi

echo
say "summary"
grep -E '^(test result:|     Running|   Doc-tests)' "$LOGS/cargo-test.log" 2>/dev/null | sed 's/^ */  /' || true
for r in "${results[@]}"; do
    printf '  %s\n' "$r"
done
exit "$failed"

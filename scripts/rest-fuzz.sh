#!/usr/bin/env bash
# REST fuzzing with schemathesis (PyPI) driven by Kafka Connect's own OpenAPI description:
#   1. generates the description from the connect-runtime 4.3.1 jar with
#      io.swagger.core.v3:swagger-maven-plugin-jakarta:2.2.39 (tests/rest-fuzz/pom.xml), once,
#      into .infra/rest-fuzz/connect-openapi.json;
#   2. installs schemathesis 4.32.5 into .infra/rest-fuzz/venv, once;
#   3. runs it (check: not_a_server_error) against a distributed worker of ours started here on the
#      local Kafka, and against the Java peer (scripts/infra.sh up --peer), with the same seed;
#   4. prints each side's summary and writes the full output to .infra/rest-fuzz/{ours,java}.log.
# Exits non-zero if our worker answered any request with a 5xx.
#
# Usage: scripts/rest-fuzz.sh [MAX_EXAMPLES [SEED]]   defaults 25 and 1
# Needs: scripts/infra.sh up --peer, a built workspace (cargo build --workspace), Maven, Python 3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/.infra/rest-fuzz
EXAMPLES=${1:-25}
SEED=${2:-1}
SPEC=$OUT/connect-openapi.json

say() { printf 'rest-fuzz: %s\n' "$*"; }
die() { printf 'rest-fuzz: error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$OUT"
eval "$(scripts/infra.sh env)"
[[ -x target/debug/connect ]] || die "build the workspace first (cargo build --workspace)"

if [[ ! -s $SPEC ]]; then
    say "generating Kafka Connect's OpenAPI description (Maven)"
    mvn -q -B -f tests/rest-fuzz/pom.xml -Dopenapi.dir="$OUT" compile >"$OUT/mvn.log" 2>&1 ||
        { tail -20 "$OUT/mvn.log" >&2; die "the OpenAPI generation failed (log: $OUT/mvn.log)"; }
fi
if [[ ! -x $OUT/venv/bin/st ]]; then
    say "installing schemathesis 4.32.5"
    python3 -m venv "$OUT/venv"
    "$OUT/venv/bin/pip" install -q schemathesis==4.32.5 >"$OUT/pip.log" 2>&1 ||
        { tail -20 "$OUT/pip.log" >&2; die "installing schemathesis failed (log: $OUT/pip.log)"; }
fi

# Our worker: distributed, its own group and topics, on a free port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
group=rest-fuzz-$$
work=$(mktemp -d)
cat >"$work/worker.properties" <<EOF_PROPS
bootstrap.servers=$KAFKA_BOOTSTRAP
group.id=$group
config.storage.topic=$group-configs
offset.storage.topic=$group-offsets
status.storage.topic=$group-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
listeners=http://127.0.0.1:$port
plugin.path=$work/plugins
EOF_PROPS
mkdir -p "$work/plugins"
cp target/debug/libconnect_file_sink.so target/debug/libconnect_file_source.so "$work/plugins/"
target/debug/connect distributed "$work/worker.properties" >"$OUT/worker.log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fs "http://127.0.0.1:$port/health" >/dev/null || die "our worker did not become ready (log: $OUT/worker.log)"

run() { # NAME URL
    local rc=0
    # From $OUT: schemathesis keeps its cache (.schemathesis/) in the working directory.
    (cd "$OUT" && "$OUT/venv/bin/st" run "$SPEC" --url "$2" --max-examples "$EXAMPLES" \
        --seed "$SEED" -c not_a_server_error) >"$OUT/$1.log" 2>&1 || rc=$?
    say "$1 ($2): $(grep -E '^  [0-9]+ generated' "$OUT/$1.log" || echo 'no summary')"
    # schemathesis counts the operations that answered a 5xx (its check ST101).
    say "$1: operations with a 5xx answer: $(grep -oE 'ST101 Server error: [0-9]+' "$OUT/$1.log" | grep -oE '[0-9]+$' || echo 0)"
    return "$rc"
}
ours_rc=0
run ours "http://127.0.0.1:$port" || ours_rc=$?
run java "$PEER_CONNECT_URL" || true
if ((ours_rc)); then
    die "schemathesis found failures in our worker (see $OUT/ours.log)"
fi
say "no 5xx from our worker; Java's answers are in $OUT/java.log"

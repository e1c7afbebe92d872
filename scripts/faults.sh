#!/usr/bin/env bash
# The fault suite (issue 13 item 5; results and what each case proves: docs/reliability.md). Our
# `connect` host against a private Kafka broker and OpenSearch node, each case with exact counts:
#
#   es-sigkill      SIGKILLs of the host at random moments of a Kafka → OpenSearch run: exactly
#                   N documents at the end, none missing, none duplicated
#   file-sigkill    the same for file source → Kafka → file sink: every line present; the
#                   duplicates at-least-once allows are counted and reported
#   os-outage       OpenSearch stopped (its port refuses) mid-run, then started: no task FAILED,
#                   nothing lost, indexing back within seconds (measured)
#   broker-restart  the Kafka broker stopped mid-run and started again (data kept), distributed
#                   worker: it recovers by itself, nothing lost, source offsets intact
#   sink-disk       the file sink's file system full (a small tmpfs) and its file and directory
#                   made unwritable (chattr +i): the task FAILED with the reason, nothing committed
#                   past what was written, and it recovers by itself once fixed
#   stall-memory    OpenSearch stalled (SIGSTOP) while the topic keeps growing: peak RSS
#                   reported and bounded, nothing lost
#
#   scripts/faults.sh [--short] [--only LIST] [--seed N] [--keep-servers] [--no-build]
#
#   --short         the CI form (scripts/test.sh): 100,000 records and 5 SIGKILLs, 15 s outages,
#                   a 60 s stall; a few minutes. Default: the full form of the issue (1,000,000
#                   records and 20 SIGKILLs per pipeline, OpenSearch down 60 s, the broker down
#                   30 s, a 5 minute stall); about half an hour on 2 cores.
#   --only LIST     comma-separated subset of the cases above
#   --seed N        the random moments of the SIGKILLs (default: from the clock; always printed)
#   --keep-servers  leave the private servers running at the end (next run reuses them)
#   --no-build      skip `cargo build --workspace` (the binaries and plugins must exist)
#
# FAULTS_ES_READ_TIMEOUT_MS (default 30000) is the Elasticsearch sink's read.timeout.ms in these
# cases: with the default 3000 a loaded machine drives the sink into a retry storm (see
# docs/reliability.md, Findings).
# Needs root (mount, chattr), jq, curl and what scripts/infra.sh needs. The private servers run
# from .infra/faults (INFRA_STATE) on 127.0.0.1 ports 19092-19096 (Kafka), 19200/19300
# (OpenSearch); the host's REST API on 19083. The shared servers (9092.., 9200, 18083) are never
# touched. Each case prints one PASS/FAIL line with its counts; all of them go to
# .infra/faults/results.json. The exit code is non-zero if any case failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SHORT=0
ONLY=es-sigkill,file-sigkill,os-outage,broker-restart,sink-disk,stall-memory
ALL=$ONLY
SEED=
KEEP=0
BUILD=1
while (($#)); do
    case $1 in
        --short) SHORT=1 ;;
        --only) ONLY=${2:?--only needs a list}; shift ;;
        --seed) SEED=${2:?--seed needs a number}; shift ;;
        --keep-servers) KEEP=1 ;;
        --no-build) BUILD=0 ;;
        -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "faults: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for c in ${ONLY//,/ }; do
    [[ ,$ALL, == *,$c,* ]] || { echo "faults: unknown case $c in --only (one of $ALL)" >&2; exit 2; }
done
[[ -z $SEED ]] && SEED=$(( $(date +%s) % 100000 ))
[[ $SEED =~ ^[0-9]+$ ]] || { echo "faults: --seed must be a number" >&2; exit 2; }
RANDOM=$SEED

if ((SHORT)); then
    FORM=short
    ES_RECORDS=100000 ES_KILLS=5 ES_RATE=5000
    FILE_RECORDS=100000 FILE_KILLS=5 FILE_RATE=10000
    OS_RATE=1000 OS_DOWN=15
    BROKER_DOWN=15 BROKER_RATE=2000
    DISK_RECORDS=20000
    STALL=60 STALL_RATE=1000 STALL_WARM=15
else
    FORM=full
    ES_RECORDS=1000000 ES_KILLS=20 ES_RATE=10000
    FILE_RECORDS=1000000 FILE_KILLS=20 FILE_RATE=20000
    OS_RATE=3000 OS_DOWN=60
    BROKER_DOWN=30 BROKER_RATE=2000
    DISK_RECORDS=20000
    STALL=300 STALL_RATE=2000 STALL_WARM=20
fi
# The broker case's input is appended for 8 s before the outage, during it, while the broker
# starts again (about 15 s) and 25 s after: it keeps coming after the broker is back.
BROKER_RECORDS=$((BROKER_RATE * (8 + BROKER_DOWN + 15 + 25)))
# Memory bound of the stall case: peak RSS, and growth over the second half of the stall.
RSS_LIMIT_MB=1024
# The Elasticsearch sink's read.timeout.ms in these cases (see es_connector).
ES_READ_TIMEOUT_MS=${FAULTS_ES_READ_TIMEOUT_MS:-30000}
RSS_GROWTH_MB=64

# --- the private servers ---------------------------------------------------------------------------
export INFRA_STATE=$ROOT/.infra/faults
export KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 KAFKA_SSL_PORT=19094 KAFKA_SASL_SSL_PORT=19095 \
    KAFKA_SASL_PLAINTEXT_PORT=19096 OPENSEARCH_PORT=19200 OPENSEARCH_TRANSPORT_PORT=19300
export KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT OPENSEARCH_URL=http://127.0.0.1:$OPENSEARCH_PORT
INFRA=$ROOT/scripts/infra.sh
OS=$OPENSEARCH_URL
REST_PORT=19083
REST=http://127.0.0.1:$REST_PORT
W=$INFRA_STATE/cases
RESULTS=$INFRA_STATE/results.json
CASES_JSONL=$W/cases.jsonl

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
[[ $TARGET == /* ]] || TARGET=$ROOT/$TARGET
BIN=$TARGET/debug
CONNECT=$BIN/connect
CHECK=$BIN/faults-check

say() { printf 'faults: %s\n' "$*"; }
die() { printf 'faults: error: %s\n' "$*" >&2; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

((EUID == 0)) || die "run as root: the sink-disk case mounts a tmpfs and uses chattr"
for c in jq curl mount chattr awk; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' not found on PATH (apt-get install jq curl e2fsprogs)"
done

# --- cleanup: only what this script started, by pid -----------------------------------------------
PIDS=()       # background helpers (feeders, producers, samplers, pollers)
WORKER_PID=   # the host
MOUNTS=()     # tmpfs mount points
IMMUTABLE=()  # paths made immutable
OS_STOPPED=0  # OpenSearch got SIGSTOP
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    if ((OS_STOPPED)); then kill -CONT "$(os_pid)" 2>/dev/null || true; fi
    if [[ -n $WORKER_PID ]]; then kill -KILL "$WORKER_PID" 2>/dev/null || true; fi
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${IMMUTABLE[@]}"; do chattr -i "$p" 2>/dev/null || true; done
    for p in "${MOUNTS[@]}"; do umount "$p" 2>/dev/null || true; done
    if ((KEEP)); then
        say "private servers left running (stop: INFRA_STATE=.infra/faults scripts/infra.sh down)"
    else
        "$INFRA" down >/dev/null 2>&1 || say "stopping the private servers failed: INFRA_STATE=.infra/faults scripts/infra.sh down"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

os_pid() { cat "$INFRA_STATE/run/opensearch.pid"; }

# --- host process ----------------------------------------------------------------------------------
# start_worker DIR MODE ARGS...: starts the host (log DIR/worker.log, appended), no wait.
start_worker() {
    local dir=$1
    shift
    CONNECT_LOG=info "$CONNECT" "$@" >>"$dir/worker.log" 2>&1 </dev/null &
    WORKER_PID=$!
    printf '%s\n' "$WORKER_PID" >"$dir/worker.pid"
}
wait_rest() { # wait_rest SECONDS: the host answers GET /
    local deadline=$((SECONDS + $1))
    until curl -fs -o /dev/null -m 2 "$REST/"; do
        kill -0 "$WORKER_PID" 2>/dev/null || { tail -n 30 "$CASE_DIR/worker.log" >&2; die "the host (pid $WORKER_PID) exited during start-up (log: $CASE_DIR/worker.log)"; }
        ((SECONDS < deadline)) || die "the host's REST API did not answer within $1 s (log: $CASE_DIR/worker.log)"
        sleep 0.2
    done
}
stop_worker() { # SIGTERM, wait up to 60 s
    local i
    [[ -n $WORKER_PID ]] || return 0
    kill -TERM "$WORKER_PID" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do
        kill -0 "$WORKER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$WORKER_PID" 2>/dev/null; then
        say "the host did not exit 60 s after SIGTERM; SIGKILL"
        kill -KILL "$WORKER_PID" 2>/dev/null || true
    fi
    wait "$WORKER_PID" 2>/dev/null || true
    WORKER_PID=
}
kill_worker() { # SIGKILL and reap
    kill -KILL "$WORKER_PID" 2>/dev/null || true
    wait "$WORKER_PID" 2>/dev/null || true
    WORKER_PID=
}

# RSS sampler: every second, VmRSS and VmHWM (kB) of the host whose pid is in DIR/worker.pid.
start_sampler() {
    local dir=$1
    (
        while :; do
            pid=$(cat "$dir/worker.pid" 2>/dev/null) || pid=
            if [[ -n $pid && -r /proc/$pid/status ]]; then
                awk -v t="$EPOCHREALTIME" '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { if (r) print t, r, h }' \
                    "/proc/$pid/status" 2>/dev/null || true
            fi
            sleep 1
        done
    ) >>"$dir/rss.txt" &
    PIDS+=($!)
}
peak_rss_mb() { awk '{ if ($3 > m) m = $3; if ($2 > m) m = $2 } END { printf "%.1f", m / 1024 }' "$1/rss.txt" 2>/dev/null || echo 0; }

# Status poller: every 0.5 s the states of the connectors (name:state:task states), to DIR/states.txt.
start_status_poller() {
    local dir=$1
    shift
    (
        while :; do
            for c in "$@"; do
                s=$(curl -fs -m 2 "$REST/connectors/$c/status" 2>/dev/null) || s=
                [[ -n $s ]] && printf '%s %s %s\n' "$EPOCHREALTIME" "$c" \
                    "$(jq -r '[.connector.state] + [.tasks[].state] | join(",")' <<<"$s" 2>/dev/null)"
            done
            sleep 0.5
        done
    ) >>"$dir/states.txt" &
    PIDS+=($!)
}
# Progress sampler: every second the document count of INDEX, to DIR/progress.txt ("t count").
start_progress() {
    local dir=$1 index=$2
    (
        while :; do
            printf '%s %s\n' "$EPOCHREALTIME" "$(es_count "$index")"
            sleep 1
        done
    ) >>"$dir/progress.txt" &
    PIDS+=($!)
}
# rate_between DIR T1 T2: documents per second indexed between T1 and T2 (from progress.txt).
rate_between() {
    awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b { if (!n++) { t0 = $1; c0 = $2 } t1 = $1; c1 = $2 }
        END { printf "%.0f", (t1 > t0 ? (c1 - c0) / (t1 - t0) : 0) }' "$1/progress.txt"
}
# reached_at DIR COUNT AFTER: seconds after AFTER when the count first reached COUNT (-1: never).
reached_at() {
    awk -v c="$2" -v a="$3" '$1 >= a && $2 >= c { printf "%.1f", $1 - a; f = 1; exit } END { if (!f) printf "-1" }' "$1/progress.txt"
}
failed_seen() { grep -c FAILED "$1/states.txt" 2>/dev/null || true; }
stop_helper() { # stop_helper PID
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

offset_position() { # the file source's stored position (0 if none)
    curl -fs -m 5 "$REST/connectors/$1/offsets" 2>/dev/null | jq '[.offsets[].offset.position] | max // 0' 2>/dev/null || echo 0
}
connector_states() { # CONNECTOR,TASK0,... states
    curl -fs -m 5 "$REST/connectors/$1/status" 2>/dev/null | jq -r '[.connector.state] + [.tasks[].state] | join(",")' 2>/dev/null || echo unknown
}
short_reason() { # "cannot write to FILE: ERROR. Nothing..." → "cannot write to <file>: ERROR"
    local r=${1#*cannot write to }
    r=${r#*: }
    printf 'cannot write to <file>: %s' "${r%%. *}"
}
# index_ops INDEX: index operations on the primaries (a document indexed twice counts twice).
index_ops() { curl -fs -m 10 "$OS/$1/_stats/indexing" 2>/dev/null | jq '._all.primaries.indexing.index_total // 0' 2>/dev/null || echo 0; }
es_count() { curl -fs -m 5 "$OS/$1/_count" 2>/dev/null | jq -r '.count // 0' 2>/dev/null || echo 0; }
task_state() { curl -fs -m 5 "$REST/connectors/$1/status" 2>/dev/null | jq -r ".tasks[${2:-0}].state // \"\"" 2>/dev/null || true; }
task_trace() { curl -fs -m 5 "$REST/connectors/$1/status" 2>/dev/null | jq -r ".tasks[${2:-0}].trace // \"\"" 2>/dev/null || true; }

# wait_for SECONDS DESCRIPTION CMD...: until CMD succeeds; false (and a message) on time-out.
wait_for() {
    local limit=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            say "timed out after $limit s waiting for $what"
            return 1
        fi
        sleep 0.2
    done
}
count_at_least() { (($(es_count "$1") >= $2)); }
size_at_least() { (($(stat -c %s "$1" 2>/dev/null || echo 0) >= $2)); }
state_is() { [[ $(task_state "$1") == "$2" ]]; }

# kill_at T0 SECONDS K: K moments (epoch seconds), one at a random point of each K-th of the
# SECONDS after T0 (seeded: --seed).
kill_at() {
    local i
    for ((i = 0; i < $3; i++)); do
        awk -v t0="$1" -v d="$2" -v k="$3" -v i="$i" -v u=$((RANDOM % 1000)) 'BEGIN { printf "%.3f\n", t0 + d * (i + u / 1000) / k }'
    done
}
sleep_until() { # sleep_until EPOCH
    local s
    s=$(awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { d = a - b; printf "%.3f", (d > 0 ? d : 0) }')
    sleep "$s"
}
# start_feeder ALL INPUT RATE: appends ALL to INPUT at RATE lines/s (a quarter second's lines every
# quarter second) in the background; its pid in FEEDER_PID.
start_feeder() {
    local all=$1 input=$2 rate=$3
    rm -f "$input".chunk.*
    split -l $((rate / 4)) -d -a 6 "$all" "$input.chunk."
    (
        next=$EPOCHREALTIME
        for c in "$input".chunk.*; do
            cat "$c" >>"$input"
            rm -f "$c"
            next=$(awk -v n="$next" 'BEGIN { printf "%.3f", n + 0.25 }')
            sleep_until "$next"
        done
    ) >/dev/null 2>&1 &
    FEEDER_PID=$!
    PIDS+=("$FEEDER_PID")
}

produce() { # produce TOPIC FROM TO PARTITIONS [--create] [--rate R]
    local topic=$1 from=$2 to=$3 parts=$4
    shift 4
    "$CHECK" produce --topic "$topic" --from "$from" --to "$to" --partitions "$parts" "$@" >/dev/null
}
delete_index() { curl -fs -o /dev/null -X DELETE "$OS/$1" 2>/dev/null || true; }

# --- worker and connector settings -----------------------------------------------------------------
plugins_dir() { # the three plugins, laid out as confluent-hub components
    local d=$W/plugins lib crate comp
    rm -rf "$d"
    for spec in connect_file_source:file-source:connect-host-connect-file-source \
        connect_file_sink:file-sink:connect-host-connect-file-sink \
        connect_elasticsearch_sink:elasticsearch-sink:confluentinc-kafka-connect-elasticsearch; do
        IFS=: read -r lib crate comp <<<"$spec"
        mkdir -p "$d/$comp/lib"
        cp "$BIN/lib$lib.so" "$d/$comp/lib/"
        cp "$ROOT/plugins/$crate/manifest.json" "$d/$comp/"
    done
}
standalone_props() { # standalone_props DIR > worker.properties
    cat <<EOF
bootstrap.servers=$KAFKA_BOOTSTRAP
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$1/offsets.json
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$REST_PORT
plugin.path=$W/plugins
EOF
}
# read.timeout.ms=30000: with the default 3000, a loaded 2-core machine (OpenSearch, two brokers
# and builds sharing it) answers 2000-document bulk requests in more than 3 s; each timed-out
# request is sent again while OpenSearch still works on the first, and indexing collapses into a
# retry storm (10 index operations per document, a few hundred documents/s). docs/reliability.md.
es_connector() { # es_connector NAME TOPIC > connector.properties
    cat <<EOF
name=$1
connector.class=io.confluent.connect.elasticsearch.ElasticsearchSinkConnector
tasks.max=2
topics=$2
connection.url=$OS
key.ignore=true
schema.ignore=true
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
read.timeout.ms=$ES_READ_TIMEOUT_MS
EOF
}

# --- results ---------------------------------------------------------------------------------------
FAILED_CASES=()
# record CASE PASS|FAIL SUMMARY JSON: prints the line, appends the JSON (with case and verdict).
record() {
    local name=$1 verdict=$2 summary=$3 json=$4
    printf 'faults: %-4s %-15s %s\n' "$verdict" "$name" "$summary"
    jq -c --arg case "$name" --arg verdict "$verdict" '{case: $case, verdict: $verdict} + (. // {})' <<<"${json:-null}" >>"$CASES_JSONL" ||
        jq -nc --arg case "$name" --arg verdict "$verdict" --arg s "$summary" '{case: $case, verdict: $verdict, summary: $s}' >>"$CASES_JSONL"
    [[ $verdict == PASS ]] || FAILED_CASES+=("$name")
}
tally_summary() { # one-line form of a faults-check tally
    jq -r '"expected=\(.expected) found=\(.found) missing=\(.missing) duplicates=\(.duplicates) malformed=\(.malformed)"' <<<"${1:-null}" 2>/dev/null || echo "no counts"
}
new_case() {
    CASE_DIR=$W/$1
    rm -rf "$CASE_DIR"
    mkdir -p "$CASE_DIR"
    say "--- $1 ($FORM form) ---"
}

# =================================================================================================
# es-sigkill: SIGKILLs at random moments of a Kafka → OpenSearch run, standalone worker.
case_es_sigkill() {
    new_case es-sigkill
    local d=$CASE_DIR topic=faults-es-sigkill n=$ES_RECORDS k=$ES_KILLS kills=() t at producer
    produce "$topic" 0 0 4 --create
    delete_index "$topic"
    standalone_props "$d" >"$d/worker.properties"
    es_connector es-sigkill "$topic" >"$d/es.properties"
    start_sampler "$d"
    # The topic grows at ES_RATE records/s while the host indexes it; the kills fall at random
    # moments of that time (see kill_at).
    "$CHECK" produce --topic "$topic" --from 0 --to "$n" --partitions 4 --rate "$ES_RATE" >"$d/producer.json" 2>&1 &
    producer=$!
    PIDS+=("$producer")
    t=$(now)
    start_worker "$d" standalone "$d/worker.properties" "$d/es.properties"
    for at in $(kill_at "$t" $((n / ES_RATE)) "$k"); do
        sleep_until "$at"
        kills+=("$(es_count "$topic")")
        kill_worker
        start_worker "$d" standalone "$d/worker.properties" "$d/es.properties"
    done
    wait "$producer" || die "producing to $topic failed: $(cat "$d/producer.json")"
    local tally ok=1 committed
    tally=$("$CHECK" es --index "$topic" --records "$n" --wait 900) || ok=0
    local run_s
    run_s=$(since "$t")
    stop_worker
    tally=$("$CHECK" es --index "$topic" --records "$n") || ok=0
    committed=$("$CHECK" committed --group connect-es-sigkill --topic "$topic" | jq .total) || committed=-1
    local dup found
    dup=$(jq .duplicates <<<"$tally")
    found=$(jq .found <<<"$tally")
    ((${#kills[@]} == k && dup == 0 && found == n && committed == n)) || ok=0
    local ops
    ops=$(index_ops "$topic")
    record es-sigkill "$( ((ok)) && echo PASS || echo FAIL)" \
        "$(tally_summary "$tally") index_ops=$ops kills=${#kills[@]}/$k seed=$SEED committed=$committed peak_rss_mb=$(peak_rss_mb "$d") seconds=$run_s" \
        "$(jq -c --argjson kills "$(printf '%s\n' "${kills[@]}" | jq -sc .)" --argjson k "$k" --argjson seed "$SEED" \
            --argjson committed "$committed" --argjson rss "$(peak_rss_mb "$d")" --argjson s "$run_s" --argjson ops "$ops" \
            '{documents: ., index_operations: $ops, sigkills: ($kills | length), sigkills_planned: $k, documents_at_each_kill: $kills,
              seed: $seed, committed_offsets: $committed, peak_rss_mb: $rss, seconds: $s}' <<<"${tally:-null}")"
    delete_index "$topic"
}

# =================================================================================================
# file-sigkill: SIGKILLs of a file source → Kafka → file sink run, standalone worker.
case_file_sigkill() {
    new_case file-sigkill
    local d=$CASE_DIR topic=faults-file-sigkill n=$FILE_RECORDS k=$FILE_KILLS kills=() t size at feeder
    "$BIN/bench-produce" --file "$d/all.txt" --records "$n" >/dev/null
    size=$(stat -c %s "$d/all.txt")
    : >"$d/input.txt"
    produce "$topic" 0 0 1 --create
    standalone_props "$d" >"$d/worker.properties"
    printf 'name=file-src\nconnector.class=FileStreamSource\ntopic=%s\nfile=%s\n' "$topic" "$d/input.txt" >"$d/src.properties"
    printf 'name=file-out\nconnector.class=FileStreamSink\ntopics=%s\nfile=%s\n' "$topic" "$d/output.txt" >"$d/sink.properties"
    start_sampler "$d"
    # The input file grows at FILE_RATE lines/s (the source follows it); the kills fall at random
    # moments of that time.
    start_feeder "$d/all.txt" "$d/input.txt" "$FILE_RATE"
    feeder=$FEEDER_PID
    t=$(now)
    start_worker "$d" standalone "$d/worker.properties" "$d/src.properties" "$d/sink.properties"
    for at in $(kill_at "$t" $((n / FILE_RATE)) "$k"); do
        sleep_until "$at"
        kills+=("$(stat -c %s "$d/output.txt" 2>/dev/null || echo 0)")
        kill_worker
        start_worker "$d" standalone "$d/worker.properties" "$d/src.properties" "$d/sink.properties"
    done
    wait "$feeder" || true
    local out ok=1 topic_tally position run_s
    out=$("$CHECK" file --path "$d/output.txt" --records "$n" --wait 900) || ok=0
    run_s=$(since "$t")
    wait_rest 60
    position=$(offset_position file-src)
    stop_worker
    out=$("$CHECK" file --path "$d/output.txt" --records "$n") || ok=0
    topic_tally=$("$CHECK" topic --topic "$topic" --records "$n") || ok=0
    ((${#kills[@]} == k && position == size)) || ok=0
    record file-sigkill "$( ((ok)) && echo PASS || echo FAIL)" \
        "output: $(tally_summary "$out"); topic: duplicates=$(jq .duplicates <<<"$topic_tally") missing=$(jq .missing <<<"$topic_tally"); source position=$position of $size; kills=${#kills[@]}/$k seed=$SEED peak_rss_mb=$(peak_rss_mb "$d") seconds=$run_s" \
        "$(jq -nc --argjson out "${out:-null}" --argjson topic "${topic_tally:-null}" --argjson kills "$(printf '%s\n' "${kills[@]}" | jq -sc .)" \
            --argjson k "$k" --argjson seed "$SEED" --argjson pos "$position" --argjson size "$size" \
            --argjson rss "$(peak_rss_mb "$d")" --argjson s "$run_s" \
            '{output_lines: $out, topic_records: $topic, sigkills: ($kills | length), sigkills_planned: $k,
              output_bytes_at_each_kill: $kills, seed: $seed, source_position: $pos, input_bytes: $size,
              peak_rss_mb: $rss, seconds: $s}')"
}

# =================================================================================================
# os-outage: OpenSearch stopped (port refuses) mid-run for OS_DOWN s, then started again.
case_os_outage() {
    new_case os-outage
    local d=$CASE_DIR topic=faults-os-outage n ok=1 producer
    # Records keep coming at OS_RATE/s: 10 s before the outage, during it, and 45 s after.
    n=$((OS_RATE * (10 + OS_DOWN + 45)))
    produce "$topic" 0 0 4 --create
    delete_index "$topic"
    standalone_props "$d" >"$d/worker.properties"
    es_connector os-outage "$topic" >"$d/es.properties"
    start_sampler "$d"
    "$CHECK" produce --topic "$topic" --from 0 --to "$n" --partitions 4 --rate "$OS_RATE" >"$d/producer.json" 2>&1 &
    producer=$!
    PIDS+=("$producer")
    local t_produce
    t_produce=$(now)
    start_worker "$d" standalone "$d/worker.properties" "$d/es.properties"
    wait_rest 60
    start_status_poller "$d" os-outage
    start_progress "$d" "$topic"
    sleep 5
    local c1 t0 before_rate
    t0=$(now)
    sleep 5
    c1=$(es_count "$topic")
    before_rate=$(rate_between "$d" "$t0" "$(now)")
    "$INFRA" down opensearch >/dev/null
    local refused=1 at_stop t_stop
    port_open "$OPENSEARCH_PORT" && refused=0
    t_stop=$(now)
    at_stop=$c1
    say "OpenSearch stopped at about $at_stop of $n documents (port refuses: $( ((refused)) && echo yes || echo NO)); down for $OS_DOWN s"
    sleep "$OS_DOWN"
    local t_up t_ready
    t_up=$(now)
    "$INFRA" up >/dev/null
    t_ready=$(now)
    local down_s startup_s
    down_s=$(awk -v a="$t_stop" -v b="$t_ready" 'BEGIN { printf "%.1f", b - a }')
    startup_s=$(awk -v a="$t_up" -v b="$t_ready" 'BEGIN { printf "%.1f", b - a }')
    # Indexing again: the first count above the one before the outage.
    local base recovery=-1 after_rate
    base=$(es_count "$topic")
    if wait_for 120 "indexing to resume" count_at_least "$topic" $((base + 1)); then
        recovery=$(since "$t_ready")
    else
        ok=0
    fi
    t0=$(now)
    sleep 10
    after_rate=$(rate_between "$d" "$t0" "$(now)")
    # The backlog: what was produced until OpenSearch was ready again.
    local backlog drained
    backlog=$(awk -v a="$t_ready" -v r="$OS_RATE" -v p="$t_produce" -v n="$n" 'BEGIN { x = (a - p) * r; printf "%d", (x < n ? x : n) }')
    wait "$producer" || die "producing to $topic failed: $(cat "$d/producer.json")"
    local tally
    tally=$("$CHECK" es --index "$topic" --records "$n" --wait 900) || ok=0
    sleep 1
    drained=$(reached_at "$d" "$backlog" "$t_ready")
    stop_helper "${PIDS[-1]}"
    stop_helper "${PIDS[-2]}"
    stop_worker
    local failed dup
    failed=$(failed_seen "$d")
    dup=$(jq .duplicates <<<"$tally")
    ((failed == 0 && dup == 0 && refused == 1)) || ok=0
    awk -v r="$recovery" 'BEGIN { exit !(r >= 0 && r <= 30) }' || ok=0
    local ops
    ops=$(index_ops "$topic")
    record os-outage "$( ((ok)) && echo PASS || echo FAIL)" \
        "$(tally_summary "$tally") index_ops=$ops failed_states_seen=$failed down_s=$down_s (OpenSearch start $startup_s s) indexing_again_after_s=$recovery backlog=${backlog}_docs_indexed_after_s=$drained docs_per_s: before=$before_rate first_10s_after=$after_rate peak_rss_mb=$(peak_rss_mb "$d")" \
        "$(jq -c --argjson failed "$failed" --argjson down "$down_s" --argjson startup "$startup_s" --argjson rec "$recovery" \
            --argjson before "$before_rate" --argjson after "$after_rate" --argjson at "$at_stop" --argjson rss "$(peak_rss_mb "$d")" \
            --argjson planned "$OS_DOWN" --argjson refused "$refused" --argjson backlog "$backlog" --argjson drained "$drained" --argjson ops "$ops" \
            '{documents: ., index_operations: $ops, failed_states_seen: $failed, outage_planned_s: $planned, port_refused: ($refused == 1),
              down_s: $down, opensearch_start_s: $startup, documents_at_stop: $at,
              indexing_again_after_ready_s: $rec, backlog_at_ready: $backlog, backlog_indexed_after_ready_s: $drained,
              docs_per_s_before: $before, docs_per_s_first_10s_after: $after, produce_rate_per_s: '"$OS_RATE"', peak_rss_mb: $rss}' <<<"${tally:-null}")"
    delete_index "$topic"
}

# =================================================================================================
# broker-restart: distributed worker, file source → Kafka → file sink, input appended at
# BROKER_RATE lines/s; the broker stopped for BROKER_DOWN s mid-run and started again.
case_broker_restart() {
    new_case broker-restart
    local d=$CASE_DIR topic=faults-broker n=$BROKER_RECORDS ok=1 group
    group=faults-broker-$$-$RANDOM
    "$BIN/bench-produce" --file "$d/all.txt" --records "$n" >/dev/null
    local size
    size=$(stat -c %s "$d/all.txt")
    : >"$d/input.txt"
    produce "$topic" 0 0 1 --create
    cat >"$d/worker.properties" <<EOF
bootstrap.servers=$KAFKA_BOOTSTRAP
group.id=$group
config.storage.topic=$group-configs
offset.storage.topic=$group-offsets
status.storage.topic=$group-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$REST_PORT
plugin.path=$W/plugins
EOF
    start_sampler "$d"
    start_worker "$d" distributed "$d/worker.properties"
    local pid0=$WORKER_PID
    wait_rest 120
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' "$REST/connectors/broker-src/config" \
        -d "$(jq -nc --arg t "$topic" --arg f "$d/input.txt" '{"connector.class":"FileStreamSource", topic:$t, file:$f}')"
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' "$REST/connectors/broker-out/config" \
        -d "$(jq -nc --arg t "$topic" --arg f "$d/output.txt" '{"connector.class":"FileStreamSink", topics:$t, file:$f}')"
    wait_for 120 "both connectors RUNNING" bash -c "[[ \$(curl -fs $REST/connectors/broker-src/status | jq -r '.tasks[0].state') == RUNNING && \$(curl -fs $REST/connectors/broker-out/status | jq -r '.tasks[0].state') == RUNNING ]]" || ok=0
    start_status_poller "$d" broker-src broker-out
    local poller=${PIDS[-1]}
    local feeder
    start_feeder "$d/all.txt" "$d/input.txt" "$BROKER_RATE"
    feeder=$FEEDER_PID
    sleep 8
    local at_stop t_stop
    at_stop=$(stat -c %s "$d/output.txt" 2>/dev/null || echo 0)
    "$INFRA" down kafka >/dev/null
    t_stop=$(now)
    local refused=1
    port_open "$KAFKA_PORT" && refused=0
    say "broker stopped with $at_stop bytes in the sink's file (port refuses: $( ((refused)) && echo yes || echo NO)); down for $BROKER_DOWN s"
    sleep "$BROKER_DOWN"
    "$INFRA" up >/dev/null
    local t_ready down_s
    t_ready=$(now)
    down_s=$(awk -v a="$t_stop" -v b="$t_ready" 'BEGIN { printf "%.1f", b - a }')
    local base recovery=-1
    base=$(stat -c %s "$d/output.txt" 2>/dev/null || echo 0)
    if wait_for 180 "the sink's file to grow again" size_at_least "$d/output.txt" $((base + 1)); then
        recovery=$(since "$t_ready")
    else
        ok=0
    fi
    wait "$feeder" || true
    local out topic_tally
    out=$("$CHECK" file --path "$d/output.txt" --records "$n" --wait 600) || ok=0
    topic_tally=$("$CHECK" topic --topic "$topic" --records "$n") || ok=0
    local alive=1 states position
    [[ $WORKER_PID == "$pid0" ]] && kill -0 "$pid0" 2>/dev/null || alive=0
    states=$(for c in broker-src broker-out; do connector_states "$c"; done | paste -sd' ')
    [[ $states == "RUNNING,RUNNING RUNNING,RUNNING" ]] || ok=0
    wait_for 30 "the source offset to reach the end of the input" bash -c \
        "(( \$(curl -fs $REST/connectors/broker-src/offsets | jq '[.offsets[].offset.position] | max // 0') == $size ))" || true
    position=$(offset_position broker-src)
    stop_helper "$poller"
    # Offsets intact: a restarted worker reads them back and produces nothing again.
    local records_before records_after position_after
    records_before=$(jq .found <<<"$topic_tally")
    stop_worker
    start_worker "$d" distributed "$d/worker.properties"
    wait_rest 120
    wait_for 120 "broker-src RUNNING after the worker restart" state_is broker-src RUNNING || ok=0
    sleep 5
    position_after=$(offset_position broker-src)
    records_after=$("$CHECK" topic --topic "$topic" --records "$n" | jq .found) || records_after=-1
    stop_worker
    local failed
    failed=$(failed_seen "$d")
    ((alive && refused && position == size && position_after == size && records_after == records_before)) || ok=0
    awk -v r="$recovery" 'BEGIN { exit !(r >= 0) }' || ok=0
    record broker-restart "$( ((ok)) && echo PASS || echo FAIL)" \
        "output: $(tally_summary "$out"); topic: duplicates=$(jq .duplicates <<<"$topic_tally") missing=$(jq .missing <<<"$topic_tally"); source position=$position of $size, after a worker restart $position_after (topic $records_before → $records_after records); down_s=$down_s flowing_again_after_s=$recovery worker_restarted=$( ((alive)) && echo no || echo YES) failed_states_seen=$failed" \
        "$(jq -nc --argjson out "${out:-null}" --argjson topic "${topic_tally:-null}" --argjson pos "$position" --argjson pos2 "$position_after" \
            --argjson size "$size" --argjson rb "$records_before" --argjson ra "$records_after" --argjson down "$down_s" \
            --argjson rec "$recovery" --argjson alive "$alive" --argjson failed "$failed" --argjson planned "$BROKER_DOWN" \
            --arg states "$states" --argjson rss "$(peak_rss_mb "$d")" \
            '{output_lines: $out, topic_records: $topic, input_bytes: $size, source_position: $pos,
              source_position_after_worker_restart: $pos2, topic_records_before_worker_restart: $rb,
              topic_records_after_worker_restart: $ra, outage_planned_s: $planned, down_s: $down,
              flowing_again_after_ready_s: $rec, same_worker_process: ($alive == 1), final_states: $states,
              failed_states_seen: $failed, peak_rss_mb: $rss}')"
}

# =================================================================================================
# sink-disk: the file sink on a full tmpfs, and on a file and directory made immutable.
case_sink_disk() {
    new_case sink-disk
    local d=$CASE_DIR ok=1 full=faults-disk-full ro=faults-disk-ro n=$DISK_RECORDS half=$((DISK_RECORDS / 2))
    mkdir -p "$d/disk" "$d/ro"
    mount -t tmpfs -o size=2m tmpfs "$d/disk"
    MOUNTS+=("$d/disk")
    produce "$full" 0 "$n" 1 --create
    produce "$ro" 0 "$half" 1 --create
    standalone_props "$d" >"$d/worker.properties"
    local c
    for c in full ro; do
        local t=faults-disk-$c f
        f=$d/$([[ $c == full ]] && echo disk || echo ro)/out.txt
        printf 'name=disk-%s\nconnector.class=FileStreamSink\ntopics=%s\nfile=%s\ntask.restart.backoff.max.ms=4000\n' \
            "$c" "$t" "$f" >"$d/$c.properties"
    done
    start_sampler "$d"
    start_worker "$d" standalone "$d/worker.properties" "$d/full.properties" "$d/ro.properties"
    wait_rest 60
    # Full disk: n records of ~300 bytes do not fit in 2 MiB.
    local reason_full='' committed_full tally_full below_full=1 t_fix rec_full=-1 tally_full_end
    if wait_for 300 "disk-full FAILED" state_is disk-full FAILED; then
        reason_full=$(task_trace disk-full | head -n 1)
    else
        ok=0
    fi
    committed_full=$("$CHECK" committed --group connect-disk-full --topic "$full" | jq .total) || committed_full=-1
    tally_full=$("$CHECK" file --path "$d/disk/out.txt" --records "$n") || true
    # Every record below the committed offset is in the file.
    jq -e --argjson c "$committed_full" '(.first_missing | length == 0) or (.first_missing[0] >= $c)' <<<"$tally_full" >/dev/null || below_full=0
    [[ $reason_full == *"No space left"* && $reason_full == *"free space"* ]] || ok=0
    mount -o remount,size=64m "$d/disk"
    t_fix=$(now)
    if tally_full_end=$("$CHECK" file --path "$d/disk/out.txt" --records "$n" --wait 300); then
        rec_full=$(since "$t_fix")
    else
        ok=0
    fi
    ((below_full && $(jq .malformed <<<"$tally_full_end") == 0)) || ok=0
    # Unwritable: the sink has all of the first half, then its file and directory become immutable.
    local reason_ro='' committed_ro tally_ro rec_ro=-1 tally_ro_end
    "$CHECK" file --path "$d/ro/out.txt" --records "$half" --wait 120 >/dev/null || ok=0
    wait_for 60 "disk-ro to commit $half" bash -c "(( \$('$CHECK' committed --group connect-disk-ro --topic $ro | jq .total) == $half ))" || ok=0
    chattr +i "$d/ro/out.txt" "$d/ro"
    IMMUTABLE+=("$d/ro/out.txt" "$d/ro")
    produce "$ro" "$half" "$n" 1
    if wait_for 120 "disk-ro FAILED" state_is disk-ro FAILED; then
        reason_ro=$(task_trace disk-ro | head -n 1)
    else
        ok=0
    fi
    sleep 3
    committed_ro=$("$CHECK" committed --group connect-disk-ro --topic "$ro" | jq .total) || committed_ro=-1
    tally_ro=$("$CHECK" file --path "$d/ro/out.txt" --records "$n") || true
    [[ $reason_ro == *"Operation not permitted"* ]] || ok=0
    ((committed_ro == half && $(jq .found <<<"$tally_ro") == half)) || ok=0
    chattr -i "$d/ro/out.txt" "$d/ro"
    t_fix=$(now)
    if tally_ro_end=$("$CHECK" file --path "$d/ro/out.txt" --records "$n" --wait 300); then
        rec_ro=$(since "$t_fix")
    else
        ok=0
    fi
    stop_worker
    ((${#reason_full} > 0 && ${#reason_ro} > 0)) || ok=0
    record sink-disk "$( ((ok)) && echo PASS || echo FAIL)" \
        "full: FAILED with \"$(short_reason "$reason_full")\", committed=$committed_full, lines in the file then=$(jq .found <<<"$tally_full") (all below the committed offset: $( ((below_full)) && echo yes || echo NO)), recovered after the fix in ${rec_full} s: $(tally_summary "$tally_full_end"); unwritable: FAILED with \"$(short_reason "$reason_ro")\", committed=$committed_ro of $half written, recovered in ${rec_ro} s: $(tally_summary "$tally_ro_end")" \
        "$(jq -nc --arg rf "$reason_full" --argjson cf "$committed_full" --argjson tf "${tally_full:-null}" --argjson tfe "${tally_full_end:-null}" \
            --argjson bf "$below_full" --argjson rcf "$rec_full" --arg rr "$reason_ro" --argjson cr "$committed_ro" \
            --argjson tr "${tally_ro:-null}" --argjson tre "${tally_ro_end:-null}" --argjson rcr "$rec_ro" --argjson half "$half" \
            '{full_disk: {reason: $rf, committed_at_failure: $cf, file_at_failure: $tf,
                          every_record_below_committed_in_file: ($bf == 1), recovered_after_fix_s: $rcf, file_at_end: $tfe},
              unwritable: {reason: $rr, written_before: $half, committed_at_failure: $cr, file_at_failure: $tr,
                           recovered_after_fix_s: $rcr, file_at_end: $tre}}')"
    umount "$d/disk" && MOUNTS=()
}

# =================================================================================================
# stall-memory: OpenSearch stopped with SIGSTOP for STALL s while a producer keeps adding
# STALL_RATE records/s; RSS of the host sampled every second.
case_stall_memory() {
    new_case stall-memory
    local d=$CASE_DIR topic=faults-stall ok=1 total
    total=$((STALL_RATE * (STALL_WARM + STALL + 10)))
    produce "$topic" 0 0 4 --create
    delete_index "$topic"
    standalone_props "$d" >"$d/worker.properties"
    es_connector stall-memory "$topic" >"$d/es.properties"
    "$CHECK" produce --topic "$topic" --from 0 --to "$total" --partitions 4 --rate "$STALL_RATE" >"$d/producer.json" 2>&1 &
    local producer=$!
    PIDS+=("$producer")
    start_worker "$d" standalone "$d/worker.properties" "$d/es.properties"
    wait_rest 60
    start_sampler "$d"
    start_status_poller "$d" stall-memory
    local poller=${PIDS[-1]}
    wait_for 120 "documents flowing" count_at_least "$topic" 1 || ok=0
    sleep "$STALL_WARM"
    local pid t_stall at_stall rss_start
    pid=$(os_pid)
    tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qF "$INFRA_STATE" || die "pid $pid is not the private OpenSearch"
    rss_start=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$WORKER_PID/status")
    at_stall=$(es_count "$topic")
    kill -STOP "$pid"
    OS_STOPPED=1
    t_stall=$EPOCHREALTIME
    say "OpenSearch stalled (SIGSTOP) at $at_stall documents for $STALL s; host RSS $rss_start MiB"
    sleep "$STALL"
    local t_end=$EPOCHREALTIME
    kill -CONT "$pid"
    OS_STOPPED=0
    wait "$producer" || ok=0
    local tally caught_up
    tally=$("$CHECK" es --index "$topic" --records "$total" --wait 900) || ok=0
    caught_up=$(awk -v a="$t_end" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    stop_helper "$poller"
    stop_worker
    # RSS over the stall: the maximum in its first and second halves.
    local mid first second peak growth failed dup
    mid=$(awk -v a="$t_stall" -v b="$t_end" 'BEGIN { printf "%.3f", (a + b) / 2 }')
    first=$(awk -v a="$t_stall" -v m="$mid" '$1 >= a && $1 < m { if ($2 > x) x = $2 } END { printf "%.1f", x / 1024 }' "$d/rss.txt")
    second=$(awk -v m="$mid" -v b="$t_end" '$1 >= m && $1 <= b { if ($2 > x) x = $2 } END { printf "%.1f", x / 1024 }' "$d/rss.txt")
    peak=$(peak_rss_mb "$d")
    growth=$(awk -v a="$first" -v b="$second" 'BEGIN { printf "%.1f", b - a }')
    failed=$(failed_seen "$d")
    dup=$(jq .duplicates <<<"$tally")
    local grown_mb
    grown_mb=$(awk -v n="$((STALL_RATE * STALL))" 'BEGIN { printf "%.0f", n * 310 / 1048576 }')
    awk -v p="$peak" -v g="$growth" -v lp="$RSS_LIMIT_MB" -v lg="$RSS_GROWTH_MB" 'BEGIN { exit !(p < lp && g < lg) }' || ok=0
    ((failed == 0 && dup == 0)) || ok=0
    local ops
    ops=$(index_ops "$topic")
    record stall-memory "$( ((ok)) && echo PASS || echo FAIL)" \
        "$(tally_summary "$tally") index_ops=$ops stall_s=$STALL topic_grew_during_stall=$((STALL_RATE * STALL)) records (~$grown_mb MiB) rss_mb: at_stall=$rss_start max_first_half=$first max_second_half=$second peak=$peak (limits: peak<$RSS_LIMIT_MB, growth<$RSS_GROWTH_MB) failed_states_seen=$failed all_indexed_after_resume_s=$caught_up" \
        "$(jq -c --argjson stall "$STALL" --argjson rate "$STALL_RATE" --argjson rs "$rss_start" --argjson f "$first" \
            --argjson s "$second" --argjson p "$peak" --argjson failed "$failed" --argjson at "$at_stall" \
            --argjson lp "$RSS_LIMIT_MB" --argjson lg "$RSS_GROWTH_MB" --argjson cu "$caught_up" --argjson ops "$ops" \
            '{documents: ., index_operations: $ops, stall_s: $stall, all_indexed_after_resume_s: $cu, produce_rate_per_s: $rate, records_produced_during_stall: ($stall * $rate),
              documents_at_stall: $at, rss_mb_at_stall: $rs, rss_mb_max_first_half: $f, rss_mb_max_second_half: $s,
              peak_rss_mb: $p, limit_peak_rss_mb: $lp, limit_growth_mb: $lg, failed_states_seen: $failed}' <<<"${tally:-null}")"
    delete_index "$topic"
}

# =================================================================================================
say "form: $FORM; cases: $ONLY; seed: $SEED (repeat with --seed $SEED)"
T0=$(now)
if ((BUILD)); then
    say "cargo build --workspace"
    cargo build -q --workspace
fi
for f in "$CONNECT" "$CHECK" "$BIN/bench-produce" "$BIN/libconnect_file_sink.so" "$BIN/libconnect_file_source.so" \
    "$BIN/libconnect_elasticsearch_sink.so"; do
    [[ -e $f ]] || die "$f is missing: run cargo build --workspace"
done
port_open "$REST_PORT" && die "port $REST_PORT (the host's REST API in this suite) is in use"
"$INFRA" up >/dev/null || die "starting the private servers failed (logs: .infra/faults/logs)"
say "private servers: Kafka $KAFKA_BOOTSTRAP, OpenSearch $OS (state in .infra/faults)"
rm -rf "$W"
mkdir -p "$W"
plugins_dir

for c in ${ONLY//,/ }; do
    "case_${c//-/_}"
    WORKER_PID=
done

total_s=$(since "$T0")
jq -s --arg form "$FORM" --argjson seed "$SEED" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --arg machine "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)" \
    --argjson seconds "$total_s" \
    '{form: $form, seed: $seed, date: $date, commit: $commit, machine: $machine, seconds: $seconds,
      passed: ([.[] | select(.verdict == "PASS")] | length), failed: ([.[] | select(.verdict != "PASS")] | length),
      cases: .}' "$CASES_JSONL" >"$RESULTS"
say "results: ${RESULTS#"$ROOT"/} (${total_s} s)"
if ((${#FAILED_CASES[@]})); then
    say "FAILED: ${FAILED_CASES[*]} (logs in ${W#"$ROOT"/}/<case>/worker.log)"
    exit 1
fi
say "all ${ONLY//,/, } passed"

#!/usr/bin/env bash
# Benchmarks side by side, on the local real servers (scripts/infra.sh): our host and plugins
# against the Java Kafka Connect 4.3.1 worker (or, for Elasticsearch, against a raw `_bulk`
# loader), alternating within each round. Writes docs/benchmarks.md (medians, min–max, ratios
# computed run by run, the goals, the machine, the commit) and docs/benchmarks.json (raw figures).
#
#   scripts/bench.sh [--quick] [--runs N] [--only LIST] [--skip-default-delay] [--no-build]
#
#   --quick      100,000 records, 1 run per variant (a few minutes); default 1,000,000 records, 3 runs
#   --runs N     rounds per scenario
#   --only LIST  comma-separated subset of: es,file-source,file-sink,sink-overhead,startup,boundary,
#                cluster (default: all but cluster); the report keeps the other scenarios' figures
#                from the previous docs/benchmarks.json, marked with the run they came from
#   --skip-default-delay  cluster: leave out the failover with the default
#                scheduled.rebalance.max.delay.ms (5 min + session timeout per side; --quick
#                always leaves it out)
#   --no-build   skip `cargo build --release --workspace`
#
# Scenarios (details in docs/benchmarks.md):
#   es             Kafka → OpenSearch, our Elasticsearch sink with tasks.max 1 and 4, vs bench-bulk-loader
#   file-source    File → Kafka, our FileStreamSource vs Java's (fresh standalone worker per run)
#   file-sink      Kafka → file, our FileStreamSink vs Java's
#   sink-overhead  our sink pipeline writing to /dev/null vs bench-bare-consumer
#   startup        process start to `GET /` 200 with 0 and 50 plugins, ours vs Java
#   boundary       criterion: ns per record across the plugin ABI at batch sizes 1, 100, 2000
#   cluster        distributed mode, a group of 3 of our workers vs 3 Java workers: failover after
#                  SIGKILL, a 4th worker joining, POST /connectors via a follower and the leader,
#                  a file pipeline on 1 and on 3 workers (tests/src/bin/bench-cluster.rs; about 4
#                  minutes per side and round, plus 11 for the default-delay failover)
# Work files live in target/bench/ (git-ignored); the topics and indices it creates are deleted at
# the end. Only 127.0.0.1 is contacted.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

QUICK=0
RUNS=
ONLY=es,file-source,file-sink,sink-overhead,startup,boundary
ALL=$ONLY,cluster
BUILD=1
SKIP_DEFAULT_DELAY=0
while (($#)); do
    case $1 in
        --quick) QUICK=1 ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --only) ONLY=${2:?--only needs a list}; shift ;;
        --skip-default-delay) SKIP_DEFAULT_DELAY=1 ;;
        --no-build) BUILD=0 ;;
        -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for s in ${ONLY//,/ }; do
    [[ ,$ALL, == *,$s,* ]] || { echo "bench: unknown scenario $s in --only (one of $ALL)" >&2; exit 2; }
done
if ((QUICK)); then
    RECORDS=100000
    RUNS=${RUNS:-1}
else
    RECORDS=1000000
    RUNS=${RUNS:-3}
fi
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench: --runs must be a positive number" >&2; exit 2; }
PARTITIONS=4
BATCH=2000
# offset.flush.interval.ms. Sinks: 100 ms on both sides, because the end of a sink run is seen
# through the output file or the committed offsets (our file sink writes its last buffer when the
# offsets are committed). Source and Elasticsearch runs end when the records are in Kafka or
# OpenSearch: Kafka Connect's default (60 s) on both sides.
SINK_FLUSH_MS=100
SOURCE_FLUSH_MS=60000
ES_FLUSH_MS=60000
JAVA_OPTS=(-Xms256m -Xmx2g -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)

W=$ROOT/target/bench/scratch
BIN=$ROOT/target/release
RAW=$W/results.jsonl
TAG=bench$$
TOPIC=$TAG-products
CLK_TCK=$(getconf CLK_TCK)
JAVA=java
[[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && JAVA=$JAVA_HOME/bin/java

say() { printf 'bench: %s\n' "$*"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
wants() { [[ ,$ONLY, == *,$1,* ]]; }
rel() { printf '%s' "${1#"$ROOT"/}"; }

# The servers and Java jars of scripts/infra.sh: this checkout's, or, in a linked git worktree
# that has none, the main worktree's (as the e2e harness finds them); CONNECT_INFRA_DIR (the path
# of an .infra directory) overrides both.
INFRA_ROOT=$ROOT
if [[ -n ${CONNECT_INFRA_DIR:-} ]]; then
    INFRA_ROOT=$(cd "$CONNECT_INFRA_DIR/.." && pwd)
elif [[ ! -d $ROOT/.infra/lib ]]; then
    common=$(cd "$ROOT" && cd "$(git rev-parse --git-common-dir 2>/dev/null || echo .)" && pwd)
    main=${common%/.git}
    [[ $main != "$common" && -d $main/.infra/lib && -x $main/scripts/infra.sh ]] && INFRA_ROOT=$main
fi
INFRA=$INFRA_ROOT/.infra
infra() { "$INFRA_ROOT/scripts/infra.sh" "$@"; }

# Our worker reads CONNECT_* variables as settings: none may leak in from the caller.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^CONNECT_' || true)

# ---------------------------------------------------------------------------------------------------
# Processes this script starts (workers): stopped by pid on exit.

WORKERS=()
TOPICS=()
INDICES=()

stop_pid() { # stop_pid PID: SIGTERM, SIGKILL after 30 s
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? pid t
    trap - EXIT INT TERM
    for pid in "${WORKERS[@]}"; do stop_pid "$pid"; done
    # Topics bench-cluster created or had its workers create (internal topics included).
    if [[ -f ${CLUSTER_TOPICS:-} ]]; then
        while read -r t; do TOPICS+=("$t"); done <"$CLUSTER_TOPICS"
    fi
    if ((${#TOPICS[@]})); then
        "$BIN/bench-produce" --delete --topic "$(IFS=,; echo "${TOPICS[*]}")" >/dev/null 2>&1 || true
    fi
    for i in "${INDICES[@]}"; do curl -fsS -o /dev/null -X DELETE "$OPENSEARCH_URL/$i" 2>/dev/null || true; done
    exit "$rc"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 20000))
        port_busy "$p" || { printf '%s' "$p"; return; }
    done
}

cpu_ticks() { # utime+stime of PID, in clock ticks
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# start_worker IMPL NAME PLUGIN_PATH FLUSH_MS: a fresh standalone worker (ours or java) in
# $W/NAME, REST on a free port; sets WPID and WURL once `GET /` answers 200.
start_worker() {
    local impl=$1 name=$2 plugins=$3 flush=$4 dir=$W/$2 port i
    rm -rf "$dir" && mkdir -p "$dir"
    port=$(free_port)
    {
        printf 'bootstrap.servers=%s\n' "$KAFKA_BOOTSTRAP"
        printf 'key.converter=org.apache.kafka.connect.storage.StringConverter\n'
        printf 'value.converter=org.apache.kafka.connect.storage.StringConverter\n'
        printf 'offset.storage.file.filename=%s\n' "$dir/offsets"
        printf 'offset.flush.interval.ms=%s\n' "$flush"
        printf 'consumer.max.poll.records=%s\n' "$BATCH"
        printf 'listeners=http://127.0.0.1:%s\n' "$port"
        printf 'plugin.path=%s\n' "$plugins"
        [[ $impl == java ]] && printf 'plugin.discovery=service_load\n'
    } >"$dir/worker.properties"
    if [[ $impl == ours ]]; then
        "$BIN/connect" standalone "$dir/worker.properties" >"$dir/worker.log" 2>&1 </dev/null &
    else
        "$JAVA" "${JAVA_OPTS[@]}" -Dkafka.logs.dir="$dir" \
            -Dlog4j2.configurationFile="$ROOT/scripts/infra/connect/log4j2.properties" \
            -cp "$INFRA/lib/connect/*" org.apache.kafka.connect.cli.ConnectStandalone \
            "$dir/worker.properties" >"$dir/worker.log" 2>&1 </dev/null &
    fi
    WPID=$!
    WORKERS+=("$WPID")
    WURL=http://127.0.0.1:$port
    for ((i = 0; i < 1200; i++)); do
        if curl -fs -o /dev/null -m 2 "$WURL/"; then
            # Our worker does not exit when its port is taken: make sure the answer is its own.
            kill -0 "$WPID" 2>/dev/null && return 0
            die "$impl worker $name exited, yet $WURL answers: port collision"
        fi
        kill -0 "$WPID" 2>/dev/null || { tail -20 "$dir/worker.log" >&2; die "$impl worker $name exited during start-up (log: $(rel "$dir/worker.log"))"; }
        sleep 0.05
    done
    tail -20 "$dir/worker.log" >&2
    die "$impl worker $name not ready after 60 s"
}

stop_worker() {
    stop_pid "$WPID"
    local keep=() p
    for p in "${WORKERS[@]}"; do [[ $p == "$WPID" ]] || keep+=("$p"); done
    WORKERS=("${keep[@]}")
}

# record SCENARIO VARIANT ROUND JSON-FIELDS: appends a raw figure.
record() {
    printf '{"scenario":"%s","variant":"%s","round":%s,%s}\n' "$1" "$2" "$3" "$4" >>"$RAW"
    say "  $1 $2 round $3: $4"
}

# pipeline SCENARIO VARIANT ROUND IMPL PLUGIN_PATH FLUSH_MS RECORDS CONNECTOR_JSON WAIT-ARGS...:
# fresh worker; CPU ticks before; POST the connector; wait until done; CPU, peak RSS; stop.
pipeline() {
    local scen=$1 variant=$2 round=$3 impl=$4 plugins=$5 flush=$6 n=$7 json=$8 c0 c1 t0 secs hwm
    shift 8
    start_worker "$impl" "$scen-$variant-$round" "$plugins" "$flush"
    c0=$(cpu_ticks "$WPID")
    t0=$EPOCHREALTIME
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$WURL/connectors" -d "$json" ||
        die "POST /connectors failed on the $impl worker (log: $(rel "$W/$scen-$variant-$round/worker.log"))"
    secs=$("$BIN/bench-wait" --since "$t0" --pid "$WPID" "$@") ||
        { tail -20 "$W/$scen-$variant-$round/worker.log" >&2; die "$scen $variant: did not finish"; }
    c1=$(cpu_ticks "$WPID")
    hwm=$(hwm_kb "$WPID")
    stop_worker
    record "$scen" "$variant" "$round" \
        "\"records\":$n,\"seconds\":$secs,\"rss_kb\":$hwm,\"cpu_s\":$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
}

# order ROUND V1 V2 ...: the variants, reversed in even rounds.
order() {
    local round=$1 i
    shift
    if ((round % 2)); then
        printf '%s\n' "$@"
    else
        for ((i = $#; i >= 1; i--)); do printf '%s\n' "${!i}"; done
    fi
}

# ---------------------------------------------------------------------------------------------------

step "Build (release) and servers"
if ((BUILD)); then
    cargo build --release --workspace
    wants boundary && cargo bench -p connect-plugin-api --bench batch --no-run
fi
for b in connect bench-produce bench-bulk-loader bench-bare-consumer bench-wait bench-startup bench-cluster bench-report; do
    [[ -x $BIN/$b ]] || die "$BIN/$b is missing: run cargo build --release --workspace"
done
need_java=0
for s in file-source file-sink startup cluster; do wants "$s" && need_java=1; done
if ((need_java)) && [[ ! -f $INFRA/lib/connect/.complete ]]; then
    # The Java Connect jars come with the peer; stop the peer again if it was not running.
    peer_was_up=0
    infra status 2>/dev/null | grep -q '^connect-peer: running' && peer_was_up=1
    infra up --peer
    ((peer_was_up)) || infra down --peer
else
    infra up
fi
eval "$(infra env)"
export KAFKA_BOOTSTRAP OPENSEARCH_URL
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$W"
mkdir -p "$W"
: >"$RAW"
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

# Plugin directories: ours as confluent-hub components (<owner>-<name>/manifest.json + lib/*.so).
component() { # component DIR NAME CRATE_DIR LIB
    mkdir -p "$1/$2/lib"
    cp "$3/manifest.json" "$1/$2/manifest.json"
    cp "$BIN/lib$4.so" "$1/$2/lib/"
}
P=$W/plugins
mkdir -p "$P/empty" "$P/java-empty"
component "$P/file" connect-host-connect-file-sink plugins/file-sink connect_file_sink
component "$P/file" connect-host-connect-file-source plugins/file-source connect_file_source
component "$P/es" confluentinc-kafka-connect-elasticsearch plugins/elasticsearch-sink connect_elasticsearch_sink
for i in $(seq 1 25); do
    component "$P/fifty" "connect-host-connect-file-sink-$i" plugins/file-sink connect_file_sink
    component "$P/fifty" "connect-host-connect-file-source-$i" plugins/file-source connect_file_source
done
if ((need_java)); then
    mkdir -p "$P/java-file" "$P/java-fifty"
    cp -r "$INFRA/lib/connect-plugins/connect-file" "$P/java-file/"
    for i in $(seq 1 50); do cp -r "$INFRA/lib/connect-plugins/connect-file" "$P/java-fifty/connect-file-$i"; done
fi

AVG_BYTES=null
VALUE_BYTES=0
if wants es || wants file-sink || wants sink-overhead; then
    step "Produce $RECORDS records to $TOPIC ($PARTITIONS partitions)"
    TOPICS+=("$TOPIC")
    out=$("$BIN/bench-produce" --topic "$TOPIC" --partitions "$PARTITIONS" --records "$RECORDS")
    say "$out"
    AVG_BYTES=$(jq .avg_bytes <<<"$out")
    VALUE_BYTES=$(jq .bytes <<<"$out")
fi
if wants file-source; then
    out=$("$BIN/bench-produce" --file "$W/input.txt" --records "$RECORDS")
    say "input file: $out"
    AVG_BYTES=$(jq .avg_bytes <<<"$out")
fi

# ---------------------------------------------------------------------------------------------------

if wants es; then
    step "Kafka → Elasticsearch: our sink (tasks.max 1 and 4) vs raw _bulk loader, $RUNS round(s)"
    INDEX=$TOPIC
    INDICES+=("$INDEX")
    es_json() { # es_json NAME TASKS
        jq -nc --arg name "$1" --arg tasks "$2" --arg topic "$TOPIC" --arg url "$OPENSEARCH_URL" '{
            name: $name, config: {
            "connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
            "tasks.max": $tasks, "topics": $topic, "key.ignore": "true", "schema.ignore": "true",
            "connection.url": $url, "type.name": "kafka-connect",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "false"}}'
    }
    for round in $(seq 1 "$RUNS"); do
        while read -r variant; do
            curl -fsS -o /dev/null -X DELETE "$OPENSEARCH_URL/$INDEX" 2>/dev/null || true
            case $variant in
                ours-tasks1 | ours-tasks4)
                    tasks=${variant#ours-tasks}
                    pipeline es "$variant" "$round" ours "$P/es" "$ES_FLUSH_MS" "$RECORDS" \
                        "$(es_json "es-$TAG-$round-$tasks" "$tasks")" \
                        --every-ms 100 es-count --index "$INDEX" --count "$RECORDS"
                    ;;
                bulk-ceiling)
                    t0=$EPOCHREALTIME
                    "$BIN/bench-bulk-loader" --topic "$TOPIC" --index "$INDEX" --batch "$BATCH" \
                        --concurrency 5 >"$W/loader.json" &
                    lpid=$!
                    secs=$("$BIN/bench-wait" --since "$t0" --every-ms 100 es-count --index "$INDEX" --count "$RECORDS")
                    wait "$lpid" || die "bench-bulk-loader failed"
                    record es bulk-ceiling "$round" \
                        "\"records\":$RECORDS,\"seconds\":$secs,\"rss_kb\":$(jq .rss_kb "$W/loader.json"),\"cpu_s\":$(jq .cpu_s "$W/loader.json")"
                    ;;
            esac
        done < <(order "$round" ours-tasks1 bulk-ceiling ours-tasks4)
    done
    curl -fsS -o /dev/null -X DELETE "$OPENSEARCH_URL/$INDEX" 2>/dev/null || true
fi

if wants file-source; then
    step "File → Kafka: our FileStreamSource vs Java's, $RUNS round(s)"
    for round in $(seq 1 "$RUNS"); do
        while read -r impl; do
            t=$TAG-src-$impl-$round
            TOPICS+=("$t")
            "$BIN/bench-produce" --topic "$t" --partitions "$PARTITIONS" --records 0 >/dev/null
            if [[ $impl == ours ]]; then plugins=$P/file; else plugins=$P/java-file; fi
            json=$(jq -nc --arg name "src-$t" --arg file "$W/input.txt" --arg topic "$t" --arg b "$BATCH" '{
                name: $name, config: {"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "tasks.max": "1", "file": $file, "topic": $topic, "batch.size": $b}}')
            pipeline file-source "$impl" "$round" "$impl" "$plugins" "$SOURCE_FLUSH_MS" "$RECORDS" "$json" \
                --every-ms 20 topic-end --topic "$t" --count "$RECORDS"
            "$BIN/bench-produce" --delete --topic "$t" >/dev/null || true
        done < <(order "$round" ours java)
    done
fi

if wants file-sink; then
    step "Kafka → file: our FileStreamSink vs Java's, $RUNS round(s)"
    want_bytes=$((VALUE_BYTES + RECORDS))
    for round in $(seq 1 "$RUNS"); do
        while read -r impl; do
            out=$W/sink-$impl-$round.txt
            if [[ $impl == ours ]]; then plugins=$P/file; else plugins=$P/java-file; fi
            json=$(jq -nc --arg name "sink-$TAG-$impl-$round" --arg file "$out" --arg topic "$TOPIC" '{
                name: $name, config: {"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "tasks.max": "1", "file": $file, "topics": $topic}}')
            pipeline file-sink "$impl" "$round" "$impl" "$plugins" "$SINK_FLUSH_MS" "$RECORDS" "$json" \
                --every-ms 20 file-size --path "$out" --bytes "$want_bytes"
            rm -f "$out"
        done < <(order "$round" ours java)
    done
fi

if wants sink-overhead; then
    step "Sink overhead: our sink pipeline to /dev/null vs a bare rdkafka consumer, $RUNS round(s)"
    for round in $(seq 1 "$RUNS"); do
        while read -r variant; do
            if [[ $variant == ours ]]; then
                name=null-$TAG-$round
                json=$(jq -nc --arg name "$name" --arg topic "$TOPIC" '{
                    name: $name, config: {"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                    "tasks.max": "1", "file": "/dev/null", "topics": $topic}}')
                pipeline sink-overhead ours "$round" ours "$P/file" "$SINK_FLUSH_MS" "$RECORDS" "$json" \
                    --every-ms 20 committed --group "connect-$name" --topic "$TOPIC" --count "$RECORDS"
            else
                out=$("$BIN/bench-bare-consumer" --topic "$TOPIC" --group "bare-$TAG-$round")
                record sink-overhead bare-consumer "$round" \
                    "\"records\":$RECORDS,\"seconds\":$(jq .seconds <<<"$out"),\"rss_kb\":$(jq .rss_kb <<<"$out"),\"cpu_s\":$(jq .cpu_s <<<"$out")"
            fi
        done < <(order "$round" ours bare-consumer)
    done
fi

if wants startup; then
    step "Start-up to REST ready, 0 and 50 plugins, ours vs Java, $RUNS round(s)"
    for round in $(seq 1 "$RUNS"); do
        while read -r variant; do
            impl=${variant%-*}
            count=${variant#*-}
            dir=$W/startup-$variant-$round
            mkdir -p "$dir"
            port=$(free_port)
            case $variant in
                ours-0) plugins=$P/empty ;;
                ours-50) plugins=$P/fifty ;;
                java-0) plugins=$P/java-empty ;;
                java-50) plugins=$P/java-fifty ;;
            esac
            {
                printf 'bootstrap.servers=%s\n' "$KAFKA_BOOTSTRAP"
                printf 'key.converter=org.apache.kafka.connect.storage.StringConverter\n'
                printf 'value.converter=org.apache.kafka.connect.storage.StringConverter\n'
                printf 'offset.storage.file.filename=%s\n' "$dir/offsets"
                printf 'listeners=http://127.0.0.1:%s\n' "$port"
                printf 'plugin.path=%s\n' "$plugins"
                [[ $impl == java ]] && printf 'plugin.discovery=service_load\n'
            } >"$dir/worker.properties"
            if [[ $impl == ours ]]; then
                cmd=("$BIN/connect" standalone "$dir/worker.properties")
            else
                cmd=("$JAVA" "${JAVA_OPTS[@]}" -Dkafka.logs.dir="$dir"
                    -Dlog4j2.configurationFile="$ROOT/scripts/infra/connect/log4j2.properties"
                    -cp "$INFRA/lib/connect/*" org.apache.kafka.connect.cli.ConnectStandalone "$dir/worker.properties")
            fi
            out=$("$BIN/bench-startup" --port "$port" --log "$dir/worker.log" -- "${cmd[@]}") ||
                { tail -20 "$dir/worker.log" >&2; die "start-up $variant failed"; }
            record startup "$variant" "$round" "\"plugins\":$count,\"ms\":$(jq .ms <<<"$out"),\"rss_kb\":$(jq .rss_kb <<<"$out")"
        done < <(order "$round" ours-0 java-0 ours-50 java-50)
    done
fi

# cluster_run SIDE ROUND CASE: one bench-cluster run (a background child, stopped on exit like a
# worker); its figures go to the raw file.
cluster_run() {
    local side=$1 round=$2 case=$3 out=$W/cluster-$1-$2-$3 pid rc=0
    mkdir -p "$out"
    "$BIN/bench-cluster" --side "$side" --round "$round" --case "$case" --input "$CLUSTER_INPUT" \
        --creates "$CLUSTER_CREATES" --flush-ms "$SINK_FLUSH_MS" --batch "$BATCH" \
        --connect "$BIN/connect" --rust-plugins "$P/file" --java-plugins "$P/java-file" \
        --java-jars "$INFRA/lib/connect" --java "$JAVA" --java-opts "${JAVA_OPTS[*]}" \
        --work "$out" --tag "$TAG-$side$round${case:0:1}" --topics-file "$CLUSTER_TOPICS" \
        >"$out/figures.jsonl" 2> >(tee "$out/progress.log" >&2) </dev/null &
    pid=$!
    WORKERS+=("$pid")
    wait "$pid" || rc=$?
    local keep=() p
    for p in "${WORKERS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    WORKERS=("${keep[@]}")
    cat "$out/figures.jsonl" >>"$RAW"
    ((rc == 0)) || die "bench-cluster $side round $round ($case) failed (exit $rc); worker logs in $(rel "$out")"
}

CLUSTER_DEFAULT_DELAY=null
if wants cluster; then
    step "Distributed mode: a group of 3 of ours vs 3 Java workers, $RUNS round(s)"
    CLUSTER_INPUT=$W/cluster-input.txt
    CLUSTER_TOPICS=$W/cluster-topics.txt
    CLUSTER_CREATES=20
    : >"$CLUSTER_TOPICS"
    out=$("$BIN/bench-produce" --file "$CLUSTER_INPUT" --records $((RECORDS / 3)))
    say "each source's file: $out"
    [[ $AVG_BYTES == null ]] && AVG_BYTES=$(jq .avg_bytes <<<"$out")
    for round in $(seq 1 "$RUNS"); do
        while read -r side; do
            cluster_run "$side" "$round" main
        done < <(order "$round" ours java)
    done
    if ((QUICK)); then
        CLUSTER_DEFAULT_DELAY='"skipped in --quick (5 min + session timeout per side)"'
        say "failover with the default scheduled.rebalance.max.delay.ms: skipped in --quick"
    elif ((SKIP_DEFAULT_DELAY)); then
        CLUSTER_DEFAULT_DELAY='"skipped with --skip-default-delay (5 min + session timeout per side)"'
        say "failover with the default scheduled.rebalance.max.delay.ms: skipped (--skip-default-delay)"
    else
        step "Distributed mode: failover with the default scheduled.rebalance.max.delay.ms (300000), once per side"
        CLUSTER_DEFAULT_DELAY='"measured"'
        while read -r side; do
            cluster_run "$side" 1 default-delay
        done < <(order 1 ours java)
    fi
    rm -f "$CLUSTER_INPUT"
fi

if wants boundary; then
    step "Plugin boundary (criterion), $RUNS round(s)"
    crit=()
    ((QUICK)) && crit=(--warm-up-time 1 --measurement-time 2)
    for round in $(seq 1 "$RUNS"); do
        cargo bench -q -p connect-plugin-api --bench batch -- "${crit[@]}" >"$W/criterion-$round.log" 2>&1 ||
            { tail -20 "$W/criterion-$round.log" >&2; die "cargo bench failed"; }
        for size in 1 100 2000; do
            est=$ROOT/target/criterion/put_across_boundary/batch_$size/new/estimates.json
            ns=$(jq --argjson n "$size" '.median.point_estimate / $n' "$est")
            record boundary "batch-$size" "$round" "\"batch\":$size,\"ns_per_record\":$ns"
        done
    done
fi

# ---------------------------------------------------------------------------------------------------

step "Report"
jq -n --arg date "$(date -u +%Y-%m-%dT%H:%MZ)" --argjson quick "$([[ $QUICK == 1 ]] && echo true || echo false)" \
    --argjson runs "$RUNS" --argjson records "$RECORDS" --argjson partitions "$PARTITIONS" \
    --argjson avg "$AVG_BYTES" --arg loadavg "$LOADAVG" --arg only "$ONLY" \
    --argjson cdelay "$CLUSTER_DEFAULT_DELAY" --argjson clines $((RECORDS / 3)) --argjson cflush "$SINK_FLUSH_MS" \
    --argjson ccreates "${CLUSTER_CREATES:-0}" \
    '{date: $date, quick: $quick, runs: $runs, records: $records, file_records: $records,
      partitions: $partitions, avg_bytes: $avg, batch_size: 2000, loadavg: $loadavg, scenarios: ($only | split(",")),
      cluster: (if ($only | split(",") | index("cluster")) then
        {lines_per_file: $clines, flush_ms: $cflush, creates: $ccreates, default_delay: $cdelay} else null end)}' >"$W/meta.json"
"$BIN/bench-report" --raw "$RAW" --meta "$W/meta.json" --md docs/benchmarks.md --json docs/benchmarks.json
say "wrote docs/benchmarks.md and docs/benchmarks.json (work files: $(rel "$W"))"

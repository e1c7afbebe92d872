#!/usr/bin/env bash
# Real servers for tests and demos, no Docker: a single-node KRaft Apache Kafka 4.3.1 broker, an
# OpenSearch 2.19.6 node and (with --peer) the Java Apache Kafka Connect 4.3.1 worker in distributed
# mode, all on 127.0.0.1, run from Maven Central jars.
#
#   scripts/infra.sh up [--peer]   start what is not running yet (fetches jars on first use), wait until ready
#   scripts/infra.sh down [--peer | ROLE...]  stop the servers this script started (all by default;
#                                  --peer: only the Connect peer; ROLE: kafka, opensearch, connect-peer)
#   scripts/infra.sh status        say what runs
#   scripts/infra.sh env           print KAFKA_BOOTSTRAP=..., OPENSEARCH_URL=..., PEER_CONNECT_URL=... and the
#                                  secured listeners' KAFKA_*_BOOTSTRAP and KAFKA_TLS_DIR (for eval)
#   scripts/infra.sh kafka-run CLASS [ARGS...]   run a Kafka CLI class (e.g. org.apache.kafka.tools.TopicCommand)
#
# Ports (environment): KAFKA_PORT=9092 KAFKA_CONTROLLER_PORT=9093 OPENSEARCH_PORT=9200
# OPENSEARCH_TRANSPORT_PORT=OPENSEARCH_PORT+100 PEER_CONNECT_PORT=18083.
# The broker also listens with TLS and SASL: KAFKA_SSL_PORT=9094 (SSL, client certificate
# required), KAFKA_SASL_SSL_PORT=9095 (SASL_SSL) and KAFKA_SASL_PLAINTEXT_PORT=9096
# (SASL_PLAINTEXT), SASL mechanisms PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for user `connect`
# with password `connect-secret`. The certificates (a CA, the broker's, a client's; PEM, PKCS12
# and, to show its refusal, JKS) are made by this script in .infra/tls (passwords in tls/README).
# Timeouts (seconds): INFRA_START_TIMEOUT=180 INFRA_STOP_TIMEOUT=30.
# Everything (jars, data, logs, pid files) lives in <repo>/.infra; logs in .infra/logs.
# INFRA_STATE=DIR (default <repo>/.infra) moves the data, logs, pid files and certificates of a
# second, private set of servers to DIR, e.g. INFRA_STATE=.infra/faults KAFKA_PORT=19092 ... (as
# scripts/faults.sh does); the jars stay in <repo>/.infra/lib, shared, fetched once. Each state
# directory has its own servers: `down` with one INFRA_STATE never stops another's.
# Processes are tracked by pid file plus a marker in their command line; nothing is killed by name.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SRC=$SCRIPT_DIR/infra
STATE=${INFRA_STATE:-$ROOT/.infra}
[[ $STATE == /* ]] || STATE=$ROOT/$STATE
LIB=$ROOT/.infra/lib
LOGS=$STATE/logs
RUN=$STATE/run

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
OPENSEARCH_PORT=${OPENSEARCH_PORT:-9200}
OPENSEARCH_TRANSPORT_PORT=${OPENSEARCH_TRANSPORT_PORT:-$((OPENSEARCH_PORT + 100))}
PEER_CONNECT_PORT=${PEER_CONNECT_PORT:-18083}
KAFKA_SSL_PORT=${KAFKA_SSL_PORT:-9094}
KAFKA_SASL_SSL_PORT=${KAFKA_SASL_SSL_PORT:-9095}
KAFKA_SASL_PLAINTEXT_PORT=${KAFKA_SASL_PLAINTEXT_PORT:-9096}
TLS=$STATE/tls
SASL_USER=connect
SASL_PASSWORD=connect-secret
START_TIMEOUT=${INFRA_START_TIMEOUT:-180}
STOP_TIMEOUT=${INFRA_STOP_TIMEOUT:-30}

JAVA=java
JAVAC=javac
if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    JAVA=$JAVA_HOME/bin/java
    JAVAC=$JAVA_HOME/bin/javac
fi

ROLES=(kafka opensearch connect-peer)

say() { printf '%s\n' "$*"; }
die() { printf 'infra: error: %s\n' "$*" >&2; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
rel() { printf '%s' "${1#"$ROOT"/}"; }

need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || die "'$c' not found on PATH (needs JDK 17, Maven, curl)"
    done
}

# ---------------------------------------------------------------------------------------------------
# Process tracking: pid file + liveness + a marker in the command line (pid reuse safe).

marker() { printf '%s' "-Dinfra.id=$1@$STATE"; }
pidfile() { printf '%s' "$RUN/$1.pid"; }
portfile() { printf '%s' "$RUN/$1.port"; }

# is_ours PID ROLE: PID is alive (not a zombie) and is the server of ROLE started from this checkout.
is_ours() {
    local pid=$1 role=$2 st
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
    st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [[ -n $st && $st != Z && $st != X ]] || return 1
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$(marker "$role")"
}

# running_pid ROLE: prints the pid and succeeds if ROLE is running.
running_pid() {
    local pid
    pid=$(cat "$(pidfile "$1")" 2>/dev/null) || return 1
    is_ours "$pid" "$1" || return 1
    printf '%s' "$pid"
}

port_of() { # port_of ROLE DEFAULT: the port a running server was started with, else DEFAULT
    local p
    if running_pid "$1" >/dev/null && p=$(cat "$(portfile "$1")" 2>/dev/null) && [[ -n $p ]]; then
        printf '%s' "$p"
    else
        printf '%s' "$2"
    fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# launch ROLE LOG CMD...: start CMD detached (own session, no stdin, lock fd closed), record its pid.
launch() {
    local role=$1 log=$2 pf i
    shift 2
    pf=$(pidfile "$role")
    rm -f "$pf"
    [[ -f $log ]] && mv -f "$log" "$log.1"
    # The inner bash writes its own pid and execs the JVM, so the pid file holds the JVM's pid
    # whether or not setsid had to fork.
    # shellcheck disable=SC2016 # $$ and $@ are for the inner bash
    setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pf" "$@" \
        >"$log" 2>&1 </dev/null 9>&- &
    for ((i = 0; i < 100; i++)); do
        [[ -s $pf ]] && return 0
        sleep 0.05
    done
    die "$role: the process did not start (see $(rel "$log"))"
}

# stop_role ROLE: SIGTERM, then SIGKILL after STOP_TIMEOUT; only the pid we recorded.
stop_role() {
    local role=$1 pid t0 i
    if ! pid=$(running_pid "$role"); then
        rm -f "$(pidfile "$role")" "$(portfile "$role")"
        return 0
    fi
    t0=$(now)
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        is_ours "$pid" "$role" || break
        sleep 0.1
    done
    if is_ours "$pid" "$role"; then
        say "$role: no exit ${STOP_TIMEOUT} s after SIGTERM, sending SIGKILL to pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            is_ours "$pid" "$role" || break
            sleep 0.1
        done
        is_ours "$pid" "$role" && die "$role: pid $pid survived SIGKILL"
    fi
    rm -f "$(pidfile "$role")" "$(portfile "$role")"
    say "$role: stopped (pid $pid) in $(since "$t0") s"
}

# ---------------------------------------------------------------------------------------------------
# Jars from Maven Central, fetched once into .infra/lib/<name>; a stamp written only after a complete
# fetch (hash of the pom) makes later runs skip mvn. A failed or partial fetch is redone from scratch.

fetch() {
    local name=$1 pom=$SRC/$1/pom.xml dest=$LIB/$1 key t0 mlog n
    key=$(sha256sum "$pom" | cut -d' ' -f1)
    if [[ -f $dest/.complete && $(cat "$dest/.complete") == "$key" ]]; then
        return 0
    fi
    need mvn
    mlog=$LOGS/mvn-$name.log
    say "$name: fetching jars from Maven Central (first run only; log: $(rel "$mlog"))"
    rm -rf "$dest"
    [[ $name == connect ]] && rm -rf "$LIB/connect-plugins"
    mkdir -p "$dest"
    t0=$(now)
    if ! {
        mvn -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory="$dest" &&
            if [[ $name == connect ]]; then
                mvn -B -o -f "$pom" dependency:copy-dependencies -DincludeScope=provided \
                    -DincludeArtifactIds=connect-file -DoutputDirectory="$LIB/connect-plugins/connect-file"
            fi
    } >"$mlog" 2>&1 </dev/null 9>&-; then
        tail -n 30 "$mlog" >&2
        rm -rf "$dest"
        [[ $name == connect ]] && rm -rf "$LIB/connect-plugins"
        die "$name: mvn failed (full log: $(rel "$mlog"))"
    fi
    if [[ $name == connect ]] && ! compgen -G "$LIB/connect-plugins/connect-file/connect-file-*.jar" >/dev/null; then
        rm -rf "$dest" "$LIB/connect-plugins"
        die "connect: connect-file jar missing after fetch (log: $(rel "$mlog"))"
    fi
    n=$(find "$dest" -name '*.jar' | wc -l)
    printf '%s\n' "$key" >"$dest/.complete"
    say "$name: fetched jars in $(since "$t0") s ($n jars, $(du -sm "$dest" | cut -f1) MB)"
}

# The OpenSearch launcher (a Node subclass) compiled against the fetched jars.
build_launcher() {
    local src=$SRC/opensearch/src/main/java/infra/OpenSearchLauncher.java out=$LIB/opensearch-launcher key
    key=$(cat "$src" "$LIB/opensearch/.complete" | sha256sum | cut -d' ' -f1)
    [[ -f $out/.complete && $(cat "$out/.complete") == "$key" ]] && return 0
    need "$JAVAC"
    rm -rf "$out"
    mkdir -p "$out"
    "$JAVAC" --release 17 -nowarn -cp "$LIB/opensearch/*" -d "$out" "$src" 9>&- ||
        { rm -rf "$out"; die "opensearch: compiling the launcher failed"; }
    printf '%s\n' "$key" >"$out/.complete"
}

# ---------------------------------------------------------------------------------------------------
# Kafka

kafka_java() { # JVM for Kafka classes (broker and CLI tools)
    "$JAVA" -Djava.awt.headless=true -Dkafka.logs.dir="$STATE/kafka/logs" \
        -Dlog4j2.configurationFile="$SRC/kafka/log4j2.properties" -cp "$LIB/kafka/*" "$@"
}

new_cluster_id() { # 16 random bytes, base64url without padding (Kafka's Uuid format, not starting with '-')
    local id
    while :; do
        id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        [[ $id != -* && ${#id} -eq 22 ]] && break
    done
    printf '%s' "$id"
}

# kafka_metadata_ok PORT: a Metadata v4 request (all topics) answered with correlation id 42 and >= 1 broker.
kafka_metadata_ok() {
    local out
    out=$( (
        exec 3<>"/dev/tcp/127.0.0.1/$1"
        # size=19 | api_key=3 (Metadata) | version=4 | correlation_id=42 | client_id="infr" | topics=null | allow_auto_create=false
        printf '\x00\x00\x00\x13\x00\x03\x00\x04\x00\x00\x00\x2a\x00\x04infr\xff\xff\xff\xff\x00' >&3
        timeout 3 head -c 16 <&3
    ) 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
    # response: size(4) correlation_id(4) throttle_time_ms(4) broker_count(4)
    [[ ${#out} -eq 32 && ${out:8:8} == 0000002a && ${out:24:8} != 00000000 ]]
}

# make_tls: a CA, the broker's and a client's certificates for 127.0.0.1/localhost, as PEM and
# PKCS12, a PKCS12 and a JKS truststore; made once, kept in .infra/tls.
make_tls() {
    [[ -s $TLS/truststore.jks ]] && return 0
    need openssl keytool
    rm -rf "$TLS"
    mkdir -p "$TLS"
    local log=$LOGS/tls.log who
    {
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=connect-test-ca" \
            -keyout "$TLS/ca.key" -out "$TLS/ca.pem"
        for who in broker client; do
            openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" -keyout "$TLS/$who.key" -out "$TLS/$who.csr"
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$TLS/$who.ext"
            openssl x509 -req -in "$TLS/$who.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
                -days 3650 -extfile "$TLS/$who.ext" -out "$TLS/$who.pem"
            openssl pkcs12 -export -in "$TLS/$who.pem" -inkey "$TLS/$who.key" -certfile "$TLS/ca.pem" \
                -name "$who" -passout "pass:$who-secret" -out "$TLS/$who.p12"
            cat "$TLS/$who.key" "$TLS/$who.pem" >"$TLS/$who-keystore.pem"
        done
        keytool -importcert -noprompt -alias ca -file "$TLS/ca.pem" -storetype PKCS12 \
            -keystore "$TLS/truststore.p12" -storepass trust-secret
        keytool -importcert -noprompt -alias ca -file "$TLS/ca.pem" -storetype JKS \
            -keystore "$TLS/truststore.jks" -storepass trust-secret
    } >"$log" 2>&1 || { cat "$log" >&2; die "tls: making the test certificates failed"; }
    cat >"$TLS/README" <<EOF_README
Test certificates made by scripts/infra.sh (never use them elsewhere).
ca.pem                       the CA (PEM truststore)
truststore.p12               the CA, PKCS12, password trust-secret
truststore.jks               the CA, JKS, password trust-secret (a worker refuses it, with the keytool command)
broker.p12 / client.p12      certificate and key, PKCS12, passwords broker-secret / client-secret
client-keystore.pem          the client's key and certificate, PEM
SASL user $SASL_USER, password $SASL_PASSWORD (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
EOF_README
}

start_kafka() {
    local dir=$STATE/kafka conf cid meta l jaas_plain
    conf=$dir/server.properties
    mkdir -p "$dir/data" "$dir/logs"
    make_tls
    jaas_plain="org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$SASL_USER\" password=\"$SASL_PASSWORD\" user_$SASL_USER=\"$SASL_PASSWORD\";"
    {
        cat "$SRC/kafka/server.properties"
        printf '\n# written by scripts/infra.sh\n'
        printf 'listeners=PLAINTEXT://127.0.0.1:%s,CONTROLLER://127.0.0.1:%s,SSL://127.0.0.1:%s,SASL_SSL://127.0.0.1:%s,SASL_PLAINTEXT://127.0.0.1:%s\n' \
            "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SSL_PORT" "$KAFKA_SASL_SSL_PORT" "$KAFKA_SASL_PLAINTEXT_PORT"
        printf 'advertised.listeners=PLAINTEXT://127.0.0.1:%s,SSL://127.0.0.1:%s,SASL_SSL://127.0.0.1:%s,SASL_PLAINTEXT://127.0.0.1:%s\n' \
            "$KAFKA_PORT" "$KAFKA_SSL_PORT" "$KAFKA_SASL_SSL_PORT" "$KAFKA_SASL_PLAINTEXT_PORT"
        printf 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT\n'
        printf 'controller.quorum.voters=1@127.0.0.1:%s\n' "$KAFKA_CONTROLLER_PORT"
        printf 'log.dirs=%s\n' "$dir/data"
        printf 'ssl.keystore.type=PKCS12\nssl.keystore.location=%s\nssl.keystore.password=broker-secret\n' "$TLS/broker.p12"
        printf 'ssl.truststore.type=PEM\nssl.truststore.location=%s\n' "$TLS/ca.pem"
        printf 'listener.name.ssl.ssl.client.auth=required\n'
        printf 'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512\n'
        for l in sasl_ssl sasl_plaintext; do
            printf 'listener.name.%s.plain.sasl.jaas.config=%s\n' "$l" "$jaas_plain"
            printf 'listener.name.%s.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n' "$l"
            printf 'listener.name.%s.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n' "$l"
        done
    } >"$conf"
    [[ -s $dir/cluster.id ]] || new_cluster_id >"$dir/cluster.id"
    cid=$(cat "$dir/cluster.id")
    meta=$dir/data/meta.properties
    if [[ -f $meta ]] && ! grep -qxF "cluster.id=$cid" "$meta"; then
        say "kafka: log.dirs belongs to another cluster id, starting with fresh log.dirs"
        rm -rf "$dir/data"
        mkdir -p "$dir/data"
    fi
    KAFKA_SCRAM_LATER=1
    if [[ ! -f $meta ]]; then
        # The SCRAM credentials of the SASL user are written with the metadata at format time.
        kafka_java kafka.tools.StorageTool format -t "$cid" -c "$conf" --ignore-formatted \
            --add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" \
            --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]" \
            >"$LOGS/kafka-format.log" 2>&1 </dev/null 9>&- ||
            { cat "$LOGS/kafka-format.log" >&2; die "kafka: formatting log.dirs failed"; }
        KAFKA_SCRAM_LATER=0
    fi
    launch kafka "$LOGS/kafka.log" "$JAVA" "$(marker kafka)" -Xms512m -Xmx1g -XX:+UseG1GC \
        -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
        -Djava.awt.headless=true -Dkafka.logs.dir="$dir/logs" \
        -Dlog4j2.configurationFile="$SRC/kafka/log4j2.properties" -cp "$LIB/kafka/*" kafka.Kafka "$conf"
    printf '%s\n' "$KAFKA_PORT" >"$(portfile kafka)"
}

# ---------------------------------------------------------------------------------------------------
# OpenSearch

opensearch_ready() {
    curl -fsS -o /dev/null -m 5 "http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=3s" 2>/dev/null
}

start_opensearch() {
    local home=$STATE/opensearch
    mkdir -p "$home"
    launch opensearch "$LOGS/opensearch.log" "$JAVA" "$(marker opensearch)" -Xms1g -Xmx1g -XX:+UseG1GC \
        -Dfile.encoding=UTF-8 -Djava.awt.headless=true -Djna.nosys=true -Dio.netty.noUnsafe=true \
        -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0 \
        -Dopensearch.set.netty.runtime.available.processors=false -Dlog4j.shutdownHookEnabled=false \
        -Dlog4j2.disable.jmx=true -Djava.locale.providers=SPI,COMPAT \
        -Dlog4j2.configurationFile="$SRC/opensearch/log4j2.properties" \
        -cp "$LIB/opensearch-launcher:$LIB/opensearch/*" infra.OpenSearchLauncher \
        "$home" "$OPENSEARCH_PORT" "$OPENSEARCH_TRANSPORT_PORT"
    printf '%s\n' "$OPENSEARCH_PORT" >"$(portfile opensearch)"
}

# ---------------------------------------------------------------------------------------------------
# Java Kafka Connect peer (distributed mode)

connect_ready() {
    curl -fsS -o /dev/null -m 5 "http://127.0.0.1:$1/" 2>/dev/null &&
        curl -fsS -o /dev/null -m 5 "http://127.0.0.1:$1/connectors" 2>/dev/null
}

start_connect() {
    local dir=$STATE/connect-peer conf kport
    conf=$dir/worker.properties
    kport=$(port_of kafka "$KAFKA_PORT")
    mkdir -p "$dir"
    {
        cat "$SRC/connect/connect-distributed.properties"
        printf '\n# written by scripts/infra.sh\n'
        printf 'bootstrap.servers=127.0.0.1:%s\n' "$kport"
        printf 'listeners=http://127.0.0.1:%s\n' "$PEER_CONNECT_PORT"
        printf 'rest.advertised.host.name=127.0.0.1\nrest.advertised.port=%s\n' "$PEER_CONNECT_PORT"
        printf 'plugin.path=%s\n' "$LIB/connect-plugins"
    } >"$conf"
    launch connect-peer "$LOGS/connect-peer.log" "$JAVA" "$(marker connect-peer)" -Xms256m -Xmx512m \
        -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -Dkafka.logs.dir="$dir" \
        -Dlog4j2.configurationFile="$SRC/connect/log4j2.properties" -cp "$LIB/connect/*" \
        org.apache.kafka.connect.cli.ConnectDistributed "$conf"
    printf '%s\n' "$PEER_CONNECT_PORT" >"$(portfile connect-peer)"
}

# ---------------------------------------------------------------------------------------------------

ready_check() { # ready_check ROLE PORT
    case $1 in
        kafka) kafka_metadata_ok "$2" ;;
        opensearch) opensearch_ready "$2" ;;
        connect-peer) connect_ready "$2" ;;
    esac
}

log_of() { printf '%s' "$LOGS/$1.log"; }

# wait_ready ROLE T0: poll until ready; fail early (with the log tail) if the process died.
wait_ready() {
    local role=$1 t0=$2 pid port deadline
    pid=$(cat "$(pidfile "$role")")
    port=$(cat "$(portfile "$role")")
    deadline=$((SECONDS + START_TIMEOUT))
    while ! ready_check "$role" "$port"; do
        if ! is_ours "$pid" "$role"; then
            say "$role: the process (pid $pid) died during start-up; last lines of $(rel "$(log_of "$role")"):" >&2
            tail -n 40 "$(log_of "$role")" >&2 || true
            rm -f "$(pidfile "$role")" "$(portfile "$role")"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            say "$role: not ready after ${START_TIMEOUT} s; last lines of $(rel "$(log_of "$role")"):" >&2
            tail -n 40 "$(log_of "$role")" >&2 || true
            return 1
        fi
        sleep 0.25
    done
    say "$role: ready in $(since "$t0") s (pid $pid, port $port)"
}

STARTED=()

check_port_free() {
    local role=$1 port
    shift
    for port in "$@"; do
        port_busy "$port" && die "$role: port $port on 127.0.0.1 is in use by a process this script did not start (set another port, see scripts/infra.sh header)"
    done
    return 0
}

# On a failed or interrupted `up`, stop what this invocation started (reused servers stay).
on_up_exit() {
    local rc=$? role
    trap - EXIT
    if ((rc != 0)); then
        for role in "${STARTED[@]}"; do
            stop_role "$role" || true
        done
    fi
    exit "$rc"
}

cmd_up() {
    local peer=0 arg pid t_kafka='' t_os='' t_connect='' role
    for arg in "$@"; do
        case $arg in
            --peer) peer=1 ;;
            *) die "up: unknown option $arg" ;;
        esac
    done
    need "$JAVA" curl setsid flock
    mkdir -p "$LIB" "$LOGS" "$RUN"
    exec 9>"$STATE/lock"
    flock 9

    # The jars are shared by every INFRA_STATE: fetched under their own lock.
    exec 8>"$LIB/.lock"
    flock 8
    fetch kafka
    fetch opensearch
    build_launcher
    ((peer)) && fetch connect
    # The JMX exporter agent: the oracle of tests/e2e/metrics.rs.
    ((peer)) && fetch jmx-exporter
    exec 8>&-

    # Check every port first, so that a conflict starts nothing.
    running_pid kafka >/dev/null || check_port_free kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" \
        "$KAFKA_SSL_PORT" "$KAFKA_SASL_SSL_PORT" "$KAFKA_SASL_PLAINTEXT_PORT"
    running_pid opensearch >/dev/null || check_port_free opensearch "$OPENSEARCH_PORT" "$OPENSEARCH_TRANSPORT_PORT"
    ((peer)) && { running_pid connect-peer >/dev/null || check_port_free connect-peer "$PEER_CONNECT_PORT"; }

    trap on_up_exit EXIT
    trap 'exit 130' INT TERM
    if pid=$(running_pid kafka); then
        say "kafka: already running (pid $pid, port $(port_of kafka "$KAFKA_PORT")), reusing it"
    else
        t_kafka=$(now)
        start_kafka
        STARTED+=(kafka)
    fi
    if pid=$(running_pid opensearch); then
        say "opensearch: already running (pid $pid, port $(port_of opensearch "$OPENSEARCH_PORT")), reusing it"
    else
        t_os=$(now)
        start_opensearch
        STARTED+=(opensearch)
    fi
    [[ -n $t_kafka ]] && { wait_ready kafka "$t_kafka" || exit 1; }
    # log.dirs formatted by an older version of this script: add the SASL user's credentials now.
    if [[ -n $t_kafka && ${KAFKA_SCRAM_LATER:-0} == 1 ]]; then
        local mechanism
        for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
            kafka_java kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter \
                --add-config "$mechanism=[password=$SASL_PASSWORD]" \
                --entity-type users --entity-name "$SASL_USER" >"$LOGS/kafka-scram.log" 2>&1 </dev/null 9>&- ||
                { cat "$LOGS/kafka-scram.log" >&2; die "kafka: adding the SCRAM user failed"; }
        done
    fi
    [[ -n $t_os ]] && { wait_ready opensearch "$t_os" || exit 1; }
    # Reused servers must answer too (another `up` may still be starting them).
    for role in kafka opensearch; do
        if ! ready_check "$role" "$(port_of "$role" 0)"; then
            wait_ready "$role" "$(now)" || exit 1
        fi
    done
    if ((peer)); then
        if pid=$(running_pid connect-peer); then
            say "connect-peer: already running (pid $pid, port $(port_of connect-peer "$PEER_CONNECT_PORT")), reusing it"
            ready_check connect-peer "$(port_of connect-peer 0)" || wait_ready connect-peer "$(now)" || exit 1
        else
            t_connect=$(now)
            start_connect
            STARTED+=(connect-peer)
            wait_ready connect-peer "$t_connect" || exit 1
        fi
    fi
    say "infra: up (logs in $(rel "$LOGS"); stop with scripts/infra.sh down)"
}

cmd_down() {
    local arg role
    local -a which=()
    for arg in "$@"; do
        case $arg in
            --peer) which+=(connect-peer) ;;
            kafka | opensearch | connect-peer) which+=("$arg") ;;
            *) die "down: unknown option $arg" ;;
        esac
    done
    ((${#which[@]})) || which=("${ROLES[@]}")
    mkdir -p "$RUN"
    exec 9>"$STATE/lock"
    flock 9
    # Connect first (it needs the broker to leave its group cleanly), Kafka last.
    for role in connect-peer opensearch kafka; do
        [[ " ${which[*]} " == *" $role "* ]] && stop_role "$role"
    done
    say "infra: stopped ${which[*]}"
}

cmd_status() {
    local role pid port state
    for role in "${ROLES[@]}"; do
        if pid=$(running_pid "$role"); then
            port=$(port_of "$role" 0)
            if ready_check "$role" "$port"; then state=ready; else state="not answering"; fi
            say "$role: running, $state (pid $pid, 127.0.0.1:$port)"
        else
            say "$role: stopped"
        fi
    done
}

cmd_env() {
    printf 'KAFKA_BOOTSTRAP=127.0.0.1:%s\n' "$(port_of kafka "$KAFKA_PORT")"
    printf 'OPENSEARCH_URL=http://127.0.0.1:%s\n' "$(port_of opensearch "$OPENSEARCH_PORT")"
    printf 'PEER_CONNECT_URL=http://127.0.0.1:%s\n' "$(port_of connect-peer "$PEER_CONNECT_PORT")"
    printf 'KAFKA_SSL_BOOTSTRAP=127.0.0.1:%s\n' "$KAFKA_SSL_PORT"
    printf 'KAFKA_SASL_SSL_BOOTSTRAP=127.0.0.1:%s\n' "$KAFKA_SASL_SSL_PORT"
    printf 'KAFKA_SASL_PLAINTEXT_BOOTSTRAP=127.0.0.1:%s\n' "$KAFKA_SASL_PLAINTEXT_PORT"
    printf 'KAFKA_TLS_DIR=%s\n' "$TLS"
}

cmd_kafka_run() {
    (($# >= 1)) || die "usage: scripts/infra.sh kafka-run CLASS [ARGS...]"
    mkdir -p "$LIB" "$LOGS"
    (
        exec 8>"$LIB/.lock"
        flock 8
        fetch kafka >&2
    ) || exit 1
    kafka_java "$@"
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    kafka-run) cmd_kafka_run "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac

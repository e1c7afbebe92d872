#!/usr/bin/env bash
# The seed flow, end to end, on servers started locally (no docker):
#   1. Kafka 4.3.1 and OpenSearch 2.19.6 (scripts/infra.sh up);
#   2. build the `connect` host; package the Elasticsearch sink and install it the way the seed's
#      `confluent-hub install … --component-dir …/confluent-hub/plugins` does, into a separate directory;
#   3. "mount" it where the seed's compose file mounts it (…/usr/share/java/kafka-connect-elasticsearch)
#      and start the host in distributed mode from the seed's CONNECT_* variables (addresses made local);
#   4. POST the seed's connector JSON verbatim but for connection.url;
#   5. produce sample JSON product records to `coupang` and show the documents found in OpenSearch;
#   6. the used-by flow: drop a second plugin into the plugins volume, restart the host, see it in
#      /connector-plugins and the Elasticsearch connector back and RUNNING.
# Everything lives under .demo/ (git-ignored). Stop with: scripts/demo.sh stop  (servers: scripts/infra.sh down)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
D=$ROOT/.demo
REST=http://127.0.0.1:8083
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf 'demo: %s\n' "$*"; }

stop_host() {
    if [[ -f $D/connect.pid ]] && kill -0 "$(cat "$D/connect.pid")" 2>/dev/null; then
        kill -TERM "$(cat "$D/connect.pid")"
        for _ in $(seq 1 100); do kill -0 "$(cat "$D/connect.pid")" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -f "$D/connect.pid"
}
if [[ ${1:-} == stop ]]; then stop_host; say "host stopped (servers: scripts/infra.sh down)"; exit 0; fi

wait_for() { # wait_for SECONDS DESCRIPTION CMD...
    local limit=$1 what=$2; shift 2
    for _ in $(seq 1 $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    say "timed out waiting for $what; host log: $D/connect.log"; tail -20 "$D/connect.log" >&2; exit 1
}

step "1. Kafka and OpenSearch on 127.0.0.1"
scripts/infra.sh up
eval "$(scripts/infra.sh env)"

step "2. Build the host; package and install the Elasticsearch sink like confluent-hub"
cargo build --release -p connect-host
ZIP=$(scripts/package-plugin.sh elasticsearch-sink | tail -1)
say "package: ${ZIP#"$ROOT"/}"
stop_host
rm -rf "$D" && mkdir -p "$D/confluent-hub/plugins" "$D/usr/share/java"
CONNECT=$ROOT/target/release/connect
"$CONNECT" plugins install "$ZIP" --component-dir "$D/confluent-hub/plugins"
# The seed's volume: …/confluent-hub/plugins/confluentinc-kafka-connect-elasticsearch
#   → /usr/share/java/kafka-connect-elasticsearch
ln -s "$D/confluent-hub/plugins/confluentinc-kafka-connect-elasticsearch" "$D/usr/share/java/kafka-connect-elasticsearch"

step "3. Start the host in distributed mode from the seed's CONNECT_* settings"
start_host() {
    (
        # The seed's environment block, addresses made local. The three replication factors are
        # added because this demo has one broker, not the seed's three.
        export CONNECT_PLUGIN_PATH="$D/usr/share/java,$D/usr/share/java/kafka-connect-elasticsearch"
        export CONNECT_CONFIG_STORAGE_TOPIC="my_connect_configs"
        export CONNECT_OFFSET_STORAGE_TOPIC="my_connect_offsets"
        export CONNECT_STATUS_STORAGE_TOPIC="my_connect_statuses"
        export CONNECT_KEY_CONVERTER="org.apache.kafka.connect.json.JsonConverter"
        export CONNECT_VALUE_CONVERTER="org.apache.kafka.connect.json.JsonConverter"
        export CONNECT_BOOTSTRAP_SERVERS="$KAFKA_BOOTSTRAP"
        export CONNECT_REST_PORT=8083
        export CONNECT_REST_ADVERTISED_HOST_NAME="localhost"
        export CONNECT_GROUP_ID=compose-connect-group
        export CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR=1 CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR=1 CONNECT_STATUS_STORAGE_REPLICATION_FACTOR=1
        exec "$CONNECT" distributed
    ) >>"$D/connect.log" 2>&1 &
    echo $! >"$D/connect.pid"
    local t0=$EPOCHREALTIME
    wait_for 60 "the host's REST API" curl -fs "$REST/health"
    say "host ready in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}') s (pid $(cat "$D/connect.pid"), log .demo/connect.log)"
}
start_host
curl -fs "$REST/connector-plugins"; echo

step "4. POST the seed's connector (verbatim but for connection.url)"
if curl -fs "$REST/connectors/elasticsearch-sink" >/dev/null; then
    # Connectors live in Kafka (my_connect_configs): a previous demo run's is still there.
    say "removing the connector a previous demo run left in my_connect_configs"
    curl -fsS -X DELETE "$REST/connectors/elasticsearch-sink"
fi
curl -fsS -X POST "$REST/connectors" -H "Content-Type: application/json" -d '{
"name": "elasticsearch-sink",
"config": {
"connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
"tasks.max": "1",
"topics": "coupang",
"key.ignore": "true",
"schema.ignore": "true",
"connection.url": "'"$OPENSEARCH_URL"'",
"type.name": "kafka-connect",
"value.converter": "org.apache.kafka.connect.json.JsonConverter",
"value.converter.schemas.enable": "false",
"key.converter": "org.apache.kafka.connect.json.JsonConverter",
"key.converter.schemas.enable": "false"
}
}'; echo

step "5. Produce product records to 'coupang' and find them in OpenSearch"
N=200
python3 - "$N" >"$D/products.jsonl" <<'PY'
import json, random, sys
random.seed(7)
names = ["무선 이어폰", "로봇청소기", "캠핑 의자", "생수 2L x 12", "USB-C 케이블", "에어프라이어", "러닝화", "전기포트"]
for i in range(int(sys.argv[1])):
    print(json.dumps({"productId": 1000 + i, "name": random.choice(names), "price": random.randrange(3900, 399000, 100),
                      "rocketDelivery": random.random() < 0.7, "rating": round(random.uniform(3.0, 5.0), 1)}, ensure_ascii=False))
PY
before=$(curl -fs "$OPENSEARCH_URL/coupang/_count" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])' 2>/dev/null || echo 0)
java -cp "$ROOT/.infra/lib/kafka/*" -Dlog4j2.level=WARN org.apache.kafka.tools.ConsoleProducer \
    --bootstrap-server "$KAFKA_BOOTSTRAP" --topic coupang <"$D/products.jsonl" 2>/dev/null
say "produced $N records to coupang"
count() {
    curl -fs -X POST "$OPENSEARCH_URL/coupang/_refresh" >/dev/null 2>&1 || true
    curl -fs "$OPENSEARCH_URL/coupang/_count" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])' 2>/dev/null || echo 0
}
want=$((before + N))
wait_for 60 "$want documents in OpenSearch" bash -c "[ \"\$(curl -fs -X POST '$OPENSEARCH_URL/coupang/_refresh' >/dev/null; curl -fs '$OPENSEARCH_URL/coupang/_count' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"count\"])')\" = $want ]"
say "OpenSearch index coupang holds $(count) documents; two of them:"
curl -fs "$OPENSEARCH_URL/coupang/_search?size=2&sort=_id" | python3 -c '
import json, sys
for h in json.load(sys.stdin)["hits"]["hits"]:
    print("  _id=%s %s" % (h["_id"], json.dumps(h["_source"], ensure_ascii=False)))'
curl -fs "$REST/connectors/elasticsearch-sink/status"; echo

step "6. Drop a second plugin into the plugins volume and restart the host"
"$CONNECT" plugins install "$(scripts/package-plugin.sh file-sink | tail -1)" --component-dir "$D/usr/share/java"
stop_host
start_host
curl -fs "$REST/connector-plugins"; echo
wait_for 60 "the Elasticsearch connector RUNNING again" bash -c "curl -fs $REST/connectors/elasticsearch-sink/status | grep -q '\"tasks\":\[{\"id\":0,\"state\":\"RUNNING\"'"
curl -fs "$REST/connectors/elasticsearch-sink/status"; echo

step "Done"
say "the host still runs on $REST (pid $(cat "$D/connect.pid")); try: curl $REST/connectors?expand=status"
say "stop it: scripts/demo.sh stop    stop the servers: scripts/infra.sh down"

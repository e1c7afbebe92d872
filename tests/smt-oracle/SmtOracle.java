// The Java side of the SMT oracle table (host/data/tests/smt_oracle.rs): runs each case of
// cases.json through Kafka Connect's own transformations and predicates (the jars the Java peer
// runs, from .infra/lib/connect) the way a sink task does, and prints one JSON line per case.
//
// A case's record goes in as Kafka bytes: key and value in JsonConverter's schemas.enable=true
// envelope, headers as text read by SimpleHeaderConverter (Kafka's default header converter).
// What comes out is printed the same way, headers as envelopes, so the two sides compare exactly.
// A case with "header_converter" reads its headers with that class instead (configured with its
// settings, as header.converter.* configures it) and also prints each output header written back
// with it ("header_bytes"), as a source task would produce it.
//
// Usage: java -cp '.infra/lib/connect/*:<classes>' SmtOracle cases.json
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

public class SmtOracle {
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        JsonNode cases = JSON.readTree(new File(args[0]));
        JsonConverter keys = converter(true);
        JsonConverter values = converter(false);
        SimpleHeaderConverter headerIn = new SimpleHeaderConverter();
        for (JsonNode c : cases) {
            ObjectNode out = JSON.createObjectNode();
            out.put("name", c.get("name").asText());
            try {
                run(c, keys, values, headerIn, out);
            } catch (Exception e) {
                out.removeAll();
                out.put("name", c.get("name").asText());
                out.put("error", String.valueOf(e.getMessage()));
            }
            System.out.println(JSON.writeValueAsString(out));
        }
    }

    static JsonConverter converter(boolean isKey) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", "true"), isKey);
        return c;
    }

    static byte[] bytes(JsonNode envelope) throws Exception {
        return envelope == null || envelope.isNull() ? null : JSON.writeValueAsBytes(envelope);
    }

    static JsonNode envelope(JsonConverter c, String topic, SchemaAndValue d) throws Exception {
        byte[] b = c.fromConnectData(topic, d.schema(), d.value());
        return b == null ? JSON.nullNode() : JSON.readTree(b);
    }

    /** The props under `prefix` with it stripped, as ConnectorConfig gives a transformation. */
    static Map<String, String> under(JsonNode props, String prefix) {
        Map<String, String> m = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith(prefix)) m.put(e.getKey().substring(prefix.length()), e.getValue().asText());
        }
        return m;
    }

    static List<String> aliases(JsonNode props, String key) {
        List<String> l = new ArrayList<>();
        JsonNode v = props.get(key);
        if (v == null) return l;
        for (String a : v.asText().split(",")) if (!a.trim().isEmpty()) l.add(a.trim());
        return l;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void run(JsonNode c, JsonConverter keys, JsonConverter values, HeaderConverter headerIn,
                    ObjectNode out) throws Exception {
        JsonNode props = c.get("config");
        HeaderConverter headerOut = null;
        if (c.has("header_converter")) {
            JsonNode hc = c.get("header_converter");
            headerIn = (HeaderConverter) Class.forName(hc.get("class").asText()).getDeclaredConstructor().newInstance();
            // As the worker's Plugins.newHeaderConverter configures one.
            Map<String, String> settings = under(hc.get("settings"), "");
            settings.put("converter.type", "header");
            headerIn.configure(settings);
            headerOut = headerIn;
        }
        JsonNode r = c.get("record");
        String topic = r.get("topic").asText();
        SchemaAndValue key = keys.toConnectData(topic, bytes(r.get("key")));
        SchemaAndValue value = values.toConnectData(topic, bytes(r.get("value")));
        ConnectHeaders headers = new ConnectHeaders();
        if (r.has("headers")) {
            for (JsonNode h : r.get("headers")) {
                String k = h.get(0).asText();
                byte[] hb = h.get(1).isNull() ? null : h.get(1).asText().getBytes(StandardCharsets.UTF_8);
                SchemaAndValue hv = headerIn.toConnectHeader(topic, k, hb);
                headers.add(k, hv);
            }
        }
        Long ts = r.has("timestamp") && !r.get("timestamp").isNull() ? r.get("timestamp").asLong() : null;
        SinkRecord record = new SinkRecord(topic, r.get("partition").asInt(), key.schema(), key.value(),
                value.schema(), value.value(), r.get("offset").asLong(), ts,
                ts == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME, headers);

        Map<String, Predicate> predicates = new HashMap<>();
        for (String alias : aliases(props, "predicates")) {
            Map<String, String> p = under(props, "predicates." + alias + ".");
            Predicate pred = (Predicate) Class.forName(p.get("type")).getDeclaredConstructor().newInstance();
            pred.configure(p);
            predicates.put(alias, pred);
        }
        for (String alias : aliases(props, "transforms")) {
            Map<String, String> t = under(props, "transforms." + alias + ".");
            Transformation tr = (Transformation) Class.forName(t.get("type")).getDeclaredConstructor().newInstance();
            tr.configure(t);
            // Kafka's TransformationStage: run unless a predicate's answer equals negate.
            String p = t.get("predicate");
            boolean negate = Boolean.parseBoolean(t.getOrDefault("negate", "false"));
            if (p != null && predicates.get(p).test(record) == negate) continue;
            record = (SinkRecord) tr.apply(record);
            if (record == null) {
                out.put("dropped", true);
                return;
            }
        }
        out.put("topic", record.topic());
        out.put("partition", record.kafkaPartition());
        if (record.timestamp() == null) out.putNull("timestamp"); else out.put("timestamp", record.timestamp());
        out.set("key", envelope(keys, record.topic(), new SchemaAndValue(record.keySchema(), record.key())));
        out.set("value", envelope(values, record.topic(), new SchemaAndValue(record.valueSchema(), record.value())));
        ArrayNode hs = out.putArray("headers");
        for (Header h : record.headers()) {
            ArrayNode pair = hs.addArray();
            pair.add(h.key());
            pair.add(envelope(values, record.topic(), new SchemaAndValue(h.schema(), h.value())));
        }
        if (headerOut != null) {
            ArrayNode written = out.putArray("header_bytes");
            for (Header h : record.headers()) {
                byte[] b = headerOut.fromConnectHeader(record.topic(), h.key(), h.schema(), h.value());
                written.add(b == null ? null : new String(b, StandardCharsets.UTF_8));
            }
        }
    }
}

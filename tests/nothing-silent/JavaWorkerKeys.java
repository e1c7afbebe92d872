// Prints every worker key Kafka Connect defines, as "distributed KEY" and "standalone KEY"
// lines: the keys of DistributedConfig and StandaloneConfig (their ConfigDefs' names), read
// from a config built with the required settings only. Run against the Java peer's jars by
// host tests e2e `nothing_silent`.
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;

public class JavaWorkerKeys {
    public static void main(String[] args) {
        Map<String, String> common = new HashMap<>();
        common.put("bootstrap.servers", "127.0.0.1:9092");
        common.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        common.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");

        Map<String, String> distributed = new HashMap<>(common);
        distributed.put("group.id", "g");
        distributed.put("config.storage.topic", "c");
        distributed.put("offset.storage.topic", "o");
        distributed.put("status.storage.topic", "s");
        for (String key : new TreeSet<>(new DistributedConfig(distributed).values().keySet())) {
            System.out.println("distributed " + key);
        }

        Map<String, String> standalone = new HashMap<>(common);
        standalone.put("offset.storage.file.filename", "offsets.txt");
        for (String key : new TreeSet<>(new StandaloneConfig(standalone).values().keySet())) {
            System.out.println("standalone " + key);
        }
    }
}

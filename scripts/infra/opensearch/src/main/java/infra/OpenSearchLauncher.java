package infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * Runs a single OpenSearch 2.x node from a flat classpath (no distribution, no plugins folder).
 *
 * <p>Usage: {@code OpenSearchLauncher <home> <httpPort> <transportPort>}. Bootstrap checks do not run for a
 * node constructed this way, so vm.max_map_count and fd limits do not matter. Extra classpath plugins can be
 * named in {@code -Dinfra.extraPlugins=a.B,c.D}. SIGTERM closes the node through a shutdown hook.
 */
public final class OpenSearchLauncher {
    /** The plugin-taking constructor is protected. 2.x takes classes; 3.1+ takes PluginInfo. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    @SuppressWarnings("unchecked")
    static Class<? extends Plugin> pluginClass(String... names) {
        for (String n : names) {
            try {
                return (Class<? extends Plugin>) Class.forName(n);
            } catch (ClassNotFoundException ignored) {
                // try the next name
            }
        }
        throw new IllegalStateException("no plugin class among " + String.join(", ", names));
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args.length > 0 ? args[0] : "opensearch-home").toAbsolutePath();
        int http = args.length > 1 ? Integer.parseInt(args[1]) : 9200;
        int transport = args.length > 2 ? Integer.parseInt(args[2]) : http + 100;
        for (String d : List.of("config", "data", "logs")) {
            Files.createDirectories(home.resolve(d));
        }
        Settings settings = Settings.builder()
            .put("cluster.name", "connect-infra")
            .put("node.name", "node-0")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", http)
            .put("transport.port", transport)
            .put("discovery.type", "single-node")
            // No read-only blocks when the disk fills up (CI hosts can be short of space).
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), home.resolve("config"), () -> "node-0");
        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        plugins.add(pluginClass("org.opensearch.transport.Netty4Plugin", "org.opensearch.transport.Netty4ModulePlugin"));
        for (String extra : System.getProperty("infra.extraPlugins", "").split(",")) {
            if (!extra.isBlank()) {
                plugins.add(pluginClass(extra.trim()));
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        try {
            Node node = new EmbeddedNode(env, plugins);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                    node.awaitClose(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    e.printStackTrace();
                }
                done.countDown();
            }, "opensearch-shutdown"));
            node.start(); // HTTP is bound when this returns
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // node threads are non-daemon: exit explicitly
        }
        System.out.println("OPENSEARCH_READY http://127.0.0.1:" + http);
        done.await();
    }
}

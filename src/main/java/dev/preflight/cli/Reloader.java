package dev.preflight.cli;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file (O4): on a valid change the proxy takes the new policy and routes for new
 * requests; an invalid file is logged with every problem and the running policy stays; an unchanged
 * file (same hash) does nothing. Settings that only a restart can change are reported as such.
 */
public final class Reloader {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);

    private final Path file;
    private final Map<String, String> env;
    private final ProxyServer server;
    private final ProxyMetrics metrics;
    private final AtomicReference<Settings> current;

    public Reloader(Path file, Map<String, String> env, ProxyServer server, ProxyMetrics metrics, Settings initial) {
        this.file = file;
        this.env = env;
        this.server = server;
        this.metrics = metrics;
        this.current = new AtomicReference<>(initial);
        metrics.reloadsAtZero();
        metrics.configInForce(initial.hash(), initial.loadedAt());
    }

    /** The settings in force. */
    public Settings current() {
        return current.get();
    }

    /**
     * Reloads now; safe to call from any thread (reloads are serialised). An unchanged file is not
     * counted as a reload.
     */
    public synchronized void reload(String trigger) {
        Settings next;
        try {
            next = ConfigLoader.load(file, env);
        } catch (InvalidConfigException e) {
            metrics.reload(false);
            log.error(
                    "reload ({}) of {} refused, the running policy stays:\n  {}",
                    trigger,
                    file,
                    String.join(
                            "\n  ", e.problems().stream().map(p -> p.render()).toList()));
            return;
        }
        Settings previous = current.get();
        if (next.hash().equals(previous.hash())) {
            log.debug("reload ({}): {} unchanged", trigger, file);
            return;
        }
        next.warnings().forEach(w -> log.warn("{}", w.render()));
        for (String key : needRestart(previous, next)) {
            log.warn("reload ({}): {} changed, which takes effect only after a restart", trigger, key);
        }
        server.reload(next);
        current.set(next);
        metrics.reload(true);
        metrics.configInForce(next.hash(), next.loadedAt());
        log.info("reload ({}): {} applied, config hash {}", trigger, file, next.hash());
    }

    private static List<String> needRestart(Settings a, Settings b) {
        List<String> keys = new ArrayList<>();
        if (!a.listen().equals(b.listen())) {
            keys.add("preflight.listen");
        }
        if (!a.admin().equals(b.admin())) {
            keys.add("preflight.admin");
        }
        if (a.limits().maxConnections() != b.limits().maxConnections()) {
            keys.add("preflight.limits.max-connections");
        }
        if (!a.accessLog().equals(b.accessLog())) {
            keys.add("preflight.access-log");
        }
        if (!a.reload().equals(b.reload())) {
            keys.add("preflight.reload");
        }
        return keys;
    }
}

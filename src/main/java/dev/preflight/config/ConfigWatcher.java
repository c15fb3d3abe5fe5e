package dev.preflight.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the config file's directory and calls back, debounced, after anything in it changes (O4).
 * Watching the directory rather than the file catches every way a file gets replaced: written in
 * place, an editor's new file renamed over the old one, and a Kubernetes ConfigMap, where the file is
 * a symlink through {@code ..data} and {@code ..data} itself is swapped atomically. The callback
 * decides whether the content really changed. Changes to other files in the directory are ignored
 * ({@link #relevant}).
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final WatchService watcher;
    private final ScheduledExecutorService debouncer;
    private final Thread thread;
    private ScheduledFuture<?> pending;

    private final String configName;

    private ConfigWatcher(Path dir, String configName, Duration debounce, Runnable onChange) throws IOException {
        this.configName = configName;
        this.watcher = FileSystems.getDefault().newWatchService();
        dir.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.debouncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "preflight-reload");
            t.setDaemon(true);
            return t;
        });
        this.thread =
                Thread.ofPlatform().name("preflight-config-watch").daemon().start(() -> watch(debounce, onChange));
    }

    /** Starts watching the directory of {@code file}; {@code onChange} runs on a thread of its own. */
    public static ConfigWatcher start(Path file, Duration debounce, Runnable onChange) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        return new ConfigWatcher(absolute.getParent(), absolute.getFileName().toString(), debounce, onChange);
    }

    private void watch(Duration debounce, Runnable onChange) {
        while (true) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            boolean relevant = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                relevant |= relevant(event, configName);
            }
            if (relevant) {
                schedule(debounce, onChange); // the callback compares content
            }
            if (!key.reset()) {
                log.warn("the config directory can no longer be watched; reload with SIGHUP");
                return;
            }
        }
    }

    /**
     * The config file itself, a Kubernetes ConfigMap's {@code ..data} and its timestamped directories,
     * a file HOCON could include (.conf, .json, .properties), or a certificate file an
     * {@code upstream.ca-file} may name (.pem, .crt); anything else in the directory (a log written
     * next to the config, say) would only cost a reload's CPU and keep pushing it back.
     */
    static boolean relevant(WatchEvent<?> event, String configName) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path changed)) {
            return true; // events were lost: look anyway
        }
        String name = changed.getFileName().toString();
        return name.equals(configName)
                || name.startsWith("..")
                || name.endsWith(".conf")
                || name.endsWith(".json")
                || name.endsWith(".properties")
                || name.endsWith(".pem")
                || name.endsWith(".crt");
    }

    private synchronized void schedule(Duration debounce, Runnable onChange) {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = debouncer.schedule(
                () -> {
                    try {
                        onChange.run();
                    } catch (RuntimeException e) {
                        log.error("reload failed", e);
                    }
                },
                debounce.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
        debouncer.shutdownNow();
    }
}

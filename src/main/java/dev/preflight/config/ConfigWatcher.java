package dev.preflight.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
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
 * decides whether the content really changed.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final WatchService watcher;
    private final ScheduledExecutorService debouncer;
    private final Thread thread;
    private ScheduledFuture<?> pending;

    private ConfigWatcher(Path dir, Duration debounce, Runnable onChange) throws IOException {
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
        Path dir = file.toAbsolutePath().normalize().getParent();
        return new ConfigWatcher(dir, debounce, onChange);
    }

    private void watch(Duration debounce, Runnable onChange) {
        while (true) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            key.pollEvents(); // which entry changed does not matter: the callback compares content
            schedule(debounce, onChange);
            if (!key.reset()) {
                log.warn("the config directory can no longer be watched; reload with SIGHUP");
                return;
            }
        }
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

package dev.preflight.cli;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigSources;
import dev.preflight.config.ConfigWatcher;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
    private static final long FIRST_RETRY_MILLIS = 1000;
    private static final long MAX_RETRY_MILLIS = 30_000;

    /** The trigger of a reload the file watcher asked for. */
    public static final String FILE_CHANGE = "file change";

    private final Path file;
    private final Map<String, String> env;
    private final ProxyServer server;
    private final ProxyMetrics metrics;
    private final AtomicReference<Settings> current;
    private final Settings started;
    private boolean lastRefused; // the last reload was refused; read and written in reload(), which is synchronized
    private String lastProblems = ""; // what it was refused for
    private int lastRefusedFile; // and the content of the file then (its hash code)
    // A file that could not be read at all (no descriptor left, missing while being replaced) is read
    // again, 1 s later and then up to every 30 s, until it can be: no further edit or SIGHUP may come,
    // and the valid policy on disk would otherwise never be applied (found by probing).
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().name("preflight-reload-retry").daemon().unstarted(task));
    private ScheduledFuture<?> retry; // guarded by this
    private long retryMillis;
    private ConfigSources read; // what the last load in force read besides the file; guarded by this
    private volatile ConfigWatcher watcher; // null until watch(), or when not watching

    public Reloader(Path file, Map<String, String> env, ProxyServer server, ProxyMetrics metrics, Settings initial) {
        this(file, env, server, metrics, initial, new ConfigSources());
    }

    /** @param read what {@code initial}'s load read besides {@code file} (ConfigLoader.load) */
    public Reloader(
            Path file,
            Map<String, String> env,
            ProxyServer server,
            ProxyMetrics metrics,
            Settings initial,
            ConfigSources read) {
        this.read = read;
        this.file = file;
        this.env = env;
        this.server = server;
        this.metrics = metrics;
        this.current = new AtomicReference<>(initial);
        this.started = initial;
        metrics.reloadsAtZero();
        metrics.configInForce(initial.hash(), initial.loadedAt());
    }

    /** The file's content as a hash code, or 0 when it cannot be read. */
    private int contentHash() {
        try {
            return Arrays.hashCode(Files.readAllBytes(file));
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * With {@code reload.watch}, watches the config file's directory for changes, and those of the
     * files it reads besides (what it includes, its {@code ca-file}s, as each load finds them), and
     * reloads after them; null when not watching. {@code SIGHUP} reloads either way.
     */
    public synchronized ConfigWatcher watch(Duration debounce) {
        if (!started.reload().watch()) {
            return null;
        }
        try {
            ConfigWatcher watching = ConfigWatcher.start(file, debounce, () -> reload(FILE_CHANGE));
            watching.follow(read.files());
            watcher = watching;
            return watching;
        } catch (IOException e) {
            log.warn("cannot watch {} ({}); reload with SIGHUP", file, e.toString());
            return null;
        }
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
        reload(trigger, false);
    }

    private synchronized void reload(String trigger, boolean retrying) {
        if (retrying) {
            retry = null;
        } else if (retry != null) {
            retry.cancel(false); // this read supersedes it
            retry = null;
        }
        Settings next;
        ConfigSources sources = new ConfigSources();
        try {
            next = ConfigLoader.reload(file, env, sources, read.withKeys());
        } catch (InvalidConfigException e) {
            follow(sources.files()); // an include added with a mistake in it: its fix must be seen too
            if (e.unreadable()) {
                retryMillis = retrying ? Math.min(2 * retryMillis, MAX_RETRY_MILLIS) : FIRST_RETRY_MILLIS;
                retry = retries.schedule(
                        () -> reload("retry of an unreadable file", true), retryMillis, TimeUnit.MILLISECONDS);
            }
            if (retrying && e.unreadable()) {
                log.debug("reload retry: {} still cannot be read", file);
                return; // counted and logged once, at the failure that started the retries
            }
            String problems = String.join(
                    "\n  ", e.problems().stream().map(p -> p.render()).toList());
            int content = contentHash();
            if (lastRefused
                    && trigger.equals(FILE_CHANGE)
                    && problems.equals(lastProblems)
                    && content == lastRefusedFile) {
                // The same file refused for the same problems: another file in the directory changed
                // (an editor's swap file), not this one. Counted and logged once (found by probing: 19
                // failures counted for 6 invalid edits).
                log.debug("reload ({}) of {}: unchanged, still refused", trigger, file);
                return;
            }
            metrics.reload(false);
            lastRefused = true;
            lastProblems = problems;
            lastRefusedFile = content;
            log.error(
                    "reload ({}) of {} refused, the running policy stays:\n  {}",
                    trigger,
                    file,
                    problems + (e.unreadable() ? "\n  (read again every few seconds until it can be read)" : ""));
            return;
        }
        follow(sources.files());
        read = sources;
        Settings previous = current.get();
        if (next.hash().equals(previous.hash())) {
            if (lastRefused) {
                // The refused edit is undone: said at the level the refusal was, or the log's last
                // word on the file would stay the error.
                lastRefused = false;
                log.info(
                        "reload ({}): {} is valid again, the same as the policy in force (config hash {})",
                        trigger,
                        file,
                        previous.hash());
            } else {
                log.debug("reload ({}): {} unchanged", trigger, file);
            }
            return;
        }
        lastRefused = false;
        next.warnings().forEach(w -> log.warn("{}", w.render()));
        // Against what the process started with, which is what these are still bound to, whatever
        // reloads came in between.
        for (String key : next.restartNeeded(started)) {
            log.warn(
                    "reload ({}): {} differs from what the proxy started with and takes effect only after a restart",
                    trigger,
                    key);
        }
        server.reload(next);
        current.set(next);
        metrics.reload(true);
        metrics.configInForce(next.hash(), next.loadedAt());
        log.info("reload ({}): {} applied, config hash {}", trigger, file, next.hash());
    }

    private void follow(Set<Path> files) {
        ConfigWatcher watching = watcher;
        if (watching != null) {
            watching.follow(files);
        }
    }
}

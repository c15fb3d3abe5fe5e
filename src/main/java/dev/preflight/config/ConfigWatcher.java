package dev.preflight.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * ({@link #relevant}). The directories of the other files the configuration is read from (files it
 * includes from elsewhere, a {@code ca-file}) are watched as well once they are {@link #follow}ed,
 * for those files alone (and a ConfigMap's {@code ..data} there). Every directory watched is looked
 * at every second for its replacement, or its making when it was not there ({@link #REPLACED_CHECK}).
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final WatchService watcher;
    private final ScheduledExecutorService debouncer;
    private final Thread thread;
    private ScheduledFuture<?> pending;
    private long pendingSince; // System.nanoTime() of the change that pending waits for first

    /**
     * Changes that keep coming (a file written every 100 ms beside the config) push a reload back by
     * the debounce each, but not beyond this: a reload waited for as long as they came (found by
     * probing: 8 s of a state file written beside the config held an edit back for 8 s).
     */
    static final Duration MAX_DELAY = Duration.ofSeconds(1);

    /**
     * How often the config directory is looked at for its own replacement (moved away or deleted, and
     * made again): its key follows the old directory, not the name. Looked at rather than its parent
     * watched, which would wake the watcher for every write of a file there (a log beside the config
     * directory: about half a microsecond per request under load, issue 7).
     */
    static final Duration REPLACED_CHECK = Duration.ofSeconds(1);

    private final Path configDir;
    private final String configName;
    private final Duration debounce;
    private final Runnable onChange;
    // Every directory watched, the config's and those of the other files it reads; added to by
    // follow() on the reloading thread, read by the watching one and checkReplaced().
    private final Map<Path, Watched> watched = new ConcurrentHashMap<>();

    /**
     * A directory watched: its key and identity (device and inode) when registered, both null while it
     * is not there; the names of the files followed in it (besides the config directory's own rules).
     */
    private static final class Watched {
        final Set<String> names = ConcurrentHashMap.newKeySet();
        volatile WatchKey key;
        volatile Object identity;
    }

    private ConfigWatcher(Path dir, String configName, Duration debounce, Runnable onChange) throws IOException {
        this.configDir = dir;
        this.configName = configName;
        this.debounce = debounce;
        this.onChange = onChange;
        this.watcher = FileSystems.getDefault().newWatchService();
        Watched config = new Watched();
        config.identity = identity(dir);
        config.key = register(dir);
        watched.put(dir, config);
        this.debouncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "preflight-reload");
            t.setDaemon(true);
            return t;
        });
        long every = REPLACED_CHECK.toMillis();
        debouncer.scheduleWithFixedDelay(this::checkReplaced, every, every, TimeUnit.MILLISECONDS);
        this.thread =
                Thread.ofPlatform().name("preflight-config-watch").daemon().start(this::watch);
    }

    /** Starts watching the directory of {@code file}; {@code onChange} runs on a thread of its own. */
    public static ConfigWatcher start(Path file, Duration debounce, Runnable onChange) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        return new ConfigWatcher(absolute.getParent(), absolute.getFileName().toString(), debounce, onChange);
    }

    private WatchKey register(Path dir) throws IOException {
        return dir.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    /**
     * Watches the directories of {@code files} too, for changes to those files: files the
     * configuration includes, a {@code ca-file}, the file a linked config file leads to, wherever they
     * are (in the config's own directory too, whatever their names). Directories are only added (a file
     * no longer read costs a reload that finds nothing changed); one that is not there yet is watched
     * once it is ({@link #checkReplaced}).
     */
    public synchronized void follow(Collection<Path> files) {
        for (Path file : files) {
            Path dir = file.getParent();
            if (dir == null) {
                continue;
            }
            Watched directory = watched.computeIfAbsent(dir, d -> {
                Watched added = new Watched();
                rewatch(d, added);
                return added;
            });
            directory.names.add(file.getFileName().toString());
        }
    }

    /** Another path still watches through {@code key} (one directory, two paths: a link to it). */
    private boolean held(WatchKey key) {
        return watched.values().stream().anyMatch(directory -> directory.key == key);
    }

    /**
     * Registers {@code dir} when it is there and not registered yet, or was replaced since it was;
     * true when it was registered now.
     */
    private boolean rewatch(Path dir, Watched directory) {
        Object identity = identity(dir);
        if (identity == null || identity.equals(directory.identity) && directory.key != null) {
            return false; // not there (looked at again in a second), or the same
        }
        try {
            WatchKey next = register(dir);
            WatchKey previous = directory.key;
            directory.key = next;
            directory.identity = identity;
            if (previous != null && previous != next && !held(previous)) {
                previous.cancel(); // it followed the old directory wherever it went
            }
            return true;
        } catch (IOException | ClosedWatchServiceException e) {
            log.debug("cannot watch {} ({}); looked at again in a second", dir, e.toString());
            return false;
        }
    }

    private void watch() {
        while (true) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            // Two paths to one directory (a link to it) share its key: each one's files count. A key
            // no path holds is a replaced directory's old one, cancelled: what it saw is not ours.
            List<WatchEvent<?>> events = key.pollEvents();
            boolean relevant = false;
            for (Map.Entry<Path, Watched> entry : watched.entrySet()) {
                if (entry.getValue().key == key) {
                    boolean ofConfigDir = entry.getKey().equals(configDir);
                    for (WatchEvent<?> event : events) {
                        relevant |=
                                ofConfigDir && relevant(event, configName) || relevant(event, entry.getValue().names);
                    }
                }
            }
            if (relevant) {
                schedule(); // the callback compares content
            }
            if (!key.reset()) {
                forget(key);
            }
        }
    }

    /** The directory behind {@code key} was deleted: every path to it is watched again once it is back. */
    private synchronized void forget(WatchKey key) {
        for (Map.Entry<Path, Watched> entry : watched.entrySet()) {
            if (entry.getValue().key == key) {
                // A new one may even get its inode number again, so none is known now.
                entry.getValue().identity = null;
                entry.getValue().key = null;
                if (entry.getKey().equals(configDir)) {
                    log.warn("the config directory went; it is watched again once it is made again");
                }
            }
        }
    }

    /** The directory's identity (device and inode), or null when it is not there or has none. */
    private static Object identity(Path dir) {
        try {
            return Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * A directory watched that was replaced (moved away or deleted, and made again: a deploy tool's
     * swap, a symbolic link to it pointed elsewhere), or made only now, is watched instead of the
     * old one, whose key followed it wherever it went and saw no later edit (found by probing); and
     * the files in it are read.
     */
    private synchronized void checkReplaced() {
        boolean replaced = false;
        for (Map.Entry<Path, Watched> entry : watched.entrySet()) {
            if (rewatch(entry.getKey(), entry.getValue())) {
                log.info("{} was replaced or made; watching the new one", entry.getKey());
                replaced = true;
            }
        }
        if (replaced) {
            schedule();
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

    /** A file followed in the directory, or a ConfigMap's {@code ..data} and its directories. */
    static boolean relevant(WatchEvent<?> event, Set<String> names) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path changed)) {
            return true;
        }
        String name = changed.getFileName().toString();
        return names.contains(name) || name.startsWith("..");
    }

    private synchronized void schedule() {
        long now = System.nanoTime();
        if (pending != null && !pending.isDone()) {
            if (now - pendingSince >= MAX_DELAY.toNanos()) {
                return; // pushed back long enough: it runs within the debounce, and sees this change too
            }
            pending.cancel(false);
        } else {
            pendingSince = now;
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

package dev.preflight.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What a load read besides the config file itself, for hot reload (O4): the files whose directories
 * the watcher follows (what the file includes, its {@code ca-file}s, the file a linked config file
 * leads to), and which of the included files had no key at all, or were not there. Filled by
 * {@link ConfigLoader} on the thread that loads.
 */
public final class ConfigSources {
    private final Set<Path> files = new HashSet<>();
    private final Set<Path> keylessIncludes = new HashSet<>();

    /** The files read besides the config file, absolute; an included one that is not there yet too. */
    public Set<Path> files() {
        return files;
    }

    /** Included files that hold no key (empty, or blanks and comments alone) or are not there. */
    Set<Path> keylessIncludes() {
        return keylessIncludes;
    }

    /**
     * The files read that were not keyless includes: an included one among them found without a key
     * at the next reload is taken for a file being written ({@link ConfigLoader#reload}).
     */
    public Set<Path> withKeys() {
        Set<Path> withKeys = new HashSet<>(files);
        withKeys.removeAll(keylessIncludes);
        return withKeys;
    }
}

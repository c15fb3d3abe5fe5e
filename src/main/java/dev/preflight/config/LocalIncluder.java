package dev.preflight.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseable;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HOCON's includes, less the network: {@code include url("http://...")}, or a bare {@code include
 * "https://..."} that HOCON would read as one, is refused. Validating a file ({@code check} in CI, a
 * reload) fetched it, let a server decide the policy, and hung for as long as that server held the
 * connection (found by fuzzing). Files and class-path resources are included as HOCON includes them,
 * and the files are noted, so that hot reload can watch their directories too (O4).
 */
final class LocalIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    private final ConfigIncluder fallback;
    private final ConfigSources sources;
    private final Path configFile;

    /**
     * @param sources gets every file an include names, absolute, whether it exists or not, and those
     *     that hold no key or are not there
     * @param configFile the config file, absolute, or null: a relative include it makes (or a file in
     *     its directory makes) of a file not there is noted in that directory (HOCON tells only of
     *     files that exist; one made from another directory's included file is not noted while missing)
     */
    LocalIncluder(ConfigSources sources, Path configFile) {
        this(null, sources, configFile);
    }

    private LocalIncluder(ConfigIncluder fallback, ConfigSources sources, Path configFile) {
        this.fallback = fallback;
        this.sources = sources;
        this.configFile = configFile;
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder next) {
        return new LocalIncluder(fallback == null ? next : fallback.withFallback(next), sources, configFile);
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        if (remote(what)) {
            throw refused(what);
        }
        // HOCON tries a name with its extension as it is, one without as .conf, .json, .properties; a
        // name that is no file beside the including one (a class-path resource) has no file name.
        List<File> files = new ArrayList<>(1);
        String[] names = what.endsWith(".conf") || what.endsWith(".json") || what.endsWith(".properties")
                ? new String[] {what}
                : new String[] {what, what + ".conf", what + ".json", what + ".properties"};
        for (String name : names) {
            ConfigParseable sibling = context.relativeTo(name);
            ConfigOrigin origin = sibling == null ? null : sibling.origin();
            if (origin != null && origin.filename() != null) {
                files.add(new File(origin.filename()));
            }
        }
        if (files.isEmpty() && !new File(what).isAbsolute() && fromConfigDirectory(context)) {
            for (String name : names) {
                files.add(configFile.resolveSibling(name).toFile()); // none there (yet, or any more)
            }
        }
        return noted(files, fallback.include(context, what));
    }

    /**
     * The including file is in the config file's directory: relative names resolve there, as the
     * config file's own name does (found by probing: a nested include's missing file was noted beside
     * the config file, a healthy one there taken for gone and every reload refused).
     */
    private boolean fromConfigDirectory(ConfigIncludeContext context) {
        if (configFile == null) {
            return false;
        }
        ConfigParseable self = context.relativeTo(configFile.getFileName().toString());
        String name =
                self == null || self.origin() == null ? null : self.origin().filename();
        return name != null && Path.of(name).toAbsolutePath().normalize().equals(configFile);
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL url) {
        if (!"file".equalsIgnoreCase(url.getProtocol())) {
            throw refused(url.toString());
        }
        File file;
        try {
            file = new File(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file name this system has: HOCON's own include says what is wrong with it
            return ((ConfigIncluderURL) fallback).includeURL(context, url);
        }
        return noted(List.of(file), ((ConfigIncluderURL) fallback).includeURL(context, url));
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File file) {
        return noted(List.of(file), ((ConfigIncluderFile) fallback).includeFile(context, file));
    }

    /**
     * Notes the files an include named, and, when what they gave holds no key, those that are empty or
     * not there (HOCON drops a missing include without a word).
     */
    private ConfigObject noted(List<File> files, ConfigObject included) {
        for (File file : files) {
            try {
                Path path = file.toPath().toAbsolutePath().normalize();
                sources.files().add(path);
                if (included.isEmpty() && (file.isFile() || !file.exists())) {
                    sources.keylessIncludes().add(path);
                }
            } catch (InvalidPathException e) {
                // a NUL in the name: HOCON's own include fails on it
            }
        }
        return included;
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        return ((ConfigIncluderClasspath) fallback).includeResources(context, what);
    }

    /** What HOCON's heuristic include would fetch as a URL: anything with a scheme other than file. */
    private static boolean remote(String what) {
        try {
            String scheme = URI.create(what).getScheme();
            return scheme != null
                    && scheme.length() > 1
                    && !scheme.toLowerCase(Locale.ROOT).equals("file");
        } catch (IllegalArgumentException notAUri) {
            return false;
        }
    }

    private static ConfigException refused(String what) {
        return new ConfigException.Generic(
                "include of " + what + " refused: preflight reads its config from files only, never the network");
    }
}

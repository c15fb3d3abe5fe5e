package dev.preflight.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.util.Locale;

/**
 * HOCON's includes, less the network: {@code include url("http://...")}, or a bare {@code include
 * "https://..."} that HOCON would read as one, is refused. Validating a file ({@code check} in CI, a
 * reload) fetched it, let a server decide the policy, and hung for as long as that server held the
 * connection (found by fuzzing). Files and class-path resources are included as HOCON includes them.
 */
final class LocalIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    private final ConfigIncluder fallback;

    LocalIncluder() {
        this(null);
    }

    private LocalIncluder(ConfigIncluder fallback) {
        this.fallback = fallback;
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder next) {
        return fallback == null ? new LocalIncluder(next) : new LocalIncluder(fallback.withFallback(next));
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        if (remote(what)) {
            throw refused(what);
        }
        return fallback.include(context, what);
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL url) {
        if (!"file".equalsIgnoreCase(url.getProtocol())) {
            throw refused(url.toString());
        }
        return ((ConfigIncluderURL) fallback).includeURL(context, url);
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File file) {
        return ((ConfigIncluderFile) fallback).includeFile(context, file);
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

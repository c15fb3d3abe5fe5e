package dev.preflight.config;

import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The whole effective configuration, immutable, mapped eagerly from {@code reference.conf} plus the
 * user's file plus environment overrides. Built only by {@link ConfigLoader}.
 *
 * @param file the file it was loaded from, empty when only defaults were used
 * @param hash SHA-256 (hex) of the effective configuration, for {@code /config} and metrics
 * @param loadedAt when it was loaded
 * @param cors the default policy as written
 * @param corsPolicy the default policy, compiled: the one requests use when no route matches
 * @param routes in file order; the first match wins, none matches means the defaults
 * @param warnings what is allowed but risky (V4), in file order, for {@code preflight check} and the
 *     log; a configuration with errors is never loaded
 * @param effectiveJson the resolved {@code preflight} object as JSON (defaults, file and environment
 *     merged), for the admin server's {@code /config}; the config package renders it so that no other
 *     package needs Typesafe Config
 */
public record Settings(
        Optional<Path> file,
        String hash,
        Instant loadedAt,
        ListenSettings listen,
        AdminSettings admin,
        UpstreamSettings upstream,
        CorsSettings cors,
        CorsPolicy corsPolicy,
        List<RouteSettings> routes,
        LimitsSettings limits,
        FetchMetadataSettings fetchMetadata,
        ForwardedSettings forwarded,
        DebugSettings debug,
        AccessLogSettings accessLog,
        ReloadSettings reload,
        ShutdownSettings shutdown,
        List<ConfigProblem> warnings,
        String effectiveJson) {

    public Settings {
        routes = List.copyOf(routes);
        warnings = List.copyOf(warnings);
    }

    /**
     * The keys whose values here differ from {@code running}'s in what only a restart can change: the
     * addresses bound, the connection budget, the access log's appender and the watcher (O4). Empty
     * when these settings could replace {@code running}'s whole.
     */
    public List<String> restartNeeded(Settings running) {
        List<String> keys = new ArrayList<>();
        if (!listen.equals(running.listen)) {
            keys.add("preflight.listen");
        }
        if (!admin.equals(running.admin)) {
            keys.add("preflight.admin");
        }
        if (limits.maxConnections() != running.limits.maxConnections()) {
            keys.add("preflight.limits.max-connections");
        }
        if (!accessLog.equals(running.accessLog)) {
            keys.add("preflight.access-log");
        }
        if (!reload.equals(running.reload)) {
            keys.add("preflight.reload");
        }
        return keys;
    }
}

package dev.preflight.config;

import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The whole effective configuration, immutable, mapped eagerly from {@code reference.conf} plus the
 * user's file plus environment overrides. Built only by {@link ConfigLoader}.
 *
 * @param file the file it was loaded from, empty when only defaults were used
 * @param hash SHA-256 (hex) of the effective configuration, for {@code /config} and metrics
 * @param loadedAt when it was loaded
 * @param routes in file order; the first match wins, none matches means the defaults
 */
public record Settings(
        Optional<Path> file,
        String hash,
        Instant loadedAt,
        ListenSettings listen,
        AdminSettings admin,
        UpstreamSettings upstream,
        CorsSettings cors,
        List<RouteSettings> routes,
        LimitsSettings limits,
        FetchMetadataSettings fetchMetadata,
        ForwardedSettings forwarded,
        DebugSettings debug,
        AccessLogSettings accessLog,
        ReloadSettings reload,
        ShutdownSettings shutdown) {

    public Settings {
        routes = List.copyOf(routes);
    }
}

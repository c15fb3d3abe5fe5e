package dev.preflight.policy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code preflight.cors} (or a route's {@code cors}, merged key by key over it), as written. The
 * policy package compiles it into matchers and precomputed header values.
 *
 * @param maxAge empty when set to {@code null}: no {@code Access-Control-Max-Age} is sent
 */
public record CorsSettings(
        boolean enabled,
        List<String> allowedOrigins,
        List<String> allowedOriginRegexes,
        List<String> allowedMethods,
        List<String> allowedHeaders,
        List<String> exposedHeaders,
        boolean allowCredentials,
        Optional<Duration> maxAge,
        boolean allowPrivateNetwork,
        int preflightStatus,
        DisallowedOrigin disallowedOrigin,
        UpstreamCorsHeaders upstreamCorsHeaders,
        Mode mode) {

    public CorsSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedOriginRegexes = List.copyOf(allowedOriginRegexes);
        allowedMethods = List.copyOf(allowedMethods);
        allowedHeaders = List.copyOf(allowedHeaders);
        exposedHeaders = List.copyOf(exposedHeaders);
    }

    /** What happens to an actual request from an origin that is not allowed (C9). */
    public enum DisallowedOrigin {
        FORWARD,
        REJECT
    }

    /** What happens to {@code Access-Control-*} headers the backend sends (C10). */
    public enum UpstreamCorsHeaders {
        STRIP,
        PRESERVE
    }

    /** {@code enforce}, or {@code report-only}: transparent, recording what it would have done. */
    public enum Mode {
        ENFORCE,
        REPORT_ONLY
    }
}

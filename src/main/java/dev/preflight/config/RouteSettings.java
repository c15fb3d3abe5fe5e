package dev.preflight.config;

import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.util.Optional;

/**
 * One entry of {@code preflight.routes}, already merged over the defaults: its {@code cors},
 * {@code upstream} and {@code fetch-metadata} blocks override the top-level ones key by key.
 *
 * @param name unique; used in logs and metric labels
 * @param host matched case-insensitively against the request's {@code Host} without port; empty
 *     matches any host
 * @param pathPrefix segment-aware prefix of the normalised path ({@code /api} matches {@code /api}
 *     and {@code /api/x}, not {@code /apix}); {@code /} matches everything
 * @param pathPrefixIgnoreCase the prefix matches whatever the case of the path's letters, for a
 *     backend that serves {@code /ADMIN/x} as {@code /admin/x}
 * @param cors the route's policy as written, merged over the top-level one
 * @param corsPolicy the same, compiled: the policy of requests that match this route
 */
public record RouteSettings(
        String name,
        Optional<String> host,
        String pathPrefix,
        boolean pathPrefixIgnoreCase,
        UpstreamSettings upstream,
        CorsSettings cors,
        CorsPolicy corsPolicy,
        FetchMetadataSettings fetchMetadata) {}

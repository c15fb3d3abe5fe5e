package dev.preflight.proxy;

import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.FetchMetadataPolicy;
import dev.preflight.proxy.upstream.UpstreamPool;

/**
 * A route as requests see it at run time: its name (for logs and metrics), CORS policy, fetch-metadata
 * check and upstream.
 */
record Route(String name, CorsPolicy policy, FetchMetadataPolicy fetchMetadata, UpstreamPool pool) {
    static final String DEFAULT_NAME = "default";
}

package dev.preflight.proxy;

import dev.preflight.config.RouteSettings;
import dev.preflight.config.Settings;
import dev.preflight.config.UpstreamSettings;
import dev.preflight.policy.FetchMetadataPolicy;
import dev.preflight.policy.RouteTable;
import dev.preflight.proxy.upstream.UpstreamPool;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request needs from the running proxy, built from one {@link Settings}: the routes with their
 * compiled policies, one upstream pool per distinct upstream, and the forwarding headers. A reload
 * builds a new one, taking over the pools of upstreams whose settings did not change, so their warm
 * connections survive; a request keeps the runtime it started with until it ends.
 */
final class ProxyRuntime {
    private final Settings settings;
    private final RouteTable<Route> routes;
    private final Map<UpstreamSettings, UpstreamPool> pools = new LinkedHashMap<>();
    private final ForwardedHeaders forwardedHeaders;

    ProxyRuntime(Settings settings, Transports transports) {
        this(settings, transports, Map.of());
    }

    /** @param reusable pools of the runtime being replaced, by their settings */
    ProxyRuntime(Settings settings, Transports transports, Map<UpstreamSettings, UpstreamPool> reusable) {
        this.settings = settings;
        UpstreamPool defaultPool = pool(settings.upstream(), transports, reusable);
        Route fallback = new Route(
                Route.DEFAULT_NAME,
                settings.corsPolicy(),
                FetchMetadataPolicy.compile(settings.fetchMetadata()),
                defaultPool);
        this.routes = RouteTable.of(
                settings.routes(),
                (RouteSettings r) -> new RouteTable.Entry<>(
                        r.host(),
                        r.pathPrefix(),
                        r.pathPrefixIgnoreCase(),
                        new Route(
                                r.name(),
                                r.corsPolicy(),
                                FetchMetadataPolicy.compile(r.fetchMetadata()),
                                pool(r.upstream(), transports, reusable))),
                fallback);
        this.forwardedHeaders = new ForwardedHeaders(settings.forwarded());
    }

    private UpstreamPool pool(
            UpstreamSettings upstream, Transports transports, Map<UpstreamSettings, UpstreamPool> reusable) {
        return pools.computeIfAbsent(upstream, u -> {
            UpstreamPool existing = reusable.get(u);
            return existing != null ? existing : new UpstreamPool(u, transports);
        });
    }

    Settings settings() {
        return settings;
    }

    RouteTable<Route> routes() {
        return routes;
    }

    ForwardedHeaders forwardedHeaders() {
        return forwardedHeaders;
    }

    Collection<UpstreamPool> pools() {
        return pools.values();
    }

    Map<UpstreamSettings, UpstreamPool> poolsBySettings() {
        return pools;
    }

    /** Retires the pools {@code next} does not use: they close once their exchanges end. */
    /** @return the pools retired: their connections in use finish their exchanges, then close */
    List<UpstreamPool> retireUnusedBy(ProxyRuntime next) {
        List<UpstreamPool> retired = new ArrayList<>();
        pools.forEach((settings, pool) -> {
            if (next.pools.get(settings) != pool) {
                pool.retire();
                retired.add(pool);
            }
        });
        return retired;
    }

    void close() {
        pools.values().forEach(UpstreamPool::close);
    }
}

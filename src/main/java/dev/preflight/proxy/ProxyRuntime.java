package dev.preflight.proxy;

import dev.preflight.config.RouteSettings;
import dev.preflight.config.Settings;
import dev.preflight.config.UpstreamSettings;
import dev.preflight.policy.RouteTable;
import dev.preflight.proxy.upstream.UpstreamPool;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a request needs from the running proxy, built from one {@link Settings}: the routes with their
 * compiled policies, one upstream pool per distinct upstream, and the forwarding headers.
 */
final class ProxyRuntime {
    private final Settings settings;
    private final RouteTable<Route> routes;
    private final Map<UpstreamSettings, UpstreamPool> pools;
    private final ForwardedHeaders forwardedHeaders;

    ProxyRuntime(Settings settings, Transports transports) {
        this.settings = settings;
        this.pools = new LinkedHashMap<>();
        UpstreamPool defaultPool = pools.computeIfAbsent(settings.upstream(), u -> new UpstreamPool(u, transports));
        Route fallback = new Route(Route.DEFAULT_NAME, settings.corsPolicy(), defaultPool);
        this.routes = RouteTable.of(
                settings.routes(),
                (RouteSettings r) -> new RouteTable.Entry<>(
                        r.host(),
                        r.pathPrefix(),
                        new Route(
                                r.name(),
                                r.corsPolicy(),
                                pools.computeIfAbsent(r.upstream(), u -> new UpstreamPool(u, transports)))),
                fallback);
        this.forwardedHeaders = new ForwardedHeaders(settings.forwarded());
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

    void close() {
        pools.values().forEach(UpstreamPool::close);
    }
}

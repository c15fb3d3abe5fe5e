package dev.preflight.proxy;

import dev.preflight.config.Settings;
import dev.preflight.proxy.upstream.UpstreamPool;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.event.Level;

/**
 * State shared by every client connection of one listener: the runtime in force (replaced whole on
 * reload, read once per request, so a request never sees half of each), the metrics, the access log,
 * and whether the proxy is draining for shutdown.
 */
final class ProxyContext {
    private final Transports transports;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private final ThrottledLog rejections = new ThrottledLog("preflight.cors", Level.INFO, 10);
    private final HeadBudget headBudget = HeadBudget.ofHeap();
    private final HeadBudget backlogBudget;
    private final Set<String> poolGauges = ConcurrentHashMap.newKeySet();
    // Pools a reload retired, until their last connection closes: the gauges count what they still
    // hold (an exchange, a tunnel in flight), which is open at the backend all the same (found by probing).
    private final Set<UpstreamPool> retiring = ConcurrentHashMap.newKeySet();
    private volatile ProxyRuntime runtime;
    private volatile boolean draining;

    /** @param accessLines where text access-log lines go, or null for the logger (AccessLog) */
    ProxyContext(Settings settings, Transports transports, ProxyMetrics metrics, Consumer<AccessLogEntry> accessLines) {
        this(settings, transports, metrics, accessLines, HeadBudget.ofDirectMemory());
    }

    /** @param backlogBudget the direct memory for unfinished heads (a test's is small) */
    ProxyContext(
            Settings settings,
            Transports transports,
            ProxyMetrics metrics,
            Consumer<AccessLogEntry> accessLines,
            HeadBudget backlogBudget) {
        this.backlogBudget = backlogBudget;
        this.transports = transports;
        this.metrics = metrics;
        this.accessLog = new AccessLog(settings.accessLog(), accessLines);
        this.runtime = new ProxyRuntime(settings, transports);
        registerPoolGauges(runtime);
    }

    ProxyRuntime runtime() {
        return runtime;
    }

    /** The heap request heads of all connections may take while they are decoded and wait. */
    HeadBudget headBudget() {
        return headBudget;
    }

    /** The direct memory the decoders of all connections may hold for unfinished heads. */
    HeadBudget backlogBudget() {
        return backlogBudget;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    ThrottledLog rejections() {
        return rejections;
    }

    boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    /** Installs {@code settings} for new requests; in-flight ones finish under the old runtime. */
    synchronized void swap(Settings settings) {
        ProxyRuntime previous = runtime;
        ProxyRuntime next = new ProxyRuntime(settings, transports, previous.poolsBySettings());
        runtime = next;
        registerPoolGauges(next);
        // Pruned here too, not only when the gauges are read: a proxy nobody scrapes keeps no pool.
        retiring.addAll(previous.retireUnusedBy(next));
        retiring.removeIf(ProxyContext::drained);
        removeUnusedPoolGauges(next);
        Set<String> routes = new HashSet<>(List.of(Route.DEFAULT_NAME, RequestRecord.UNROUTED));
        settings.routes().forEach(route -> routes.add(route.name()));
        metrics.keepRoutes(routes);
    }

    /**
     * The gauges of an upstream no pool is left for (none in force, no retired one still holding a
     * connection) leave the registry: they read 0 for good otherwise, one set per upstream a reload
     * ever dropped (found by probing). One a retired pool still holds goes at a later reload.
     */
    private void removeUnusedPoolGauges(ProxyRuntime next) {
        Set<String> used = new HashSet<>();
        next.pools().forEach(pool -> used.add(pool.settings().url().toString()));
        // Busy: a connection lent (an exchange, a tunnel) or a request waiting. Idle ones are being
        // closed with the retired pool, and kept its gauges at almost every reload (found by probing).
        retiring.stream()
                .filter(pool -> pool.openConnections() > pool.idleConnections() || pool.pendingAcquires() > 0)
                .forEach(pool -> used.add(pool.settings().url().toString()));
        for (String url : poolGauges) {
            if (!used.contains(url)) {
                metrics.removeUpstreamPool(url);
                poolGauges.remove(url);
            }
        }
    }

    void close() {
        runtime.close();
    }

    /** One set of pool gauges per upstream URL, reading whichever pool the runtime in force has. */
    private void registerPoolGauges(ProxyRuntime r) {
        for (UpstreamPool pool : r.pools()) {
            String url = pool.settings().url().toString();
            if (poolGauges.add(url)) {
                metrics.upstreamPool(
                        url,
                        () -> sum(url, p -> p.openConnections() - p.idleConnections()),
                        () -> sum(url, UpstreamPool::idleConnections),
                        () -> sum(url, UpstreamPool::pendingAcquires));
            }
        }
    }

    private int sum(String url, java.util.function.ToIntFunction<UpstreamPool> value) {
        retiring.removeIf(ProxyContext::drained);
        int total = 0;
        for (UpstreamPool pool : runtime.pools()) {
            total += of(pool, url, value);
        }
        for (UpstreamPool pool : retiring) {
            total += of(pool, url, value);
        }
        return total;
    }

    private static boolean drained(UpstreamPool pool) {
        return pool.openConnections() == 0 && pool.pendingAcquires() == 0;
    }

    private static int of(UpstreamPool pool, String url, java.util.function.ToIntFunction<UpstreamPool> value) {
        return pool.settings().url().toString().equals(url) ? value.applyAsInt(pool) : 0;
    }
}

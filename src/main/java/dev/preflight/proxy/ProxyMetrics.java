package dev.preflight.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every metric the proxy records, declared here once (O3). Label values are bounded: route names
 * come from the configuration, the rest from closed sets; never an origin, path or header value.
 */
public final class ProxyMetrics {
    public static final String REQUESTS = "preflight.requests";
    public static final String REQUEST_DURATION = "preflight.request.duration";
    public static final String UPSTREAM_DURATION = "preflight.upstream.duration";
    public static final String UPSTREAM_ERRORS = "preflight.upstream.errors";
    public static final String CLIENT_CONNECTIONS = "preflight.client.connections";
    public static final String UPSTREAM_CONNECTIONS = "preflight.upstream.connections";
    public static final String UPSTREAM_PENDING = "preflight.upstream.pending";
    public static final String CONFIG_RELOADS = "preflight.config.reloads";
    public static final String CONFIG_LAST_SUCCESS = "preflight.config.last.success";
    public static final String CONFIG_INFO = "preflight.config.info";
    public static final String ACCESS_LOG_DROPPED = "preflight.access.log.dropped";
    public static final String REPORT_ONLY = "preflight.report.only";
    public static final String FETCH_METADATA = "preflight.fetch.metadata";
    public static final String WEBSOCKET_TUNNELS = "preflight.websocket.tunnels";

    private volatile double lastReloadSeconds = Double.NaN;
    private Gauge configInfo;

    private final MeterRegistry registry;
    // Looked up once per label set, not built per request: the builders allocate and hash each time.
    private final Map<RequestLabels, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> requestDurations = new ConcurrentHashMap<>();
    private final Map<String, Timer> upstreamDurations = new ConcurrentHashMap<>();
    // Made once: a lambda bound to this, written at the computeIfAbsent call, would be an object per
    // request even when the meter exists, which is every request but the first (issue 7).
    private final Function<RequestLabels, Counter> newRequestCounter = this::requestCounter;
    private final Function<String, Timer> newRequestTimer =
            route -> durationTimer(REQUEST_DURATION, route, "Time from the request head to the end of the response");
    private final Function<String, Timer> newUpstreamTimer = route ->
            durationTimer(UPSTREAM_DURATION, route, "Time from the upstream request head to the end of its response");
    private final AtomicInteger tunnels = new AtomicInteger();

    /**
     * equals and hashCode written out: a record's own are made at their first call, the first
     * request's, from method handles the AOT cache does not keep (issue 7). The values are few and
     * mostly the same constants, so identity decides most comparisons.
     */
    private record RequestLabels(String route, String kind, String outcome, String reason, String status) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RequestLabels l
                    && route.equals(l.route)
                    && kind.equals(l.kind)
                    && outcome.equals(l.outcome)
                    && reason.equals(l.reason)
                    && status.equals(l.status);
        }

        @Override
        public int hashCode() {
            return (((route.hashCode() * 31 + kind.hashCode()) * 31 + outcome.hashCode()) * 31 + reason.hashCode()) * 31
                    + status.hashCode();
        }
    }

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(WEBSOCKET_TUNNELS, tunnels, AtomicInteger::get)
                .description("Open WebSocket tunnels")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A reload that changed something: {@code success} (applied) or {@code failure} (kept the old). */
    public void reload(boolean success) {
        reloads(success ? "success" : "failure").increment();
    }

    /** Both reload series exist from the start, so the first failure shows as an increase. */
    public void reloadsAtZero() {
        reloads("success");
        reloads("failure");
    }

    private Counter reloads(String result) {
        return Counter.builder(CONFIG_RELOADS)
                .description("Config reloads by result")
                .tag("result", result)
                .register(registry);
    }

    /** The configuration now in force: its hash as an info metric, and when it was loaded. */
    public synchronized void configInForce(String hash, java.time.Instant loadedAt) {
        lastReloadSeconds = loadedAt.toEpochMilli() / 1000.0;
        if (configInfo == null) {
            Gauge.builder(CONFIG_LAST_SUCCESS, this, m -> m.lastReloadSeconds)
                    .description("When the configuration in force was loaded (Unix time, seconds)")
                    .baseUnit("seconds")
                    .register(registry);
        } else {
            registry.remove(configInfo);
        }
        configInfo = Gauge.builder(CONFIG_INFO, () -> 1)
                .description("The configuration in force, by its SHA-256")
                .tag("hash", hash)
                .register(registry);
    }

    /** Access-log lines dropped because the asynchronous appender's queue was full. */
    public void accessLogDropped(LongAdder dropped) {
        // The count itself as the state: Micrometer holds a function counter's state weakly, and the
        // method reference this took before was garbage the first collection took, after which the
        // counter stopped (the writer holds the adder for the life of the process).
        io.micrometer.core.instrument.FunctionCounter.builder(ACCESS_LOG_DROPPED, dropped, LongAdder::doubleValue)
                .description("Access-log lines dropped because the log queue was full")
                .register(registry);
    }

    /** Report-only mode: how the backend's answer compared with the policy's (C13). */
    void reportOnly(String route, String kind, String verdict) {
        Counter.builder(REPORT_ONLY)
                .description(
                        "Report-only comparisons of the policy with the backend: agree, would-allow, would-reject, differ")
                .tag("route", route)
                .tag("kind", kind)
                .tag("result", verdict)
                .register(registry)
                .increment();
    }

    /** F4: a request the fetch-metadata check refused ({@code refused}) or would have ({@code would-refuse}). */
    void fetchMetadata(String route, String verdict) {
        Counter.builder(FETCH_METADATA)
                .description(
                        "Cross-site requests the fetch-metadata check refused or, in report-only mode, would refuse")
                .tag("route", route)
                .tag("result", verdict)
                .register(registry)
                .increment();
    }

    void request(RequestRecord r) {
        RequestLabels labels = new RequestLabels(r.route, r.kind(), r.outcome(), r.reason(), r.statusClass());
        requests.computeIfAbsent(labels, newRequestCounter).increment();
        requestDurations.computeIfAbsent(r.route, newRequestTimer).record(r.durationNanos(), TimeUnit.NANOSECONDS);
        if (r.upstreamNanos >= 0) {
            upstreamDurations.computeIfAbsent(r.route, newUpstreamTimer).record(r.upstreamNanos, TimeUnit.NANOSECONDS);
        }
    }

    private Counter requestCounter(RequestLabels labels) {
        return Counter.builder(REQUESTS)
                .description("Requests by route, CORS kind, outcome, reason and status class")
                .tag("route", labels.route())
                .tag("kind", labels.kind())
                .tag("outcome", labels.outcome())
                .tag("reason", labels.reason())
                .tag("status", labels.status())
                .register(registry);
    }

    private Timer durationTimer(String name, String route, String description) {
        return Timer.builder(name)
                .description(description)
                .tag("route", route)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    void tunnelOpened() {
        tunnels.incrementAndGet();
    }

    void tunnelClosed() {
        tunnels.decrementAndGet();
    }

    void upstreamError(String route, String kind) {
        Counter.builder(UPSTREAM_ERRORS)
                .description("Upstream failures by kind: connect, timeout, reset, pool-exhausted, malformed")
                .tag("route", route)
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    void clientConnections(Supplier<Number> open) {
        Gauge.builder(CLIENT_CONNECTIONS, open)
                .description("Open client connections")
                .register(registry);
    }

    /**
     * Takes the meters of routes a reload left out of the registry (and of the lookups here): one set
     * per route name ever served stayed otherwise, and renaming 20 routes 30 times made /metrics 8.9 MB
     * (found by probing). A request still in flight under an old name counts under it once more,
     * until the next reload.
     */
    void keepRoutes(Set<String> names) {
        for (String name : new String[] {
            REQUESTS, REQUEST_DURATION, UPSTREAM_DURATION, UPSTREAM_ERRORS, REPORT_ONLY, FETCH_METADATA
        }) {
            for (Meter meter : registry.find(name).meters()) {
                String route = meter.getId().getTag("route");
                if (route != null && !names.contains(route)) {
                    registry.remove(meter);
                }
            }
        }
        requests.keySet().removeIf(labels -> !names.contains(labels.route()));
        requestDurations.keySet().retainAll(names);
        upstreamDurations.keySet().retainAll(names);
    }

    /** Takes an upstream's pool gauges out of the registry: no pool for it is left after a reload. */
    void removeUpstreamPool(String upstream) {
        for (String name : new String[] {UPSTREAM_CONNECTIONS, UPSTREAM_PENDING}) {
            registry.find(name).tag("upstream", upstream).meters().forEach(registry::remove);
        }
    }

    void upstreamPool(String upstream, Supplier<Number> inUse, Supplier<Number> idle, Supplier<Number> pending) {
        Gauge.builder(UPSTREAM_CONNECTIONS, inUse)
                .description("Upstream connections by state")
                .tag("upstream", upstream)
                .tag("state", "in-use")
                .register(registry);
        Gauge.builder(UPSTREAM_CONNECTIONS, idle)
                .description("Upstream connections by state")
                .tag("upstream", upstream)
                .tag("state", "idle")
                .register(registry);
        Gauge.builder(UPSTREAM_PENDING, pending)
                .description("Requests waiting for an upstream connection")
                .tag("upstream", upstream)
                .register(registry);
    }
}

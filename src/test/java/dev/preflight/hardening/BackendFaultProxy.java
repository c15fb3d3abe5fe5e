package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import dev.preflight.testing.Await;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TestBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The real proxy, with its metrics in a registry the test can read, in front of two upstreams: a
 * healthy {@link TestBackend} (the default route) and, for paths under {@code /fault}, whatever
 * {@code faultUrl} points at (a {@link BackendFaultServer}, a closed port, a blackhole). The healthy
 * route shows that the proxy keeps serving others while one backend misbehaves; the pool gauges
 * show that no upstream connection stays lent after a failure.
 */
final class BackendFaultProxy implements AutoCloseable {

    static final String GET_HEALTHY = "GET /healthy HTTP/1.1\r\nHost: api.test\r\n\r\n";

    private final TestBackend healthy;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyServer proxy;
    private final String defaultUrl;
    private final String faultUrl;
    private final String[] settings;

    private BackendFaultProxy(
            TestBackend healthy, String defaultUrl, String faultUrl, String faultUpstream, String... settings)
            throws Exception {
        this.healthy = healthy;
        this.defaultUrl = defaultUrl;
        this.faultUrl = faultUrl;
        this.settings = settings;
        this.proxy = ProxyServer.start(settings(faultUpstream), registry);
    }

    private dev.preflight.config.Settings settings(String faultUpstream) throws Exception {
        List<String> lines = new ArrayList<>(List.of(settings));
        lines.add("routes = [ { name = \"fault\", path-prefix = \"/fault\", upstream { url = \"" + faultUrl + "\""
                + (faultUpstream.isEmpty() ? "" : ", " + faultUpstream) + " } } ]");
        return ProxyHarness.settings(defaultUrl, lines.toArray(String[]::new));
    }

    /** A hot reload (O4) with the {@code /fault} route's upstream block now {@code faultUpstream}. */
    void reload(String faultUpstream) throws Exception {
        proxy.reload(settings(faultUpstream));
    }

    /**
     * @param faultUpstream extra keys of the {@code /fault} route's upstream block, comma-separated
     *     ({@code "response-timeout = 500ms"}), or empty
     * @param settings lines relative to {@code preflight}, as for {@link ProxyHarness#start}
     */
    static BackendFaultProxy start(String faultUrl, String faultUpstream, String... settings) throws Exception {
        TestBackend healthy = TestBackend.start();
        try {
            return new BackendFaultProxy(healthy, healthy.url(), faultUrl, faultUpstream, settings);
        } catch (Exception | Error e) {
            healthy.close();
            throw e;
        }
    }

    /** The proxy with {@code url} behind both routes, and no {@link TestBackend}. */
    static BackendFaultProxy inFrontOf(String url, String faultUpstream, String... settings) throws Exception {
        return new BackendFaultProxy(null, url, url, faultUpstream, settings);
    }

    TestBackend healthy() {
        if (healthy == null) {
            throw new IllegalStateException("started inFrontOf a backend of the test's own");
        }
        return healthy;
    }

    InetSocketAddress address() {
        return proxy.address();
    }

    RawClient raw() throws IOException {
        return RawClient.connect(address());
    }

    /** Upstream connections lent to an exchange now, over every upstream. */
    int upstreamInUse() {
        return (int) gauges(ProxyMetrics.UPSTREAM_CONNECTIONS, "in-use");
    }

    int upstreamIdle() {
        return (int) gauges(ProxyMetrics.UPSTREAM_CONNECTIONS, "idle");
    }

    int upstreamPending() {
        return (int) registry.find(ProxyMetrics.UPSTREAM_PENDING).gauges().stream()
                .mapToDouble(Gauge::value)
                .sum();
    }

    int clientConnections() {
        Gauge gauge = registry.find(ProxyMetrics.CLIENT_CONNECTIONS).gauge();
        return gauge == null ? 0 : (int) gauge.value();
    }

    /** Upstream errors of {@code kind} (connect, timeout, reset, malformed, pool-exhausted) so far. */
    long upstreamErrors(String kind) {
        return (long) registry.find(ProxyMetrics.UPSTREAM_ERRORS).tag("kind", kind).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /** Waits until no upstream connection is lent and no request waits for one. */
    void awaitUpstreamQuiet() {
        Await.until(
                "no upstream connection in use and none pending (in-use " + upstreamInUse() + ", pending "
                        + upstreamPending() + ")",
                () -> upstreamInUse() == 0 && upstreamPending() == 0);
    }

    /** A normal request on a new connection reaches the healthy backend and gets its 200. */
    void assertServesOthers() throws IOException {
        try (RawClient client = raw()) {
            RawResponse response = client.exchange(GET_HEALTHY);
            assertThat(response.status())
                    .as("a normal request afterwards:\n%s", response)
                    .isEqualTo(200);
            assertThat(response.header("X-Echo-Uri")).isEqualTo("/healthy");
        }
    }

    private double gauges(String name, String state) {
        return registry.find(name).tag("state", state).gauges().stream()
                .mapToDouble(Gauge::value)
                .sum();
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            try {
                if (healthy != null) {
                    healthy.close();
                }
            } finally {
                registry.close();
            }
        }
    }
}

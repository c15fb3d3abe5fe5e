package dev.preflight.ops;

import static dev.preflight.ops.OpsWire.APP;
import static dev.preflight.ops.OpsWire.EVIL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.admin.AdminContext;
import dev.preflight.admin.AdminServer;
import dev.preflight.admin.Health;
import dev.preflight.cli.GcMetrics;
import dev.preflight.cli.Reloader;
import dev.preflight.config.ConfigLoader;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import dev.preflight.testing.Await;
import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TestBackend;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * O2/O3 through real sockets: the proxy and the admin server as {@code run} wires them, a real
 * backend and a dead one, a known mix of requests, then {@code /metrics} scraped and read as
 * Prometheus would read it. The counters must match the mix exactly, and no label may carry an
 * origin or a path.
 */
@Timeout(120)
class OpsMetricsTest {
    /** Distinctive request parts that must never become label values (O3). */
    private static final String PATH = "/api/items-7f3a";

    private static final String QUERY = "?token=s3cret";
    private static final List<String> NEVER_IN_LABELS =
            List.of("app.example", "evil.example", "items-7f3a", "s3cret", "/api", "/dead");

    @TempDir
    Path dir;

    private TestBackend backend;
    private PrometheusMeterRegistry registry;
    private ProxyServer proxy;
    private AdminServer admin;
    private int proxyPort;
    private int adminPort;
    private int deadPort;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start();
        deadPort = PreflightProcess.freePort(); // nothing listens there: connections are refused
        Path file = Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin { enabled = true, host = "127.0.0.1", port = 0 }
                  reload.watch = false
                  upstream { url = "%s", connect-timeout = 5s, response-timeout = 20s }
                  limits.header-timeout = 20s
                  cors { allowed-origins = ["%s"], allowed-methods = ["GET", "POST"] }
                  routes = [ { name = "dead", path-prefix = "/dead", upstream.url = "http://127.0.0.1:%d" } ]
                }
                """.formatted(backend.url(), APP, deadPort));
        Settings settings = ConfigLoader.load(file, Map.of());
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // What `run` binds besides the proxy's own metrics (RunCommand.bindProcessMetrics).
        new JvmMemoryMetrics().bindTo(registry);
        new GcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        ProxyMetrics metrics = new ProxyMetrics(registry);
        metrics.accessLogDropped(new java.util.concurrent.atomic.LongAdder());
        proxy = ProxyServer.start(settings, registry);
        Reloader reloader = new Reloader(file, Map.of(), proxy, metrics, settings);
        Health health = new Health();
        admin = AdminServer.start(settings.admin(), new AdminContext(registry, health, reloader::current));
        health.markReady();
        proxyPort = proxy.address().getPort();
        adminPort = admin.address().getPort();
    }

    @AfterEach
    void stop() {
        try {
            if (admin != null) {
                admin.close();
            }
        } finally {
            try {
                if (proxy != null) {
                    proxy.close();
                }
            } finally {
                backend.close();
                if (registry != null) {
                    registry.close();
                }
            }
        }
    }

    @Test
    @DisplayName("O3: after a known mix of requests, preflight_requests_total matches it series by series, exactly")
    void countersMatchTheMix() throws Exception {
        int allowedActual = 5;
        int rejectedActual = 2;
        int plain = 2;
        int rejectedOriginPreflights = 3;
        int rejectedMethodPreflights = 2;
        int allowedPreflights = 4;
        int dead = 3;

        expect(allowedActual, OpsWire.get(proxyPort, PATH + QUERY, APP), 200);
        expect(rejectedActual, OpsWire.get(proxyPort, PATH + QUERY, EVIL), 200);
        expect(plain, OpsWire.get(proxyPort, PATH + QUERY, null), 200);
        expect(rejectedOriginPreflights, OpsWire.preflight(proxyPort, PATH + QUERY, EVIL, "GET"), 403);
        expect(rejectedMethodPreflights, OpsWire.preflight(proxyPort, PATH + QUERY, APP, "DELETE"), 403);
        expect(allowedPreflights, OpsWire.preflight(proxyPort, PATH + QUERY, APP, "POST"), 204);
        expect(dead, OpsWire.get(proxyPort, "/dead/x" + QUERY, null), 502);
        int total = allowedActual
                + rejectedActual
                + plain
                + rejectedOriginPreflights
                + rejectedMethodPreflights
                + allowedPreflights
                + dead;

        // A request is counted once its response has been written, a moment after the client read it.
        Await.until(
                total + " requests counted", () -> OpsWire.scrape(adminPort).sum("preflight_requests_total") == total);
        OpsExposition metrics = OpsWire.scrape(adminPort);

        assertThat(metrics.series("preflight_requests_total"))
                .as("preflight_requests_total, every series")
                .isEqualTo(Map.of(
                        series("default", "actual", "allowed", "allowed", "2xx"), (double) allowedActual,
                        series("default", "actual", "rejected", "origin-not-allowed", "2xx"), (double) rejectedActual,
                        series("default", "none", "not-applicable", "no-origin", "2xx"), (double) plain,
                        series("default", "preflight", "rejected", "origin-not-allowed", "4xx"),
                                (double) rejectedOriginPreflights,
                        series("default", "preflight", "rejected", "method-not-allowed", "4xx"),
                                (double) rejectedMethodPreflights,
                        series("default", "preflight", "allowed", "allowed", "2xx"), (double) allowedPreflights,
                        series("dead", "none", "not-applicable", "no-origin", "5xx"), (double) dead));
        assertThat(metrics.series("preflight_upstream_errors_total"))
                .as("preflight_upstream_errors_total, every series")
                .isEqualTo(Map.of("kind=connect,route=dead", (double) dead));
        assertThat(metrics.series("preflight_request_duration_seconds_count"))
                .as("one request duration per request, by route")
                .isEqualTo(Map.of("route=default", (double) (total - dead), "route=dead", (double) dead));
        assertThat(metrics.value("preflight_upstream_duration_seconds_count", Map.of("route", "default")))
                .as("one upstream duration per forwarded request")
                .isEqualTo(allowedActual + rejectedActual + plain);
        assertThat(metrics.value("preflight_config_info", Map.of())).isEqualTo(1.0);
    }

    @Test
    @DisplayName("O3: /metrics is valid Prometheus text, every family with HELP and TYPE, no origin or path in a label")
    void expositionFormatAndBoundedLabels() throws Exception {
        expect(1, OpsWire.get(proxyPort, PATH + QUERY, APP), 200);
        expect(1, OpsWire.get(proxyPort, PATH + QUERY, EVIL), 200);
        expect(1, OpsWire.preflight(proxyPort, PATH + QUERY, EVIL, "GET"), 403);
        expect(1, OpsWire.get(proxyPort, "/dead/y" + QUERY, APP), 502);
        Await.until("4 requests counted", () -> OpsWire.scrape(adminPort).sum("preflight_requests_total") == 4);

        OpsExposition metrics = OpsWire.scrape(adminPort); // parse() checks the format line by line

        List<String> families = metrics.samples().stream()
                .map(OpsExposition.Sample::name)
                .distinct()
                .toList();
        assertThat(families)
                .contains(
                        "preflight_requests_total",
                        "preflight_request_duration_seconds_bucket",
                        "preflight_upstream_duration_seconds_bucket",
                        "preflight_upstream_errors_total",
                        "preflight_client_connections",
                        "preflight_upstream_connections",
                        "preflight_upstream_pending",
                        "preflight_config_info",
                        "preflight_config_last_success_seconds",
                        "preflight_access_log_dropped_total",
                        "jvm_memory_used_bytes",
                        "netty_allocator_memory_used");
        List<String> leaks = new ArrayList<>();
        for (OpsExposition.Sample sample : metrics.samples()) {
            sample.labels().forEach((name, value) -> {
                if (NEVER_IN_LABELS.stream().anyMatch(value::contains)) {
                    leaks.add(sample.name() + "{" + name + "=\"" + value + "\"}");
                }
            });
        }
        assertThat(leaks).as("label values carrying an origin, path or query").isEmpty();
        assertThat(metrics.series("preflight_upstream_connections").keySet())
                .as("pool gauges by upstream and state")
                .contains(
                        "state=idle,upstream=" + backend.url(),
                        "state=in-use,upstream=" + backend.url(),
                        "state=idle,upstream=http://127.0.0.1:" + deadPort,
                        "state=in-use,upstream=http://127.0.0.1:" + deadPort);
    }

    @Test
    @DisplayName("O3: preflight_client_connections follows the open client connections")
    void clientConnectionsGauge() throws Exception {
        InetSocketAddress address = proxy.address();
        try (RawClient first = RawClient.connect(address);
                RawClient second = RawClient.connect(address)) {
            assertThat(first.exchange(OpsWire.get(proxyPort, "/a", null)).status())
                    .isEqualTo(200);
            assertThat(second.exchange(OpsWire.get(proxyPort, "/b", null)).status())
                    .isEqualTo(200);
            Await.until(
                    "2 open client connections",
                    () -> OpsWire.scrape(adminPort).value("preflight_client_connections", Map.of()) == 2);
        }
        Await.until(
                "no open client connection",
                () -> OpsWire.scrape(adminPort).value("preflight_client_connections", Map.of()) == 0);
    }

    /** Sends {@code request} {@code times} times, each on a connection of its own, expecting {@code status}. */
    private void expect(int times, String request, int status) throws Exception {
        for (int i = 0; i < times; i++) {
            try (RawClient client = RawClient.connect(proxy.address())) {
                RawResponse response = client.exchange(request);
                assertThat(response.status())
                        .as("%s\n->\n%s", request, response)
                        .isEqualTo(status);
                assertThat(response.complete()).as("%s", response).isTrue();
            }
        }
    }

    private static String series(String route, String kind, String outcome, String reason, String status) {
        return OpsExposition.key(
                Map.of("route", route, "kind", kind, "outcome", outcome, "reason", reason, "status", status));
    }
}

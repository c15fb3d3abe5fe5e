package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.TestBackend;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * O3, O4: an upstream a reload drops takes its pool gauges with it; they read 0 for good otherwise,
 * one set for every upstream a reload ever dropped (found by probing).
 */
class PoolGaugesRemovedTest {
    private static final String DEFAULT = "http://127.0.0.1:9";
    private static final String DROPPED = "http://127.0.0.1:7";
    private static final String ROUTE =
            "routes = [ { name = \"old\", path-prefix = \"/old\", upstream.url = \"" + DROPPED + "\" } ]";

    @Test
    @DisplayName("O3/O4: a reload without an upstream removes its gauges; one that brings it back registers them again")
    void droppedUpstreamsLeaveTheRegistry() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyServer proxy = ProxyServer.start(ProxyHarness.settings(DEFAULT, ROUTE), registry);
        try {
            assertThat(gaugedUpstreams(registry)).containsExactlyInAnyOrder(DEFAULT, DROPPED);

            proxy.reload(ProxyHarness.settings(DEFAULT));
            assertThat(gaugedUpstreams(registry)).containsExactly(DEFAULT);
            assertThat(registry.find(ProxyMetrics.UPSTREAM_CONNECTIONS).gauges())
                    .as("in-use and idle of the one left")
                    .hasSize(2);

            proxy.reload(ProxyHarness.settings(DEFAULT, ROUTE));
            assertThat(gaugedUpstreams(registry)).containsExactlyInAnyOrder(DEFAULT, DROPPED);
        } finally {
            proxy.close();
        }
    }

    @Test
    @DisplayName("O3/O4: an upstream whose pool holds only idle connections loses its gauges at the reload that"
            + " drops it (its idle connections are being closed; they kept the gauges until another reload)")
    void idleConnectionsDoNotKeepTheGauges() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestBackend backend = TestBackend.start()) {
            String route =
                    "routes = [ { name = \"old\", path-prefix = \"/old\", upstream.url = \"" + backend.url() + "\" } ]";
            ProxyServer proxy = ProxyServer.start(ProxyHarness.settings(DEFAULT, route), registry);
            try {
                HttpResponse<String> answer = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                + proxy.address().getPort() + "/old/x"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(200);
                Await.until("the connection is back in the pool", () -> idle(registry, backend.url()) == 1);

                proxy.reload(ProxyHarness.settings(DEFAULT));

                assertThat(gaugedUpstreams(registry)).containsExactly(DEFAULT);
            } finally {
                proxy.close();
            }
        }
    }

    private static double idle(SimpleMeterRegistry registry, String upstream) {
        return registry.find(ProxyMetrics.UPSTREAM_CONNECTIONS)
                .tag("upstream", upstream)
                .tag("state", "idle")
                .gauge()
                .value();
    }

    private static Set<String> gaugedUpstreams(SimpleMeterRegistry registry) {
        return registry.getMeters().stream()
                .filter(m -> m.getId().getName().equals(ProxyMetrics.UPSTREAM_CONNECTIONS)
                        || m.getId().getName().equals(ProxyMetrics.UPSTREAM_PENDING))
                .map(Meter::getId)
                .map(id -> id.getTag("upstream"))
                .collect(Collectors.toSet());
    }
}

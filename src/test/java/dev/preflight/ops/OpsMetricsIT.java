package dev.preflight.ops;

import static dev.preflight.ops.OpsWire.APP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.TestBackend;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * O2/O3 with the built jar: {@code /metrics} as {@code run} wires it (proxy, config, JVM and Netty
 * allocator metrics in one registry) parses as Prometheus text and has every family O3 names.
 */
@Timeout(120)
class OpsMetricsIT {
    @TempDir
    Path dir;

    @Test
    @DisplayName("O3: the running jar's /metrics parses and has the proxy, config, JVM and Netty allocator families")
    void everyFamilyOfO3() throws Exception {
        try (TestBackend backend = TestBackend.start()) {
            Path file = Files.writeString(dir.resolve("application.conf"), """
                    preflight {
                      listen { host = "127.0.0.1", port = 0 }
                      admin { host = "127.0.0.1", port = 0 }
                      upstream.url = "%s"
                      cors.allowed-origins = ["%s"]
                    }
                    """.formatted(backend.url(), APP));
            try (OpsProcess preflight = OpsProcess.start(dir, file, Map.of())) {
                int proxyPort = preflight.proxyPort();
                int adminPort = preflight.adminPort();
                try (RawClient client = RawClient.connect(new InetSocketAddress("127.0.0.1", proxyPort))) {
                    assertThat(client.exchange(OpsWire.get(proxyPort, "/x", APP))
                                    .status())
                            .isEqualTo(200);
                }
                Await.until(
                        "the request counted", () -> OpsWire.scrape(adminPort).sum("preflight_requests_total") == 1);

                OpsExposition metrics = OpsWire.scrape(adminPort);

                List<String> names = metrics.samples().stream()
                        .map(OpsExposition.Sample::name)
                        .distinct()
                        .toList();
                assertThat(names)
                        .contains(
                                "preflight_requests_total",
                                "preflight_request_duration_seconds_bucket",
                                "preflight_upstream_duration_seconds_bucket",
                                "preflight_client_connections",
                                "preflight_upstream_connections",
                                "preflight_upstream_pending",
                                "preflight_config_info",
                                "preflight_config_last_success_seconds",
                                "preflight_access_log_dropped_total",
                                "jvm_memory_used_bytes",
                                "jvm_threads_live_threads",
                                "jvm_gc_memory_allocated_bytes_total",
                                "process_uptime_seconds",
                                "netty_allocator_memory_used");
                assertThat(metrics.series("preflight_requests_total"))
                        .isEqualTo(Map.of("kind=actual,outcome=allowed,reason=allowed,route=default,status=2xx", 1.0));
                assertThat(metrics.samples())
                        .as("Netty's allocator samples: none stands for 'not applicable' with -1 (no heap arenas)")
                        .filteredOn(sample -> sample.name().startsWith("netty_allocator"))
                        .isNotEmpty()
                        .allMatch(sample -> sample.value() >= 0);
                assertThat(metrics.series("preflight_config_info")).hasSize(1);
                assertThat(preflight.stdout())
                        .as("a start of a valid file warns about nothing (Micrometer warned of a meter filter"
                                + " configured after the first meter)")
                        .noneMatch(line -> line.matches("\\S+ +(WARN|ERROR) .*"));
                assertThat(metrics.value("preflight_config_last_success_seconds", Map.of()))
                        .isBetween(System.currentTimeMillis() / 1000.0 - 600, System.currentTimeMillis() / 1000.0 + 1);
            }
        }
    }
}
